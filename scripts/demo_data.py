#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Fill a TermoGest database with a realistic Italian service centre.

Usage: python scripts/demo_data.py <database> [--print-logins]

The modules must be activated and Italian loaded (see the Makefile).  The
script is idempotent: what exists already is left alone.  It reads the
server configuration from $TRYTOND_CONFIG, else from trytond.conf beside
this folder.
"""
import argparse
import io
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PREFIX = 'rossiimpianti'
COMPANY = {
    'name': "Rossi Impianti S.r.l.",
    'vat_number': '09876540015',
    'fiscal_code': '09876540015',
    'street': "Corso Francia 128",
    'postal_code': '10143',
    'city': "Torino",
    'province': 'IT-TO',
    'phone': '+39 011 7712345',
    'pec': 'rossiimpianti@pec.it',
    'rea_office': 'TO',
    'rea_number': '1187654',
    'share_capital': '20000.00',
    }
# (name, surname, account kind, sections, technician card name or None)
ALL_SECTIONS = [
    'access_customers', 'access_customers_full', 'access_customer_notes',
    'access_interventions', 'access_devices', 'access_calls',
    'access_calls_edit', 'access_booklets', 'access_contracts',
    'access_quotes', 'access_invoices', 'access_agenda_read',
    'access_agenda_edit',
    ]
ACCOUNTS = [
    {
        'login': 'giulia', 'name': "Giulia Bianchi",
        'description': "segretaria e amministratrice",
        'password': 'Giulia-Demo-2026!', 'role': 'secretary',
        'sections': ['access_admin'] + ALL_SECTIONS,
        'email': 'giulia.bianchi@rossiimpianti.it',
        },
    {
        'login': 'sara', 'name': "Sara Conti",
        'description': "segretaria",
        'password': 'Sara-Demo-2026!', 'role': 'secretary',
        'sections': [
            'access_customers', 'access_customers_full',
            'access_interventions', 'access_devices', 'access_calls',
            'access_calls_edit', 'access_booklets', 'access_contracts',
            'access_quotes', 'access_agenda_read', 'access_agenda_edit'],
        'email': 'sara.conti@rossiimpianti.it',
        },
    {
        'login': 'luca', 'name': "Luca Ferri",
        'description': "tecnico",
        'password': 'Luca-Demo-2026!', 'role': 'technician',
        'sections': [],
        'technician': "Luca Ferri",
        'email': 'luca.ferri@rossiimpianti.it',
        },
    {
        'login': 'marco', 'name': "Marco Galli",
        'description': "capo tecnico",
        'password': 'Marco-Demo-2026!', 'role': 'technician',
        'sections': [
            'access_chief_technician', 'access_customers',
            'access_interventions', 'access_devices', 'access_booklets',
            'access_agenda_read'],
        'technician': "Marco Galli",
        'email': 'marco.galli@rossiimpianti.it',
        },
    {
        'login': 'paolo', 'name': "Paolo Rossi",
        'description': "titolare (associato al tecnico Paolo Rossi)",
        'password': 'Paolo-Demo-2026!', 'role': 'owner',
        'sections': ['access_admin', 'access_chief_technician']
        + ALL_SECTIONS,
        'technician': "Paolo Rossi",
        'email': 'paolo.rossi@rossiimpianti.it',
        },
    ]
# Accounts with Tryton's accounting groups (the standard accounting menus)
ACCOUNTING_LOGINS = ['giulia', 'paolo']
ACCOUNTING_GROUPS = ['group_account', 'group_account_admin']
# Technician cards; the last one has no login ("non è obbligatorio
# concedere l'accesso").
TECHNICIANS = ["Paolo Rossi", "Luca Ferri", "Marco Galli", "Andrea Greco"]


def connect(database):
    from proteus import config
    config_file = os.environ.get(
        'TRYTOND_CONFIG', os.path.join(HERE, 'trytond.conf'))
    return config.set_trytond(database, config_file=config_file)


def make_logo():
    "A small PNG logo drawn at run time (no binary in the repository)"
    from PIL import Image, ImageDraw, ImageFont
    image = Image.new('RGB', (480, 160), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 140, 140), fill=(200, 40, 30))
    draw.polygon(
        [(80, 35), (110, 95), (95, 130), (65, 130), (50, 95)],
        fill=(255, 170, 0))
    font = ImageFont.load_default(size=40)
    small = ImageFont.load_default(size=20)
    draw.text((160, 40), "Rossi Impianti", fill=(30, 30, 30), font=font)
    draw.text(
        (160, 95), "Caldaie - Pompe di calore - Clima",
        fill=(90, 90, 90), font=small)
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    return buffer.getvalue()


def setup_italy():
    import pycountry
    from proteus import Model
    Country = Model.get('country.country')
    Subdivision = Model.get('country.subdivision')
    italy = Country.find([('code', '=', 'IT')])
    if italy:
        italy, = italy
    else:
        italy = Country(name="Italia", code='IT', code3='ITA',
            code_numeric='380')
        italy.save()
    existing = {s.code for s in Subdivision.find([('country', '=', italy)])}
    records = {}
    subdivisions = sorted(
        pycountry.subdivisions.get(country_code='IT'),
        key=lambda s: s.parent_code is not None)
    for sub in subdivisions:
        if sub.code in existing:
            continue
        # Italian addresses take a "province" (the two-letter sigla): count
        # metropolitan cities, free consortia and the like as provinces.
        type_ = 'region' if sub.type == 'Region' else 'province'
        if sub.type == 'Autonomous region':
            type_ = 'autonomous region'
        record = Subdivision(
            country=italy, code=sub.code, name=sub.name, type=type_)
        if sub.parent_code and sub.parent_code in records:
            record.parent = records[sub.parent_code]
        record.save()
        records[sub.code] = record
    return italy


def setup_euro():
    from proteus import Model
    Currency = Model.get('currency.currency')
    euro = Currency.find([('code', '=', 'EUR')])
    if euro:
        return euro[0]
    euro = Currency(name="Euro", code='EUR', symbol="€",
        numeric_code='978', digits=2)
    euro.rounding = euro.rounding.__class__('0.01')
    euro.save()
    return euro


def setup_company(cfg, italy, euro):
    from decimal import Decimal

    from proteus import Model, Wizard
    Company = Model.get('company.company')
    Party = Model.get('party.party')
    Subdivision = Model.get('country.subdivision')
    User = Model.get('res.user')
    if Company.find([]):
        company, = Company.find([])
        return company
    party = Party(name=COMPANY['name'])
    party.save()
    wizard = Wizard('company.company.config')
    wizard.execute('company')
    wizard.form.party = party
    wizard.form.currency = euro
    wizard.form.timezone = 'Europe/Rome'
    wizard.execute('add')
    cfg._context = User.get_preferences(True, {})

    company, = Company.find([])
    province, = Subdivision.find([('code', '=', COMPANY['province'])])
    company.vat_number = COMPANY['vat_number']
    company.fiscal_code = COMPANY['fiscal_code']
    company.address_street = COMPANY['street']
    company.address_postal_code = COMPANY['postal_code']
    company.address_city = COMPANY['city']
    company.address_country = italy
    company.address_subdivision = province
    company.phone = COMPANY['phone']
    company.pec = COMPANY['pec']
    company.rea_office = COMPANY['rea_office']
    company.rea_number = COMPANY['rea_number']
    company.share_capital = Decimal(COMPANY['share_capital'])
    company.sole_shareholder = 'SM'
    company.liquidation_status = 'LN'
    company.fiscal_regime = 'RF01'
    company.logo = make_logo()
    company.header = COMPANY['name']
    company.footer = (
        f"{COMPANY['name']} - {COMPANY['street']}, {COMPANY['postal_code']} "
        f"{COMPANY['city']} (TO) - P.IVA {COMPANY['vat_number']} - "
        f"REA {COMPANY['rea_office']}-{COMPANY['rea_number']} - "
        f"PEC {COMPANY['pec']}")
    company.save()
    return company


def setup_configuration():
    from proteus import Model
    Configuration = Model.get('termogest.configuration')
    configuration = Configuration(1)
    if not configuration.username_prefix:
        configuration.username_prefix = PREFIX
        configuration.max_secretary_accounts = 4
        configuration.max_technician_accounts = 6
        configuration.save()


def setup_technicians(company):
    from proteus import Model
    Employee = Model.get('company.employee')
    Party = Model.get('party.party')
    employees = {e.party.name: e for e in Employee.find([])}
    for name in TECHNICIANS:
        if name in employees:
            continue
        party = Party(name=name)
        party.save()
        employee = Employee(party=party, company=company)
        employee.save()
        employees[name] = employee
    return employees


def setup_accounts(cfg, company, employees):
    from proteus import Model
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    Company = Model.get('company.company')
    italian, = Lang.find([('code', '=', 'it')])
    admin, = User.find([('login', '=', 'admin')])
    if admin.language != italian:
        admin.language = italian
        admin.save()
    for account in ACCOUNTS:
        login = f"{PREFIX}.{account['login']}"
        if User.find([('login', '=', login)], limit=1):
            continue
        user = User(
            name=account['name'], login=account['login'],
            email=account['email'], language=italian)
        user.termogest_role = account['role']
        user.password = account['password']
        if not user.companies:
            user.companies.append(Company(company.id))
        user.company = Company(company.id)
        if account.get('technician'):
            user.technician = employees[account['technician']]
        for section in account['sections']:
            setattr(user, section, True)
        user.save()


def setup_invoicing_access():
    """The quote and invoice sections of ACCOUNTS (also for the accounts
    made before e-invoicing) and Tryton's accounting groups"""
    from proteus import Model
    User = Model.get('res.user')
    Group = Model.get('res.group')
    ModelData = Model.get('ir.model.data')
    Module = Model.get('ir.module')
    context = ModelData._config.context
    groups = []
    if Module.find([('name', '=', 'account'), ('state', '=', 'activated')]):
        groups = [ModelData.get_id('account', g, context)
            for g in ACCOUNTING_GROUPS]
    for account in ACCOUNTS:
        users = User.find(
            [('login', '=', f"{PREFIX}.{account['login']}")], limit=1)
        if not users:
            continue
        user, = users
        changed = False
        for section in ['access_quotes', 'access_invoices']:
            if section in account['sections'] and not getattr(user, section):
                setattr(user, section, True)
                changed = True
        if account['login'] in ACCOUNTING_LOGINS:
            for group in groups:
                if group not in {g.id for g in user.groups}:
                    user.groups.append(Group(group))
                    changed = True
        if changed:
            user.save()


def close_config_wizards():
    from proteus import Model
    Item = Model.get('ir.module.config_wizard.item')
    items = Item.find([('state', '!=', 'done')])
    for item in items:
        item.state = 'done'
    Item.save(items)


def print_logins():
    print("")
    print("TermoGest demo: http://127.0.0.1:8000  (database: termogest)")
    print("Account demo (nome utente / password):")
    for account in ACCOUNTS:
        print(f"  {PREFIX}.{account['login']:<8} / {account['password']:<20}"
            f" {account['name']}, {account['description']}")
    print("")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('database')
    parser.add_argument('--print-logins', action='store_true',
        help="only print the demo logins")
    args = parser.parse_args()
    if args.print_logins:
        print_logins()
        return 0
    from demo_agenda import create_agenda
    from demo_clienti import create_customers
    from demo_fatturapa import create_invoicing
    from demo_impianti import create_plants
    cfg = connect(args.database)
    italy = setup_italy()
    euro = setup_euro()
    company = setup_company(cfg, italy, euro)
    setup_configuration()
    employees = setup_technicians(company)
    setup_accounts(cfg, company, employees)
    create_customers(company)
    create_plants(company)
    create_agenda(company)
    setup_invoicing_access()
    create_invoicing(company)
    close_config_wizards()
    print(f"Dati demo pronti nel database {args.database}.")
    return 0


if __name__ == '__main__':
    sys.exit(main())
