# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool

from .sections import normalize_token, valid_prefix


class Configuration(ModelSingleton, ModelSQL, ModelView):
    __string__ = "TermoGest Configuration"
    __name__ = 'termogest.configuration'

    username_prefix = fields.Char(
        "Username Prefix", strip=True,
        help="Every account login is this prefix, a dot and a name, "
        "for example \"rossiimpianti.mario\".")
    max_secretary_accounts = fields.Integer(
        "Office Accounts Allowed", required=True,
        domain=[('max_secretary_accounts', '>=', 0)],
        help="How many active secretary and owner accounts the plan allows.")
    max_technician_accounts = fields.Integer(
        "Technician Accounts Allowed", required=True,
        domain=[('max_technician_accounts', '>=', 0)],
        help="How many active technician accounts the plan allows.")
    secretary_accounts = fields.Function(fields.Integer(
            "Office Accounts in Use"), 'get_accounts_in_use')
    technician_accounts = fields.Function(fields.Integer(
            "Technician Accounts in Use"), 'get_accounts_in_use')

    @classmethod
    def default_max_secretary_accounts(cls):
        return 3

    @classmethod
    def default_max_technician_accounts(cls):
        return 5

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('username_prefix'):
            values['username_prefix'] = normalize_token(
                values['username_prefix'])
        return values

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names and 'username_prefix' not in field_names:
            return
        for configuration in configurations:
            prefix = configuration.username_prefix
            if prefix and not valid_prefix(prefix):
                raise ValidationError(gettext(
                        'termogest_permessi.msg_prefix_invalid',
                        prefix=prefix))

    def get_accounts_in_use(self, name):
        pool = Pool()
        User = pool.get('res.user')
        slot = name[:-len('_accounts')]
        return User.accounts_in_use(slot)

    def limit(self, slot):
        return getattr(self, f'max_{slot}_accounts')
