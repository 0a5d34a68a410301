# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Maintenance due: the devices whose maintenance or control is due"""
import datetime
import io

from sql import Literal, Null, Values
from sql.conditionals import Case, Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
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
    # The site address's columns come with the query: the list reads no
    # plant nor address record (bench/RESULTS.md)
    city = fields.Char("City")
    postal_code = fields.Char("Postal Code")
    subdivision = fields.Many2One('country.subdivision', "Province")
    street_unstructured = fields.Text("Street")
    street = fields.Function(fields.Char("Street"), 'get_site')
    phone = fields.Function(fields.Char("Phone"), 'get_site')
    overdue = fields.Function(fields.Boolean("Overdue"), 'get_overdue',
        searcher='search_overdue')
    has_contract = fields.Function(
        fields.Boolean("Contract"), 'get_site')

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
        Address = pool.get('party.address')
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

        address = Address.__table__()
        join = device.join(plant, condition=device.plant == plant.id
            ).join(party, condition=plant.party == party.id
            ).join(address, 'LEFT', condition=plant.address == address.id)
        where = ((device.active == Literal(True))
            & (device.removal_date == Null)
            & (plant.active == Literal(True))
            & (party.active == Literal(True))
            & (party.trashed_at == Null)
            & (Coalesce(party.no_maintenance, False) == Literal(False)))
        company = context.get('company')
        if company:
            where &= plant.company == company
        devices = context.get('_termogest_due_devices')
        if devices is not None:
            # read() of listed dues: through their devices' primary key, and
            # without the list's filters, so that a due whose device was
            # just serviced (its date left the window) still reads, with
            # its new date, instead of "the record does not exist"
            where = reduce_ids(device.id, devices)
            if company:
                where &= plant.company == company
            from_date, to_date = datetime.date.min, datetime.date.max
            kind = None
        technician = context.get('technician')
        if technician and devices is None:
            plant_employee = PlantEmployee.__table__()
            where &= plant.id.in_(plant_employee.select(
                    plant_employee.plant,
                    where=plant_employee.employee == technician))
        contract_filter = context.get('contract')
        if contract_filter and devices is None:
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

        # A row per device and kind of due: the devices are joined once to
        # their plant and customer, then paired with the two kinds (a
        # union of two joins costs twice as much, bench/RESULTS.md)
        shift = Values([[0], [1]])
        is_maintenance = shift.column1 == 0
        due_date = Case((is_maintenance, device.next_maintenance_date),
            else_=device.next_efficiency_check_date)
        last_date = Case((is_maintenance, device.last_maintenance_date),
            else_=device.last_efficiency_check_date)
        windows = []
        for due_kind, due_field in [
                ('maintenance', device.next_maintenance_date),
                ('efficiency', device.next_efficiency_check_date),
                ]:
            if kind and kind != due_kind:
                continue
            # on the columns themselves, for their indexes
            windows.append((due_field >= from_date) & (due_field <= to_date))
        if len(windows) == 1:
            where &= windows[0] & (
                shift.column1 == (0 if kind == 'maintenance' else 1))
        else:
            where &= windows[0] | windows[1]
        where &= (due_date >= from_date) & (due_date <= to_date)
        return join.join(shift, type_='CROSS').select(
            (device.id * 2 + shift.column1).as_('id'),
            device.create_uid.as_('create_uid'),
            device.create_date.as_('create_date'),
            device.write_uid.as_('write_uid'),
            device.write_date.as_('write_date'),
            device.id.as_('device'),
            plant.id.as_('plant'),
            party.id.as_('party'),
            Case((is_maintenance, 'maintenance'),
                else_='efficiency').as_('kind'),
            due_date.as_('due_date'),
            last_date.as_('last_date'),
            address.city.as_('city'),
            address.postal_code.as_('postal_code'),
            address.subdivision.as_('subdivision'),
            address.street_unstructured.as_('street_unstructured'),
            where=where)

    def get_rec_name(self, name):
        return '%s %s %s' % (
            self.due_date.strftime('%d/%m/%Y') if self.due_date else '',
            self.kind_string, self.device.rec_name)

    @classmethod
    def read(cls, ids, fields_names):
        # Filtered on its computed id, the query would scan every device
        devices = sorted({i // 2 for i in ids if i is not None and i >= 0})
        with Transaction().set_context(_termogest_due_devices=devices):
            return super().read(ids, fields_names)

    @classmethod
    def get_site(cls, dues, names):
        """The street, first phone and contract of each due, in a few queries
        on the devices (reading a due again would run the whole query)"""
        pool = Pool()
        Device = pool.get('termogest.device')
        Plant = pool.get('termogest.plant')
        Address = pool.get('party.address')
        ContactMechanism = pool.get('party.contact_mechanism')
        Contract = pool.get('termogest.contract')
        ContractPlant = pool.get('termogest.contract-termogest.plant')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        in_max = backend.MAX_QUERY_PARAMS
        device = Device.__table__()
        plant = Plant.__table__()
        address = Address.__table__()
        mechanism = ContactMechanism.__table__()
        contract = Contract.__table__()
        contract_plant = ContractPlant.__table__()
        result = {n: {} for n in names}

        # The id of a due is its device's id * 2 (+ 1 for the efficiency)
        sites = {}
        for sub_ids in grouped_slice(
                {d.id // 2 for d in dues}, in_max):
            cursor.execute(*device.join(plant,
                    condition=device.plant == plant.id
                    ).join(address, 'LEFT',
                    condition=plant.address == address.id
                    ).select(device.id, plant.id, plant.party, address.id,
                    address.street_unstructured,
                    where=reduce_ids(device.id, sub_ids)))
            for device_id, *site in cursor:
                sites[device_id] = site

        if 'street' in names:
            # A structured street is formatted by the address
            structured = Address.browse({a for _, _, a, s in sites.values()
                    if a is not None and not s})
            streets = {a.id: a.street for a in structured}
            for due in dues:
                _, _, address_id, street = sites[due.id // 2]
                result['street'][due.id] = street or streets.get(address_id)

        if 'phone' in names:
            phones = {}
            parties = {p for _, p, _, _ in sites.values()}
            for sub_ids in grouped_slice(parties, in_max):
                cursor.execute(*mechanism.select(
                        mechanism.party, mechanism.value,
                        where=reduce_ids(mechanism.party, sub_ids)
                        & mechanism.type.in_(['phone', 'mobile'])
                        & (mechanism.active == Literal(True)),
                        order_by=[mechanism.party,
                            mechanism.sequence.asc.nulls_first,
                            mechanism.id]))
                for party, value in cursor:
                    phones.setdefault(party, value)
            for due in dues:
                result['phone'][due.id] = phones.get(sites[due.id // 2][1])

        if 'has_contract' in names:
            with_contract = set()
            plants = {p for p, _, _, _ in sites.values()}
            for sub_ids in grouped_slice(plants, in_max):
                cursor.execute(*contract_plant.join(contract,
                        condition=contract_plant.contract == contract.id
                        ).select(contract_plant.plant,
                        where=reduce_ids(contract_plant.plant, sub_ids)
                        & (contract.state == 'active')))
                with_contract.update(p for p, in cursor)
            for due in dues:
                result['has_contract'][due.id] = (
                    sites[due.id // 2][0] in with_contract)
        return result

    @classmethod
    def get_overdue(cls, dues, name):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        return {d.id: bool(d.due_date and d.due_date < today) for d in dues}

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
