# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.report import Report
from trytond.transaction import Transaction

from .regulation import combustion_test, minimum_efficiency, rec_name_domain
from .rules import REPORT_TYPES


class ReportError(ValidationError):
    pass


TRISTATE = [
    (None, ""),
    ('yes', "Yes"),
    ('no', "No"),
    ('not_checkable', "Not Checkable"),
    ('not_applicable', "Not Applicable"),
    ]
RESULTS = [
    (None, "Incomplete"),
    ('pass', "Pass"),
    ('fail', "Fail"),
    ]

# The tri-state checks of section D and E, per report type
CHECKS = {
    '1': ['d_room', 'd_flue', 'd_outdoor', 'd_regulation', 'd_vents',
        'd_leaks', 'd_vent_size', 'd_seal', 'e_controls', 'e_safety',
        'e_valve', 'e_exchanger', 'e_backflow', 'e_results'],
    '2': ['d_room', 'd_vent_size', 'd_vents', 'd_electric', 'd_insulation',
        'e_refrigerant_leaks', 'e_direct_leak_detection',
        'e_indirect_leak_detection', 'e_exchangers_clean'],
    '3': ['d_room', 'd_electric', 'd_insulation', 'd_leaks',
        'e_power_compatible', 'e_insulation', 'e_controls'],
    '4': ['d_room', 'd_vent_size', 'd_vents', 'd_electric', 'd_flue',
        'd_soundproofing', 'd_hydraulic_seal', 'd_oil_seal', 'd_fuel_seal',
        'd_exchanger'],
    }
# Checks whose "yes" is a defect
DEFECT_WHEN_YES = {'e_backflow'}


def _measure(string, digits=2, **kwargs):
    return fields.Numeric(string, digits=(16, digits), **kwargs)


class MeasurementMixin:
    "One combustion test (analisi fumi) of a REE type 1"
    __slots__ = ()
    flue_temperature = _measure("Flue Gas Temperature (°C)")
    air_temperature = _measure("Combustion Air Temperature (°C)")
    o2 = _measure("O₂ (%)")
    co2 = _measure("CO₂ (%)")
    bacharach1 = _measure("Bacharach 1")
    bacharach2 = _measure("Bacharach 2")
    bacharach3 = _measure("Bacharach 3")
    co_dry = _measure(
        "CO Dry Flue Gas (ppm)",
        help="Average of three significant readings.")
    co_corrected = _measure(
        "Corrected CO (ppm)",
        help="CO in dry, air-free flue gas, after any adjustment.")
    measured_efficiency = _measure(
        "Measured Efficiency (%)",
        help="The analyser's average of three readings, without the "
        "tolerance points.")
    nox = _measure("NOx (mg/kWh)")
    fuel_flow = _measure("Fuel Flow", 3)
    reported_efficiency = _measure(
        "Combustion Efficiency (%)", readonly=True,
        help="Measured efficiency plus the tolerance points: the value "
        "written in the report.")
    efficiency_ok = fields.Boolean("Efficiency Respected", readonly=True)
    co_ok = fields.Boolean("CO Respected", readonly=True)
    bacharach_ok = fields.Boolean("Bacharach Respected", readonly=True)

    @property
    def bacharach_readings(self):
        return [self.bacharach1, self.bacharach2, self.bacharach3]

    def _test(self, report, config, minimum):
        fuel = report.device.fuel if report.device else None
        return combustion_test(
            self.measured_efficiency, minimum,
            config.efficiency_tolerance, self.co_corrected,
            config.co_limit, bacharach=self.bacharach_readings,
            bacharach_max=fuel.bacharach_max if fuel else None,
            efficiency_test=fuel.efficiency_test if fuel else True,
            bacharach_required=bool(fuel and fuel.bacharach_required))

    def _test_values(self, report, config, minimum):
        test = self._test(report, config, minimum)
        return {
            'reported_efficiency': test['reported'],
            'efficiency_ok': test['efficiency_ok'],
            'co_ok': test['co_ok'],
            'bacharach_ok': test['bacharach_ok'],
            }, test['ok']


class EfficiencyReport(MeasurementMixin, Workflow, ModelSQL, ModelView):
    "Energy efficiency report (REE)"
    __name__ = 'termogest.efficiency.report'
    __string__ = "Efficiency Report"
    _rec_name = 'number'

    _states = {'readonly': Eval('state') != 'draft'}
    _type1 = {
        'readonly': Eval('state') != 'draft',
        'invisible': Eval('report_type') != '1',
        }
    _type2 = {
        'readonly': Eval('state') != 'draft',
        'invisible': Eval('report_type') != '2',
        }
    _type3 = {
        'readonly': Eval('state') != 'draft',
        'invisible': Eval('report_type') != '3',
        }
    _type4 = {
        'readonly': Eval('state') != 'draft',
        'invisible': Eval('report_type') != '4',
        }

    number = fields.Char("Number", readonly=True)
    device = fields.Many2One(
        'termogest.device', "Generator", required=True, ondelete='RESTRICT',
        states=_states,
        context={'active_test': False})
    plant = fields.Function(
        fields.Many2One('termogest.plant', "Plant"), 'get_plant',
        searcher='search_plant')
    party = fields.Function(
        fields.Many2One('party.party', "Responsible"), 'get_party',
        searcher='search_party')
    report_type = fields.Selection(
        REPORT_TYPES, "Type", required=True, states=_states)
    date = fields.Date("Control Date", required=True, states=_states)
    technician = fields.Many2One(
        'company.employee', "Technician", states=_states)
    arrival_time = fields.Time("Arrival", states=_states)
    departure_time = fields.Time("Departure", states=_states)
    catasto_code = fields.Char("Catasto Code", states=_states)
    sticker_code = fields.Char(
        "Sticker Code", states=_states,
        help="Bollino or contribution code paid for this report.")
    instrument = fields.Char(
        "Analyser", states=_type1,
        help="Brand, model and serial number of the flue gas analyser.")
    total_power = _measure(
        "Total Nominal Power (kW)", states=_states,
        help="The plant's maximum total nominal heat output.")
    # B. Technical documentation
    doc_conformity = fields.Boolean("Declaration of Conformity",
        states=_states)
    doc_manuals = fields.Boolean("Generator Manuals", states=_states)
    doc_booklet = fields.Boolean("Plant Booklet Present", states=_states)
    doc_booklet_complete = fields.Boolean("Booklet Complete", states=_states)
    # C. Water treatment
    water_hardness = _measure("Water Hardness (°f)", states=_states)
    heating_treatment_not_required = fields.Boolean(
        "Heating Treatment Not Required", states=_states)
    dhw_treatment_not_required = fields.Boolean(
        "Hot Water Treatment Not Required", states=_states)
    # D and E checks
    d_room = fields.Selection(TRISTATE, "Installation Room Suitable",
        states=_states)
    d_flue = fields.Selection(TRISTATE, "Flue and Exhausts Suitable",
        states=_states)
    d_outdoor = fields.Selection(TRISTATE, "Outdoor Generators Suitable",
        states=_type1)
    d_regulation = fields.Selection(
        TRISTATE, "Room Temperature Control Working", states=_type1)
    d_vents = fields.Selection(TRISTATE, "Ventilation Openings Free",
        states=_states)
    d_leaks = fields.Selection(TRISTATE, "No Leaks", states=_states)
    d_vent_size = fields.Selection(
        TRISTATE, "Ventilation Openings Adequate", states=_states)
    d_seal = fields.Selection(
        TRISTATE, "Internal Plant and Connections Sealed", states=_type1)
    d_electric = fields.Selection(TRISTATE, "Electric Lines Suitable",
        states=_states)
    d_insulation = fields.Selection(TRISTATE, "Insulation Suitable",
        states=_states)
    d_soundproofing = fields.Selection(
        TRISTATE, "Soundproof Enclosure Suitable", states=_type4)
    d_hydraulic_seal = fields.Selection(
        TRISTATE, "Hydraulic Circuit Sealed", states=_type4)
    d_oil_seal = fields.Selection(
        TRISTATE, "Oil Circuit Sealed", states=_type4)
    d_fuel_seal = fields.Selection(
        TRISTATE, "Fuel Supply Sealed", states=_type4)
    d_exchanger = fields.Selection(
        TRISTATE, "Exchanger Working", states=_type4)
    focolare_power = _measure(
        "Furnace Heat Input (kW)", states=_type1)
    service_heating = fields.Boolean("Space Heating", states=_states)
    service_dhw = fields.Boolean("Domestic Hot Water", states=_states)
    e_controls = fields.Selection(
        TRISTATE, "Control Devices Working", states=_states)
    e_safety = fields.Selection(
        TRISTATE, "Safety Devices Not Tampered", states=_type1)
    e_valve = fields.Selection(
        TRISTATE, "Overpressure Safety Valve Free", states=_type1)
    e_exchanger = fields.Selection(
        TRISTATE, "Flue-Side Exchanger Clean", states=_type1)
    e_backflow = fields.Selection(
        TRISTATE, "Backflow of Combustion Products", states=_type1,
        help="\"Yes\" is a defect.")
    e_results = fields.Selection(
        TRISTATE, "UNI 10389-1 Results Compliant", states=_type1)
    other_standard = fields.Char(
        "Other Standard", size=500, states=_type1,
        help="The technical standard used if not UNI 10389-1.")
    draught = fields.Selection([
            ('F', "Forced"),
            ('N', "Natural"),
            ], "Flue Gas Evacuation", states=_type1)
    flue_depression = _measure("Flue Draught (Pa)", states=_type1)
    minimum_efficiency = _measure(
        "Legal Minimum Efficiency (%)",
        states={
            'readonly': (Eval('state') != 'draft') | Bool(
                Eval('minimum_computed')),
            'invisible': Eval('report_type') != '1',
            },
        help="DPR 74/2013 Allegato B for the generator's class, date and "
        "power; enter it by hand only when no rule applies.")
    minimum_computed = fields.Boolean("Minimum Computed", readonly=True)
    modules = fields.One2Many(
        'termogest.efficiency.report.module', 'report',
        "Further Modules", states=_type1,
        help="One test per further thermal module of a modular generator.")
    # Type 2
    test_mode = fields.Selection([
            (None, ""),
            ('RAF', "Cooling"),
            ('RIS', "Heating"),
            ], "Test Mode", states=_type2)
    e_refrigerant_leaks = fields.Selection(
        TRISTATE, "No Refrigerant Leaks", states=_type2)
    e_direct_leak_detection = fields.Selection(
        TRISTATE, "Direct Leak Detection", states=_type2)
    e_indirect_leak_detection = fields.Selection(
        TRISTATE, "Indirect Leak Detection", states=_type2)
    e_exchangers_clean = fields.Selection(
        TRISTATE, "Exchangers Clean", states=_type2)
    superheat = _measure("Superheat (K)", states=_type2)
    subcooling = _measure("Subcooling (K)", states=_type2)
    condensing_temperature = _measure(
        "Condensing Temperature (°C)", states=_type2)
    evaporating_temperature = _measure(
        "Evaporating Temperature (°C)", states=_type2)
    source_in_temperature = _measure(
        "Source Side In (°C)", states=_type2)
    source_out_temperature = _measure(
        "Source Side Out (°C)", states=_type2)
    user_in_temperature = _measure("User Side In (°C)", states=_type2)
    user_out_temperature = _measure("User Side Out (°C)", states=_type2)
    absorbed_power = _measure("Absorbed Power (kW)", states=_states)
    filters_clean = fields.Boolean("Filters Clean", states=_type2)
    check_passed = fields.Boolean("Check Passed", states=_type2)
    restore_date = fields.Date(
        "Restore By", states=_type2,
        help="If the check failed: the date by which it will be restored.")
    # Type 3
    e_power_compatible = fields.Selection(
        TRISTATE, "Power Compatible with Design", states=_type3)
    e_insulation = fields.Selection(
        TRISTATE, "Insulation Condition", states=_type3)
    outdoor_temperature = _measure(
        "Outdoor Temperature (°C)", states=_type3)
    primary_flow_temperature = _measure(
        "Primary Flow (°C)", states=_type3)
    primary_return_temperature = _measure(
        "Primary Return (°C)", states=_type3)
    secondary_flow_temperature = _measure(
        "Secondary Flow (°C)", states=_type3)
    secondary_return_temperature = _measure(
        "Secondary Return (°C)", states=_type3)
    thermal_power = _measure("Thermal Power (kW)", states=_type3)
    fluid_flow = _measure("Fluid Flow (m³/h)", states=_type3)
    # Type 4
    water_out_temperature = _measure(
        "Water Out Temperature (°C)", states=_type4)
    water_in_temperature = _measure(
        "Water In Temperature (°C)", states=_type4)
    terminal_power = _measure("Power at Terminals (kW)", states=_type4)
    engine_water_temperature = _measure(
        "Engine Water Temperature (°C)", states=_type4)
    flue_downstream_temperature = _measure(
        "Flue Gas Downstream (°C)", states=_type4)
    flue_upstream_temperature = _measure(
        "Flue Gas Upstream (°C)", states=_type4)
    # F. Check-list and conclusions
    suggest_valves = fields.Boolean(
        "Thermostatic Valves on Radiators", states=_states)
    suggest_insulation = fields.Boolean(
        "Insulate the Distribution Network", states=_states)
    suggest_treatment = fields.Boolean(
        "Water Treatment System", states=_states)
    suggest_regulation = fields.Boolean(
        "Programmable Multi-Level Control", states=_states)
    observations = fields.Text(
        "Observations", size=1000, states=_states,
        help="Causes of the negative values found and the work done.")
    recommendations = fields.Text(
        "Recommendations", size=1000, states=_states,
        help="Faults not fixed that are not an immediate danger.")
    prescriptions = fields.Text(
        "Prescriptions", size=1000, states=_states,
        help="Faults that are an immediate danger: the plant cannot "
        "operate.")
    can_operate = fields.Boolean("Plant Can Operate", states=_states)
    intervention_by = fields.Date(
        "Intervention By", states=_states,
        help="The date by which the recommended work must be done.")
    technician_signature = fields.Char(
        "Technician Signature", states=_states)
    responsible_signature = fields.Char(
        "Responsible Signature", states=_states)
    result = fields.Selection(RESULTS, "Result", readonly=True)
    result_string = result.translated('result')
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)
    done_by = fields.Many2One('res.user', "Completed By", readonly=True)

    del _states, _type1, _type2, _type3, _type4

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.device, Index.Range())),
                Index(t, (t.date, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        for name in MeasurementMixin.__dict__:
            field = getattr(cls, name, None)
            if isinstance(field, fields.Field) and not field.readonly:
                field.states = {
                    'readonly': Eval('state') != 'draft',
                    'invisible': Eval('report_type') != '1',
                    }
        cls._transitions |= {
            ('draft', 'done'),
            ('draft', 'cancelled'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'done': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'cancelled',
                    'depends': ['state'],
                    },
                'export_cit': {
                    'invisible': (Eval('state') != 'done')
                    | (Eval('report_type') != '1'),
                    'depends': ['state', 'report_type'],
                    },
                })

    @staticmethod
    def default_state():
        return 'draft'

    @staticmethod
    def default_date():
        return Pool().get('ir.date').today()

    @staticmethod
    def default_report_type():
        return '1'

    @staticmethod
    def default_can_operate():
        return True

    @staticmethod
    def default_service_heating():
        return True

    @staticmethod
    def default_draught():
        return 'F'

    @classmethod
    def default_device(cls):
        return Transaction().context.get('device')

    @classmethod
    def default_technician(cls):
        pool = Pool()
        User = pool.get('res.user')
        user_id = Transaction().user
        if user_id:
            user = User(user_id)
            if user.employee:
                return user.employee.id

    @fields.depends('device', 'report_type', 'catasto_code', 'total_power')
    def on_change_device(self):
        if self.device:
            if self.device.report_type:
                self.report_type = self.device.report_type
            plant = self.device.plant
            if plant:
                self.catasto_code = plant.catasto_code
                self.total_power = plant.total_power
        self.minimum_efficiency, self.minimum_computed = (
            self._compute_minimum())

    @fields.depends('prescriptions', 'can_operate')
    def on_change_prescriptions(self):
        if self.prescriptions and self.prescriptions.strip():
            self.can_operate = False

    @fields.depends('device')
    def _compute_minimum(self, rules=None):
        pool = Pool()
        Rule = pool.get('termogest.rule.minimum_efficiency')
        device = self.device
        if not device or device.component != 'GT':
            return None, False
        if rules is None:
            rules = Rule.search([])
        minimum = minimum_efficiency(
            device.nominal_power, device.installation_date,
            device.heat_carrier, device.generator_class or 'standard',
            rules)
        return minimum, minimum is not None

    def get_plant(self, name):
        return self.device.plant.id

    @classmethod
    def search_plant(cls, name, clause):
        nested = clause[0][len(name):]
        return [('device.plant' + nested, *clause[1:])]

    def get_party(self, name):
        return self.device.plant.party.id

    @classmethod
    def search_party(cls, name, clause):
        nested = clause[0][len(name):]
        return [('device.plant.party' + nested, *clause[1:])]

    def get_rec_name(self, name):
        return '%s %s' % (self.number or '', self.device.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        return rec_name_domain(clause, [
            'number',
            'device.rec_name',
            'device.plant.party.name',
            ])

    # Computation: the minimum, the +2 points, CO, Bacharach, the result
    def compute(self, config, rules=None):
        "Return (values of the report, {module: values})"
        values = {}
        modules = {}
        if self.report_type == '1':
            minimum, computed = self._compute_minimum(rules)
            if computed:
                values['minimum_efficiency'] = minimum
            else:
                minimum = self.minimum_efficiency
            values['minimum_computed'] = computed
            test_values, ok = self._test_values(self, config, minimum)
            values.update(test_values)
            outcomes = [ok]
            for module in self.modules:
                module_values, module_ok = module._test_values(
                    self, config, minimum)
                modules[module] = module_values
                outcomes.append(module_ok)
            if any(o is False for o in outcomes):
                result = 'fail'
            elif any(o is None for o in outcomes):
                result = None
            else:
                result = 'pass'
        elif self.report_type == '2':
            if self._has_type2_data():
                result = 'pass' if self.check_passed else 'fail'
            else:
                result = None
        else:
            result = 'pass'
        if result and not self.can_operate:
            result = 'fail'
        values['result'] = result
        return values, modules

    def _has_type2_data(self):
        return any(v is not None for v in [
                self.superheat, self.subcooling,
                self.condensing_temperature, self.evaporating_temperature])

    @classmethod
    def _recompute(cls, reports):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        Module = pool.get('termogest.efficiency.report.module')
        Rule = pool.get('termogest.rule.minimum_efficiency')
        config = Configuration(1)
        rules = Rule.search([])
        to_write, modules_to_write = [], []
        for report in cls.browse(reports):
            if report.state != 'draft':
                continue
            values, modules = report.compute(config, rules)
            changed = {k: v for k, v in values.items()
                if getattr(report, k) != v}
            if changed:
                to_write.extend(([report], changed))
            for module, module_values in modules.items():
                changed = {k: v for k, v in module_values.items()
                    if getattr(module, k) != v}
                if changed:
                    modules_to_write.extend(([module], changed))
        with Transaction().set_context(_termogest_report_compute=True):
            if modules_to_write:
                Module.write(*modules_to_write)
            if to_write:
                super().write(*to_write)

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        vlist = Configuration.fill_numbers(vlist, 'number', 'report_sequence')
        reports = super().create(vlist)
        cls._recompute(reports)
        return reports

    # What can still change on a completed report
    _done_writable = {'done_by', 'result', 'sticker_code'}

    @classmethod
    def write(cls, *args):
        actions = iter(args)
        for reports, values in zip(actions, actions):
            changed = set(values) - cls._done_writable
            if changed and not Transaction().context.get(
                    '_termogest_report_compute'):
                for report in reports:
                    if report.state == 'done':
                        raise AccessError(gettext(
                                'termogest_impianti.msg_report_done_locked',
                                report=report.rec_name))
        super().write(*args)
        reports = sum(args[0:None:2], [])
        cls._recompute(reports)

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('number')
        default.setdefault('done_by')
        default.setdefault('result')
        return super().copy(reports, default=default)

    @classmethod
    def delete(cls, reports):
        for report in reports:
            if report.state == 'done':
                raise AccessError(gettext(
                        'termogest_impianti.msg_report_delete_done',
                        report=report.rec_name))
        super().delete(reports)

    @classmethod
    def validate_fields(cls, reports, field_names):
        super().validate_fields(reports, field_names)
        for report in reports:
            if (report.prescriptions and report.prescriptions.strip()
                    and report.can_operate):
                raise ReportError(gettext(
                        'termogest_impianti.msg_report_prescription_operate',
                        report=report.rec_name))
            if (report.departure_time and report.arrival_time
                    and report.departure_time < report.arrival_time):
                raise ReportError(gettext(
                        'termogest_impianti.msg_report_times',
                        report=report.rec_name))
            device = report.device
            if (device.report_type and report.report_type
                    and device.component in {'GT', 'GF', 'SC', 'CG'}
                    and report.report_type != device.report_type):
                raise ReportError(gettext(
                        'termogest_impianti.msg_report_type_device',
                        report=report.rec_name,
                        device=device.rec_name,
                        type=device.report_type))

    def check_complete(self):
        "Raise if the report lacks what its type requires to be completed"
        missing = []
        if self.report_type == '1':
            fuel = self.device.fuel
            required = ['co_corrected', 'focolare_power']
            if not fuel or fuel.efficiency_test:
                required += ['measured_efficiency', 'minimum_efficiency',
                    'flue_temperature', 'o2']
            if fuel and fuel.bacharach_required:
                required += ['bacharach1', 'bacharach2', 'bacharach3']
            for name in required:
                if getattr(self, name) is None:
                    missing.append(name)
            for module in self.modules:
                for name in required:
                    if name in {'minimum_efficiency', 'focolare_power'}:
                        continue
                    if getattr(module, name) is None:
                        missing.append('modules')
                        break
        elif self.report_type == '2':
            for name in ['superheat', 'subcooling',
                    'condensing_temperature', 'evaporating_temperature']:
                if getattr(self, name) is None:
                    missing.append(name)
            if not self.check_passed and not self.restore_date:
                missing.append('restore_date')
        if missing:
            names = self.__names__()
            labels = ', '.join('"%s"' % self.__names__(n)['field']
                for n in dict.fromkeys(missing))
            raise ReportError(gettext(
                    'termogest_impianti.msg_report_incomplete',
                    report=self.rec_name, fields=labels,
                    type=names['model']))
        if self.result is None:
            raise ReportError(gettext(
                    'termogest_impianti.msg_report_no_result',
                    report=self.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, reports):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def done(cls, reports):
        pool = Pool()
        Device = pool.get('termogest.device')
        Booklet = pool.get('termogest.booklet')
        Configuration = pool.get('termogest.impianti.configuration')
        config = Configuration(1)
        cls._recompute(reports)
        reports = cls.browse(reports)
        for report in reports:
            report.check_complete()
        to_write = []
        for report in sorted(reports, key=lambda r: r.date):
            device = report.device
            values = {}
            if (not device.last_efficiency_check_date
                    or device.last_efficiency_check_date <= report.date):
                values['last_efficiency_check_date'] = report.date
                if config.report_sets_maintenance and (
                        not device.last_maintenance_date
                        or device.last_maintenance_date <= report.date):
                    values['last_maintenance_date'] = report.date
                if report.efficiency_failed:
                    values['replacement_due_date'] = (
                        report.date + datetime.timedelta(
                            days=config.replacement_days))
                elif report.result == 'pass':
                    values['replacement_due_date'] = None
            if values:
                to_write.extend(([device], values))
        if to_write:
            with Transaction().set_context(active_test=False):
                Device.write(*to_write)
        super().write(reports, {'done_by': Transaction().user or None})
        for report in reports:
            Booklet.add_entry_plants(
                [report.device.plant], 'efficiency',
                gettext('termogest_impianti.msg_booklet_log_report',
                    number=report.number,
                    device=report.device.slot,
                    result=report.result_string),
                device=report.device, report=report, date=report.date)

    @property
    def efficiency_failed(self):
        if self.report_type != '1':
            return False
        return any(ok is not None and not ok for ok in [self.efficiency_ok]
            + [m.efficiency_ok for m in self.modules])

    @classmethod
    @ModelView.button_action('termogest_impianti.wizard_report_export')
    def export_cit(cls, reports):
        pass


class EfficiencyReportModule(MeasurementMixin, ModelSQL, ModelView):
    "Further thermal module of a REE type 1"
    __name__ = 'termogest.efficiency.report.module'
    __string__ = "REE Module"

    report = fields.Many2One(
        'termogest.efficiency.report', "Report", required=True,
        ondelete='CASCADE')
    module_number = fields.Integer(
        "Module", required=True,
        domain=[('module_number', '>', 1)],
        help="Module 1 is measured on the report itself.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('report')
        cls._order.insert(0, ('module_number', 'ASC'))

    @classmethod
    def validate_fields(cls, modules, field_names):
        super().validate_fields(modules, field_names)
        for module in modules:
            numbers = [m.module_number for m in module.report.modules]
            if numbers.count(module.module_number) > 1:
                raise ReportError(gettext(
                        'termogest_impianti.msg_report_module_unique',
                        report=module.report.rec_name,
                        module=module.module_number))

    @classmethod
    def check_report_draft(cls, modules):
        if Transaction().context.get('_termogest_report_compute'):
            return
        for module in modules:
            if module.report.state == 'done':
                raise AccessError(gettext(
                        'termogest_impianti.msg_report_done_locked',
                        report=module.report.rec_name))

    @classmethod
    def create(cls, vlist):
        modules = super().create(vlist)
        cls.check_report_draft(modules)
        cls._recompute_reports(modules)
        return modules

    @classmethod
    def write(cls, *args):
        cls.check_report_draft(sum(args[0:None:2], []))
        super().write(*args)
        if not Transaction().context.get('_termogest_report_compute'):
            cls._recompute_reports(sum(args[0:None:2], []))

    @classmethod
    def delete(cls, modules):
        cls.check_report_draft(modules)
        reports = list({m.report for m in modules})
        super().delete(modules)
        pool = Pool()
        Report = pool.get('termogest.efficiency.report')
        Report._recompute(reports)

    @classmethod
    def _recompute_reports(cls, modules):
        pool = Pool()
        Report = pool.get('termogest.efficiency.report')
        with Transaction().set_context(_termogest_report_compute=True):
            Report._recompute(list({m.report for m in modules}))


class EfficiencyReportPrint(Report):
    __name__ = 'termogest.efficiency.report'

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context['fmt_date'] = lambda d: d.strftime('%d/%m/%Y') if d else ''
        context['fmt_time'] = lambda t: t.strftime('%H:%M') if t else ''
        context['fmt_num'] = lambda n, digits=2: (
            ('{:,.%sf}' % digits).format(n).replace(',', ' ').replace(
                '.', ',').replace(' ', '.') if n is not None else '')
        context['tri'] = dict(TRISTATE[1:])
        context['checks'] = CHECKS
        return context
