# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Accounting, quotes, invoices and SDI files for the demo
(termogest_fatturapa)

demo_data.py calls create_invoicing(company) once the demo agenda exists
(demo_agenda.create_agenda).  Everything is placed around the server date:

- the universal chart of accounts with the Italian taxes, the fiscal years
  the demo dates reach (invoices numbered FT<year>/n, credit notes
  NC<year>/n), three payment terms;
- the product categories with their accounts and taxes, the invoicing
  products on the configuration and the company (stamp duty, IBAN, MP05,
  manual SDI channel), the agenda's parts and services made invoiceable;
- a few customers with a default discount, payment terms, split payment
  for the public administrations, a condominium at 10% VAT and an exempt
  customer (art. 10) whose invoices carry the stamp duty;
- eight quotes of the last two months (draft, sent, accepted: one booked
  on an appointment, one carried out by a draft intervention); confirmed,
  they are processed at once (no invoice: the interventions invoice them);
- the invoices, TermoGest's since the first day of the previous month
  (the numbering goes on from the previous software's; the contracts'
  earlier periods count as invoiced): the interventions of companies,
  public administrations and foreign customers when done, the previous
  month's all at its end when they are few (MONTH_BATCH), and the
  contracts' periods month by month; all posted in date order but three
  drafts; the other interventions are left for the invoicing wizards;
- their FatturaPA files: uploaded by hand on the SDI portal and delivered,
  one rejected (wrong recipient code) then corrected and resent, the
  public administrations' accepted after 15 days, one not delivered to a
  private customer, the latest two still to upload.

The data is drawn from random.Random(SEED) over the demo records: the same
on every run of the same day.  Each part is done once: the chart when the
company has no account, the quotes when there is none, the invoices and
the customer settings when there is no customer invoice.

    python scripts/demo_fatturapa.py <database>

fills a database on its own (the demo agenda must exist).
"""
import datetime
import random
import time
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from stdnum.it import iva

SEED = 2026
IBAN = 'IT19H0306901000100000012345'
SECRETARY = 'rossiimpianti.giulia'
# Payment terms: name -> lines of (type, ratio, [(months, day, days)])
PAYMENT_TERMS = [
    ("Rimessa diretta", [('remainder', None, [])]),
    ("30 gg data fattura", [('remainder', None, [(0, None, 30)])]),
    ("30-60 gg fine mese", [
            ('percent', Decimal('0.5'), [(1, 31, 0)]),
            ('remainder', None, [(2, 31, 0)]),
            ]),
    ]
# Product categories: name -> customer tax
CATEGORIES = [
    ("Servizi di assistenza", "IVA 22%"),
    ("Ricambi", "IVA 22%"),
    ("Apparecchi", "IVA 22%"),
    ("Bollo", "Escluso art. 15"),
    ]
# Products made here: (code, name, unit XML id, type, price, category)
PRODUCTS = [
    ('SRV-UTE', "Uscita tecnico", 'uom_unit', 'service', '25.00',
        "Servizi di assistenza"),
    ('SRV-CTR', "Contratto di manutenzione", 'uom_unit', 'service', '0',
        "Servizi di assistenza"),
    ('SRV-SMA', "Smaltimento apparecchio sostituito", 'uom_unit',
        'service', '60.00', "Servizi di assistenza"),
    ('SRV-BOL', "Imposta di bollo", 'uom_unit', 'service', '2.00',
        "Bollo"),
    ('APP-C25', "Caldaia a condensazione 25 kW classe A", 'uom_unit',
        'goods', '1490.00', "Apparecchi"),
    ('APP-DS9', "Climatizzatore dual split 9000+12000 BTU classe A++",
        'uom_unit', 'goods', '1280.00', "Apparecchi"),
    ]
# The agenda's products (demo_agenda.PRODUCTS): code prefix -> category
AGENDA_CATEGORIES = {
    'RIC-': "Ricambi",
    'SRV-': "Servizi di assistenza",
    }
# Customer settings, by name
DISCOUNTS = {
    "Piemonte Logistica S.p.A.": Decimal(10),
    "Immobiliare Crocetta S.r.l.": Decimal('7.5'),
    "Hotel Dora S.r.l.": Decimal(5),
    "Ristorante Il Glicine S.r.l.": Decimal(5),
    }
HOME_VAT = ["Condominio Strada Genova 38"]
EXEMPT = ["Residenza Villa Serena S.r.l."]
# The public administration created when the demo customers have none
PA = {
    'name': "Comune di Collegno",
    'fiscal_code': '81505010017',
    'sdi_code': 'UFK7ZB',
    'pec': 'protocollo.comunecollegno@pec.it',
    'street': "Piazza del Municipio 1",
    'postal_code': '10093',
    'city': "Collegno",
    }
# Public administrations' orders (invoice references): CIG, order
PA_ORDERS = [
    ('Z3B2E4A1C7', "Det. 412/{year}"),
    ('Z9F1C7D2B4', "Ordine 87/{year}"),
    ('ZA47E19C03', "Buono 1533"),
    ]
# The quotes: (days ago, state, customer kind, subject, lines, link)
# with customer kind a subject type, 'discount' (a customer with a default
# discount), 'quote' (a report asks for it), 'appointment' (a repair to
# come) or 'intervention' (a draft report of a repair); lines
# [(product code, quantity)]; link None, 'appointment' or 'intervention':
# the quote booked on the appointment or carried out by the intervention
QUOTES = [
    (52, 'quotation', 'person',
        "Installazione climatizzatore dual split soggiorno e camera",
        [('APP-DS9', 1), ('RIC-TRA', 8), ('RIC-R32', 0.6),
            ('SRV-MAN', 6)], None),
    (41, 'confirmed', 'discount',
        "Sostituzione circolatore e defangatore centrale termica",
        [('RIC-CIR', 1), ('RIC-DEF', 1), ('RIC-GUA', 4), ('SRV-MAN', 3)],
        None),
    (33, 'quotation', 'condominium',
        "Filtro defangatore magnetico e lavaggio impianto",
        [('RIC-DEF', 1), ('RIC-GUA', 2), ('SRV-MAN', 4)], None),
    (19, 'quotation', 'quote',
        "Sostituzione caldaia con caldaia a condensazione",
        [('APP-C25', 1), ('RIC-FUM', 1), ('RIC-CRN', 1), ('SRV-SMA', 1),
            ('SRV-MAN', 8)], None),
    (9, 'confirmed', 'appointment',
        "Sostituzione vaso di espansione e valvola di sicurezza",
        [('RIC-VE8', 1), ('RIC-VSI', 1), ('RIC-GUA', 2), ('SRV-MAN', 2)],
        'appointment'),
    (5, 'confirmed', 'intervention',
        "Sostituzione scheda elettronica caldaia",
        [('RIC-SCH', 1), ('RIC-NTC', 1), ('SRV-MAN', 1.5)],
        'intervention'),
    (2, 'draft', 'person', "Cronotermostato WiFi e sonda esterna",
        [('RIC-CRN', 1), ('RIC-NTC', 1), ('SRV-MAN', 1.5)], None),
    (1, 'draft', 'discount', "Manutenzione straordinaria scambiatore",
        [('RIC-SCA', 1), ('RIC-GUA', 3), ('SRV-MAN', 2.5)], None),
    ]
# The mark of the customers to handle with care (termogest_clienti)
ATTENTION = '\u26a0'
QUOTE_VALIDITY = datetime.timedelta(days=30)
# The previous month's interventions are invoiced at its end when they are
# at most (else only the customers invoiced at completion)
MONTH_BATCH = 25
# The customers invoiced at the end of each intervention, the others at the
# end of the month
AT_COMPLETION = ['company', 'public_administration', 'foreign']
# Months of a contract's billing period
FREQUENCIES = {
    'yearly': 12,
    'half_yearly': 6,
    'quarterly': 3,
    'monthly': 1,
    }
# Invoices numbered by the previous software each month of the year before
# TermoGest's (the numbering goes on)
INVOICES_PER_MONTH = 38
# Customer invoices left in draft for the user to check and post
DRAFTS = 3
# SDI: a typo the SDI rejects (00311), then corrected
WRONG_CODE = {'O': '0', '0': 'O', '1': 'I', 'I': '1', 'S': '5', '5': 'S'}
SDI_NAMESPACE = 'http://www.fatturapa.gov.it/sdi/messaggi/v1.0'
SDI_ROOTS = {
    'RC': 'RicevutaConsegna',
    'NS': 'NotificaScarto',
    'MC': 'NotificaMancataConsegna',
    'NE': 'NotificaEsito',
    }


def notification_xml(type_, file_name, sdi_id, message_id, when,
        errors=None, outcome=None, recipient=None, invoice=None):
    """An SdI notification (namespace sdi/messaggi v1.0), unsigned

    when is an aware datetime; errors a list of (code, description) for an
    NS; recipient (code, name) for an RC; invoice (number, year) for an NE.
    """
    timestamp = when.isoformat(timespec='milliseconds')
    lines = [
        '<IdentificativoSdI>%s</IdentificativoSdI>' % escape(sdi_id),
        '<NomeFile>%s</NomeFile>' % escape(file_name),
        ]
    if type_ in {'RC', 'NS', 'MC'}:
        lines.append('<DataOraRicezione>%s</DataOraRicezione>' % (
                (when - datetime.timedelta(minutes=3)).isoformat(
                    timespec='milliseconds')))
    if type_ == 'RC':
        code, name = recipient or ('0000000', '')
        lines += [
            '<DataOraConsegna>%s</DataOraConsegna>' % timestamp,
            '<Destinatario><Codice>%s</Codice><Descrizione>%s'
            '</Descrizione></Destinatario>' % (escape(code), escape(name)),
            ]
    elif type_ == 'NS':
        lines.append('<ListaErrori>')
        for code, description in errors:
            lines.append(
                '<Errore><Codice>%s</Codice><Descrizione>%s</Descrizione>'
                '</Errore>' % (escape(code), escape(description)))
        lines.append('</ListaErrori>')
    elif type_ == 'MC':
        lines += [
            '<Descrizione>Il file non è stato recapitato al destinatario: '
            'è a sua disposizione nell\'area riservata del sito '
            'dell\'Agenzia delle Entrate.</Descrizione>',
            '<Note>Comunicare al cliente che la fattura originale è nel '
            'suo cassetto fiscale.</Note>',
            ]
    elif type_ == 'NE':
        number, year = invoice
        lines.append(
            '<EsitoCommittente><IdentificativoSdI>%s</IdentificativoSdI>'
            '<RiferimentoFattura><NumeroFattura>%s</NumeroFattura>'
            '<AnnoFattura>%s</AnnoFattura></RiferimentoFattura>'
            '<Esito>%s</Esito><MessageIdCommittente>%s'
            '</MessageIdCommittente></EsitoCommittente>' % (
                escape(sdi_id), escape(number), year, escape(outcome),
                escape(message_id[:-1] + '9')))
    lines.append('<MessageId>%s</MessageId>' % escape(message_id))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<types:%(root)s xmlns:types="%(ns)s" versione="1.0">\n'
        '  %(body)s\n'
        '</types:%(root)s>\n' % {
            'root': SDI_ROOTS[type_], 'ns': SDI_NAMESPACE,
            'body': '\n  '.join(lines)}).encode('utf-8')


def month_end(date):
    return date + relativedelta(day=31)


def working_day(date):
    "The date or the next Monday"
    while date.weekday() >= 5:
        date += datetime.timedelta(days=1)
    return date


# Accounting
def _model_id(module, fs_id):
    from proteus import Model
    ModelData = Model.get('ir.model.data')
    return ModelData.get_id(module, fs_id, ModelData._config.context)


def create_accounting(company):
    "The chart with the Italian taxes: True when created"
    from proteus import Model, Wizard
    Account = Model.get('account.account')
    AccountTemplate = Model.get('account.account.template')
    if Account.find([('company', '=', company.id)], limit=1):
        return False
    wizard = Wizard('account.create_chart')
    wizard.execute('account')
    wizard.form.account_template = AccountTemplate(
        _model_id('termogest_fatturapa', 'account_template_root_it'))
    wizard.form.company = company
    wizard.execute('create_account')
    accounts = get_accounts(company)
    wizard.form.account_receivable = accounts['receivable']
    wizard.form.account_payable = accounts['payable']
    wizard.form.category_account_revenue = accounts['revenue']
    wizard.form.category_account_expense = accounts['expense']
    wizard.execute('create_properties')
    return True


def get_accounts(company):
    from proteus import Model
    Account = Model.get('account.account')
    accounts = {}
    for kind in ['receivable', 'payable', 'revenue', 'expense']:
        accounts[kind], = Account.find([
                ('type.%s' % kind, '=', True),
                ('company', '=', company.id),
                ('closed', '!=', True),
                ], limit=1)
    return accounts


def create_fiscal_years(company, first_date, today, go_live):
    """The fiscal years from first_date's to today's, with their periods;
    the invoices of go_live's year numbered after the previous software's"""
    from proteus import Model
    FiscalYear = Model.get('account.fiscalyear')
    SequenceStrict = Model.get('ir.sequence.strict')
    move_type = _model_id('account', 'sequence_type_account_move')
    invoice_type = _model_id(
        'account_invoice', 'sequence_type_account_invoice')
    created = []
    for year in range(first_date.year, today.year + 1):
        start = datetime.date(year, 1, 1)
        if FiscalYear.find([
                    ('company', '=', company.id),
                    ('start_date', '<=', start),
                    ('end_date', '>=', start),
                    ], limit=1):
            continue
        fiscalyear = FiscalYear(name=str(year), company=company)
        fiscalyear.start_date = start
        fiscalyear.end_date = datetime.date(year, 12, 31)
        fiscalyear.move_sequence = SequenceStrict(
            name="Registrazioni %s" % year, sequence_type=move_type,
            company=company, prefix='%s/' % year)
        fiscalyear.move_sequence.save()

        def strict(name, prefix, number=1):
            sequence = SequenceStrict(
                name="%s %s" % (name, year), sequence_type=invoice_type,
                company=company, prefix='%s%s/' % (prefix, year))
            sequence.number_next = number
            sequence.save()
            return sequence
        invoices = strict("Fatture", 'FT', 1 + INVOICES_PER_MONTH * (
                go_live.month - 1) if year == go_live.year else 1)
        credit_notes = strict("Note di credito", 'NC')
        purchases = strict("Fatture di acquisto", 'FA')
        line, = fiscalyear.invoice_sequences
        line.out_invoice_sequence = invoices
        line.out_credit_note_sequence = credit_notes
        line.in_invoice_sequence = purchases
        line.in_credit_note_sequence = purchases
        fiscalyear.save()
        fiscalyear.click('create_period')
        created.append(fiscalyear)
    return created


def create_payment_terms():
    "The payment terms by name, the missing ones created"
    from proteus import Model
    Term = Model.get('account.invoice.payment_term')
    Configuration = Model.get('account.configuration')
    terms = {t.name: t for t in Term.find([])}
    for name, lines in PAYMENT_TERMS:
        if name in terms:
            continue
        term = Term(name=name)
        for type_, ratio, deltas in lines:
            line = term.lines.new(type=type_)
            if ratio is not None:
                line.ratio = ratio
            for months, day, days in deltas:
                line.relativedeltas.new(months=months, day=day, days=days)
        term.save()
        terms[name] = term
    configuration = Configuration(1)
    if not configuration.default_customer_payment_term:
        configuration.default_customer_payment_term = terms[
            "Rimessa diretta"]
        configuration.save()
    return terms


# Products
def create_products(company):
    "The categories and invoicing products: code -> product.product"
    from proteus import Model
    Category = Model.get('product.category')
    Template = Model.get('product.template')
    Product = Model.get('product.product')
    Tax = Model.get('account.tax')
    Uom = Model.get('product.uom')
    Configuration = Model.get('termogest.impianti.configuration')
    context = Template._config.context
    accounts = get_accounts(company)
    categories = {
        c.name: c for c in Category.find([('accounting', '=', True)])}
    for name, tax_name in CATEGORIES:
        if name in categories:
            continue
        tax, = Tax.find([('name', '=', tax_name)], limit=1)
        category = Category(name=name, accounting=True)
        category.account_revenue = accounts['revenue']
        category.account_expense = accounts['expense']
        category.customer_taxes.append(tax)
        category.save()
        categories[name] = category

    existing = {t.code for t in Template.find(
            [('code', 'in', [p[0] for p in PRODUCTS])])}
    for code, name, unit, type_, price, category in PRODUCTS:
        if code in existing:
            continue
        uom = Uom(_model_id('product', unit))
        template = Template(
            code=code, name=name, type=type_, default_uom=uom,
            list_price=Decimal(price), salable=True, sale_uom=uom,
            account_category=categories[category])
        template.save()

    # The agenda's parts and services, without accounting category
    for prefix, category in AGENDA_CATEGORIES.items():
        templates = Template.search_read([
                ('code', 'like', prefix + '%'),
                ('account_category', '=', None),
                ], 0, None, None, ['default_uom'], context)
        for template in templates:
            Template.write([template['id']], {
                    'account_category': categories[category].id,
                    'salable': True,
                    'sale_uom': template['default_uom'],
                    }, context)
    products = {p.code: p for p in Product.find([('code', '!=', None)])}

    configuration = Configuration(1)
    for field, code in [
            ('labour_product', 'SRV-MAN'),
            ('travel_product', 'SRV-UTE'),
            ('contract_product', 'SRV-CTR'),
            ]:
        if not getattr(configuration, field) and code in products:
            setattr(configuration, field, products[code])
    # No call-out fee: the agenda's repair reports list "Diritto di
    # chiamata" (SRV-USC) among their parts already.
    configuration.save()

    company.reload()
    for field, value in [
            ('stamp_duty_product', products['SRV-BOL']),
            ('fatturapa_iban', IBAN),
            ('fatturapa_payment_method', 'MP05'),
            ('sdi_channel', 'manual'),
            ]:
        if not getattr(company, field):
            setattr(company, field, value)
    company.save()

    # The quotes are invoiced by the interventions that carry them out
    SaleConfiguration = Model.get('sale.configuration')
    sale_configuration = SaleConfiguration(1)
    if sale_configuration.sale_invoice_method != 'manual':
        sale_configuration.sale_invoice_method = 'manual'
        sale_configuration.sale_shipment_method = 'manual'
        sale_configuration.save()
    sequence = sale_configuration.sale_sequence
    if sequence and not sequence.prefix:
        sequence.prefix = 'PREV${year}/'
        sequence.save()
    return products


# Customers
def setup_customers(terms):
    """Discounts, payment terms, split payment, tax rules, the billing of
    the contracts: return the customers set"""
    from proteus import Model
    Party = Model.get('party.party')
    Rule = Model.get('account.tax.rule')
    Contract = Model.get('termogest.contract')
    Country = Model.get('country.country')
    Subdivision = Model.get('country.subdivision')
    done = {}
    pas = Party.find([('subject_type', '=', 'public_administration')])
    if not pas:
        italy, = Country.find([('code', '=', 'IT')])
        province, = Subdivision.find([('code', '=', 'IT-TO')])
        pa = Party(name=PA['name'], subject_type='public_administration')
        pa.fiscal_code = PA['fiscal_code']
        pa.sdi_code = PA['sdi_code']
        pa.pec = PA['pec']
        address = pa.addresses[0] if pa.addresses else pa.addresses.new()
        address.street = PA['street']
        address.postal_code = PA['postal_code']
        address.city = PA['city']
        address.country = italy
        address.subdivision = province
        pa.save()
        pas = [pa]
    for pa in pas:
        assert iva.is_valid(pa.fiscal_code or ''), pa.name
        assert len(pa.sdi_code or '') == 6, pa.name
        pa.split_payment = True
        pa.customer_payment_term = terms["30 gg data fattura"]
        pa.save()
        done[pa.name] = "split payment, 30 gg data fattura"
    for name, discount in DISCOUNTS.items():
        for party in Party.find([('name', '=', name)], limit=1):
            party.invoice_discount = discount
            party.customer_payment_term = terms["30 gg data fattura"]
            party.save()
            done[name] = f"sconto {discount:g}%, 30 gg data fattura"
    for party in Party.find([('subject_type', '=', 'condominium')]):
        party.customer_payment_term = terms["30-60 gg fine mese"]
        if party.name in HOME_VAT:
            party.customer_tax_rule, = Rule.find(
                [('name', '=', "IVA 10% manutenzione abitazioni")])
            done[party.name] = "IVA 10%, 30-60 gg fine mese"
        party.save()
    for name in EXEMPT:
        for party in Party.find([('name', '=', name)], limit=1):
            party.customer_tax_rule, = Rule.find(
                [('name', '=', "Esente art. 10")])
            party.save()
            done[name] = "esente art. 10 (bollo)"
    # Condominiums pay the contracts by quarter, the administrations by
    # half-year
    for contract in Contract.find([
                ('party.subject_type', 'in', [
                        'condominium', 'public_administration']),
                ('invoiced_until', '=', None),
                ]):
        contract.billing_frequency = (
            'quarterly' if contract.party.subject_type == 'condominium'
            else 'half_yearly')
        contract.save()
    return done


# Quotes
def create_quotes(company, products, today, rng):
    "The demo quotes: return them"
    from proteus import Model
    Sale = Model.get('sale.sale')
    Line = Model.get('sale.line')
    Party = Model.get('party.party')
    Plant = Model.get('termogest.plant')
    Appointment = Model.get('termogest.appointment')
    Intervention = Model.get('termogest.intervention')
    context = Sale._config.context
    if Sale.search([], 0, 1, None, context):
        return []
    used = set()

    def first(Model_, domain, order):
        "The first record of domain whose customer has no quote yet"
        for record in Model_.search_read(
                domain, 0, None, order, ['party'], context):
            if record['party'] not in used:
                return Party(record['party']), Model_(record['id'])
        return None, None

    def customer(kind):
        party = record = None
        if kind in {'person', 'company', 'condominium', 'discount'}:
            domain = [('plants', '!=', None)]
            if kind == 'discount':
                domain.append(('invoice_discount', '>', 0))
            else:
                domain.append(('subject_type', '=', kind))
            ids = [i for i in Party.search(
                    domain, 0, None, [('id', 'ASC')], context)
                if i not in used]
            preferred = [i for i in Party.search(
                    [('name', 'in', HOME_VAT)], 0, None, None, context)
                if i in ids]
            party = Party((preferred or [rng.choice(ids)])[0])
        elif kind == 'quote':
            # The technician's report asks for a quote
            party, record = first(Intervention, [
                    ('outcome', '=', 'quote'),
                    ('date', '<', today),
                    ], [('date', 'DESC')])
        elif kind == 'appointment':
            party, record = first(Appointment, [
                    ('date', '>', today),
                    ('state', 'in', ['planned', 'confirmed']),
                    ('kind', '=', 'repair'),
                    ], [('start', 'ASC')])
        elif kind == 'intervention':
            party, record = first(Intervention, [
                    ('state', '=', 'draft'),
                    ('kind', '=', 'repair'),
                    ], [('date', 'DESC')])
        if party is None:
            return customer('person')
        return party, record

    sales, vlist = [], []
    for days, state, kind, subject, lines, link in QUOTES:
        party, record = customer(kind)
        used.add(party.id)
        date = today - datetime.timedelta(days=days)
        sale_date = min(today, date + datetime.timedelta(
                days=rng.randint(2, 6)))
        if kind == 'quote' and record:
            date = min(today, record.date + datetime.timedelta(days=2))
        elif kind == 'intervention' and record:
            # accepted before the technician went
            date = record.date - datetime.timedelta(days=days)
            sale_date = record.date - datetime.timedelta(days=2)
        sale = Sale(party=party)
        if record and record.plant:
            sale.plant = record.plant
        elif not sale.plant:
            plants = Plant.search(
                [('party', '=', party.id)], 0, 1, None, context)
            if plants:
                sale.plant = Plant(plants[0])
        sale.description = subject
        if kind == 'quote' and record:
            sale.comment = (
                "Preventivo richiesto dal tecnico nel rapporto %s del %s."
                % (record.number, record.date.strftime('%d/%m/%Y')))
        sale.quotation_date = date
        sale.quotation_validity = QUOTE_VALIDITY
        if state == 'confirmed':
            sale.sale_date = sale_date
        sale.save()
        vlist.extend(_quote_lines(sale, party, lines, products))
        sales.append((sale, state, link, record))
    # Created at once, priced as on_change_product would (the proteus
    # on_changes of 29 lines cost seconds)
    Line.create(vlist, context)
    Sale.click([s for s, st, _, _ in sales if st != 'draft'], 'quote')
    Sale.click([s for s, st, _, _ in sales if st == 'confirmed'], 'confirm')
    for sale, state, link, record in sales:
        if link and record:
            record.sale = sale
            record.save()
    return [s for s, _, _, _ in sales]


def _quote_lines(sale, party, lines, products):
    """The values of the quote's lines: the list price, the customer's
    discount and tax rule"""
    rule = {}
    if party.customer_tax_rule:
        rule = {l.origin_tax.id: l.tax.id
            for l in party.customer_tax_rule.lines if l.origin_tax}
    discount = party.invoice_discount or Decimal(0)
    vlist = []
    for sequence, (code, quantity) in enumerate(lines, 1):
        product = products[code]
        price = product.list_price_used
        unit_price = (price * (1 - discount / 100)).quantize(
            Decimal('0.0001'))
        taxes = [rule.get(t.id, t.id)
            for t in product.account_category.customer_taxes]
        vlist.append({
                'sale': sale.id,
                'sequence': sequence,
                'type': 'line',
                'product': product.id,
                'quantity': quantity,
                'unit': product.sale_uom.id,
                'gross_unit_price': price,
                'discount': discount or None,
                'unit_price': unit_price,
                'taxes': [('add', taxes)],
                })
    return vlist


# Invoices
def _invoice_ids():
    "The ids of the customer invoices"
    from proteus import Model
    Invoice = Model.get('account.invoice')
    return set(Invoice.search(
            [('type', '=', 'out')], 0, None, None, Invoice._config.context))


def _new_ids(before):
    return sorted(_invoice_ids() - before)


def invoice_interventions(today, go_live):
    """Invoice the interventions: the previous month's at its end when
    they are few, the companies' and administrations' when done (3 days
    ago at least); return the invoice ids of each run"""
    from proteus import Model, Wizard
    Intervention = Model.get('termogest.intervention')
    context = Intervention._config.context
    runs = []
    first = today.replace(day=1)
    done = [('state', '=', 'done')]
    previous = Intervention.search_count(done + [
            ('date', '>=', go_live),
            ('date', '<', first),
            ], 0, None, context)
    since = go_live
    if 0 < previous <= MONTH_BATCH:
        before = _invoice_ids()
        wizard = Wizard('termogest.intervention.invoice_month')
        wizard.form.month = go_live
        wizard.form.invoice_date = first - datetime.timedelta(days=1)
        wizard.form.group = True
        wizard.execute('invoice')
        runs.append(_new_ids(before))
        since = first
    by_date = {}
    for intervention in Intervention.search_read(done + [
                ('date', '>=', since),
                ('date', '<=', today - datetime.timedelta(days=3)),
                ('party.subject_type', 'in', AT_COMPLETION),
                ], 0, None, [('date', 'ASC')], ['date'], context):
        by_date.setdefault(intervention['date'], []).append(
            intervention['id'])
    before = _invoice_ids()
    for date, ids in sorted(by_date.items()):
        wizard = Wizard('termogest.intervention.invoice', [
                Intervention(i) for i in ids])
        wizard.form.invoice_date = date
        wizard.form.group = True
        wizard.execute('invoice')
    if by_date:
        runs.append(_new_ids(before))
    return runs


def _periods(contract, until):
    "The (start, end) of the contract's periods begun before until"
    months = FREQUENCIES[contract['billing_frequency']]
    start = (contract['invoiced_until'] + datetime.timedelta(days=1)
        if contract['invoiced_until'] else contract['start_date'])
    while start < until and start <= contract['end_date']:
        end = start + relativedelta(months=months, days=-1)
        yield start, min(end, contract['end_date'])
        start = end + datetime.timedelta(days=1)


def invoice_contracts(today, go_live):
    """The contracts' periods begun before go_live recorded as invoiced by
    the previous software, the others invoiced month by month at the
    month's end: return the invoice ids"""
    from proteus import Model, Wizard
    from proteus.config import get_config
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    Contract = Model.get('termogest.contract')
    context = Contract._config.context
    contracts = Contract.search_read([
            ('state', '=', 'active'),
            ('price', '>', 0),
            ], 0, None, None, ['start_date', 'end_date', 'invoiced_until',
                'billing_frequency'], context)
    migrated = {}
    for contract in contracts:
        periods = list(_periods(contract, go_live))
        if periods:
            contract['invoiced_until'] = migrated[contract['id']] = (
                periods[-1][1])
    if migrated:
        config = get_config()
        with Transaction().start(config.database_name, config.user,
                context=config.context) as transaction:
            Contract_ = Pool().get('termogest.contract')
            for id_, date in migrated.items():
                Contract_.write(
                    [Contract_(id_)], {'invoiced_until': date})
            transaction.commit()
    starts = sorted({s for c in contracts for s, _ in _periods(
                c, today + datetime.timedelta(days=1))})
    before = _invoice_ids()
    for month in sorted({s.replace(day=1) for s in starts}):
        date = min(month_end(month), today)
        wizard = Wizard('termogest.contract.invoice')
        wizard.form.date = date
        wizard.form.invoice_date = date
        wizard.execute('invoice')
    return _new_ids(before), len(migrated)


def post_invoices(invoice_ids, drafts, rng):
    """Post the invoices in date order, drafts left aside (undated: the
    date of their posting); the public administrations' with their order
    references"""
    from proteus import Model
    Invoice = Model.get('account.invoice')
    Line = Model.get('account.invoice.line')
    invoices = Invoice.find([('id', 'in', invoice_ids)])
    # The contract lines name the customer with the attention mark, which
    # FatturaPA refuses
    lines = Line.find([
            ('invoice', 'in', invoice_ids),
            ('description', 'like', '%' + ATTENTION + '%'),
            ])
    for line in lines:
        line.description = line.description.replace(
            ATTENTION + ' ', '').replace(ATTENTION, '')
    Line.save(lines)
    orders = list(PA_ORDERS)
    for invoice in invoices:
        if invoice.id in drafts:
            invoice.invoice_date = None
            invoice.save()
        elif invoice.fatturapa_format == 'FPA12':
            cig, order = orders.pop(0) if orders else (None, None)
            invoice.pa_cig = cig
            invoice.pa_order_number = order and order.format(
                year=invoice.invoice_date.year)
            invoice.pa_order_date = invoice.invoice_date - datetime.timedelta(
                days=rng.randint(20, 60))
            invoice.save()
    dates = sorted({i.invoice_date for i in invoices if i.id not in drafts})
    for date in dates:
        Invoice.click([i for i in invoices
                if i.invoice_date == date and i.id not in drafts], 'post')


# SDI
class SDIClock:
    "The times the office uploads files and the SDI answers"

    def __init__(self, rng, tz, now):
        self.rng = rng
        self.tz = tz
        self.now = now
        self.sdi_id = 14_180_000_000 + rng.randint(0, 99_999)
        self.message_id = 23_400_000_000 + rng.randint(0, 99_999)

    def upload(self, date):
        "An aware datetime on the working day of date, in office hours"
        date = working_day(date)
        when = datetime.datetime.combine(
            date, datetime.time(9), tzinfo=self.tz) + datetime.timedelta(
            minutes=self.rng.randint(0, 180))
        return min(when, self.now - datetime.timedelta(minutes=50))

    def answer(self, sent, minutes=(8, 90)):
        when = sent + datetime.timedelta(
            minutes=self.rng.randint(*minutes))
        return min(when, self.now - datetime.timedelta(minutes=5))

    def next_sdi_id(self):
        self.sdi_id += self.rng.randint(900, 40_000)
        return str(self.sdi_id)

    def next_message_id(self):
        self.message_id += self.rng.randint(900, 40_000)
        return str(self.message_id)


def _import_notification(file_name, data, type_):
    from proteus import Wizard
    wizard = Wizard('termogest.sdi.message.import')
    wizard.form.data = data
    wizard.form.name = file_name.replace('.xml', '_%s_001.xml' % type_)
    wizard.execute('import_')


def create_sdi_files(company, invoice_ids, today, rng):
    """Export, upload and answer the files of the posted invoices: return
    the file states"""
    from proteus import Model, Wizard
    from proteus.config import get_config
    Invoice = Model.get('account.invoice')
    File = Model.get('termogest.sdi.file')
    tz = ZoneInfo(company.timezone or 'Europe/Rome')
    now = datetime.datetime.now(tz)
    clock = SDIClock(rng, tz, now)
    invoices = sorted(
        Invoice.find([('id', 'in', invoice_ids), ('state', '=', 'posted')]),
        key=lambda i: (i.invoice_date, i.number))
    if not invoices:
        return {}

    # The fates: the latest two to upload, an old enough business invoice
    # rejected, the administrations' accepted when older than 15 days (they
    # answer within 15 days), a private customer's not delivered
    to_send = {i.id for i in invoices[-2:]}
    rest = [i for i in invoices if i.id not in to_send]
    fates = {}
    business = [i for i in rest
        if i.party.subject_type in {'company', 'sole_trader'}
        and len(i.party.sdi_code or '') == 7
        and i.party.sdi_code != '0000000'
        and (today - i.invoice_date).days > 10]
    rejected = business[0] if business else None
    if rejected:
        fates[rejected.id] = 'rejected'
    for invoice in rest:
        if invoice.fatturapa_format == 'FPA12':
            age = (today - invoice.invoice_date).days
            fates[invoice.id] = 'accepted' if age > 15 else 'delivered'
    # A private customer without PEC: the SDI cannot deliver, the invoice
    # waits in the customer's reserved area
    persons = [i for i in rest if i.id not in fates and not i.party.pec
        and i.party.subject_type == 'person']
    if persons:
        fates[persons[len(persons) // 2].id] = 'not_delivered'

    party = rejected.party if rejected else None
    right_code = party.sdi_code if party else None
    if party:
        party.sdi_code = ''.join(WRONG_CODE.get(c, c) for c in right_code[:4]
            ) + right_code[4:]
        if party.sdi_code == right_code:
            party.sdi_code = right_code[:-1] + (
                'X' if right_code[-1] != 'X' else 'Y')
        party.save()
    export = Wizard('termogest.sdi.file.export', invoices)
    files = {f.invoice.id: f for f in File.find(
            [('id', 'in', [f.id for f in export.form.files])])}
    if party:
        party.sdi_code = right_code
        party.save()

    sent = [files[i.id] for i in rest if i.id in files]
    File.click(sent, 'mark_sent')
    uploads = {}
    for file in sent:
        invoice = file.invoice
        uploaded = clock.upload(invoice.invoice_date)
        uploads[file.id] = uploaded
        fate = fates.get(invoice.id, 'delivered')
        sdi_id = clock.next_sdi_id()
        if fate == 'rejected':
            when = clock.answer(uploaded)
            _import_notification(file.file_name, notification_xml(
                    'NS', file.file_name, sdi_id, clock.next_message_id(),
                    when, errors=[('00311', "1.1.4 <CodiceDestinatario> "
                            "non valido")]), 'NS')
            continue
        if fate == 'not_delivered':
            when = clock.answer(uploaded, (600, 2400))
            _import_notification(file.file_name, notification_xml(
                    'MC', file.file_name, sdi_id, clock.next_message_id(),
                    when), 'MC')
            continue
        when = clock.answer(uploaded)
        _import_notification(file.file_name, notification_xml(
                'RC', file.file_name, sdi_id, clock.next_message_id(), when,
                recipient=(invoice.party.sdi_code or '0000000',
                    invoice.party.name[:80])), 'RC')
        if fate == 'accepted':
            when = clock.answer(
                uploaded + datetime.timedelta(days=rng.randint(3, 12)),
                (0, 300))
            _import_notification(file.file_name, notification_xml(
                    'NE', file.file_name, sdi_id, clock.next_message_id(),
                    when, outcome='EC01', invoice=(
                        invoice.number, invoice.invoice_date.year)), 'NE')

    # The rejected invoice: the code corrected on the card, resent the
    # next working day, delivered
    if rejected:
        first = files[rejected.id]
        first.reload()
        first.click('resend')
        rejected.reload()
        second = rejected.sdi_files[0]
        second.click('mark_sent')
        uploaded = clock.upload(
            uploads[first.id].date() + datetime.timedelta(days=1))
        uploads[second.id] = uploaded
        _import_notification(second.file_name, notification_xml(
                'RC', second.file_name, clock.next_sdi_id(),
                clock.next_message_id(), clock.answer(uploaded),
                recipient=(right_code, party.name[:80])), 'RC')
    _backdate_uploads(get_config(), uploads)
    states = {}
    for file in File.find([]):
        states[file.state] = states.get(file.state, 0) + 1
    return states


def _backdate_uploads(config, uploads):
    """Date the uploads {file id: aware datetime} when the secretary made
    them, not when the demo was built"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if not uploads:
        return
    with Transaction().start(config.database_name, config.user,
            context=config.context) as transaction:
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        User = pool.get('res.user')
        users = User.search([('login', '=', SECRETARY)], limit=1)
        for file in File.browse(list(uploads)):
            values = {
                'sent_at': uploads[file.id].astimezone(
                    datetime.timezone.utc).replace(tzinfo=None),
                }
            if users:
                values['sent_by'] = users[0].id
            File.write([file], values)
        transaction.commit()


def create_invoicing(company):
    """Create the demo accounting, quotes, invoices and SDI files

    Nothing is done when termogest_fatturapa is not activated; each part is
    done once (see the module's docstring).  Return the number of customer
    invoices created.
    """
    from proteus import Model
    from proteus.config import get_config
    Module = Model.get('ir.module')
    if not Module.find([
                ('name', '=', 'termogest_fatturapa'),
                ('state', '=', 'activated'),
                ]):
        print("termogest_fatturapa non è attivo: nessuna fattura demo "
            "(ricreare il database con make demo RESET=1).")
        return 0
    # The attention cards would ask for a confirmation
    config = get_config()
    skip_warning, config.skip_warning = config.skip_warning, True
    try:
        return _create_invoicing(company)
    finally:
        config.skip_warning = skip_warning


def give_pec(invoice_ids):
    """The first private customer invoiced has a PEC: its invoice goes to it
    (CodiceDestinatario 0000000 + PECDestinatario); the others have none"""
    from proteus import Model
    Invoice = Model.get('account.invoice')
    for invoice in Invoice.find([
                ('id', 'in', invoice_ids),
                ('state', '=', 'posted'),
                ('party.subject_type', '=', 'person'),
                ], order=[('invoice_date', 'ASC'), ('id', 'ASC')], limit=1):
        party = invoice.party
        if not party.pec:
            slug = ''.join(c for c in party.name.lower() if c.isalnum())
            party.pec = f'{slug[:20]}@pec.it'
            party.save()


def _create_invoicing(company):
    from proteus import Model
    Date = Model.get('ir.date')
    Invoice = Model.get('account.invoice')
    Intervention = Model.get('termogest.intervention')
    context = Date._config.context
    start = time.monotonic()
    rng = random.Random(SEED)
    today = Date.today(context)
    # TermoGest invoices since the first day of the previous month
    go_live = today.replace(day=1) - relativedelta(months=1)
    first_date = min(
        today - datetime.timedelta(days=max(q[0] for q in QUOTES)), go_live)
    chart = create_accounting(company)
    fiscal_years = create_fiscal_years(company, first_date, today, go_live)
    terms = create_payment_terms()
    products = create_products(company)
    invoiced = bool(_invoice_ids())
    customers = setup_customers(terms) if not invoiced else {}
    quotes = create_quotes(company, products, today, rng)
    if invoiced:
        if chart or fiscal_years or quotes:
            print("Fatturazione demo: %d preventivi creati in %.1f s." % (
                    len(quotes), time.monotonic() - start))
        return 0

    runs = invoice_interventions(today, go_live)
    contract_ids, migrated = invoice_contracts(today, go_live)
    invoice_ids = sorted(set().union(*runs, contract_ids))
    # The latest run of interventions: its last invoices still to check
    drafts = set(runs[-1][-DRAFTS:]) if runs else set()
    post_invoices(invoice_ids, drafts, rng)
    give_pec(invoice_ids)
    states = create_sdi_files(company, invoice_ids, today, rng)

    invoices = Invoice.find([('id', 'in', invoice_ids)])
    posted = [i for i in invoices if i.state == 'posted']
    print("Fatturazione demo: piano dei conti con le imposte italiane%s, "
        "esercizi %s, %d preventivi, %d clienti impostati (%s)." % (
            "" if chart else " (già presente)",
            ', '.join(f.name for f in fiscal_years) or "già presenti",
            len(quotes), len(customers), '; '.join(
                '%s: %s' % i for i in sorted(customers.items()))))
    print("Fatture demo dal %s: %d fatture (%d di interventi, %d di "
        "contratti; %d contratti fatturati in precedenza), %d emesse per "
        "%s EUR, %d in bozza, %d con bollo; file SdI: %s; %d interventi "
        "ancora da fatturare; create in %.1f s." % (
            go_live.strftime('%d/%m/%Y'),
            len(invoices), len(set().union(*runs)), len(contract_ids),
            migrated, len(posted), sum(i.total_amount for i in posted),
            len(invoices) - len(posted),
            len([i for i in invoices if i.stamp_duty]),
            ', '.join('%s %d' % i for i in sorted(states.items())),
            Intervention.search_count(
                [('state', '=', 'done')], 0, None, context),
            time.monotonic() - start))
    return len(invoices)


if __name__ == '__main__':
    import sys

    from demo_data import connect
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    connect(sys.argv[1])
    from proteus import Model
    company, = Model.get('company.company').find([])
    create_invoicing(company)
