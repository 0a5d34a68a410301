# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Maintenance due: the devices whose maintenance or control is due"""
import datetime
import io

from sql import Literal, Null, Union
from sql.conditionals import Coalesce

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

DUE_KINDS = [
    ('maintenance', "Maintenance"),
    ('efficiency', "Efficiency Control"),
    ]


class MaintenanceDueContext(ModelView):
    "Maintenance due"
    __name__ = 'termogest.maintenance.due.context'
    __string__ = "Maintenance Due"

    from_date = fields.Date("From", required=True)
    to_date = fields.Date(
        "To", required=True,
        domain=[('to_date', '>=', Eval('from_date'))])
    kind = fields.Selection([
            (None, "Both"),
            ('maintenance', "Maintenance"),
            ('efficiency', "Efficiency Control"),
            ], "Due For", sort=False)
    contract = fields.Selection([
            (None, "All"),
            ('with', "With Contract"),
            ('without', "Without Contract"),
            ], "Contract", sort=False)
    technician = fields.Many2One(
        'company.employee', "Authorized Technician")

    @classmethod
    def default_from_date(cls):
        return Pool().get('ir.date').today().replace(day=1)

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return today + datetime.timedelta(days=60)


class MaintenanceDue(ModelSQL, ModelView):
    "Maintenance due"
    __name__ = 'termogest.maintenance.due'
    __string__ = "Maintenance Due"

    device = fields.Many2One('termogest.device', "Device")
    plant = fields.Many2One('termogest.plant', "Plant")
    party = fields.Many2One('party.party', "Customer")
    kind = fields.Selection(DUE_KINDS, "Due For")
    kind_string = kind.translated('kind')
    due_date = fields.Date("Due Date")
    last_date = fields.Date("Last Done")
    city = fields.Function(fields.Char("City"), 'get_plant_field',
        searcher='search_plant_field')
    postal_code = fields.Function(fields.Char("Postal Code"),
        'get_plant_field', searcher='search_plant_field')
    subdivision = fields.Function(
        fields.Many2One('country.subdivision', "Province"),
        'get_plant_field', searcher='search_plant_field')
    street = fields.Function(fields.Char("Street"), 'get_plant_field')
    phone = fields.Function(fields.Char("Phone"), 'get_phone')
    overdue = fields.Function(fields.Boolean("Overdue"), 'get_overdue',
        searcher='search_overdue')
    has_contract = fields.Function(
        fields.Boolean("Contract"), 'get_has_contract')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('due_date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Device = pool.get('termogest.device')
        Plant = pool.get('termogest.plant')
        Party = pool.get('party.party')
        PlantEmployee = pool.get('termogest.plant-company.employee')
        ContractPlant = pool.get('termogest.contract-termogest.plant')
        Contract = pool.get('termogest.contract')
        context = Transaction().context
        device = Device.__table__()
        plant = Plant.__table__()
        party = Party.__table__()

        from_date = context.get('from_date') or datetime.date.min
        to_date = context.get('to_date') or datetime.date.max
        kind = context.get('kind')

        join = device.join(plant, condition=device.plant == plant.id
            ).join(party, condition=plant.party == party.id)
        where = ((device.active == Literal(True))
            & (device.removal_date == Null)
            & (plant.active == Literal(True))
            & (party.active == Literal(True))
            & (party.trashed_at == Null)
            & (Coalesce(party.no_maintenance, False) == Literal(False)))
        company = context.get('company')
        if company:
            where &= plant.company == company
        technician = context.get('technician')
        if technician:
            plant_employee = PlantEmployee.__table__()
            where &= plant.id.in_(plant_employee.select(
                    plant_employee.plant,
                    where=plant_employee.employee == technician))
        contract_filter = context.get('contract')
        if contract_filter:
            contract_plant = ContractPlant.__table__()
            contract = Contract.__table__()
            with_contract = plant.id.in_(contract_plant.join(contract,
                    condition=contract_plant.contract == contract.id
                    ).select(contract_plant.plant,
                    where=contract.state == 'active'))
            if contract_filter == 'with':
                where &= with_contract
            else:
                where &= ~with_contract

        queries = []
        for due_kind, due_field, last_field, offset in [
                ('maintenance', device.next_maintenance_date,
                    device.last_maintenance_date, 0),
                ('efficiency', device.next_efficiency_check_date,
                    device.last_efficiency_check_date, 1),
                ]:
            if kind and kind != due_kind:
                continue
            queries.append(join.select(
                    (device.id * 2 + offset).as_('id'),
                    device.create_uid.as_('create_uid'),
                    device.create_date.as_('create_date'),
                    device.write_uid.as_('write_uid'),
                    device.write_date.as_('write_date'),
                    device.id.as_('device'),
                    plant.id.as_('plant'),
                    party.id.as_('party'),
                    Literal(due_kind).as_('kind'),
                    due_field.as_('due_date'),
                    last_field.as_('last_date'),
                    where=where & (due_field >= from_date)
                    & (due_field <= to_date)))
        if len(queries) == 1:
            return queries[0]
        return Union(*queries, all_=True)

    @classmethod
    def get_plant_field(cls, dues, names):
        result = {n: {} for n in names}
        for due in dues:
            for name in names:
                value = getattr(due.plant, name)
                if name == 'subdivision':
                    value = value.id if value else None
                result[name][due.id] = value
        return result

    @classmethod
    def search_plant_field(cls, name, clause):
        nested = clause[0][len(name):]
        return [('plant.' + name + nested, *clause[1:])]

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.due_date.strftime('%d/%m/%Y') if self.due_date else '',
            self.kind_string, self.device.rec_name)

    def get_phone(self, name):
        for mechanism in self.party.contact_mechanisms:
            if mechanism.type in {'phone', 'mobile'}:
                return mechanism.value

    def get_overdue(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        return bool(self.due_date and self.due_date < Date.today())

    @classmethod
    def search_overdue(cls, name, clause):
        # on the server's (company's) today: sao's Date() is the UTC date
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause
        if (operator == '=') == bool(value):
            return [('due_date', '<', Date.today())]
        return [('due_date', '>=', Date.today())]

    @classmethod
    def get_has_contract(cls, dues, name):
        pool = Pool()
        Contract = pool.get('termogest.contract')
        plants = {d.plant.id for d in dues}
        with_contract = set()
        for contract in Contract.search([
                    ('plants', 'in', list(plants)),
                    ('state', '=', 'active'),
                    ]):
            with_contract.update(p.id for p in contract.plants)
        return {d.id: d.plant.id in with_contract for d in dues}

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('overdue', False), 'danger', '')),
            ]


class ExportStart(ModelView):
    "Export maintenance due"
    __name__ = 'termogest.maintenance.due.export.start'
    __string__ = "Export Maintenance Due"

    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
    count = fields.Integer("Rows", readonly=True)


class Export(Wizard):
    "Export maintenance due to a spreadsheet"
    __name__ = 'termogest.maintenance.due.export'
    start = StateView(
        'termogest.maintenance.due.export.start',
        'termogest_impianti.maintenance_due_export_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    COLUMNS = [
        ('due_date', 12), ('kind', 20), ('party', 32), ('phone', 16),
        ('street', 30), ('postal_code', 8), ('city', 20),
        ('subdivision', 8), ('plant', 30), ('device', 40),
        ('last_date', 12), ('has_contract', 10),
        ]

    def default_start(self, fields):
        pool = Pool()
        Date = pool.get('ir.date')
        data = self.spreadsheet(self.records)
        return {
            'file': data,
            'filename': 'manutenzioni_%s.xlsx' % Date.today().strftime(
                '%Y%m%d'),
            'count': len(self.records),
            }

    @classmethod
    def spreadsheet(cls, dues):
        from openpyxl import Workbook
        from openpyxl.styles import Font
        pool = Pool()
        Due = pool.get('termogest.maintenance.due')
        names = Due.__names__()
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = names['model'][:31]
        headers = [Due.__names__(name)['field'] for name, _ in cls.COLUMNS]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        yes, no = gettext('termogest_impianti.msg_yes'), gettext(
            'termogest_impianti.msg_no')
        for due in dues:
            row = []
            for name, _ in cls.COLUMNS:
                value = getattr(due, name)
                if name == 'kind':
                    value = due.kind_string
                elif name == 'subdivision':
                    value = value.code.split('-')[-1] if value else None
                elif name == 'has_contract':
                    value = yes if value else no
                elif hasattr(value, 'rec_name'):
                    value = value.rec_name
                row.append(value)
            sheet.append(row)
        for index, (_, width) in enumerate(cls.COLUMNS, 1):
            sheet.column_dimensions[
                sheet.cell(row=1, column=index).column_letter].width = width
            for cell in sheet.iter_rows(
                    min_row=2, min_col=index, max_col=index):
                if isinstance(cell[0].value, datetime.date):
                    cell[0].number_format = 'DD/MM/YYYY'
        sheet.freeze_panes = 'A2'
        sheet.auto_filter.ref = sheet.dimensions
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
