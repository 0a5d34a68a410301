# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import base64
import binascii
import datetime
import json
from decimal import Decimal, InvalidOperation

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from . import api
from .exceptions import APIError

MEASUREMENT_FIELDS = [
    'flue_temperature', 'air_temperature', 'o2', 'co2', 'co_corrected',
    'measured_efficiency', 'bacharach1', 'bacharach2', 'bacharach3']
DRAUGHTS = {'F', 'N'}


def session_hours():
    return config.getfloat('termogest', 'mobile_session_hours', default=16)


class Submission(ModelSQL, ModelView):
    "Intervention sent from the technicians' app"
    __name__ = 'termogest.mobile.submission'
    __string__ = "App Submission"
    _rec_name = 'key'

    key = fields.Char("Key", required=True, readonly=True, strip=False)
    user = fields.Many2One(
        'res.user', "User", required=True, readonly=True,
        ondelete='CASCADE')
    appointment = fields.Many2One(
        'termogest.appointment', "Appointment", readonly=True,
        ondelete='SET NULL')
    intervention = fields.Many2One(
        'termogest.intervention', "Intervention", readonly=True,
        ondelete='SET NULL')
    response = fields.Text("Response", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('key_unique', Unique(t, t.key),
                'termogest_mobile.msg_submission_key_unique'),
            ]
        cls._sql_indexes.add(Index(t, (t.user, Index.Range())))
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def check_key(cls, key):
        "The stored response of the user's key, or None"
        if not isinstance(key, str) or not api.KEY_PATTERN.match(key):
            raise APIError(400, 'invalid', gettext(
                    'termogest_mobile.msg_key_invalid'))
        with without_check_access():
            submissions = cls.search([('key', '=', key)], limit=1)
        if not submissions:
            return None
        submission, = submissions
        if submission.user.id != Transaction().user:
            raise APIError(409, 'key', gettext(
                    'termogest_mobile.msg_key_other_user'))
        response = json.loads(submission.response)
        response['duplicate'] = True
        return response

    @classmethod
    def submit(cls, data):
        "Process the intervention posted by the phone: (status, response)"
        pool = Pool()
        Intervention = pool.get('termogest.intervention')

        if not isinstance(data, dict):
            raise APIError(400, 'invalid', gettext(
                    'termogest_mobile.msg_body_invalid'))
        key = data.get('key')
        duplicate = cls.check_key(key)
        if duplicate is not None:
            return 200, duplicate

        appointment = cls._get_appointment(data.get('appointment'))
        with without_check_access():
            existing = Intervention.search([
                    ('appointment', '=', appointment.id),
                    ])
        closed = [i for i in existing if i.state != 'draft']
        if closed:
            raise APIError(409, 'closed', gettext(
                    'termogest_mobile.msg_appointment_closed',
                    appointment=appointment.rec_name,
                    intervention=closed[0].number))
        changes = cls._conflicts(appointment, data, existing)
        if changes and not data.get('force'):
            current, = api.appointments_json(
                [appointment], pool.get('ir.date').today())
            raise APIError(409, 'conflict', gettext(
                    'termogest_mobile.msg_appointment_conflict',
                    appointment=appointment.rec_name),
                changes=changes, appointment=current)

        values = cls._intervention_values(appointment, data)
        if existing:
            intervention = Intervention(existing[0].id)
            values['lines'] = [('delete', [l.id for l in intervention.lines])
                ] + values['lines']
            values['devices'] = [('set', values['devices'][0][1])]
            Intervention.write([intervention], values)
        else:
            intervention, = Intervention.create([values])
        cls._attach_photos(intervention, data.get('photos') or [])
        signature = cls._decode(data.get('signature'), 'signature')
        Intervention.apply_signature(
            [intervention], signature, data.get('signer_name'),
            bool(data.get('privacy_accepted')))
        Intervention.do([intervention])
        reports = cls._write_measurements(
            intervention, data.get('measurements') or [])

        warnings = []
        intervention = Intervention(intervention.id)
        email = intervention.email_recipient()
        if email:
            # A task run once this transaction is committed: a mail server
            # out of order leaves the intervention stored (the failure is
            # an ir.error; the office sends it again with "Invia per
            # e-mail") instead of refusing the technician's report.
            Intervention.__queue__.send_email([intervention])
        else:
            warnings.append(gettext(
                    'termogest_mobile.msg_no_email',
                    party=(intervention.heading_party
                        or intervention.party).rec_name))
        intervention = Intervention(intervention.id)
        response = {
            'intervention': api.intervention_json(
                intervention, api.selection_labels(Intervention, 'state')),
            'ree': reports,
            'email': email,
            'warnings': warnings,
            'duplicate': False,
            }
        with without_check_access():
            cls.create([{
                        'key': key,
                        'user': Transaction().user,
                        'appointment': appointment.id,
                        'intervention': intervention.id,
                        'response': json.dumps(response, ensure_ascii=False),
                        }])
        return 201, response

    @classmethod
    def _get_appointment(cls, appointment_id):
        "The appointment if the record rules show it"
        pool = Pool()
        Appointment = pool.get('termogest.appointment')
        if (isinstance(appointment_id, int)
                and not isinstance(appointment_id, bool)
                and appointment_id > 0):
            appointments = Appointment.search([
                    ('id', '=', appointment_id),
                    ], limit=1)
            if appointments:
                return appointments[0]
        raise APIError(404, 'not_found', gettext(
                'termogest_mobile.msg_appointment_not_found'))

    @classmethod
    def _conflicts(cls, appointment, data, existing):
        pool = Pool()
        Date = pool.get('ir.date')
        changes = []
        version = api.appointment_version(appointment)
        if data.get('version') != version or appointment.state == 'cancelled':
            current, = api.appointments_json([appointment], Date.today())
            changes = api.appointment_changes(
                data.get('seen'), current, cls._change_labels())
            if not changes:
                changes.append({
                        'field': gettext('termogest_mobile.msg_change_any'),
                        'old': None,
                        'new': gettext(
                            'termogest_mobile.msg_change_by_office'),
                        })
        for intervention in existing:
            changes.append({
                    'field': gettext(
                        'termogest_mobile.msg_change_intervention'),
                    'old': None,
                    'new': gettext(
                        'termogest_mobile.msg_change_intervention_open',
                        number=intervention.number),
                    })
        return changes

    @classmethod
    def _change_labels(cls):
        return {name: gettext('termogest_mobile.msg_change_%s' % name)
            for name, _ in api.CHANGE_GETTERS}

    @classmethod
    def _invalid(cls, field):
        return APIError(400, 'invalid', gettext(
                'termogest_mobile.msg_field_invalid', field=field))

    @classmethod
    def _intervention_values(cls, appointment, data):
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Product = pool.get('product.product')
        values = Intervention.values_from_appointment(appointment)
        for name in ['start_time', 'end_time']:
            if name in data:
                try:
                    values[name] = api.parse_time(data[name])
                except ValueError:
                    raise cls._invalid(name)
        travel = data.get('travel_minutes')
        if travel not in (None, ''):
            if (not isinstance(travel, int) or isinstance(travel, bool)
                    or travel < 0):
                raise cls._invalid('travel_minutes')
            values['travel_time'] = datetime.timedelta(minutes=travel)
        for name in ['description', 'outcome_notes']:
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise cls._invalid(name)
            values[name] = value or None
        outcome = data.get('outcome') or None
        if outcome not in dict(Intervention.outcome.selection):
            raise cls._invalid('outcome')
        values['outcome'] = outcome
        devices = data.get('devices')
        if devices is not None:
            if not isinstance(devices, list) or not all(
                    isinstance(d, int) for d in devices):
                raise cls._invalid('devices')
            values['devices'] = [('add', list(dict.fromkeys(devices)))]
        lines = []
        for line in data.get('lines') or []:
            if not isinstance(line, dict):
                raise cls._invalid('lines')
            product = line.get('product')
            quantity = line.get('quantity', 1)
            if (not isinstance(quantity, (int, float))
                    or isinstance(quantity, bool)):
                raise cls._invalid('quantity')
            description = line.get('description')
            if description is not None and not isinstance(description, str):
                raise cls._invalid('description')
            line_values = {
                'description': (description or '').strip() or None,
                'quantity': quantity,
                }
            if product is not None:
                if not isinstance(product, int) or not Product.search(
                        [('id', '=', product)]):
                    raise cls._invalid('product')
                product = Product(product)
                line_values['product'] = product.id
                line_values['unit'] = product.default_uom.id
                if line_values['description'] is None:
                    line_values['description'] = product.rec_name
            lines.append(line_values)
        values['lines'] = [('create', lines)] if lines else []
        return values

    @classmethod
    def _decode(cls, data, field):
        if not data:
            return None
        if not isinstance(data, str):
            raise cls._invalid(field)
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise cls._invalid(field)

    @classmethod
    def _attach_photos(cls, intervention, photos):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        if not isinstance(photos, list):
            raise cls._invalid('photos')
        to_create = []
        names = set()
        for i, photo in enumerate(photos, 1):
            if not isinstance(photo, dict):
                raise cls._invalid('photos')
            name = str(photo.get('name') or 'foto-%d.jpg' % i)
            if name in names:
                name = '%d-%s' % (i, name)
            names.add(name)
            to_create.append({
                    'resource': str(intervention),
                    'name': name,
                    'type': 'data',
                    'data': cls._decode(photo.get('data'), 'photos'),
                    })
        if to_create:
            Attachment.create(to_create)

    @classmethod
    def _write_measurements(cls, intervention, measurements):
        "Fill the REE opened by the intervention; return their summary"
        pool = Pool()
        Intervention = pool.get('termogest.intervention')
        Report = pool.get('termogest.efficiency.report')
        if not isinstance(measurements, list):
            raise cls._invalid('measurements')
        intervention = Intervention(intervention.id)
        reports = {r.device.id: r for r in intervention.efficiency_reports}
        to_write = []
        for measurement in measurements:
            if not isinstance(measurement, dict):
                raise cls._invalid('measurements')
            report = reports.get(measurement.get('device'))
            if not report:
                continue
            values = {}
            for name in MEASUREMENT_FIELDS:
                value = measurement.get(name)
                if value in (None, ''):
                    values[name] = None
                    continue
                if (isinstance(value, bool)
                        or not isinstance(value, (int, float, str))):
                    raise cls._invalid(name)
                try:
                    values[name] = Decimal(str(value)).quantize(
                        Decimal('0.01'))
                except InvalidOperation:
                    raise cls._invalid(name)
            draught = measurement.get('draught') or None
            if draught is not None and draught not in DRAUGHTS:
                raise cls._invalid('draught')
            if draught is not None:
                # (the report's default stays when the phone has none)
                values['draught'] = draught
            to_write.extend(([report], values))
        if to_write:
            Report.write(*to_write)
        results = api.selection_labels(Report, 'result')
        summary = []
        for report in Report.browse(list(reports.values())):
            summary.append({
                    'device': report.device.id,
                    'number': report.number,
                    'result': report.result,
                    'result_label': results.get(report.result),
                    'minimum_efficiency': api.number(
                        report.minimum_efficiency),
                    'reported_efficiency': api.number(
                        report.reported_efficiency),
                    })
        return summary
