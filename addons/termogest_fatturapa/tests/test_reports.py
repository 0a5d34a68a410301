# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The quote and the courtesy copy of the invoice (HTML templates to PDF).

Rendered without a database: the records are plain namespaces carrying the
fields the templates read, the context is DocumentReport's and the rendering
and the conversion are Tryton's own (Report.render, HTMLReport.convert).  Each
test leaves the HTML and the PDF in test-artifacts/reports/, to look at the
layout.
"""
import base64
import datetime
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace as NS
from unittest import mock

import pytest
import weasyprint

from trytond.modules.termogest_fatturapa.document import DocumentReport
from trytond.modules.termogest_fatturapa.fpa import codes
from trytond.report import Report

D = Decimal
REPORTS = Path(__file__).resolve().parents[1] / 'report'
ARTIFACTS = Path(__file__).resolve().parents[3] / 'test-artifacts' / 'reports'
# A 1x1 transparent PNG: the company's logo
LOGO = base64.b64decode(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChw'
    'GA60e6kgAAAABJRU5ErkJggg==')
# Elements HTML allows to be written <tag/>
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link',
    'meta', 'source', 'track', 'wbr'}


# --- fake records -----------------------------------------------------------

def province(code):
    return NS(code='IT-%s' % code, name=code, rec_name=code)


ITALY = NS(code='IT', name="Italia")
EUR = NS(code='EUR', symbol='€')


def address(street, postal_code, city, code):
    return NS(
        street_single_line=street, postal_code=postal_code, city=city,
        subdivision=province(code), country=ITALY)


def company(**values):
    party = NS(name="Termoidraulica Esempio S.r.l.",
        email='info@termoesempio.it')
    result = NS(
        party=party, company_name=party.name,
        vat_number='01234560017', fiscal_code='01234560017',
        address_street="Corso Francia 100\nScala B",
        address_postal_code='10143', address_city="Torino",
        address_subdivision=province('TO'), address_country=ITALY,
        phone='011 123 4567', pec='termoesempio@pec.it',
        rea_office='TO', rea_number='1234567',
        share_capital=D('10000.00'), sole_shareholder='SU',
        liquidation_status='LN', logo=LOGO,
        header_used="Centro assistenza autorizzato",
        footer_used="Iscritta al Registro nazionale F-Gas",
        timezone='Europe/Rome', currency=EUR,
        fatturapa_iban='IT60X0542811101000000123456',
        fatturapa_payment_method='MP05')
    for name, value in values.items():
        setattr(result, name, value)
    return result


def customer(**values):
    result = NS(
        name="Mario Rossi", code='C0042', fiscal_code='RSSMRA80A01L219M',
        vat_number=None, sdi_code='0000000', pec=None,
        addresses=[address("Via Garibaldi 12", '10122', "Torino", 'TO')])
    result.address_get = lambda type=None: result.addresses[0]
    for name, value in values.items():
        setattr(result, name, value)
    return result


def tax(rate, description, nature=None, law_reference=None):
    return NS(
        rate=rate, description=description, rec_name=description,
        fatturapa_nature=nature, fatturapa_law_reference=law_reference,
        type='percentage')


VAT22 = tax(D('0.22'), "IVA 22%")
VAT10 = tax(D('0.10'), "IVA 10% manutenzione")
EXEMPT = tax(D('0'), "Escluso art. 15", nature='N1',
    law_reference="Art. 15, c. 1, n. 3 DPR 633/72")
PIECE = NS(symbol='pz', rec_name="Unità")
HOUR = NS(symbol='h', rec_name="Ora")


def line(description, quantity, unit, price, taxes, discount=None,
        type='line', **values):
    "A sale or invoice line; price is the gross unit price"
    if type != 'line':
        return NS(type=type, description=description, product=None,
            quantity=None, unit=None, unit_price=None,
            gross_unit_price=None, discount=None, amount=values.get('amount'),
            taxes=[], period_start=None, period_end=None)
    unit_price = price
    if discount:
        unit_price = (price * (1 - discount / 100)).quantize(D('0.0001'))
    amount = (unit_price * D(str(quantity))).quantize(D('0.01'))
    result = NS(
        type='line', description=description, product=None,
        quantity=quantity, unit=unit, unit_price=unit_price,
        gross_unit_price=price, discount=discount, amount=amount,
        taxes=taxes, period_start=None, period_end=None)
    for name, value in values.items():
        setattr(result, name, value)
    return result


def quote(**values):
    party = customer()
    lines = [
        line("Opere idrauliche", None, None, None, [], type='title'),
        line("Caldaia a condensazione Vaillant ecoTEC plus VMW 246\n"
            "completa di kit scarico fumi", 1, PIECE, D('2450.00'),
            [VAT10], discount=D('10')),
        line("Manodopera per smontaggio e installazione", D('6.5'), HOUR,
            D('38.50'), [VAT10]),
        line("Valvole termostatiche", 8, PIECE, D('31.1250'), [VAT22]),
        line("Il prezzo comprende lo smaltimento del generatore esistente.",
            None, None, None, [], type='comment'),
        ]
    untaxed = sum(l.amount for l in lines if l.type == 'line')
    taxes = sum(
        (l.amount * l.taxes[0].rate).quantize(D('0.01'))
        for l in lines if l.type == 'line')
    values_ = dict(
        company=company(), party=party, invoice_address=party.addresses[0],
        currency=EUR, number='P2025/0042', reference="Richiesta del 2/10",
        state='quotation', quotation_date=datetime.date(2025, 10, 6),
        quotation_validity=datetime.timedelta(days=30),
        quotation_expire=datetime.date(2025, 11, 5),
        plant=NS(rec_name="IMP-0007 - Via Garibaldi 12 - Torino"),
        description="Sostituzione del generatore di calore",
        lines=lines, untaxed_amount=untaxed, tax_amount=taxes,
        total_amount=untaxed + taxes,
        payment_term=NS(name="30% all'ordine, saldo a fine lavori"),
        comment="Sopralluogo eseguito il 2 ottobre.")
    values_.update(values)
    return NS(**values_)


def invoice(**values):
    party = customer()
    lines = [
        line("Manutenzione ordinaria caldaia", 1, PIECE, D('120.00'),
            [VAT10], discount=D('5')),
        line("Canone contratto di manutenzione", 1, PIECE, D('1000.00'),
            [VAT22], period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 12, 31)),
        line("Rif. rapporto di intervento n. R2025/0317", None, None, None,
            [], type='comment'),
        ]
    taxes = [
        NS(description=VAT22.description, tax=VAT22, base=D('1000.00'),
            amount=D('220.00')),
        NS(description=VAT10.description, tax=VAT10, base=D('114.00'),
            amount=D('11.40')),
        ]
    values_ = dict(
        company=company(), party=party, invoice_address=party.addresses[0],
        currency=EUR, type='out', number='FV2025/0123', reference=None,
        invoice_date=datetime.date(2025, 10, 31), state='posted',
        description="Interventi di ottobre", comment=None,
        lines=lines, taxes=taxes, untaxed_amount=D('1114.00'),
        tax_amount=D('231.40'), total_amount=D('1345.40'),
        amount_to_collect=D('1345.40'), split_payment=False, stamp_duty=None,
        lines_to_pay=[
            NS(maturity_date=datetime.date(2025, 11, 30),
                debit=D('672.70'), credit=D(0)),
            NS(maturity_date=datetime.date(2025, 12, 31),
                debit=D('672.70'), credit=D(0)),
            ],
        payment_term=NS(name="Bonifico 30/60 giorni data fattura"),
        fatturapa_format='FPR12', sdi_state='delivered',
        pa_cig=None, pa_cup=None, pa_order_number=None, pa_order_date=None)
    values_.update(values)
    return NS(**values_)


# --- rendering --------------------------------------------------------------

def action(template):
    "The ir.action.report of a template"
    return NS(
        report_name=template, template_extension='html', extension='pdf',
        report_content=(REPORTS / template).read_bytes(), translatable=False,
        get_template_cached=lambda: None,
        set_template_cached=lambda template: None)


def context(records):
    "The documents' context, over the base one of Report (which needs a pool)"
    def base(cls, records, header, data):
        return {
            'records': records, 'record': records[0] if records else None,
            'header': header, 'data': data, 'datetime': datetime,
            }
    with mock.patch.object(Report, 'get_context', classmethod(base)):
        return DocumentReport.get_context(records, {}, {})


def render(template, records):
    "The HTML of the report, checked well-formed and HTML-safe"
    html = Report.render(action(template), context(records))
    ET.fromstring(html)
    for tag in re.findall(r'<(\w+)\b[^>]*/>', html):
        assert tag in VOID, "<%s/> is not closed by HTML" % tag
    return html


def to_pdf(template, html, name):
    oext, pdf = DocumentReport.convert(action(template), html)
    assert oext == 'pdf'
    assert pdf.startswith(b'%PDF')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / (name + '.html')).write_text(html, encoding='utf-8')
    (ARTIFACTS / (name + '.pdf')).write_bytes(pdf)
    return pdf


def text_of(html):
    "The text of the HTML, on one line"
    body = html[html.index('<body'):]
    return ' '.join(re.sub(r'<[^>]+>', ' ', body).split())


# --- quote ------------------------------------------------------------------

def test_quote():
    html = render('quote.html', [quote()])
    text = text_of(html)
    to_pdf('quote.html', html, 'quote')

    assert "Termoidraulica Esempio S.r.l." in text
    assert "Corso Francia 100, Scala B – 10143 Torino (TO)" in text
    assert "P.IVA 01234560017" in text
    assert "C.F. 01234560017" not in text
    assert "REA TO-1234567 – Capitale sociale € 10.000,00" in text
    assert 'src="data:image/png;base64,' in html
    assert "Preventivo n. P2025/0042" in text
    assert "del 06/10/2025" in text
    assert "Valido fino al 05/11/2025" in text
    # Customer and plant
    assert "Mario Rossi" in text
    assert "Via Garibaldi 12 10122 Torino (TO)" in text
    assert "Codice fiscale RSSMRA80A01L219M" in text
    assert "IMP-0007 - Via Garibaldi 12 - Torino" in text
    assert "Oggetto: Sostituzione del generatore di calore" in text
    # Lines: gross price, discount, amount, first tax; Italian numbers
    assert ("Caldaia a condensazione Vaillant ecoTEC plus VMW 246\n"
        "completa di kit scarico fumi") in html
    assert "1 pz 2.450,00 10 2.205,00 IVA 10% manutenzione" in text
    assert "6,5 h 38,50 250,25" in text
    assert "8 pz 31,125 249,00 IVA 22%" in text
    assert re.search(
        r'<tr class="comment">\s*<td colspan="7">Il prezzo comprende', html)
    assert re.search(r'<tr class="title">\s*<td colspan="7">Opere', html)
    # Totals and terms
    assert "Imponibile € 2.704,25" in text
    assert "IVA € 300,30" in text
    assert "Totale € 3.004,55" in text
    assert "30% all'ordine, saldo a fine lavori" in text
    assert "Il presente preventivo ha validità 30 giorni" in text
    assert "Per accettazione (timbro e firma del cliente)" in text
    assert "Luogo e data" in text
    assert "Sopralluogo eseguito il 2 ottobre." in text
    assert "BOZZA" not in text


def test_quote_draft():
    "A draft quote without number, plant, validity nor logo"
    html = render('quote.html', [quote(
                number=None, state='draft', plant=None,
                quotation_validity=None, quotation_expire=None,
                quotation_date=None, payment_term=None, comment=None,
                invoice_address=None, company=company(
                    logo=None, header_used='', footer_used=''))])
    text = text_of(html)
    assert "Bozza di preventivo" in text
    assert 'class="watermark">BOZZA<' in html
    assert "Impianto" not in text
    assert "Il presente preventivo ha validità" not in text
    assert "Pagamento Da concordare" in text
    # The address of the party when the quote has none
    assert "Via Garibaldi 12 10122 Torino (TO)" in text
    assert "Per accettazione" in text
    assert '<img' not in html


# --- invoice ----------------------------------------------------------------

def test_invoice():
    html = render('invoice.html', [invoice()])
    text = text_of(html)
    to_pdf('invoice.html', html, 'invoice')

    assert "Fattura n. FV2025/0123" in text
    assert "del 31/10/2025" in text
    assert ("Copia di cortesia: l'originale è il file XML trasmesso al "
        "Sistema di Interscambio") in text
    assert "Codice destinatario 0000000" in text
    assert "Causale: Interventi di ottobre" in text
    # Lines
    assert "1 pz 120,00 5 114,00 10%" in text
    assert "Periodo dal 01/01/2025 al 31/12/2025" in text
    assert "1 pz 1.000,00 1.000,00 22%" in text
    assert "Rif. rapporto di intervento n. R2025/0317" in text
    # VAT summary, highest rate first
    assert "22% IVA 22% 1.000,00 220,00 10% IVA 10% manutenzione" in text
    assert "114,00 11,40" in text
    assert "Imponibile € 1.114,00" in text
    assert "Totale documento € 1.345,40" in text
    # Payment
    assert "Bonifico 30/60 giorni data fattura" in text
    assert "Bonifico (MP05)" in text
    assert "IT60 X054 2811 1010 0000 0123 456" in text
    assert "30/11/2025 € 672,70" in text
    assert "31/12/2025 € 672,70" in text
    for absent in ["Scissione", "Netto a pagare", "bollo", "CIG", "BOZZA"]:
        assert absent not in text


def test_invoice_pa_split_payment_stamp_duty():
    "A public administration's invoice with split payment and stamp duty"
    taxes = [
        NS(description=VAT22.description, tax=VAT22, base=D('1000.00'),
            amount=D('220.00')),
        NS(description=EXEMPT.description, tax=EXEMPT, base=D('100.00'),
            amount=D('0.00')),
        ]
    record = invoice(
        party=customer(name="Comune di Torino", fiscal_code='00514490010',
            vat_number='00514490010', sdi_code='UFABCD'),
        taxes=taxes, untaxed_amount=D('1100.00'), tax_amount=D('220.00'),
        total_amount=D('1320.00'), amount_to_collect=D('1100.00'),
        split_payment=True, stamp_duty=D('2.00'), fatturapa_format='FPA12',
        pa_cig='Z1A2B3C4D5', pa_cup='C11B22000000001',
        pa_order_number='ORD-77', pa_order_date=datetime.date(2025, 9, 1),
        lines_to_pay=[
            NS(maturity_date=datetime.date(2025, 11, 30),
                debit=D('1320.00'), credit=D(0))],
        comment="Determina dirigenziale n. 123")
    html = render('invoice.html', [record])
    text = text_of(html)
    to_pdf('invoice.html', html, 'invoice_pa')

    assert "Codice destinatario UFABCD" in text
    assert "Ordine n. ORD-77 del 01/09/2025" in text
    assert "CIG Z1A2B3C4D5" in text
    assert "CUP C11B22000000001" in text
    assert ("22% IVA 22% 1.000,00 220,00 N1 Escluso art. 15 "
        "Art. 15, c. 1, n. 3 DPR 633/72 100,00 0,00") in text
    assert "Scissione dei pagamenti art. 17-ter DPR 633/72" in text
    assert "Totale documento € 1.320,00" in text
    assert "Netto a pagare € 1.100,00" in text
    assert ("Imposta di bollo assolta in modo virtuale ai sensi del DM "
        "17/06/2014 (€ 2,00)") in text
    # The due amount is what the customer pays
    assert "30/11/2025 € 1.100,00" in text
    assert "Determina dirigenziale n. 123" in text


def test_invoice_credit_note_and_draft():
    "A credit note prints positive amounts; a draft says it is not sent"
    credit = invoice(
        number='FV2025/0124',
        lines=[line("Storno manutenzione", -1, PIECE, D('120.00'),
                [VAT10], discount=D('5'))],
        taxes=[NS(description=VAT10.description, tax=VAT10,
                base=D('-114.00'), amount=D('-11.40'))],
        untaxed_amount=D('-114.00'), tax_amount=D('-11.40'),
        total_amount=D('-125.40'), amount_to_collect=D('-125.40'),
        lines_to_pay=[NS(maturity_date=datetime.date(2025, 10, 31),
                debit=D(0), credit=D('125.40'))])
    draft = invoice(number=None, state='draft', invoice_date=None)
    html = render('invoice.html', [credit, draft])
    text = text_of(html)
    to_pdf('invoice.html', html, 'invoice_credit_draft')
    # One page each
    document = weasyprint.HTML(string=html, url_fetcher=weasyprint.URLFetcher(
            allowed_protocols={'data'})).render()
    assert len(document.pages) == 2
    assert "Nota di credito n. FV2025/0124" in text
    assert "(TD04)" in text
    assert "1 pz 120,00 5 114,00 10%" in text
    assert "Totale documento € 125,40" in text
    assert "IVA 10% manutenzione 114,00 11,40" in text
    for negative in ["-114", "-11,40", "-125"]:
        assert negative not in text
    assert "Bozza di fattura" in text
    assert ("Bozza: documento non ancora emesso né trasmesso al Sistema di "
        "Interscambio") in text
    assert 'class="watermark">BOZZA<' in html
    assert text.count("Copia di cortesia: l'originale") == 1


@pytest.mark.parametrize('template', ['quote.html', 'invoice.html'])
def test_no_css_markup(template):
    "The CSS keeps out the characters the serializer escapes"
    content = (REPORTS / template).read_text(encoding='utf-8')
    styles = re.findall(r'<style>(.*?)</style>', content, re.S)
    assert styles
    for css in styles:
        assert not set(css) & set('<>&')


def test_payment_method_labels():
    "Every ModalitaPagamento of fpa.codes is written with its label"
    for code, label in codes.MODALITA_PAGAMENTO.items():
        text = text_of(render('invoice.html', [
                    invoice(company=company(fatturapa_payment_method=code))]))
        assert "%s%s (%s)" % (label[0].upper(), label[1:], code) in text
