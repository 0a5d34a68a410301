# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The technicians' app: its files and its JSON API (doc/contract.md)"""
import datetime
import json
import os
from functools import wraps

from trytond.exceptions import RateLimitException, UserError, UserWarning
from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.protocols.wrappers import (
    HTTPStatus, Response, allow_null_origin, set_max_request_size, with_pool,
    with_transaction)
from trytond.transaction import Transaction, check_access, without_check_access
from trytond.wsgi import app

from . import api
from .exceptions import APIError
from .mobile import session_hours
from .res import APPLICATION

BASE = '/<database_name>/termogest/m/'
STATIC = os.path.join(os.path.dirname(__file__), 'static')
FILES = {
    'index.html': 'text/html; charset=utf-8',
    'app.js': 'text/javascript; charset=utf-8',
    'app.css': 'text/css; charset=utf-8',
    'sw.js': 'text/javascript; charset=utf-8',
    'manifest.webmanifest': 'application/manifest+json',
    'icon.svg': 'image/svg+xml',
    'icon-192.png': 'image/png',
    'icon-512.png': 'image/png',
    }
# Photos travel inside the JSON of an intervention
MAX_REQUEST_SIZE = 64 * 1024 * 1024
# The app is Italian only: also before the user is known
CONTEXT = {'language': 'it'}


def json_response(data, status=HTTPStatus.OK):
    return Response(
        json.dumps(data, ensure_ascii=False), status=status,
        content_type='application/json; charset=utf-8',
        headers={'Cache-Control': 'no-store'})


def error_response(error):
    return json_response(error.payload(), status=error.status)


def json_body(request):
    try:
        data = json.loads(request.get_data(as_text=True) or 'null')
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise APIError(400, 'invalid', gettext(
                'termogest_mobile.msg_body_invalid'))
    return data


def api_errors(func):
    """Turn the failures into JSON answers

    Outside the transaction: raising rolls everything back."""
    @wraps(func)
    def wrapper(request, pool, *args, **kwargs):
        try:
            return func(request, pool, *args, **kwargs)
        except APIError as e:
            return error_response(e)
        except AccessError as e:
            return error_response(APIError(403, 'access', e.message))
        except (UserError, UserWarning) as e:
            return error_response(APIError(400, 'invalid', e.message))
        except RateLimitException:
            return error_response(APIError(
                    429, 'rate_limit', 'Too Many Requests'))
    return wrapper


def bearer_key(request):
    header = request.headers.get('Authorization') or ''
    kind, _, key = header.partition(' ')
    if kind.lower() == 'bearer' and key.strip():
        return key.strip()


def mobile_session(func):
    """Run as the owner of the bearer key, with his context and the access
    rules, when the key is a valid and fresh key of the app"""
    @wraps(func)
    def wrapper(request, pool, *args, **kwargs):
        UserApplication = pool.get('res.user.application')
        User = pool.get('res.user')
        transaction = Transaction()
        key = bearer_key(request)
        application = UserApplication.check(key, APPLICATION) if key else None
        if (not application or not application.user
                or not application.user.active
                or application.create_date + datetime.timedelta(
                    hours=session_hours()) < datetime.datetime.now()):
            raise APIError(401, 'session', gettext(
                    'termogest_mobile.msg_session_expired'))
        user = application.user.id
        with transaction.set_user(user):
            context = {k: v for k, v in User.get_preferences(
                    context_only=True).items() if '.' not in k}
        context.update(CONTEXT)
        with transaction.set_user(user), \
                transaction.set_context(context), \
                check_access():
            return func(request, pool, application, *args, **kwargs)
    return wrapper


def current_user():
    pool = Pool()
    User = pool.get('res.user')
    user = User(Transaction().user)
    return user, user.technician


@app.route(BASE, methods=['GET'])
def index(request, database_name):
    return static_file(request, database_name, 'index.html')


@app.route(BASE + '<name>', methods=['GET'])
def static_file(request, database_name, name):
    content_type = FILES.get(name)
    path = os.path.join(STATIC, name)
    if not content_type or not os.path.isfile(path):
        return Response('Not Found', status=404, content_type='text/plain')
    with open(path, 'rb') as file:
        data = file.read()
    headers = {'Cache-Control': 'no-cache'}
    if name == 'sw.js':
        headers['Service-Worker-Allowed'] = './'
    return Response(data, content_type=content_type, headers=headers)


@app.route(BASE + 'api/ping', methods=['GET'])
@allow_null_origin
def ping(request, database_name):
    return json_response({'ok': True})


@app.route(BASE + 'api/login', methods=['POST'])
@allow_null_origin
@with_pool
@api_errors
@with_transaction(readonly=False, context=CONTEXT)
def login(request, pool):
    User = pool.get('res.user')
    UserApplication = pool.get('res.user.application')
    data = json_body(request)
    login, password = data.get('login'), data.get('password')
    user_id = None
    if isinstance(login, str) and isinstance(password, str) and login:
        # Not raised: the failed attempt must be committed to count
        user_id = User.get_login(login, {'password': password})
    if not user_id:
        return error_response(APIError(401, 'login', gettext(
                    'termogest_mobile.msg_login_failed')))
    user = User(user_id)
    employee = user.technician
    if not employee:
        raise APIError(403, 'no_employee', gettext(
                'termogest_mobile.msg_no_employee', user=user.rec_name))
    now = datetime.datetime.now()
    expired = UserApplication.search([
            ('user', '=', user.id),
            ('application', '=', APPLICATION),
            ('create_date', '<',
                now - datetime.timedelta(hours=session_hours())),
            ])
    UserApplication.delete(expired)
    application, = UserApplication.create([{
                'user': user.id,
                'application': APPLICATION,
                'state': 'validated',
                }])
    return json_response({
            'key': application.key,
            'expires_at': api.utc_iso(application.create_date
                + datetime.timedelta(hours=session_hours())),
            'user': api.user_json(user, employee),
            })


@app.route(BASE + 'api/logout', methods=['POST'])
@allow_null_origin
@with_pool
@api_errors
@with_transaction(readonly=False, context=CONTEXT)
@mobile_session
def logout(request, pool, application):
    UserApplication = pool.get('res.user.application')
    with without_check_access():
        UserApplication.delete([application])
    return json_response({})


@app.route(BASE + 'api/agenda', methods=['GET'])
@allow_null_origin
@with_pool
@api_errors
@with_transaction(context=CONTEXT)
@mobile_session
def agenda(request, pool, application):
    Appointment = pool.get('termogest.appointment')
    Configuration = pool.get('termogest.impianti.configuration')
    Date = pool.get('ir.date')
    ModelAccess = pool.get('ir.model.access')
    Product = pool.get('product.product')
    try:
        days = int(request.args.get('days', 7))
    except ValueError:
        days = 0
    if not 1 <= days <= 31:
        raise APIError(400, 'invalid', gettext(
                'termogest_mobile.msg_days_invalid'))
    today = Date.today()
    appointments = Appointment.search(['OR', [
                ('mine', '=', True),
                ('date', '>=', today),
                ('date', '<=', today + datetime.timedelta(days=days - 1)),
                ('state', 'in', ['planned', 'confirmed', 'done']),
                ], [
                ('mine', '=', True),
                ('date', '>=', today - datetime.timedelta(days=14)),
                ('date', '<', today),
                ('state', 'in', ['planned', 'confirmed']),
                ]], order=[('start', 'ASC'), ('id', 'ASC')])
    user, employee = current_user()
    products = []
    if ModelAccess.check('product.product', 'read', raise_exception=False):
        domain = [('type', '=', 'goods')]
        if 'salable' in Product._fields:
            domain = ['OR', domain, ('salable', '=', True)]
        products = Product.search(
            domain, limit=500, order=[('template.name', 'ASC')])
    config = Configuration(1)
    return json_response({
            'today': today.isoformat(),
            'generated_at': api.utc_iso(datetime.datetime.now()),
            'user': api.user_json(user, employee),
            'config': api.config_json(config, ModelAccess.check(
                    'termogest.efficiency.report', 'write',
                    raise_exception=False)),
            'appointments': api.appointments_json(appointments, today),
            'products': api.products_json(products),
            })


@app.route(BASE + 'api/appointment/<int:appointment_id>', methods=['GET'])
@allow_null_origin
@with_pool
@api_errors
@with_transaction(context=CONTEXT)
@mobile_session
def appointment(request, pool, application, appointment_id):
    Appointment = pool.get('termogest.appointment')
    Date = pool.get('ir.date')
    appointments = Appointment.search([('id', '=', appointment_id)])
    if not appointments:
        raise APIError(404, 'not_found', gettext(
                'termogest_mobile.msg_appointment_not_found'))
    appointment, = api.appointments_json(appointments, Date.today())
    return json_response({'appointment': appointment})


@app.route(BASE + 'api/interventions', methods=['POST'])
@allow_null_origin
@set_max_request_size(MAX_REQUEST_SIZE)
@with_pool
@api_errors
@with_transaction(readonly=False, context=CONTEXT)
@mobile_session
def interventions(request, pool, application):
    Submission = pool.get('termogest.mobile.submission')
    status, response = Submission.submit(json_body(request))
    return json_response(response, status=status)
