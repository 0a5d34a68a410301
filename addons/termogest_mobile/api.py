# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The JSON of the phone API (doc/contract.md), built from records

The functions read what they are given and fetch related records in
batches; the pure ones (versions, changes, parsing) have no database.
"""
import datetime
import hashlib
import json
import re
from decimal import Decimal

from sql import Window
from sql.functions import RowNumber

from trytond.backend import MAX_QUERY_PARAMS
from trytond.modules.termogest_impianti.regulation import (
    COMPONENT_CODES, REPORT_TYPES)
from trytond.pool import Pool
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

HISTORY_SIZE = 5
KEY_PATTERN = re.compile(r'^[A-Za-z0-9-]{16,64}$')
TIME_PATTERN = re.compile(r'^([01]?\d|2[0-3]):([0-5]\d)$')
# What the office may change on an appointment: its version
VERSION_FIELDS = [
    'start', 'end', 'technician', 'kind', 'state', 'party', 'plant',
    'devices', 'description', 'address']


def iso_date(value):
    return value.isoformat() if value else None


def hh_mm(value):
    return value.strftime('%H:%M') if value else None


def utc_iso(value):
    "A naive UTC datetime as ISO 8601 with Z"
    if not value:
        return None
    return value.replace(microsecond=0).isoformat() + 'Z'


def number(value):
    "A Decimal (or number) as a JSON number"
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(
            value)
    return value


def parse_time(value):
    "HH:MM as a time; None for empty; ValueError otherwise"
    if value in (None, ''):
        return None
    match = TIME_PATTERN.match(str(value))
    if not match:
        raise ValueError(value)
    return datetime.time(int(match.group(1)), int(match.group(2)))


def version_of(values):
    "The opaque version of the values an office change would alter"
    data = json.dumps(
        values, sort_keys=True, ensure_ascii=False, separators=(',', ':'),
        default=str)
    return hashlib.sha256(data.encode('utf-8')).hexdigest()[:20]


def appointment_version(appointment):
    def id_(record):
        return record.id if record else None
    return version_of({
            'start': appointment.start.isoformat()
            if appointment.start else None,
            'end': appointment.end.isoformat() if appointment.end else None,
            'technician': id_(appointment.technician),
            'kind': appointment.kind,
            'state': appointment.state,
            'party': id_(appointment.party),
            'plant': id_(appointment.plant),
            'devices': sorted(d.id for d in appointment.devices),
            'description': appointment.description or '',
            'address': id_(appointment.address),
            })


def _schedule(data):
    if not data:
        return None
    return ' '.join(filter(None, [
                data.get('date'),
                '-'.join(filter(None, [
                            data.get('start_time'), data.get('end_time')]))]))


def _selected_devices(data):
    return ', '.join(d.get('name') or '' for d in data.get('devices') or []
        if d.get('selected'))


# The appointment values compared to report the office's changes
CHANGE_GETTERS = [
    ('schedule', _schedule),
    ('kind', lambda a: a.get('kind_label')),
    ('state', lambda a: a.get('state_label')),
    ('customer', lambda a: (a.get('customer') or {}).get('name')),
    ('address', lambda a: a.get('address')),
    ('plant', lambda a: (a.get('plant') or {}).get('name')
        or (a.get('plant') or {}).get('code')),
    ('devices', _selected_devices),
    ('description', lambda a: a.get('description')),
    ]


def appointment_changes(seen, current, labels):
    """What differs between the appointment JSON the phone had (seen) and
    the current one, as [{"field", "old", "new"}] with labels[name]"""
    changes = []
    if not isinstance(seen, dict):
        return changes
    for name, getter in CHANGE_GETTERS:
        try:
            old = getter(seen) or ''
        except (AttributeError, TypeError):
            old = ''
        new = getter(current) or ''
        if old != new:
            changes.append({
                    'field': labels[name],
                    'old': old,
                    'new': new,
                    })
    return changes


def selection_labels(Model, name):
    "{value: translated label} of a selection field"
    return dict(Model.fields_get([name])[name]['selection'])


def user_json(user, employee):
    return {
        'id': user.id,
        'name': user.name,
        'login': user.login,
        'employee': {
            'id': employee.id,
            'name': employee.rec_name,
            } if employee else None,
        }


def config_json(config, can_ree):
    return {
        'co_limit': number(config.co_limit),
        'efficiency_tolerance': number(config.efficiency_tolerance),
        'privacy_notice': config.privacy_notice or '',
        'privacy_required': bool(config.privacy_required),
        'can_ree': bool(can_ree),
        }


def intervention_json(intervention, state_labels):
    if not intervention:
        return None
    return {
        'id': intervention.id,
        'number': intervention.number,
        'state': intervention.state,
        'state_label': state_labels.get(intervention.state),
        'signed': bool(intervention.signature_hash),
        'emailed_to': intervention.emailed_to,
        }


def ree_info(device, rules):
    "What the phone needs to test a combustion generator, or None"
    pool = Pool()
    Report = pool.get('termogest.efficiency.report')
    if REPORT_TYPES.get(COMPONENT_CODES.get(device.kind)) != '1':
        return None
    minimum, _ = Report(device=device)._compute_minimum(rules)
    fuel = device.fuel
    return {
        'minimum_efficiency': number(minimum),
        'efficiency_test': bool(fuel.efficiency_test) if fuel else True,
        'bacharach_required': bool(fuel and fuel.bacharach_required),
        'bacharach_max': number(fuel.bacharach_max) if fuel else None,
        }


def device_json(device, selected, labels, rules, history):
    return {
        'id': device.id,
        'name': device.rec_name,
        'slot': device.slot,
        'kind': device.kind,
        'kind_label': labels.get(device.kind),
        'brand': device.brand,
        'model': device.model,
        'serial_number': device.serial_number,
        'fuel': device.fuel.rec_name if device.fuel else None,
        'nominal_power': number(device.nominal_power),
        'installation_date': iso_date(device.installation_date),
        'last_maintenance_date': iso_date(device.last_maintenance_date),
        'next_maintenance_date': iso_date(device.next_maintenance_date),
        'last_efficiency_check_date': iso_date(
            device.last_efficiency_check_date),
        'next_efficiency_check_date': iso_date(
            device.next_efficiency_check_date),
        'replacement_due_date': iso_date(device.replacement_due_date),
        'selected': selected,
        'ree': ree_info(device, rules),
        'history': history,
        }


def device_histories(devices, kind_labels):
    """The last done interventions of each device

    The technician sees the history of the generators of his own
    appointments, whoever did the work: read without the record rules.
    The last HISTORY_SIZE of each device are ranked in the database, then
    only their fields are read.
    """
    pool = Pool()
    Intervention = pool.get('termogest.intervention')
    InterventionDevice = pool.get('termogest.intervention-termogest.device')
    histories = {d.id: [] for d in devices}
    if not devices:
        return histories
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    intervention = Intervention.__table__()
    relation = InterventionDevice.__table__()
    ranked = []
    for sub_ids in grouped_slice(list(histories), MAX_QUERY_PARAMS):
        rank = RowNumber(window=Window([relation.device], order_by=[
                    intervention.date.desc, intervention.id.desc]))
        query = relation.join(intervention,
            condition=relation.intervention == intervention.id
            ).select(relation.device, intervention.id.as_('intervention'),
            rank.as_('rank'),
            where=reduce_ids(relation.device, sub_ids)
            & intervention.state.in_(['done', 'invoiced']))
        cursor.execute(*query.select(
                query.device, query.intervention,
                where=query.rank <= HISTORY_SIZE,
                order_by=[query.device, query.rank]))
        ranked.extend(cursor)
    with without_check_access():
        rows = {}
        for values in Intervention.read(
                list({i for _, i in ranked}),
                ['date', 'number', 'kind', 'description',
                    'technician.rec_name']):
            technician = values.get('technician.') or {}
            rows[values['id']] = {
                'date': iso_date(values['date']),
                'number': values['number'],
                'kind_label': kind_labels.get(values['kind']),
                'technician': technician.get('rec_name'),
                'description': values['description'] or '',
                }
    for device, intervention_id in ranked:
        histories[device].append(rows[intervention_id])
    return histories


def short_address(address):
    """One line for a phone: "Corso Francia 112, 10128 Torino (TO)" (the
    country only when not Italy)"""
    if not address:
        return None
    street = ' '.join((address.street or '').split())
    place = ' '.join(filter(None, [address.postal_code, address.city]))
    subdivision = address.subdivision
    if subdivision and subdivision.code and '-' in subdivision.code:
        place += ' (%s)' % subdivision.code.split('-', 1)[1]
    country = address.country
    parts = [street, place.strip()]
    if country and country.code != 'IT':
        parts.append(country.rec_name)
    return ', '.join(filter(None, parts)) or None


def appointments_json(appointments, today):
    "The Appointment objects of the contract, in the given order"
    pool = Pool()
    Appointment = pool.get('termogest.appointment')
    Device = pool.get('termogest.device')
    Intervention = pool.get('termogest.intervention')
    Rule = pool.get('termogest.rule.minimum_efficiency')

    kind_labels = selection_labels(Appointment, 'kind')
    state_labels = selection_labels(Appointment, 'state')
    intervention_states = selection_labels(Intervention, 'state')
    device_kinds = selection_labels(Device, 'kind')
    rules = Rule.search([])

    plant_devices = {}
    for appointment in appointments:
        if appointment.plant and appointment.plant.id not in plant_devices:
            plant_devices[appointment.plant.id] = [
                d for d in appointment.plant.devices if d.in_service]
    all_devices = {d for ds in plant_devices.values() for d in ds}
    for appointment in appointments:
        all_devices.update(appointment.devices)
    # One list of instances: their fields are then read in a few queries
    # for all the devices, not plant by plant
    browsed = {d.id: d
        for d in Device.browse(sorted(d.id for d in all_devices))}
    plant_devices = {p: [browsed[d.id] for d in ds]
        for p, ds in plant_devices.items()}
    histories = device_histories(list(browsed.values()), kind_labels)

    result = []
    for appointment in appointments:
        selected = {d.id for d in appointment.devices}
        devices = list(plant_devices.get(
                appointment.plant.id if appointment.plant else None, []))
        devices += [browsed[d.id] for d in appointment.devices
            if d not in devices]
        interventions = sorted(
            appointment.interventions,
            key=lambda i: (i.date, i.id), reverse=True)
        party = appointment.party
        plant = appointment.plant
        result.append({
                'id': appointment.id,
                'version': appointment_version(appointment),
                'number': str(appointment.id),
                'date': iso_date(appointment.date),
                'start_time': hh_mm(appointment.start_time),
                'end_time': hh_mm(appointment.end_time),
                'kind': appointment.kind,
                'kind_label': kind_labels.get(appointment.kind),
                'state': appointment.state,
                'state_label': state_labels.get(appointment.state),
                'description': appointment.description or '',
                'overdue': bool(
                    appointment.date and appointment.date < today
                    and appointment.state in {'planned', 'confirmed'}),
                'customer': {
                    'id': party.id,
                    'name': party.rec_name,
                    'phone': party.phone,
                    'mobile': party.mobile,
                    'email': party.email,
                    'attention': bool(party.attention),
                    'attention_reason': party.attention_reason
                    if party.attention else None,
                    },
                'address': short_address(appointment.address),
                'city': appointment.city,
                'maps_url': appointment.maps_url,
                'geo_uri': appointment.geo_uri,
                'plant': {
                    'id': plant.id,
                    'name': plant.name,
                    'code': plant.code,
                    'catasto_code': plant.catasto_code,
                    'address': short_address(plant.address),
                    'notes': plant.notes or '',
                    } if plant else None,
                'devices': [
                    device_json(d, d.id in selected, device_kinds, rules,
                        histories.get(d.id, []))
                    for d in devices],
                'intervention': intervention_json(
                    interventions[0] if interventions else None,
                    intervention_states),
                })
    return result


def products_json(products):
    return [{
            'id': p.id,
            'name': p.rec_name,
            'code': p.code,
            'unit': p.default_uom.symbol if p.default_uom else None,
            } for p in products]
