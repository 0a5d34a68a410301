# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Proteus helpers of the e-invoicing tests."""
import datetime
from decimal import Decimal
from pathlib import Path

from proteus import Model

from trytond.modules.account.tests.tools import (
    create_chart, create_fiscalyear, get_accounts)
from trytond.modules.account_invoice.tests.tools import (
    set_fiscalyear_invoice_sequences)
from trytond.modules.termogest_agenda.tests.tools import create_agenda_setup
from trytond.modules.termogest_clienti.tests.tools import new_customer
from trytond.modules.termogest_impianti.tests.tools import province
from trytond.modules.termogest_permessi.tests.tools import PASSWORD

D = Decimal
SHARED = Path(__file__).resolve().parents[3].parent / 'shared' / 'fatturapa'
XSD_DIR = SHARED / 'xsd'
COMPANY_FISCAL_CODE = '01234560017'


def tax(name):
    Tax = Model.get('account.tax')
    record, = Tax.find([('name', '=', name)])
    return record


def tax_rule(name):
    Rule = Model.get('account.tax.rule')
    record, = Rule.find([('name', '=', name)])
    return record


def create_fatturapa_setup(config):
    """The agenda setup, the chart with the Italian taxes, this year's
    fiscal year, the invoicing products, and the accounts:
    fabio (quotes and invoices) and nadia (customers only)"""
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    Company = Model.get('company.company')
    PaymentTerm = Model.get('account.invoice.payment_term')
    Category = Model.get('product.category')
    Uom = Model.get('product.uom')
    Template = Model.get('product.template')
    Configuration = Model.get('termogest.impianti.configuration')
    TermogestConfiguration = Model.get('termogest.configuration')
    create_agenda_setup(config)

    Currency = Model.get('currency.currency')
    company, = Company.find([])
    euros = Currency.find([('code', '=', 'EUR')])
    if euros:
        euro, = euros
    else:
        euro = Currency(name="Euro", symbol="€", code='EUR')
        euro.rounding = D('0.01')
        euro.save()
    company.currency = euro
    company.fiscal_code = COMPANY_FISCAL_CODE
    company.address_street = "Via Nizza 12"
    company.address_postal_code = '10125'
    company.address_city = "Torino"
    company.address_subdivision = province('IT-TO')
    company.rea_office = 'TO'
    company.rea_number = '1187654'
    company.fatturapa_iban = 'IT60X0542811101000000123456'
    company.save()

    create_chart(
        company, chart='termogest_fatturapa.account_template_root_it')
    fiscalyear = set_fiscalyear_invoice_sequences(
        create_fiscalyear(company))
    fiscalyear.click('create_period')
    accounts = get_accounts(company)

    term = PaymentTerm(name="Rimessa diretta")
    term.lines.new(type='remainder')
    term.save()

    category = Category(name="Servizi", accounting=True)
    category.account_revenue = accounts['revenue']
    category.account_expense = accounts['expense']
    category.customer_taxes.append(tax("IVA 22%"))
    category.save()
    stamp_category = Category(name="Bollo", accounting=True)
    stamp_category.account_revenue = accounts['revenue']
    stamp_category.account_expense = accounts['expense']
    stamp_category.customer_taxes.append(tax("Escluso art. 15"))
    stamp_category.save()
    hour, = Uom.find([('symbol', '=', 'h')])
    unit, = Uom.find([('symbol', '=', 'u')])

    def product(name, price, uom=unit, category=category, type_='service',
            code=None):
        template = Template(name=name, default_uom=uom, type=type_)
        template.list_price = D(price)
        template.account_category = category
        template.salable = True
        template.code = code
        template.save()
        return template.products[0]

    products = {
        'labour': product("Manodopera", '45', uom=hour, code='MAN'),
        'travel': product("Uscita tecnico", '25', code='USC'),
        'callout': product("Diritto di chiamata", '35', code='DDC'),
        'contract': product("Contratto di manutenzione", '0', code='CTR'),
        'stamp': product(
            "Imposta di bollo", '2', category=stamp_category, code='BOL'),
        'gasket': product("Kit guarnizioni", '12.50', type_='goods',
            code='KGU'),
        }
    configuration = Configuration(1)
    configuration.labour_product = products['labour']
    configuration.travel_product = products['travel']
    configuration.callout_product = products['callout']
    configuration.contract_product = products['contract']
    configuration.save()
    company.reload()
    company.stamp_duty_product = products['stamp']
    company.save()

    limits = TermogestConfiguration(1)
    limits.max_secretary_accounts = 10
    limits.save()
    italian, = Lang.find([('code', '=', 'it')])
    for login, name, sections in [
            ('fabio', "Fabio Marino", {
                    'access_customers_full': True,
                    'access_quotes': True,
                    'access_invoices': True,
                    'access_interventions': True,
                    'access_contracts': True,
                    'access_devices': True,
                    }),
            ('nadia', "Nadia Ferri", {
                    'access_customers_full': True,
                    }),
            ]:
        user = User(login=login, name=name, language=italian)
        user.termogest_role = 'secretary'
        user.password = PASSWORD
        user.email = f'{login}@example.com'
        for section, value in sections.items():
            setattr(user, section, value)
        user.save()
    return products


def new_invoice_customer(kind='business', name=None, **values):
    "A saved customer of kind: business, person, pa, foreign"
    defaults = {
        'business': dict(
            name="Idraulica Bianchi S.r.l.", vat_number='01114601006',
            sdi_code='M5UXCR1'),
        'person': dict(
            name="Mario Rossi", fiscal_code='RSSMRA80A01L219M',
            pec='mario.rossi@pec.example.it'),
        'pa': dict(
            name="Comune di Moncalieri", fiscal_code='01577030016',
            sdi_code='UFABCD'),
        }[kind]
    if name:
        defaults['name'] = name
    party = new_customer(
        defaults.pop('name'), street="Via Roma 10", city="Torino")
    party.addresses[0].postal_code = '10121'
    party.addresses[0].subdivision = province('IT-TO')
    for field, value in {**defaults, **values}.items():
        setattr(party, field, value)
    party.save()
    return party


def new_invoice(party, lines, date=None, post=False, **values):
    """A customer invoice with lines of (product, quantity[, price])"""
    Invoice = Model.get('account.invoice')
    invoice = Invoice(type='out', party=party)
    invoice.invoice_date = date or datetime.date.today()
    for field, value in values.items():
        setattr(invoice, field, value)
    for item in lines:
        product, quantity = item[:2]
        line = invoice.lines.new()
        line.product = product
        line.quantity = quantity
        if len(item) > 2:
            line.gross_unit_price = D(item[2])
    invoice.save()
    if post:
        invoice.click('post')
    return invoice


def products():
    "The products by code"
    Product = Model.get('product.product')
    return {p.code: p for p in Product.find([])}
