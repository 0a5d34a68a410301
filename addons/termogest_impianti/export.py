# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Export of booklets and REEs to the regional catasto (Piemonte CIT)"""
import re

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.transaction import Transaction
from trytond.wizard import Button, StateView, Wizard

from . import cit


class ExportError(ValidationError):
    pass


# cit dataclass attribute -> field of termogest.efficiency.report
REPORT_FIELDS = {
    'catasto_code': 'catasto_code',
    'control_date': 'date',
    'bollino_code': 'sticker_code',
    'total_nominal_power': 'total_power',
    'room_ok': 'd_room',
    'flue_pipe_ok': 'd_flue',
    'outdoor_ok': 'd_outdoor',
    'room_control_ok': 'd_regulation',
    'vents_free': 'd_vents',
    'no_fuel_leaks': 'd_leaks',
    'vents_size_ok': 'd_vent_size',
    'gas_tight': 'd_seal',
    'observations': 'observations',
    'recommendations': 'recommendations',
    'prescriptions': 'prescriptions',
    'intervention_date': 'date',
    'arrival_time': 'arrival_time',
    'departure_time': 'departure_time',
    'technician_first_name': 'technician',
    'technician_last_name': 'technician',
    'technician_signature': 'technician_signature',
    'responsible_signature': 'responsible_signature',
    'focolare_power': 'focolare_power',
    'control_devices_ok': 'e_controls',
    'safety_devices_ok': 'e_safety',
    'safety_valve_ok': 'e_valve',
    'exchanger_clean': 'e_exchanger',
    'backflow': 'e_backflow',
    'results_ok': 'e_results',
    'flue_draught': 'draught',
    'flue_depression': 'flue_depression',
    'other_standard': 'other_standard',
    'flue_temp': 'flue_temperature',
    'air_temp': 'air_temperature',
    'o2': 'o2',
    'co2': 'co2',
    'co_corrected': 'co_corrected',
    'reported_efficiency': 'reported_efficiency',
    'legal_minimum': 'minimum_efficiency',
    'nox': 'nox',
    'fuel_flow': 'fuel_flow',
    'co_dry': 'co_dry',
    'bacharach1': 'bacharach1',
    'bacharach2': 'bacharach2',
    'bacharach3': 'bacharach3',
    }
# cit dataclass attribute -> field of termogest.device
DEVICE_FIELDS = {
    'installation_date': 'installation_date',
    'removal_date': 'removal_date',
    'model': 'model',
    'serial': 'serial_number',
    'nominal_power': 'nominal_power',
    'heating_power': 'nominal_power',
    'cooling_power': 'cooling_power',
    'electric_power': 'electrical_power',
    'thermal_power': 'nominal_power',
    'number': 'progressive',
    }
BOOKLET_FIELDS = {
    'intervention_date': 'date',
    'building_category': 'building_category',
    'heated_volume': 'heated_volume',
    'cooled_volume': 'cooled_volume',
    'water_content': 'water_content',
    'hardness': 'water_hardness',
    }
INTERVENTION_TYPES = {
    'new': 1,
    'renovation': 2,
    'generator_replacement': 3,
    'existing': 4,
    }


# cit.py's short English reasons -> message of this module
REASONS = [
    (re.compile(r'^required$'), 'msg_cit_required', []),
    (re.compile(r'^not a number$'), 'msg_cit_not_number', []),
    (re.compile(r'^not an integer$'), 'msg_cit_not_integer', []),
    (re.compile(r'^not a boolean$'), 'msg_cit_not_boolean', []),
    (re.compile(r'^not a date$'), 'msg_cit_not_date', []),
    (re.compile(r'^not a time HH:MM$'), 'msg_cit_not_time', []),
    (re.compile(r'^not a text$'), 'msg_cit_not_text', []),
    (re.compile(r'^invalid character$'), 'msg_cit_invalid_character', []),
    (re.compile(r'^duplicate$'), 'msg_cit_duplicate', []),
    (re.compile(r'^too big \(max (.+)\)$'), 'msg_cit_too_big', ['limit']),
    (re.compile(r'^too small \(min (.+)\)$'), 'msg_cit_too_small',
        ['limit']),
    (re.compile(r'^too many digits \(max (.+)\)$'),
        'msg_cit_too_many_digits', ['limit']),
    (re.compile(r'^too long \((\d+) > (\d+) characters\)$'),
        'msg_cit_too_long', ['length', 'limit']),
    ]


def _reason(message):
    "The Italian reason of a CitDataError message"
    for pattern, message_id, names in REASONS:
        match = pattern.match(message or '')
        if match:
            return gettext('termogest_impianti.' + message_id,
                **dict(zip(names, match.groups())))
    return message


def _bool(value):
    "A stored boolean as True, False or None (SQLite reads 0 and 1)"
    return None if value is None else bool(value)


def _split_name(name):
    "First and last name of a technician: 'Mario Rossi'"
    parts = (name or '').split()
    if len(parts) < 2:
        return name or '', name or ''
    return parts[0], ' '.join(parts[1:])


class ExportStart(ModelView):
    "Export for the catasto"
    __name__ = 'termogest.impianti.export.start'
    __string__ = "Export for the Catasto"

    record = fields.Char("Document", readonly=True)
    file = fields.Binary("File", filename='filename', readonly=True)
    filename = fields.Char("File Name", readonly=True)
    note = fields.Text("Note", readonly=True)


class _ExportMixin:
    start = StateView(
        'termogest.impianti.export.start',
        'termogest_impianti.export_start_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        record = self.record
        data, filename = self.build(record)
        return {
            'record': record.rec_name,
            'file': data,
            'filename': filename,
            'note': gettext('termogest_impianti.msg_export_note',
                filename=filename),
            }

    @classmethod
    def _data_error(cls, record, exception):
        "Turn a CitDataError into an Italian error naming record and field"
        pool = Pool()
        target = exception.ref if exception.ref is not None else record
        mapping = {
            'termogest.efficiency.report': REPORT_FIELDS,
            'termogest.device': DEVICE_FIELDS,
            'termogest.booklet': BOOKLET_FIELDS,
            'termogest.efficiency.report.module': REPORT_FIELDS,
            }.get(target.__name__, {})
        field_name = mapping.get(exception.field)
        Model = pool.get(target.__name__)
        if field_name:
            label = Model.__names__(field_name)['field']
        else:
            label = exception.element or exception.field
        where = ''
        if target != record:
            where = ' (%s)' % target.rec_name
        value = exception.value
        if hasattr(value, 'rec_name'):
            value = value.rec_name
        return ExportError(gettext(
                'termogest_impianti.msg_export_data',
                record=record.rec_name, where=where, field=label,
                value='' if value is None else value,
                reason=_reason(exception.message)))

    @classmethod
    def _maintainer(cls, record):
        pool = Pool()
        Configuration = pool.get('termogest.impianti.configuration')
        Company = pool.get('company.company')
        config = Configuration(1)
        company = Company(Transaction().context['company'])
        fiscal_code = (company.party.vat_number
            or company.party.fiscal_code)
        if not (config.rea_office and config.rea_number and fiscal_code):
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_missing_rea',
                    record=record.rec_name))
        return cit.Maintainer(
            config.rea_office, config.rea_number, fiscal_code)

    @classmethod
    def _code(cls, record, device, kind, value):
        region = device.plant.region
        code = region.catasto_code(kind, value)
        if code is None:
            Region = Pool().get('termogest.region.code')
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_missing_code',
                    record=record.rec_name, device=device.rec_name,
                    kind=dict(Region.fields_get(['kind'])['kind'][
                            'selection'])[kind],
                    value=value or '', region=region.rec_name))
        return code


class BookletExport(_ExportMixin, Wizard):
    "Export a booklet for the catasto"
    __name__ = 'termogest.booklet.export'

    def build(self, booklet):
        libretto = self.libretto(booklet)
        try:
            data = cit.build_libretto(libretto)
        except cit.CitDataError as exception:
            raise self._data_error(booklet, exception) from exception
        except cit.CitValidationError as exception:
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_invalid',
                    record=booklet.rec_name,
                    errors='\n'.join(exception.errors))) from exception
        return data, cit.file_name(
            'libretto', booklet.catasto_code or booklet.plant.code,
            booklet.date)

    @classmethod
    def libretto(cls, booklet):
        devices = [d for d in booklet.devices if d.active or d.removal_date]
        components = {k: [] for k in ['gt', 'gf', 'sc', 'cg', 'ag']}
        for device in devices:
            component = device.component
            if component not in {'GT', 'GF', 'SC', 'CG', 'AG'}:
                continue
            common = {
                'number': device.progressive,
                'installation_date': device.installation_date,
                'removal_date': device.removal_date,
                'manufacturer': cls._code(
                    booklet, device, 'manufacturer', device.brand),
                'model': device.model or '',
                'serial': device.serial_number or '',
                'ref': device,
                }
            if component == 'GT':
                components['gt'].append(cit.LibrettoGT(
                        fuel=cls._code(booklet, device, 'fuel',
                            device.fuel.code if device.fuel else None),
                        fluid=cls._code(booklet, device, 'fluid',
                            device.heat_carrier),
                        nominal_power=device.nominal_power,
                        group_type=3 if device.heat_carrier == 'air' else 1,
                        **common))
            elif component == 'GF':
                kind = {
                    'direct_flame_absorption': 'absorption_flame',
                    'thermal_absorption': 'absorption_recovery',
                    }.get(device.hp_drive, 'electric_compression')
                flame_fuel = None
                if kind == 'absorption_flame':
                    flame_fuel = cls._code(booklet, device, 'fuel',
                        device.fuel.code if device.fuel else None)
                components['gf'].append(cit.LibrettoGF(
                        circuits=1,
                        cooling_power=device.cooling_power or 0,
                        heating_power=(device.nominal_power
                            if device.kind == 'heat_pump' else None),
                        external_source='air',
                        user_fluid=device.heat_carrier or 'water',
                        refrigerant=(device.refrigerant.code
                            if device.refrigerant else ''),
                        kind=kind, flame_fuel=flame_fuel,
                        **common))
            elif component == 'SC':
                components['sc'].append(cit.LibrettoSC(
                        nominal_power=device.nominal_power, **common))
            elif component == 'CG':
                components['cg'].append(cit.LibrettoCG(
                        thermal_power=device.nominal_power,
                        electric_power=device.electrical_power,
                        kind=device.model or '',
                        fuel=cls._code(booklet, device, 'fuel',
                            device.fuel.code if device.fuel else None),
                        **common))
            else:
                components['ag'].append(cit.LibrettoAG(
                        nominal_power=device.nominal_power,
                        kind=device.model or '', **common))
        in_service = [d for d in devices if d.in_service]
        heating = sum((d.nominal_power or 0 for d in in_service
                if d.component in {'GT', 'SC', 'CG'}
                or d.kind == 'heat_pump'), 0) or None
        cooling = sum((d.cooling_power or 0 for d in in_service
                if d.component == 'GF'), 0) or None
        water = None
        if booklet.water_content is not None or booklet.water_hardness:
            water = cit.LibrettoWater(
                water_content=booklet.water_content,
                hardness=booklet.water_hardness,
                heating_none=booklet.heating_treatment == 'none' or None,
                heating_filtration=(
                    booklet.heating_treatment == 'filtration' or None),
                heating_softening=booklet.heating_treatment == 'softening',
                heating_chemical=(
                    booklet.heating_treatment == 'chemical' or None),
                dhw_none=booklet.dhw_treatment == 'none' or None,
                dhw_filtration=booklet.dhw_treatment == 'filtration' or None,
                dhw_softening=booklet.dhw_treatment == 'softening',
                dhw_chemical=booklet.dhw_treatment == 'chemical' or None)
        kinds = {d.kind for d in in_service}
        return cit.Libretto(
            intervention_date=booklet.date,
            intervention_type=INTERVENTION_TYPES[booklet.intervention_type],
            single_unit=_bool(booklet.single_unit),
            building_category=booklet.building_category,
            heated_volume=booklet.heated_volume,
            cooled_volume=booklet.cooled_volume,
            service_dhw=bool(booklet.service_dhw),
            service_heating=bool(booklet.service_heating),
            heating_power=heating if booklet.service_heating else None,
            service_cooling=bool(booklet.service_cooling),
            cooling_power=cooling if booklet.service_cooling else None,
            fluid_water=booklet.heat_carrier == 'water',
            fluid_air=booklet.heat_carrier == 'air',
            gen_combustion=bool(kinds & {'boiler', 'water_heater'}),
            gen_heat_pump='heat_pump' in kinds,
            gen_chiller='air_conditioner' in kinds,
            gen_district_heating='district_heating' in kinds,
            gen_cogeneration='cogeneration' in kinds,
            solar_area=None,
            water=water,
            regulation=cit.LibrettoRegulation(),
            emission=cit.LibrettoEmission(radiators=True),
            ref=booklet,
            **components)


class ReportExport(_ExportMixin, Wizard):
    "Export an efficiency report for the catasto"
    __name__ = 'termogest.efficiency.report.export'

    def build(self, report):
        ree = self.ree1(report)
        try:
            data = cit.build_ree1(self._maintainer(report), ree)
        except cit.CitDataError as exception:
            raise self._data_error(report, exception) from exception
        except cit.CitValidationError as exception:
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_invalid',
                    record=report.rec_name,
                    errors='\n'.join(exception.errors))) from exception
        return data, cit.file_name('allegato2', ree.catasto_code, report.date)

    @classmethod
    def ree1(cls, report):
        "The CIT REE tipo 1 of the plant's type-1 reports of that day"
        pool = Pool()
        Report = pool.get('termogest.efficiency.report')
        if report.state != 'done' or report.report_type != '1':
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_report_state',
                    record=report.rec_name))
        plant = report.device.plant
        catasto_code = report.catasto_code or plant.catasto_code
        if not catasto_code:
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_missing_catasto',
                    record=report.rec_name, plant=plant.rec_name))
        if not report.technician:
            raise ExportError(gettext(
                    'termogest_impianti.msg_export_missing_technician',
                    record=report.rec_name))
        reports = Report.search([
                ('device.plant', '=', plant.id),
                ('date', '=', report.date),
                ('state', '=', 'done'),
                ('report_type', '=', '1'),
                ], order=[('id', 'ASC')])
        first_name, last_name = _split_name(
            report.technician.party.name)
        generators = [cls._generator(r) for r in reports]
        return cit.Ree1(
            catasto_code=catasto_code,
            control_date=report.date,
            bollino_code=report.sticker_code or None,
            total_nominal_power=report.total_power or plant.total_power,
            doc_conformity=bool(report.doc_conformity),
            doc_generator_manuals=bool(report.doc_manuals),
            doc_libretto_present=bool(report.doc_booklet),
            doc_libretto_complete=bool(report.doc_booklet_complete),
            water_treatment_not_required=bool(
                report.heating_treatment_not_required),
            dhw_treatment_not_required=bool(
                report.dhw_treatment_not_required),
            room_ok=report.d_room,
            flue_pipe_ok=report.d_flue,
            outdoor_ok=report.d_outdoor,
            room_control_ok=report.d_regulation,
            vents_free=report.d_vents,
            no_fuel_leaks=report.d_leaks,
            vents_size_ok=report.d_vent_size,
            gas_tight=report.d_seal,
            suggest_thermostatic_valves=bool(report.suggest_valves),
            suggest_insulation=bool(report.suggest_insulation),
            suggest_water_treatment=bool(report.suggest_treatment),
            suggest_regulation=bool(report.suggest_regulation),
            observations=report.observations or '',
            recommendations=report.recommendations or '',
            prescriptions=report.prescriptions or '',
            can_operate=bool(report.can_operate),
            intervention_date=report.date,
            arrival_time=report.arrival_time,
            departure_time=report.departure_time,
            technician_first_name=first_name,
            technician_last_name=last_name,
            technician_signature=report.technician_signature or '',
            responsible_signature=report.responsible_signature or '',
            generators=generators,
            ref=report)

    @classmethod
    def _module(cls, report, test, number, unit):
        return cit.Ree1Module(
            module_number=number,
            flue_temp=test.flue_temperature,
            air_temp=test.air_temperature,
            o2=test.o2,
            co2=test.co2,
            co_corrected=test.co_corrected,
            reported_efficiency=test.reported_efficiency,
            legal_minimum=report.minimum_efficiency,
            nox=test.nox,
            fuel_flow_unit=unit,
            fuel_flow=test.fuel_flow,
            co_dry=test.co_dry,
            bacharach1=test.bacharach1,
            bacharach2=test.bacharach2,
            bacharach3=test.bacharach3,
            bacharach_ok=_bool(test.bacharach_ok),
            minimum_ok=_bool(test.efficiency_ok),
            ref=test)

    @classmethod
    def _generator(cls, report):
        device = report.device
        unit = device.fuel.flow_unit if device.fuel else 'm3/h'
        modules = [cls._module(report, report, 1, unit)]
        modules += [cls._module(report, m, m.module_number, unit)
            for m in report.modules]
        return cit.Ree1Generator(
            progressive=device.progressive,
            focolare_power=report.focolare_power,
            heating=bool(report.service_heating),
            dhw=bool(report.service_dhw),
            control_devices_ok=report.e_controls,
            safety_devices_ok=report.e_safety,
            safety_valve_ok=report.e_valve,
            exchanger_clean=report.e_exchanger,
            backflow=report.e_backflow,
            results_ok=report.e_results,
            flue_draught=report.draught,
            flue_depression=report.flue_depression,
            other_standard=report.other_standard or '',
            modules=modules,
            ref=report)
