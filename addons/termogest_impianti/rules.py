# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The rules as data: DPR 74/2013, fuels, refrigerants, region profiles"""
import re
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSingleton, ModelSQL, ModelView, fields,
    sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

SUPPLIES = [
    ('liquid_solid_fuel', "Liquid or Solid Fuel"),
    ('gas', "Gas, Methane or LPG"),
    ('electric_compression_or_direct_flame_absorption',
        "Electric Compression or Direct Flame Absorption"),
    ('engine_driven_compression', "Engine-Driven Compression"),
    ('thermal_absorption', "Thermal Energy Absorption"),
    ('substation', "District Heating Substation"),
    ('micro_cogeneration', "Micro-Cogeneration"),
    ('cogeneration_unit', "Cogeneration Unit"),
    ]
PLANT_TYPES = [
    ('combustion', "Flame Heat Generator"),
    ('chiller_heat_pump', "Chiller or Heat Pump"),
    ('district_heating', "District Heating"),
    ('cogeneration', "Cogeneration"),
    ]
REPORT_TYPES = [
    ('1', "Type 1: Heat Generators"),
    ('2', "Type 2: Chillers and Heat Pumps"),
    ('3', "Type 3: District Heating Substations"),
    ('4', "Type 4: Cogeneration"),
    ]
HEAT_CARRIERS = [
    (None, ""),
    ('water', "Water"),
    ('air', "Air"),
    ]
GENERATOR_CLASSES = [
    (None, ""),
    ('standard', "Standard"),
    ('low_temperature', "Low Temperature"),
    ('gas_condensing', "Gas Condensing"),
    ]


class RuleError(ValidationError):
    pass


class ControlFrequency(DeactivableMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "DPR 74/2013 Allegato A: how often the efficiency control is due"
    __name__ = 'termogest.rule.control_frequency'
    __string__ = "Efficiency Control Frequency"

    code = fields.Char("Code", required=True)
    name = fields.Char("Description", required=True, translate=True)
    plant_type = fields.Selection(PLANT_TYPES, "Plant Type", required=True)
    supply = fields.Selection(SUPPLIES, "Supply", required=True)
    power_basis = fields.Selection([
            ('useful_thermal', "Useful Thermal Power"),
            ('electrical', "Electrical Power"),
            ], "Power Basis", required=True)
    power_min = fields.Numeric(
        "Power From (kW)", digits=(16, 2),
        help="Empty: no lower bound.")
    power_min_inclusive = fields.Boolean("From Included")
    power_max = fields.Numeric(
        "Power To (kW)", digits=(16, 2),
        help="Empty: no upper bound.")
    power_max_inclusive = fields.Boolean("To Included")
    interval_years = fields.Integer(
        "Every (Years)", required=True,
        domain=[('interval_years', '>', 0)])
    report_type = fields.Selection(REPORT_TYPES, "REE Type", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(1, ('supply', 'ASC'))
        cls._order.insert(2, ('power_min', 'ASC NULLS FIRST'))

    def get_rec_name(self, name):
        return '%s (%s)' % (self.name, self.bounds)

    @classmethod
    def create(cls, vlist):
        rules = super().create(vlist)
        refresh_plants()
        return rules

    @classmethod
    def write(cls, *args):
        super().write(*args)
        refresh_plants()

    @classmethod
    def delete(cls, rules):
        super().delete(rules)
        refresh_plants()

    @property
    def bounds(self):
        parts = []
        if self.power_min is not None:
            parts.append('%s %s' % (
                    '≥' if self.power_min_inclusive else '>',
                    '{:f}'.format(self.power_min.normalize())))
        if self.power_max is not None:
            parts.append('%s %s' % (
                    '≤' if self.power_max_inclusive else '<',
                    '{:f}'.format(self.power_max.normalize())))
        return ' '.join(parts) + ' kW'

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        for rule in rules:
            if (rule.power_min is not None and rule.power_max is not None
                    and rule.power_min >= rule.power_max):
                raise RuleError(gettext(
                        'termogest_impianti.msg_rule_power_bounds',
                        rule=rule.rec_name))


class MinimumEfficiency(DeactivableMixin, sequence_ordered(), ModelSQL,
        ModelView):
    "DPR 74/2013 Allegato B: minimum combustion efficiency"
    __name__ = 'termogest.rule.minimum_efficiency'
    __string__ = "Minimum Combustion Efficiency"

    code = fields.Char("Code", required=True)
    heat_carrier = fields.Selection(
        HEAT_CARRIERS[1:], "Heat Carrier", required=True)
    generator_class = fields.Selection([
            ('any', "Any Class"),
            ('standard', "Standard"),
            ('low_temperature', "Low Temperature"),
            ('gas_condensing', "Gas Condensing"),
            ('not_gas_condensing', "Any but Gas Condensing"),
            ], "Generator Class", required=True)
    installed_from = fields.Date(
        "Installed From", help="Included; empty: no lower bound.")
    installed_to = fields.Date(
        "Installed To", help="Included; empty: no upper bound.")
    coeff_a = fields.Numeric("Coefficient A", digits=(16, 2), required=True)
    coeff_b = fields.Numeric("Coefficient B", digits=(16, 2), required=True)
    power_cap = fields.Numeric(
        "Power Cap (kW)", digits=(16, 2),
        help="Above this power the formula uses the cap (400 kW).")
    formula = fields.Function(
        fields.Char("Formula"), 'on_change_with_formula')

    @fields.depends('coeff_a', 'coeff_b')
    def on_change_with_formula(self, name=None):
        if self.coeff_a is not None and self.coeff_b is not None:
            return '%s + %s log Pn' % (
                '{:f}'.format(self.coeff_a.normalize()).replace('.', ','),
                '{:f}'.format(self.coeff_b.normalize()).replace('.', ','))

    def get_rec_name(self, name):
        return self.formula or self.code

    @classmethod
    def validate_fields(cls, rules, field_names):
        super().validate_fields(rules, field_names)
        for rule in rules:
            if (rule.installed_from and rule.installed_to
                    and rule.installed_from > rule.installed_to):
                raise RuleError(gettext(
                        'termogest_impianti.msg_rule_dates',
                        rule=rule.code))


class Fuel(DeactivableMixin, sequence_ordered(), ModelSQL, ModelView):
    "Fuel"
    __name__ = 'termogest.fuel'
    __string__ = "Fuel"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    supply = fields.Selection([
            (None, "No Efficiency Control"),
            ('gas', "Gas, Methane or LPG"),
            ('liquid_solid_fuel', "Liquid or Solid Fuel"),
            ], "Allegato A Supply",
        help="How Allegato A groups this fuel for flame generators.")
    solid = fields.Boolean(
        "Solid Fuel", help="Biomass: in scope only where the region says so.")
    efficiency_test = fields.Boolean(
        "Efficiency Test",
        help="The REE measures the combustion efficiency.")
    bacharach_required = fields.Boolean(
        "Bacharach Required",
        help="Liquid fuels: the three Bacharach readings are required.")
    bacharach_max = fields.Numeric(
        "Bacharach Maximum", digits=(4, 1),
        states={'invisible': ~Eval('bacharach_required')})
    flow_unit = fields.Selection([
            ('m3/h', "m³/h"),
            ('Kg/h', "kg/h"),
            ], "Flow Unit", required=True)

    @staticmethod
    def default_flow_unit():
        return 'm3/h'


class Refrigerant(DeactivableMixin, ModelSQL, ModelView):
    "Refrigerant"
    __name__ = 'termogest.refrigerant'
    __string__ = "Refrigerant"
    _rec_name = 'code'

    code = fields.Char("Code", required=True)
    gwp = fields.Integer(
        "GWP", required=True,
        help="Global warming potential (Reg. UE 2024/573 annexes).")
    note = fields.Char("Note")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('code', 'ASC'))


class Region(DeactivableMixin, ModelSQL, ModelView):
    "Region profile of a regional catasto"
    __name__ = 'termogest.region'
    __string__ = "Region Profile"

    code = fields.Char("Code", required=True)
    name = fields.Char("Name", required=True, translate=True)
    subdivision_codes = fields.Char(
        "Subdivision Codes",
        help="ISO 3166-2 codes of the regions, space-separated "
        "(e.g. IT-21): plants whose province belongs to them get this "
        "profile.")
    catasto_name = fields.Char("Catasto")
    plant_code_label = fields.Char(
        "Plant Code Label", translate=True,
        help="How the region calls the plant code.")
    plant_code_pattern = fields.Char(
        "Plant Code Pattern",
        help="Regular expression the plant code must match; empty: any.")
    requires_key_code = fields.Boolean(
        "Key Code", help="The catasto issues a key code with the plant code.")
    min_heating_power = fields.Numeric(
        "Heating Scope From (kW)", digits=(16, 2))
    min_cooling_power = fields.Numeric(
        "Cooling Scope From (kW)", digits=(16, 2))
    biomass_in_scope = fields.Boolean(
        "Biomass in Scope",
        help="Solid-fuel generators get periodic efficiency controls.")
    required_supply_ids = fields.Char(
        "Identifiers to Collect", translate=True)
    fee_model = fields.Selection([
            ('none', "None"),
            ('per_report', "Per Report"),
            ('contribution', "Contribution"),
            ], "Fee", required=True)
    fee_vat_treatment = fields.Selection([
            (None, "Unknown"),
            ('outside_base', "Outside the VAT Base"),
            ('plus_vat', "Plus VAT"),
            ], "Fee on the Invoice")
    fee_bands = fields.One2Many(
        'termogest.region.fee', 'region', "Fee Bands")
    upload_mode = fields.Selection([
            ('web', "Web"),
            ('xml_import', "XML Import"),
            ('api', "API"),
            ], "Upload", required=True)
    ree_upload_days = fields.Integer(
        "REE Upload Days",
        help="Days within which the REE must be uploaded; empty: "
        "reminder only.")
    maintenance_default_months = fields.Integer(
        "Default Maintenance (Months)",
        help="Used when the device has no interval of its own.")
    control_overrides = fields.One2Many(
        'termogest.region.control', 'region',
        "Control Frequency Overrides")
    catasto_codes = fields.One2Many(
        'termogest.region.code', 'region', "Catasto Codes",
        help="The catasto's numeric codes of manufacturers, fuels and "
        "heat-transfer fluids, for the XML export.")
    note = fields.Text("Note")

    @staticmethod
    def default_fee_model():
        return 'none'

    @staticmethod
    def default_upload_mode():
        return 'web'

    @staticmethod
    def default_biomass_in_scope():
        return True

    @classmethod
    def validate_fields(cls, regions, field_names):
        super().validate_fields(regions, field_names)
        for region in regions:
            if region.plant_code_pattern:
                try:
                    re.compile(region.plant_code_pattern)
                except re.error as exception:
                    raise RuleError(gettext(
                            'termogest_impianti.msg_region_pattern',
                            region=region.rec_name,
                            error=exception)) from exception

    @classmethod
    def write(cls, *args):
        super().write(*args)
        refresh_plants([('region', 'in', [
                        r.id for r in sum(args[0:None:2], [])])])

    def match_subdivision(self, code):
        return code in (self.subdivision_codes or '').split()

    @classmethod
    def from_subdivision(cls, subdivision):
        "The profile of a province or region subdivision, else the generic"
        codes = set()
        while subdivision:
            codes.add(subdivision.code)
            subdivision = subdivision.parent
        generic = None
        for region in cls.search([]):
            if codes & set((region.subdivision_codes or '').split()):
                return region
            if region.code == 'generic':
                generic = region
        return generic

    def fee(self, power):
        "The fee for a report of a plant of power kW"
        for band in self.fee_bands:
            if band.matches(power):
                return band.amount

    def catasto_code(self, kind, value):
        "The catasto's code of value (brand, fuel code, fluid) or None"
        key = ' '.join((value or '').split()).casefold()
        for code in self.catasto_codes:
            if (code.kind == kind
                    and ' '.join(code.value.split()).casefold() == key):
                return code.code

    def control_override(self, rule):
        for override in self.control_overrides:
            if override.rule == rule:
                return override.interval_months


class RegionFee(sequence_ordered(), ModelSQL, ModelView):
    "Fee band of a region profile"
    __name__ = 'termogest.region.fee'
    __string__ = "Fee Band"

    region = fields.Many2One(
        'termogest.region', "Region", required=True, ondelete='CASCADE')
    power_min = fields.Numeric("Power From (kW)", digits=(16, 2),
        help="Excluded; empty: no lower bound.")
    power_max = fields.Numeric("Power To (kW)", digits=(16, 2),
        help="Included; empty: no upper bound.")
    amount = fields.Numeric("Amount (€)", digits=(16, 2), required=True)
    description = fields.Char("Description", translate=True)

    def matches(self, power):
        if power is None:
            return False
        if self.power_min is not None and power <= self.power_min:
            return False
        if self.power_max is not None and power > self.power_max:
            return False
        return True


def refresh_plants(domain=None):
    "Recompute the due dates after a change of the rules"
    pool = Pool()
    Plant = pool.get('termogest.plant')
    with Transaction().set_context(active_test=False):
        plants = Plant.search(domain or [])
    for index in range(0, len(plants), 500):
        Plant.update_due_dates(plants[index:index + 500])


class RegionControl(ModelSQL, ModelView):
    "Regional override of an Allegato A frequency"
    __name__ = 'termogest.region.control'
    __string__ = "Control Frequency Override"

    region = fields.Many2One(
        'termogest.region', "Region", required=True, ondelete='CASCADE')
    rule = fields.Many2One(
        'termogest.rule.control_frequency', "Allegato A Row",
        required=True, ondelete='CASCADE')
    interval_months = fields.Integer(
        "Every (Months)", required=True,
        domain=[('interval_months', '>', 0)])

    @classmethod
    def create(cls, vlist):
        overrides = super().create(vlist)
        refresh_plants([('region', 'in', [o.region.id for o in overrides])])
        return overrides

    @classmethod
    def write(cls, *args):
        super().write(*args)
        refresh_plants([('region', 'in', [
                        o.region.id for o in sum(args[0:None:2], [])])])

    @classmethod
    def delete(cls, overrides):
        regions = [o.region.id for o in overrides]
        super().delete(overrides)
        refresh_plants([('region', 'in', regions)])


class RegionCode(ModelSQL, ModelView):
    "Catasto code of a manufacturer, fuel or fluid"
    __name__ = 'termogest.region.code'
    __string__ = "Catasto Code"

    region = fields.Many2One(
        'termogest.region', "Region", required=True, ondelete='CASCADE')
    kind = fields.Selection([
            ('manufacturer', "Manufacturer"),
            ('fuel', "Fuel"),
            ('fluid', "Heat-Transfer Fluid"),
            ], "Kind", required=True)
    value = fields.Char(
        "Value", required=True,
        help="The brand as written on the devices, the fuel code "
        "(e.g. natural_gas) or the fluid (water, air).")
    code = fields.Integer("Code", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('kind', 'ASC'), ('value', 'ASC'), ('id', 'ASC')]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Plants configuration"
    __name__ = 'termogest.impianti.configuration'
    __string__ = "Plants Configuration"

    plant_sequence = fields.Many2One(
        'ir.sequence', "Plant Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_impianti', 'sequence_type_plant'))])
    booklet_sequence = fields.Many2One(
        'ir.sequence', "Booklet Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_impianti', 'sequence_type_booklet'))])
    report_sequence = fields.Many2One(
        'ir.sequence', "REE Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_impianti', 'sequence_type_report'))])
    contract_sequence = fields.Many2One(
        'ir.sequence', "Contract Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_impianti', 'sequence_type_contract'))])
    default_maintenance_months = fields.Integer(
        "Default Maintenance (Months)", required=True,
        domain=[('default_maintenance_months', '>', 0)])
    efficiency_tolerance = fields.Numeric(
        "Efficiency Tolerance (Points)", digits=(4, 2), required=True,
        help="Points added to the analyser's average (UNI 10389-1).")
    co_limit = fields.Numeric(
        "Corrected CO Limit (ppm)", digits=(16, 2), required=True)
    replacement_days = fields.Integer(
        "Replacement Within (Days)", required=True,
        help="A generator below the minimum efficiency must be replaced "
        "within these days.")
    report_sets_maintenance = fields.Boolean(
        "REE Counts as Maintenance",
        help="A completed REE also sets the last maintenance date.")
    rea_office = fields.Char(
        "REA Office", size=2,
        help="Province of the company's REA registration (e.g. TO).")
    rea_number = fields.Char("REA Number")

    @classmethod
    def fill_numbers(cls, vlist, field, sequence):
        "Copies of vlist with field numbered by the sequence field"
        config = cls(1)
        vlist = [v.copy() for v in vlist]
        for values in vlist:
            if not values.get(field):
                values[field] = getattr(config, sequence).get()
        return vlist

    @classmethod
    def _default_sequence(cls, xml_id, module='termogest_impianti'):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        try:
            return ModelData.get_id(module, xml_id)
        except KeyError:
            return None

    @classmethod
    def default_plant_sequence(cls):
        return cls._default_sequence('sequence_plant')

    @classmethod
    def default_booklet_sequence(cls):
        return cls._default_sequence('sequence_booklet')

    @classmethod
    def default_report_sequence(cls):
        return cls._default_sequence('sequence_report')

    @classmethod
    def default_contract_sequence(cls):
        return cls._default_sequence('sequence_contract')

    @staticmethod
    def default_default_maintenance_months():
        return 12

    @staticmethod
    def default_efficiency_tolerance():
        return Decimal(2)

    @staticmethod
    def default_co_limit():
        return Decimal(1000)

    @staticmethod
    def default_replacement_days():
        return 180

    @staticmethod
    def default_report_sets_maintenance():
        return True
