# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Proteus helpers shared by the TermoGest test suites."""
from proteus import Model

from trytond.modules.company.tests.tools import create_company, get_company
from trytond.tests.tools import set_user

PREFIX = 'rossiimpianti'
PASSWORD = 'Password-Prova-2026'


def load_italian(config):
    "Make Italian translatable and load it, as the demo database does"
    Lang = Model.get('ir.lang')
    italian, = Lang.find([('code', '=', 'it')])
    italian.translatable = True
    italian.save()
    Lang.click([italian], 'load_translations')


def create_termogest_company(config):
    "The service centre, the account rules and one account of each kind"
    Party = Model.get('party.party')
    Configuration = Model.get('termogest.configuration')
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')

    load_italian(config)
    party = Party(name="Rossi Impianti S.r.l.")
    party.save()
    create_company(party=party)
    company = get_company()

    configuration = Configuration(1)
    configuration.username_prefix = PREFIX
    configuration.max_secretary_accounts = 3
    configuration.max_technician_accounts = 2
    configuration.save()

    italian, = Lang.find([('code', '=', 'it')])
    admin, = User.find([('login', '=', 'admin')])
    admin.language = italian
    admin.email = 'admin@example.com'
    admin.save()

    def account(login, name, role, **sections):
        user = User(login=login, name=name, language=italian)
        user.termogest_role = role
        user.password = PASSWORD
        user.email = f'{login}@example.com'
        for section, value in sections.items():
            setattr(user, section, value)
        user.save()
        return user

    account('giulia', "Giulia Bianchi", 'secretary', access_admin=True)
    account('sara', "Sara Conti", 'secretary', access_customers=True)
    account('luca', "Luca Ferri", 'technician')
    other = Party(name="Andrea Greco")
    other.save()
    Employee(party=other, company=company).save()


def new_account(login, name, role, password=PASSWORD):
    "An unsaved account of that kind"
    User = Model.get('res.user')
    user = User(login=login, name=name)
    user.termogest_role = role
    user.password = password
    return user


def get_user(login):
    User = Model.get('res.user')
    user, = User.find([('login', '=', f'{PREFIX}.{login}')])
    return user


def as_user(config, login):
    "Switch the proteus connection to that account and return it"
    set_user(1, config)
    user = get_user(login)
    set_user(user, config)
    return user
