# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Account kinds, section permissions and login rules (no database)."""
import re
import unicodedata

ROLES = [
    ('secretary', "Secretary"),
    ('technician', "Technician"),
    ('owner', "Owner"),
    ]

# The groups each account kind always belongs to.
ROLE_GROUPS = {
    'secretary': {'group_secretary'},
    'technician': {'group_technician'},
    'owner': {'group_secretary', 'group_technician'},
    }
BASE_GROUPS = set().union(*ROLE_GROUPS.values())

# The plan counts owners as office accounts: one login, one seat.
ROLE_SLOT = {
    'secretary': 'secretary',
    'owner': 'secretary',
    'technician': 'technician',
    }

# Checkbox field on res.user -> group XML id of termogest_permessi.
SECTION_GROUPS = {
    'access_admin': 'group_admin',
    'access_chief_technician': 'group_chief_technician',
    'access_customers': 'group_customers',
    'access_customers_full': 'group_customers_full',
    'access_customer_notes': 'group_customer_notes',
    'access_interventions': 'group_interventions',
    'access_devices': 'group_devices',
    'access_calls': 'group_calls',
    'access_calls_edit': 'group_calls_edit',
    'access_booklets': 'group_booklets',
    'access_contracts': 'group_contracts',
    'access_quotes': 'group_quotes',
    'access_invoices': 'group_invoices',
    'access_agenda_read': 'group_agenda_read',
    'access_agenda_edit': 'group_agenda_edit',
    }

# A customer-card sub-section works only together with the registry.
NEEDS_CUSTOMERS = {
    'access_customers_full', 'access_customer_notes',
    'access_interventions', 'access_devices', 'access_calls',
    'access_calls_edit', 'access_booklets', 'access_contracts',
    'access_quotes', 'access_invoices',
    }
# Editing implies reading.
IMPLIES = {
    'access_calls_edit': {'access_calls'},
    'access_agenda_edit': {'access_agenda_read'},
    }

MIN_PASSWORD_LENGTH = 12

_NAME_RE = re.compile(r'^[a-z0-9]+(?:[._-][a-z0-9]+)*$')
_PREFIX_RE = re.compile(r'^[a-z0-9]+(?:[-][a-z0-9]+)*$')


def implied_sections(names):
    "Return the section names with those they require added"
    result = set(names)
    for name in names:
        result |= IMPLIES.get(name, set())
    if result & NEEDS_CUSTOMERS:
        result.add('access_customers')
    return result


def normalize_token(value):
    "Lowercase, strip accents and every white space"
    value = unicodedata.normalize('NFKD', value or '')
    value = ''.join(c for c in value if not unicodedata.combining(c))
    return ''.join(value.lower().split())


def normalize_login(login, prefix):
    """Return login as '<prefix>.<name>'

    The name is lowercased, without spaces or accents; the prefix is added
    when missing.  The result may still be invalid: see valid_login.
    """
    login = normalize_token(login)
    if not prefix:
        return login
    prefix = normalize_token(prefix)
    if not login.startswith(prefix + '.'):
        login = f'{prefix}.{login}'
    return login


def valid_login(login, prefix):
    "Tell whether login is '<prefix>.<name>' with a well-formed name"
    if not prefix:
        return True
    head = prefix + '.'
    return (login.startswith(head)
        and bool(_NAME_RE.match(login[len(head):])))


def valid_prefix(prefix):
    return bool(prefix) and bool(_PREFIX_RE.match(prefix))
