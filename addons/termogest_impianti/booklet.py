# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .plant import plant_from_context
from .regulation import rec_name_domain
from .rules import HEAT_CARRIERS


class BookletError(ValidationError):
    pass


BUILDING_CATEGORIES = [
    (None, ""),
    ('E.1', "E.1 Residential"),
    ('E.2', "E.2 Offices"),
    ('E.3', "E.3 Hospitals and Clinics"),
    ('E.4', "E.4 Recreation and Worship"),
    ('E.5', "E.5 Commerce"),
    ('E.6', "E.6 Sport"),
    ('E.7', "E.7 Schools"),
    ('E.8', "E.8 Industry and Crafts"),
    ]
TREATMENTS = [
    (None, ""),
    ('none', "None"),
    ('filtration', "Filtration"),
    ('softening', "Softening"),
    ('chemical', "Chemical Conditioning"),
    ]


class Booklet(Workflow, ModelSQL, ModelView):
    "Plant booklet (libretto di impianto, DM 10/02/2014)"
    __name__ = 'termogest.booklet'
    __string__ = "Plant Booklet"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') == 'archived'}

    number = fields.Char("Number", readonly=True)
    plant = fields.Many2One(
        'termogest.plant', "Plant", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('state') != 'draft'})
    party = fields.Function(
        fields.Many2One('party.party', "Responsible"), 'get_party',
        searcher='search_party')
    catasto_code = fields.Char("Catasto Code", states=_states)
    date = fields.Date("Compiled On", required=True, states=_states)
    intervention_type = fields.Selection([
            ('new', "New Installation"),
            ('renovation', "Renovation"),
            ('generator_replacement', "Generator Replacement"),
            ('existing', "Booklet of an Existing Plant"),
            ], "Intervention", required=True, states=_states,
        help="Scheda 1.1.")
    building_category = fields.Selection(
        BUILDING_CATEGORIES, "Building Category", states=_states,
        help="DPR 412/93 category (scheda 1.2).")
    single_unit = fields.Boolean("Single Dwelling", states=_states)
    heated_volume = fields.Numeric(
        "Heated Volume (m³)", digits=(16, 2), states=_states)
    cooled_volume = fields.Numeric(
        "Cooled Volume (m³)", digits=(16, 2), states=_states)
    service_heating = fields.Boolean("Space Heating", states=_states)
    service_cooling = fields.Boolean("Space Cooling", states=_states)
    service_dhw = fields.Boolean("Domestic Hot Water", states=_states)
    heat_carrier = fields.Selection(
        HEAT_CARRIERS, "Heat-Transfer Fluid", states=_states)
    water_content = fields.Numeric(
        "Water Content (m³)", digits=(16, 3), states=_states)
    water_hardness = fields.Numeric(
        "Water Hardness (°f)", digits=(16, 2), states=_states)
    heating_treatment = fields.Selection(
        TREATMENTS, "Heating Water Treatment", states=_states)
    dhw_treatment = fields.Selection(
        TREATMENTS, "Hot Water Treatment", states=_states)
    responsibles = fields.One2Many(
        'termogest.booklet.responsible', 'booklet', "Responsibles",
        states=_states, help="Scheda 1.6 and 3: who answered for the plant.")
    entries = fields.One2Many(
        'termogest.booklet.entry', 'booklet', "Log", states=_states)
    devices = fields.Function(
        fields.Many2Many('termogest.device', None, None, "Generators"),
        'get_devices')
    reports = fields.Function(
        fields.Many2Many('termogest.efficiency.report', None, None,
            "Efficiency Reports"), 'get_reports')
    notes = fields.Text("Notes", states=_states)
    state = fields.Selection([
            ('draft', "Draft"),
            ('active', "Active"),
            ('archived', "Archived"),
            ], "State", readonly=True, required=True, sort=False)
    archived_on = fields.Date("Archived On", readonly=True)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plant, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order.insert(0, ('date', 'DESC'))
        cls._transitions |= {
            ('draft', 'active'),
            ('active', 'archived'),
            }
        cls._buttons.update({
                'activate': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'archive': {
                    'invisible': Eval('state') != 'active',
                    'depends': ['state'],
                    },
                'export_cit': {
                    'invisible': Eval('state') == 'draft',
                    'depends': ['state'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_intervention_type():
        return 'existing'

    @staticmethod
    def default_service_heating():
        return True

    @staticmethod
    def default_heat_carrier():
        return 'water'

    @classmethod
    def default_plant(cls):
        return plant_from_context()

    @fields.depends('plant')
    def on_change_plant(self):
        if self.plant:
            self.catasto_code = self.plant.catasto_code

    def get_party(self, name):
        return self.plant.party.id

    @classmethod
    def search_party(cls, name, clause):
        nested = clause[0][len(name):]
        return [('plant.party' + nested, *clause[1:])]

    def get_devices(self, name):
        with Transaction().set_context(active_test=False):
            plant = self.plant.__class__(self.plant.id)
            return [d.id for d in plant.devices]

    def get_reports(self, name):
        pool = Pool()
        Report = pool.get('termogest.efficiency.report')
        return [r.id for r in Report.search([
                    ('device.plant', '=', self.plant.id),
                    ('state', '=', 'done'),
                    ], order=[('date', 'DESC')])]

    def get_rec_name(self, name):
        return '%s (%s)' % (self.number or '', self.plant.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
            'number',
            'catasto_code',
            'plant.rec_name',
            ])

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(vlist, 'number', 'booklet_sequence')
        return super().create(vlist)

    @classmethod
    def copy(cls, booklets, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number')
        default.setdefault('state', 'draft')
        default.setdefault('archived_on')
        default.setdefault('entries')
        return super().copy(booklets, default=default)

    @classmethod
    def delete(cls, booklets):
        for booklet in booklets:
            if booklet.state != 'draft':
                raise AccessError(gettext(
                        'termogest_impianti.msg_booklet_delete',
                        booklet=booklet.rec_name))
        super().delete(booklets)

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, booklets):
        pool = Pool()
        Date = pool.get('ir.date')
        plants = [b.plant.id for b in booklets]
        if len(plants) != len(set(plants)):
            raise BookletError(gettext(
                    'termogest_impianti.msg_booklet_one_active_batch'))
        previous = cls.search([
                ('plant', 'in', plants),
                ('state', '=', 'active'),
                ('id', 'not in', [b.id for b in booklets]),
                ])
        if previous:
            cls.write(previous, {
                    'state': 'archived',
                    'archived_on': Date.today(),
                    })
            for booklet in booklets:
                old = [p for p in previous if p.plant == booklet.plant]
                if old:
                    booklet.add_entry('note', gettext(
                            'termogest_impianti.msg_booklet_replaces',
                            booklet=old[0].number))

    @classmethod
    @ModelView.button
    @Workflow.transition('archived')
    def archive(cls, booklets):
        pool = Pool()
        Date = pool.get('ir.date')
        cls.write(booklets, {'archived_on': Date.today()})

    @classmethod
    @ModelView.button_action('termogest_impianti.wizard_booklet_export')
    def export_cit(cls, booklets):
        pass

    @classmethod
    def validate_fields(cls, booklets, field_names):
        super().validate_fields(booklets, field_names)
        if field_names and not (field_names & {'state', 'plant'}):
            return
        for booklet in booklets:
            if booklet.state != 'active':
                continue
            others = cls.search([
                    ('plant', '=', booklet.plant.id),
                    ('state', '=', 'active'),
                    ('id', '!=', booklet.id),
                    ], limit=1)
            if others:
                raise BookletError(gettext(
                        'termogest_impianti.msg_booklet_one_active',
                        plant=booklet.plant.rec_name,
                        other=others[0].number))

    def add_entry(self, kind, description, device=None, report=None,
            date=None):
        "Add an entry to the booklet's log"
        pool = Pool()
        Entry = pool.get('termogest.booklet.entry')
        Date = pool.get('ir.date')
        entry = Entry(
            booklet=self, kind=kind, description=description,
            device=device, report=report, date=date or Date.today(),
            user=Transaction().user or None)
        entry.save()
        return entry

    @classmethod
    def add_entry_plants(cls, plants, kind, description, **kwargs):
        "Log in the active booklet of each plant"
        booklets = cls.search([
                ('plant', 'in', [p.id for p in plants]),
                ('state', '=', 'active'),
                ])
        for booklet in booklets:
            booklet.add_entry(kind, description, **kwargs)
        return booklets


class BookletResponsible(ModelSQL, ModelView):
    "Responsible of the plant recorded in the booklet"
    __name__ = 'termogest.booklet.responsible'
    __string__ = "Booklet Responsible"

    booklet = fields.Many2One(
        'termogest.booklet', "Booklet", required=True, ondelete='CASCADE')
    name = fields.Char("Name", required=True)
    fiscal_code = fields.Char("Fiscal Code or VAT")
    role = fields.Selection([
            ('owner', "Owner"),
            ('occupant', "Occupant"),
            ('administrator', "Administrator"),
            ('third_party', "Third Party Responsible"),
            ], "Role", required=True)
    start_date = fields.Date("From", required=True)
    end_date = fields.Date(
        "To",
        domain=[('end_date', '>=', Eval('start_date', datetime.date.min))])

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('booklet')
        cls._order.insert(0, ('start_date', 'ASC'))


class BookletEntry(ModelSQL, ModelView):
    "Log entry of a plant booklet"
    __name__ = 'termogest.booklet.entry'
    __string__ = "Booklet Entry"

    booklet = fields.Many2One(
        'termogest.booklet', "Booklet", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection([
            ('maintenance', "Maintenance"),
            ('efficiency', "Efficiency Control"),
            ('takeover', "Change of Responsible"),
            ('replacement', "Generator Replacement"),
            ('intervention', "Intervention"),
            ('note', "Note"),
            ], "Kind", required=True)
    description = fields.Text("Description", required=True)
    device = fields.Many2One(
        'termogest.device', "Device", ondelete='SET NULL')
    report = fields.Many2One(
        'termogest.efficiency.report', "REE", ondelete='SET NULL')
    user = fields.Many2One('res.user', "User", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('booklet')
        cls._order.insert(0, ('date', 'DESC'))
        cls._order.insert(1, ('id', 'DESC'))


class BookletReport(Report):
    __name__ = 'termogest.booklet'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Date = pool.get('ir.date')
        context = super().get_context(records, header, data)
        context['today'] = Date.today()
        context['fmt_date'] = lambda d: d.strftime('%d/%m/%Y') if d else ''
        context['fmt_num'] = lambda n, digits=2: (
            ('{:,.%sf}' % digits).format(n).replace(',', ' ').replace(
                '.', ',').replace(' ', '.') if n is not None else '')
        return context
