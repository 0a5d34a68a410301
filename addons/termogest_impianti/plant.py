# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import re
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.transaction import Transaction

from .regulation import (
    COMPONENT_CODES, REPORT_TYPES, add_months, aggregate_powers,
    co2_equivalent, component_kinds, control_rule, rec_name_domain)
from .rules import GENERATOR_CLASSES, HEAT_CARRIERS

KINDS = [
    ('boiler', "Boiler"),
    ('heat_pump', "Heat Pump"),
    ('air_conditioner', "Air Conditioner"),
    ('water_heater', "Water Heater"),
    ('solar_thermal', "Solar Thermal"),
    ('cogeneration', "Cogeneration"),
    ('district_heating', "District Heating Substation"),
    ('other', "Other"),
    ]
HP_DRIVES = [
    (None, ""),
    ('electric', "Electric Compression"),
    ('direct_flame_absorption', "Direct Flame Absorption"),
    ('engine', "Engine-Driven Compression"),
    ('thermal_absorption', "Thermal Energy Absorption"),
    ]
HP_SUPPLIES = {
    None: 'electric_compression_or_direct_flame_absorption',
    'electric': 'electric_compression_or_direct_flame_absorption',
    'direct_flame_absorption':
    'electric_compression_or_direct_flame_absorption',
    'engine': 'engine_driven_compression',
    'thermal_absorption': 'thermal_absorption',
    }


class PlantError(ValidationError):
    pass


class DeviceError(ValidationError):
    pass


class Plant(DeactivableMixin, ModelSQL, ModelView):
    "Plant"
    __name__ = 'termogest.plant'
    __string__ = "Plant"

    code = fields.Char(
        "Number", readonly=True, strip=False,
        help="The plant's number, from the plant sequence.")
    name = fields.Char(
        "Description", help="E.g. \"Heating, flat 3\" or \"Shop\".")
    company = fields.Many2One('company.company', "Company", required=True)
    party = fields.Many2One(
        'party.party', "Responsible", required=True, ondelete='CASCADE',
        domain=[('internal', '=', False)],
        context={'company': Eval('company', -1)}, depends={'company'},
        help="The customer who answers for the plant (owner, occupant "
        "or administrator).")
    responsible_role = fields.Selection([
            ('owner', "Owner"),
            ('occupant', "Occupant"),
            ('administrator', "Administrator"),
            ('third_party', "Third Party Responsible"),
            ], "Role", required=True)
    address = fields.Many2One(
        'party.address', "Site Address", required=True, ondelete='RESTRICT',
        domain=[('party', '=', Eval('party', -1))],
        help="Where the plant is: one of the customer's addresses.")
    street = fields.Function(
        fields.Char("Street"), 'get_address_field',
        searcher='search_address_field')
    city = fields.Function(
        fields.Char("City"), 'get_address_field',
        searcher='search_address_field')
    postal_code = fields.Function(
        fields.Char("Postal Code"), 'get_address_field',
        searcher='search_address_field')
    subdivision = fields.Function(
        fields.Many2One('country.subdivision', "Province"),
        'get_address_field', searcher='search_address_field')
    region = fields.Many2One(
        'termogest.region', "Region Profile", required=True,
        ondelete='RESTRICT')
    catasto_code = fields.Char(
        "Catasto Code",
        help="The plant's code in the regional catasto (targa, codice "
        "impianto, codice catasto); empty until registered.")
    catasto_code_label = fields.Function(
        fields.Char("Catasto Code Label"), 'on_change_with_catasto_code_label')
    catasto_key = fields.Char(
        "Catasto Key Code", loading='lazy',
        states={'invisible': ~Eval('requires_key_code')},
        help="The key code issued with the plant code (Veneto); never "
        "hand it to third parties.")
    requires_key_code = fields.Function(
        fields.Boolean("Requires Key Code"),
        'on_change_with_requires_key_code')
    pdr = fields.Char("PDR", size=14, help="Gas supply point (14 digits).")
    pod = fields.Char(
        "POD", size=15,
        help="Electricity supply point (IT, 3 digits, E and 8 or 9 "
        "characters).")
    authorized_technicians = fields.Many2Many(
        'termogest.plant-company.employee', 'plant', 'employee',
        "Authorized Technicians",
        help="The technicians who may work on this plant.")
    devices = fields.One2Many(
        'termogest.device', 'plant', "Devices",
        context={'plant': Eval('id', -1)})
    booklets = fields.One2Many(
        'termogest.booklet', 'plant', "Booklets", readonly=True)
    booklet = fields.Function(
        fields.Many2One('termogest.booklet', "Booklet"), 'get_booklet')
    total_power = fields.Function(
        fields.Numeric("Total Power (kW)", digits=(16, 2)),
        'get_total_power')
    device_count = fields.Function(
        fields.Integer("Devices"), 'get_device_count')
    next_due_date = fields.Function(
        fields.Date("Next Due Date"), 'get_next_due_date')
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.code, Index.Similarity())),
                Index(t, (t.catasto_code, Index.Equality())),
                })
        cls._order.insert(0, ('code', 'DESC'))
        cls._buttons.update({
                'new_device': {},
                'new_booklet': {},
                })

    @staticmethod
    def default_company():
        return Transaction().context.get('company')

    @staticmethod
    def default_responsible_role():
        return 'owner'

    @classmethod
    def default_region(cls):
        pool = Pool()
        Region = pool.get('termogest.region')
        regions = Region.search([('code', '=', 'generic')], limit=1)
        if regions:
            return regions[0].id

    @fields.depends('party', 'address', '_parent_party.id',
        methods=['on_change_address'])
    def on_change_party(self):
        if self.party and (not self.address
                or self.address.party != self.party):
            addresses = [a for a in self.party.addresses if a.active]
            self.address = addresses[0] if addresses else None
            self.on_change_address()

    @fields.depends('address', 'region')
    def on_change_address(self):
        pool = Pool()
        Region = pool.get('termogest.region')
        if self.address and self.address.subdivision:
            region = Region.from_subdivision(self.address.subdivision)
            if region:
                self.region = region

    @fields.depends('region')
    def on_change_with_catasto_code_label(self, name=None):
        if self.region and self.region.plant_code_label:
            return self.region.plant_code_label

    @fields.depends('region')
    def on_change_with_requires_key_code(self, name=None):
        return bool(self.region and self.region.requires_key_code)

    @classmethod
    def get_address_field(cls, plants, names):
        result = {n: {} for n in names}
        for plant in plants:
            for name in names:
                value = getattr(plant.address, name, None)
                if name == 'subdivision':
                    value = value.id if value else None
                result[name][plant.id] = value
        return result

    @classmethod
    def search_address_field(cls, name, clause):
        nested = clause[0][len(name):]
        return [('address.' + name + nested, *clause[1:])]

    def get_rec_name(self, name):
        parts = [self.code or '']
        if self.address:
            parts.append(self.address.street or '')
            parts.append(self.address.city or '')
        elif self.name:
            parts.append(self.name)
        return ' - '.join(filter(None, parts))

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
            'code',
            'name',
            'catasto_code',
            'address.street',
            'address.city',
            'party.name',
            ])

    @classmethod
    def get_booklet(cls, plants, name):
        pool = Pool()
        Booklet = pool.get('termogest.booklet')
        result = {p.id: None for p in plants}
        for booklet in Booklet.search([
                    ('plant', 'in', [p.id for p in plants]),
                    ('state', '=', 'active'),
                    ]):
            result[booklet.plant.id] = booklet.id
        return result

    def get_total_power(self, name):
        return sum((d.nominal_power or Decimal(0) for d in self.devices
                if d.active and d.component in REPORT_TYPES),
            Decimal(0))

    def get_device_count(self, name):
        return len([d for d in self.devices if d.active])

    def get_next_due_date(self, name):
        dates = []
        for device in self.devices:
            if device.active:
                dates.extend(filter(None, [
                            device.next_maintenance_date,
                            device.next_efficiency_check_date]))
        return min(dates) if dates else None

    @classmethod
    def validate_fields(cls, plants, field_names):
        super().validate_fields(plants, field_names)
        cls.check_catasto_code(plants, field_names)
        cls.check_supply_points(plants, field_names)

    @classmethod
    def check_catasto_code(cls, plants, field_names=None):
        if field_names and not (
                field_names & {'catasto_code', 'region', 'active'}):
            return
        # The other active plants with the codes, in one search: the
        # first of them in the default order is the one named
        codes = {p.catasto_code for p in plants
            if p.catasto_code and p.active}
        others = defaultdict(list)
        if codes:
            for row in cls.search_read([
                        ('catasto_code', 'in', sorted(codes)),
                        ('region', 'in', list({
                                    p.region.id for p in plants
                                    if p.catasto_code and p.active})),
                        ], fields_names=['catasto_code', 'region']):
                others[row['catasto_code'], row['region']].append(row['id'])
        for plant in plants:
            code = plant.catasto_code
            if not code:
                continue
            pattern = plant.region.plant_code_pattern
            if pattern and not re.fullmatch(pattern, code):
                raise PlantError(gettext(
                        'termogest_impianti.msg_plant_catasto_pattern',
                        plant=plant.rec_name, code=code,
                        label=plant.catasto_code_label or '',
                        region=plant.region.rec_name))
            if not plant.active:
                continue
            other_ids = [i for i in others[code, plant.region.id]
                if i != plant.id]
            if other_ids:
                other = cls(other_ids[0])
                raise PlantError(gettext(
                        'termogest_impianti.msg_plant_catasto_unique',
                        plant=plant.rec_name, code=code,
                        label=(plant.catasto_code_label
                            or cls.__names__('catasto_code')['field']),
                        other=other.rec_name))

    @classmethod
    def check_supply_points(cls, plants, field_names=None):
        if field_names and not (field_names & {'pdr', 'pod'}):
            return
        for plant in plants:
            if plant.pdr and not re.fullmatch(r'\d{14}', plant.pdr):
                raise PlantError(gettext(
                        'termogest_impianti.msg_plant_pdr',
                        plant=plant.rec_name, pdr=plant.pdr))
            if plant.pod and not re.fullmatch(
                    r'IT\d{3}E[0-9A-Z]{8,9}', plant.pod.upper()):
                raise PlantError(gettext(
                        'termogest_impianti.msg_plant_pod',
                        plant=plant.rec_name, pod=plant.pod))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        for name in ['catasto_code', 'pdr', 'pod', 'catasto_key']:
            if values.get(name):
                values[name] = ''.join(values[name].split()).upper()
        return values

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(vlist, 'code', 'plant_sequence')
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        super().write(*args)
        actions = iter(args)
        to_update = []
        for plants, values in zip(actions, actions):
            if 'region' in values:
                to_update.extend(plants)
        if to_update:
            cls.update_due_dates(to_update)

    @classmethod
    def copy(cls, plants, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('code')
        default.setdefault('catasto_code')
        default.setdefault('catasto_key')
        default.setdefault('booklets')
        return super().copy(plants, default=default)

    @classmethod
    @ModelView.button_action('termogest_impianti.act_device_new')
    def new_device(cls, plants):
        pass

    @classmethod
    @ModelView.button_action('termogest_impianti.act_booklet_new')
    def new_booklet(cls, plants):
        pass

    # Due dates (REGULATION.md §3)
    @classmethod
    def update_due_dates(cls, plants):
        "Compute the due dates of the plants' devices and store the changes"
        pool = Pool()
        Device = pool.get('termogest.device')
        Rule = pool.get('termogest.rule.control_frequency')
        Configuration = pool.get('termogest.impianti.configuration')
        config = Configuration(1)
        rules = Rule.search([])
        # one write per set of values, not per device
        to_write = defaultdict(list)
        with Transaction().set_context(active_test=False):
            plants = cls.browse(list({p.id for p in plants}))
            for plant in plants:
                for device, values in plant._due_dates(rules, config):
                    changed = {}
                    for key, value in values.items():
                        current = getattr(device, key)
                        if isinstance(current, ModelSQL):
                            current = current.id
                        if current != value:
                            changed[key] = value
                    if changed:
                        to_write[tuple(sorted(changed.items()))].append(
                            device)
        if to_write:
            args = []
            for changed, devices in to_write.items():
                args.extend((devices, dict(changed)))
            with Transaction().set_context(_termogest_due_dates=True):
                Device.write(*args)

    def _due_dates(self, rules, config):
        "Yield (device, values) with the computed due-date fields"
        region = self.region
        devices = [d for d in self.devices]
        in_service = [d for d in devices if d.in_service]
        # Allegato A note (1): sum per supply over the plant
        generators = []
        for device in in_service:
            supply = device.control_supply(region)
            if supply:
                generators.append((device.id, supply, device.control_power))
        totals = aggregate_powers(generators)
        # micro-cogeneration or cogeneration unit: the Allegato A rows of
        # the cogeneration plant type tell by the total electrical power
        cogeneration_supplies = {r.supply for r in rules
            if r.plant_type == 'cogeneration'}
        default_months = (region.maintenance_default_months
            or config.default_maintenance_months)
        for device in devices:
            values = {}
            months = device.maintenance_interval or default_months
            start = (device.last_maintenance_date
                or device.first_start_date or device.installation_date)
            values['next_maintenance_date'] = (
                add_months(start, months) if device.in_service else None)
            rule = interval = None
            supply = device.control_supply(region)
            if device.in_service and supply:
                if supply == 'cogeneration':
                    rule = next(filter(None, (
                                control_rule(s, totals.get(supply), rules)
                                for s in sorted(cogeneration_supplies))),
                        None)
                else:
                    rule = control_rule(supply, totals.get(supply), rules)
                if rule:
                    interval = (region.control_override(rule)
                        or rule.interval_years * 12)
            values['control_rule'] = rule.id if rule else None
            values['control_interval'] = interval
            start = (device.last_efficiency_check_date
                or device.first_start_date or device.installation_date)
            values['next_efficiency_check_date'] = (
                add_months(start, interval) if interval else None)
            yield device, values

    @classmethod
    def refresh_due_dates(cls):
        "Recompute every plant's due dates (cron, idempotent)"
        with Transaction().set_context(active_test=False):
            plants = cls.search([])
        for index in range(0, len(plants), 500):
            cls.update_due_dates(plants[index:index + 500])


class PlantEmployee(ModelSQL):
    "Plant - Authorized Technician"
    __name__ = 'termogest.plant-company.employee'
    __string__ = "Plant - Authorized Technician"
    plant = fields.Many2One(
        'termogest.plant', "Plant", required=True, ondelete='CASCADE')
    employee = fields.Many2One(
        'company.employee', "Technician", required=True,
        ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('plant')
        # Both ways: the records of one side, and "in" searches from the
        # other (the maintenance due, the app's device histories)
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plant, Index.Range())),
                Index(t, (t.employee, Index.Range())),
                })


class Device(DeactivableMixin, ModelSQL, ModelView):
    "Device"
    __name__ = 'termogest.device'
    __string__ = "Device"

    plant = fields.Many2One(
        'termogest.plant', "Plant", required=True, ondelete='CASCADE')
    party = fields.Function(
        fields.Many2One('party.party', "Customer"),
        'on_change_with_party', searcher='search_party')
    kind = fields.Selection(KINDS, "Kind", required=True)
    kind_string = kind.translated('kind')
    component = fields.Function(
        fields.Char("Component"), 'on_change_with_component')
    progressive = fields.Integer(
        "Progressive",
        domain=[If(Bool(Eval('progressive')),
                ('progressive', '>', 0), ())],
        help="The slot number in the booklet (GT1, GF1...): a "
        "replacement takes the slot of the device it replaces.")
    slot = fields.Function(fields.Char("Slot"), 'on_change_with_slot')
    brand = fields.Char("Brand")
    model = fields.Char("Model")
    serial_number = fields.Char("Serial Number")
    fuel = fields.Many2One(
        'termogest.fuel', "Fuel", ondelete='RESTRICT',
        states={
            'invisible': Eval('kind').in_(['solar_thermal']),
            })
    hp_drive = fields.Selection(
        HP_DRIVES, "Machine Type",
        states={
            'invisible': ~Eval('kind').in_(['heat_pump', 'air_conditioner']),
            })
    nominal_power = fields.Numeric(
        "Nominal Heat Output (kW)", digits=(16, 2),
        domain=[If(Bool(Eval('nominal_power')),
                ('nominal_power', '>', 0), ())],
        help="Potenza termica utile nominale (Pn).")
    cooling_power = fields.Numeric(
        "Nominal Cooling Output (kW)", digits=(16, 2),
        states={
            'invisible': ~Eval('kind').in_(['heat_pump', 'air_conditioner']),
            })
    electrical_power = fields.Numeric(
        "Electrical Power (kW)", digits=(16, 2),
        states={
            'invisible': Eval('kind') != 'cogeneration',
            })
    generator_class = fields.Selection(
        GENERATOR_CLASSES, "Generator Class",
        states={
            'invisible': ~Eval('kind').in_(['boiler', 'water_heater']),
            },
        help="DPR 660/96 class from the manufacturer's declaration.")
    heat_carrier = fields.Selection(
        HEAT_CARRIERS, "Heat-Transfer Fluid")
    installation_date = fields.Date("Installation Date")
    installation_date_estimated = fields.Boolean(
        "Estimated Date",
        help="The installation date is a plausible estimate.")
    first_start_date = fields.Date("First Start-Up")
    warranty_end = fields.Date(
        "Warranty End",
        domain=[If(Bool(Eval('warranty_end')) & Bool(
                    Eval('installation_date')),
                ('warranty_end', '>=', Eval('installation_date')),
                ())])
    under_warranty = fields.Function(
        fields.Boolean("Under Warranty"), 'get_under_warranty')
    refrigerant = fields.Many2One(
        'termogest.refrigerant', "Refrigerant", ondelete='RESTRICT')
    refrigerant_charge = fields.Numeric(
        "Refrigerant Charge (kg)", digits=(16, 3),
        states={
            'invisible': ~Eval('refrigerant'),
            })
    co2_equivalent = fields.Function(
        fields.Numeric("CO₂ Equivalent (t)", digits=(16, 3)),
        'on_change_with_co2_equivalent')
    maintenance_interval = fields.Integer(
        "Maintenance Interval (Months)",
        domain=[If(Bool(Eval('maintenance_interval')),
                ('maintenance_interval', '>', 0), ())],
        help="From the installer's or manufacturer's instructions; "
        "empty: the region's or company's default.")
    last_maintenance_date = fields.Date("Last Maintenance")
    next_maintenance_date = fields.Date("Next Maintenance", readonly=True)
    last_efficiency_check_date = fields.Date("Last Efficiency Check")
    next_efficiency_check_date = fields.Date(
        "Next Efficiency Check", readonly=True)
    control_rule = fields.Many2One(
        'termogest.rule.control_frequency', "Allegato A Row",
        readonly=True, ondelete='SET NULL')
    control_interval = fields.Integer(
        "Control Every (Months)", readonly=True,
        help="Empty: no periodic efficiency control is required.")
    report_type = fields.Function(
        fields.Selection([(None, "")] + [
                (t, t) for t in ['1', '2', '3', '4']], "REE Type"),
        'get_report_type')
    replacement_due_date = fields.Date(
        "Replace By", readonly=True,
        help="Set by a failed REE: a generator below the minimum "
        "efficiency must be replaced.")
    removal_date = fields.Date("Removal Date")
    replaced_by = fields.Many2One(
        'termogest.device', "Replaced By",
        domain=[
            ('plant', '=', Eval('plant', -1)),
            ('id', '!=', Eval('id', -1)),
            ])
    reports = fields.One2Many(
        'termogest.efficiency.report', 'device', "Efficiency Reports",
        readonly=True)
    notes = fields.Text("Notes")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.plant, Index.Range())),
                Index(t, (t.serial_number, Index.Equality())),
                Index(t, (t.next_maintenance_date, Index.Range())),
                Index(t, (t.next_efficiency_check_date, Index.Range())),
                })
        cls._order = [
            ('plant', 'ASC'),
            ('kind', 'ASC'),
            ('progressive', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def default_plant(cls):
        return plant_from_context()

    @staticmethod
    def default_kind():
        return 'boiler'

    @staticmethod
    def default_heat_carrier():
        return 'water'

    @fields.depends('kind')
    def on_change_with_component(self, name=None):
        return COMPONENT_CODES.get(self.kind)

    @fields.depends('kind', 'progressive')
    def on_change_with_slot(self, name=None):
        return '%s%s' % (
            COMPONENT_CODES.get(self.kind, ''), self.progressive or '')

    @fields.depends('plant', '_parent_plant.party')
    def on_change_with_party(self, name=None):
        if self.plant and self.plant.party:
            return self.plant.party.id

    @classmethod
    def search_party(cls, name, clause):
        nested = clause[0][len(name):]
        return [('plant.party' + nested, *clause[1:])]

    def get_under_warranty(self, name):
        pool = Pool()
        Date = pool.get('ir.date')
        return bool(self.warranty_end and self.warranty_end >= Date.today())

    def get_report_type(self, name):
        if self.control_rule:
            return self.control_rule.report_type
        return REPORT_TYPES.get(self.component)

    @fields.depends('refrigerant', 'refrigerant_charge')
    def on_change_with_co2_equivalent(self, name=None):
        if self.refrigerant:
            return co2_equivalent(
                self.refrigerant_charge, self.refrigerant.gwp)

    @fields.depends('kind', 'plant', 'progressive', 'heat_carrier',
        '_parent_plant.id')
    def on_change_kind(self):
        if self.kind in {'heat_pump', 'air_conditioner'}:
            self.heat_carrier = self.heat_carrier or 'water'
        if self.plant and self.plant.id >= 0 and self.kind:
            self.progressive = self.next_progressive(self.plant, self.kind)

    @fields.depends(methods=['on_change_kind'])
    def on_change_plant(self):
        self.on_change_kind()

    @classmethod
    def next_progressive(cls, plant, kind, taken=()):
        "The first free slot number of kind's component in plant"
        key = (plant.id, COMPONENT_CODES.get(kind))
        used = cls.used_progressives([key])[key]
        return first_free(used | set(taken))

    @classmethod
    def used_progressives(cls, keys):
        """{(plant id, component): the slot numbers in use} for keys of
        (plant id, component), read in one search"""
        used = {key: set() for key in keys}
        kinds = {k for _, c in used for k in component_kinds(c)}
        if not kinds:
            return used
        with Transaction().set_context(active_test=False):
            rows = cls.search_read([
                    ('plant', 'in', list({p for p, _ in used})),
                    ('kind', 'in', sorted(kinds)),
                    ('removal_date', '=', None),
                    ('active', '=', True),
                    ], fields_names=['plant', 'kind', 'progressive'])
        for row in rows:
            key = (row['plant'], COMPONENT_CODES.get(row['kind']))
            if key in used:
                used[key].add(row['progressive'])
        return used

    def get_rec_name(self, name):
        label = ' '.join(filter(None, [self.brand, self.model]))
        if not label:
            label = self.kind_string
        name = '%s %s' % (self.slot, label)
        if self.serial_number:
            name += ' (%s)' % self.serial_number
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
            'brand',
            'model',
            'serial_number',
            'plant.code',
            ])

    @property
    def in_service(self):
        return bool(self.active and not self.removal_date)

    def control_supply(self, region):
        "The Allegato A supply of the device, or None"
        component = self.component
        if component == 'GT':
            if not self.fuel or not self.fuel.supply:
                return None
            if self.fuel.solid and not region.biomass_in_scope:
                return None
            return self.fuel.supply
        elif component == 'GF':
            return HP_SUPPLIES[self.hp_drive]
        elif component == 'SC':
            return 'substation'
        elif component == 'CG':
            return 'cogeneration'

    @property
    def control_power(self):
        if self.component == 'CG':
            return self.electrical_power
        if self.component == 'GF':
            powers = [p for p in [self.nominal_power, self.cooling_power]
                if p is not None]
            return max(powers) if powers else None
        return self.nominal_power

    @classmethod
    def validate_fields(cls, devices, field_names):
        super().validate_fields(devices, field_names)
        cls.check_progressive(devices, field_names)
        cls.check_refrigerant(devices, field_names)
        cls.check_dates(devices, field_names)

    @classmethod
    def check_progressive(cls, devices, field_names=None):
        if field_names and not (
                field_names & {'progressive', 'kind', 'plant', 'active',
                    'removal_date'}):
            return
        devices = [d for d in devices if d.in_service]
        if not devices:
            return
        # The devices in the slots, in one search: the first other one in
        # the default order is the one named
        others = defaultdict(list)
        for row in cls.search_read([
                    ('plant', 'in', list({d.plant.id for d in devices})),
                    ('kind', 'in', sorted({k for d in devices
                                for k in component_kinds(d.component)})),
                    ('progressive', 'in', list({
                                d.progressive for d in devices})),
                    ('removal_date', '=', None),
                    ], fields_names=['plant', 'kind', 'progressive']):
            key = (row['plant'], COMPONENT_CODES.get(row['kind']),
                row['progressive'])
            others[key].append(row['id'])
        for device in devices:
            other_ids = [i for i in others[
                    device.plant.id, device.component, device.progressive]
                if i != device.id]
            if other_ids:
                other = cls(other_ids[0])
                raise DeviceError(gettext(
                        'termogest_impianti.msg_device_progressive',
                        device=device.rec_name, other=other.rec_name,
                        plant=device.plant.rec_name))

    @classmethod
    def check_refrigerant(cls, devices, field_names=None):
        if field_names and not (
                field_names & {'refrigerant', 'refrigerant_charge'}):
            return
        for device in devices:
            if device.refrigerant_charge is not None:
                if not device.refrigerant:
                    raise DeviceError(gettext(
                            'termogest_impianti.msg_device_charge_gas',
                            device=device.rec_name))
                if device.refrigerant_charge <= 0:
                    raise DeviceError(gettext(
                            'termogest_impianti.msg_device_charge_positive',
                            device=device.rec_name))

    @classmethod
    def check_dates(cls, devices, field_names=None):
        pool = Pool()
        Date = pool.get('ir.date')
        if field_names and not (field_names & {
                    'installation_date', 'first_start_date',
                    'last_maintenance_date', 'last_efficiency_check_date',
                    'removal_date'}):
            return
        today = Date.today()
        for device in devices:
            for name in ['installation_date', 'last_maintenance_date',
                    'last_efficiency_check_date']:
                value = getattr(device, name)
                if value and value > today:
                    raise DeviceError(gettext(
                            'termogest_impianti.msg_device_future_date',
                            device=device.rec_name,
                            field=cls.__names__(name)['field'],
                            date=value.strftime('%d/%m/%Y')))
            if (device.first_start_date and device.installation_date
                    and device.first_start_date < device.installation_date):
                raise DeviceError(gettext(
                        'termogest_impianti.msg_device_start_before_install',
                        device=device.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        for name in ['brand', 'model', 'serial_number']:
            if values.get(name):
                values[name] = ' '.join(values[name].split())
        return values

    _due_fields = {
        'plant', 'kind', 'fuel', 'hp_drive', 'nominal_power',
        'cooling_power', 'electrical_power', 'installation_date',
        'first_start_date', 'maintenance_interval', 'last_maintenance_date',
        'last_efficiency_check_date', 'removal_date', 'active',
        }

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        # the next free slot of each device, from the slots in use read
        # for all the plants in one search
        keys = {}
        for index, values in enumerate(vlist):
            if not values.get('progressive') and values.get('plant'):
                kind = values.get('kind') or cls.default_kind()
                keys[index] = (values['plant'], COMPONENT_CODES.get(kind))
        if keys:
            used = cls.used_progressives(set(keys.values()))
            for index, key in keys.items():
                number = first_free(used[key])
                vlist[index]['progressive'] = number
                used[key].add(number)
        devices = super().create(vlist)
        cls._update_plants(devices)
        return devices

    @classmethod
    def write(cls, *args):
        plants = set()
        actions = iter(args)
        relevant = False
        for devices, values in zip(actions, actions):
            if cls._due_fields & values.keys():
                relevant = True
                plants.update(d.plant for d in devices)
        super().write(*args)
        if relevant and not Transaction().context.get(
                '_termogest_due_dates'):
            devices = sum(args[0:None:2], [])
            plants.update(d.plant for d in devices)
            cls._update_plants(plants=plants)

    @classmethod
    def delete(cls, devices):
        plants = {d.plant for d in devices}
        super().delete(devices)
        cls._update_plants(plants=plants)

    @classmethod
    def _update_plants(cls, devices=None, plants=None):
        pool = Pool()
        Plant = pool.get('termogest.plant')
        if plants is None:
            plants = {d.plant for d in devices}
        if plants:
            Plant.update_due_dates(list(plants))

    @classmethod
    def copy(cls, devices, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('serial_number')
        default.setdefault('reports')
        default.setdefault('replaced_by')
        return super().copy(devices, default=default)


def first_free(used):
    "The first slot number, from 1, not in used"
    number = 1
    while number in used:
        number += 1
    return number


def plant_from_context():
    """The plant of the record the action was opened from

    A plant itself, or the only active plant of a customer card.
    """
    pool = Pool()
    Plant = pool.get('termogest.plant')
    context = Transaction().context
    if context.get('plant'):
        return context['plant']
    model, id_ = context.get('from_model'), context.get('from_id')
    if not id_ or id_ < 0:
        return None
    if model == 'termogest.plant':
        return id_
    elif model == 'party.party':
        plants = Plant.search([('party', '=', id_)], limit=2)
        if len(plants) == 1:
            return plants[0].id
