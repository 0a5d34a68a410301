# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Scenarios of invoices, FatturaPA files and the SDI, over proteus."""
from decimal import Decimal

import pytest
from lxml import etree
from proteus import Model, Wizard

import trytond.config as config
from trytond.exceptions import UserError
from trytond.modules.termogest_fatturapa.fpa import validation
from trytond.modules.termogest_permessi.tests.tools import as_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .servers import (
    imap_server, intermediary_server, notification_xml, sdi_reply, smtp_sink)
from .tools import (
    XSD_DIR, create_fatturapa_setup, new_invoice, new_invoice_customer,
    products, tax, tax_rule)

D = Decimal
NS = {'p': 'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2'}

pytestmark = pytest.mark.skipif(
    not XSD_DIR.is_dir(), reason="../shared/fatturapa/xsd is missing")


@pytest.fixture(scope='module')
def xsd():
    previous = config.get('termogest', 'fatturapa_xsd_dir', default=None)
    if not config.has_section('termogest'):
        config.add_section('termogest')
    config.set('termogest', 'fatturapa_xsd_dir', str(XSD_DIR))
    yield XSD_DIR
    config.set('termogest', 'fatturapa_xsd_dir', previous or '')


@pytest.fixture
def cfg(xsd):
    config = activate_modules(
        'termogest_fatturapa', create_fatturapa_setup)
    yield config
    drop_db()


def sdi_file(invoice):
    "The invoice's last SDI file and its parsed XML"
    invoice.reload()
    file = invoice.sdi_files[0]
    return file, etree.fromstring(bytes(file.data))


def text(root, path):
    return root.findtext(path, namespaces=NS)


def test_italian_taxes_from_chart(cfg):
    "The chart wizard creates the Italian taxes with their Natura"
    assert tax("IVA 22%").rate == D('0.22')
    exempt = tax("Esente art. 10")
    assert exempt.rate == 0
    assert exempt.fatturapa_nature == 'N4'
    assert exempt.fatturapa_law_reference == "Esente art. 10 DPR 633/72"
    assert exempt.fatturapa_stamp_duty
    assert tax_rule("IVA 10% manutenzione abitazioni")


def test_business_invoice_sent_and_delivered(cfg):
    "A business invoice: posted, built, XSD-valid, sent, delivered"
    as_user(cfg, 'fabio')
    p = products()
    party = new_invoice_customer('business')
    invoice = new_invoice(
        party, [(p['MAN'], 2), (p['KGU'], 3)], post=True)
    assert invoice.state == 'posted'
    assert invoice.total_amount == D('155.55')  # (90 + 37.50) * 1.22

    invoice.click('fatturapa_send')
    file, root = sdi_file(invoice)
    # the manual channel: to upload on the portal
    assert file.state == 'to_send'
    assert file.file_name == f'IT01234560017_{file.progressive}.xml'
    assert len(file.progressive) == 5
    assert root.get('versione') == 'FPR12'
    assert text(root, './/CodiceDestinatario') == 'M5UXCR1'
    assert text(root, './/ImportoTotaleDocumento') == '155.55'
    result = validation.validate(bytes(file.data), XSD_DIR)
    assert result.schema_checked
    assert not list(result.problems)

    # The file uploaded on the portal, the receipt imported by hand
    file.click('mark_sent')
    assert file.state == 'sent'
    receipt = notification_xml('RC', file.file_name, '4321')
    importer = Wizard('termogest.sdi.message.import')
    importer.form.data = receipt
    importer.form.name = file.file_name.replace('.xml', '_RC_001.xml')
    importer.execute('import_')
    file.reload()
    assert file.state == 'delivered'
    assert file.sdi_id == '4321'
    message, = file.messages
    assert message.type == 'RC'
    # the same receipt again changes nothing
    importer = Wizard('termogest.sdi.message.import')
    importer.form.data = receipt
    importer.execute('import_')
    file.reload()
    assert len(file.messages) == 1
    invoice.reload()
    assert invoice.sdi_state == 'delivered'
    # and the invoice is not sent twice
    export = Wizard('termogest.sdi.file.export', [invoice])
    assert not export.form.files
    assert file.file_name in export.form.report


def test_private_person_pa_and_exempt_with_stamp_duty(cfg):
    "0000000 + PEC, a public administration with split payment, bollo"
    as_user(cfg, 'fabio')
    p = products()
    person = new_invoice_customer('person')
    invoice = new_invoice(person, [(p['MAN'], 1)], post=True)
    invoice.click('fatturapa_send')
    _, root = sdi_file(invoice)
    assert text(root, './/CodiceDestinatario') == '0000000'
    assert text(root, './/PECDestinatario') == 'mario.rossi@pec.example.it'
    assert text(root, './/CessionarioCommittente//CodiceFiscale') == (
        'RSSMRA80A01L219M')

    pa = new_invoice_customer('pa')
    assert pa.split_payment
    invoice = new_invoice(pa, [(p['MAN'], 10)], post=False)
    assert invoice.split_payment
    invoice.pa_cig = 'Z1A2B3C4D5'
    invoice.save()
    invoice.click('post')
    assert invoice.amount_to_collect == D('450.00')
    invoice.click('fatturapa_send')
    _, root = sdi_file(invoice)
    assert root.get('versione') == 'FPA12'
    assert text(root, './/CodiceDestinatario') == 'UFABCD'
    assert text(root, './/EsigibilitaIVA') == 'S'
    assert text(root, './/ImportoPagamento') == '450.00'
    assert text(root, './/CodiceCIG') == 'Z1A2B3C4D5'

    # An exempt customer (art. 10) over 77.47 EUR: the stamp duty is charged
    exempt = new_invoice_customer(
        'business', name="Fondazione Casa Serena",
        vat_number='02438750586', sdi_code='KRRH6B9')
    exempt.customer_tax_rule = tax_rule("Esente art. 10")
    exempt.save()
    invoice = new_invoice(exempt, [(p['MAN'], 2)], post=True)
    assert invoice.stamp_duty == D('2.00')
    assert [l.product.code for l in invoice.lines] == ['MAN', 'BOL']
    assert invoice.total_amount == D('92.00')
    invoice.click('fatturapa_send')
    file, root = sdi_file(invoice)
    assert text(root, './/DatiBollo/BolloVirtuale') == 'SI'
    assert text(root, './/DatiBollo/ImportoBollo') == '2.00'
    natures = sorted(e.text for e in root.iterfind('.//DatiRiepilogo/Natura'))
    assert natures == ['N1', 'N4']
    assert not list(validation.validate(bytes(file.data), XSD_DIR).problems)


def test_posting_refuses_what_the_sdi_would_reject(cfg):
    "A customer with no identifier: the posting is refused, in Italian"
    as_user(cfg, 'fabio')
    p = products()
    party = new_invoice_customer('person', fiscal_code=None)
    invoice = new_invoice(party, [(p['MAN'], 1)])
    with pytest.raises(UserError) as info:
        invoice.click('post')
    assert party.name in info.value.message
    assert '00417' in info.value.message
    invoice.reload()
    assert invoice.state == 'draft'
    assert not invoice.number


def test_batch_goes_past_a_bad_invoice(cfg):
    "The export of 3 invoices, one of which has lost its address"
    as_user(cfg, 'fabio')
    p = products()
    invoices = [
        new_invoice(new_invoice_customer('business', name=name,
                vat_number=vat), [(p['MAN'], 1)], post=True)
        for name, vat in [
            ("Alfa Impianti", '01114601006'),
            ("Beta Clima", '02438750586'),
            ("Gamma Termica", '00743110157'),
            ]]
    bad = invoices[1].party
    set_user(1, cfg)
    address, = bad.addresses
    address.street = None
    address.save()
    as_user(cfg, 'fabio')
    Invoice = Model.get('account.invoice')
    export = Wizard('termogest.sdi.file.export', [
            Invoice(i.id) for i in invoices])
    report = export.form.report
    assert '2' in report.splitlines()[0]
    assert "Beta Clima" in report
    assert len(export.form.files) == 2
    assert export.form.archive
    for invoice, state in zip(invoices, ['to_send', None, 'to_send']):
        invoice.reload()
        assert invoice.sdi_state == state
    # the tabs of the invoices' list
    assert len(Invoice.find([('sdi_state', 'in', [None, 'to_send'])])) == 3
    assert Invoice.find([('sdi_state', '=', None)]) == [invoices[1]]
    assert len(Invoice.find([('sdi_state', '=', 'to_send')])) == 2


def test_rejected_invoice_resent_with_new_progressive(cfg, xsd):
    "An NS by PEC: the corrected invoice goes out under a new file name"
    Company = Model.get('company.company')
    as_user(cfg, 'giulia')
    with smtp_sink() as sink, imap_server() as imap:
        company, = Company.find([])
        company.sdi_channel = 'pec'
        company.pec = 'rossiimpianti@pec.example.it'
        company.pec_smtp_host = sink.host
        company.pec_smtp_port = sink.port
        company.pec_smtp_security = 'none'
        company.pec_imap_host = imap.host
        company.pec_imap_port = imap.port
        company.pec_imap_security = 'none'
        company.pec_imap_user = 'pec@example.it'
        company.pec_imap_password = 'secret'
        company.save()

        as_user(cfg, 'fabio')
        p = products()
        party = new_invoice_customer('business', sdi_code='AAAAAAA')
        invoice = new_invoice(party, [(p['MAN'], 1)], post=True)
        invoice.click('fatturapa_send')
        first, _ = sdi_file(invoice)
        assert first.state == 'sent'
        sent, = sink.messages
        assert sent.rcpt_tos == ['sdi01@pec.fatturapa.it']
        assert sent.attachments() == {first.file_name: bytes(first.data)}

        # The SDI rejects it: the recipient code does not exist
        imap.mailbox.append(sdi_reply(
                first.file_name.replace('.xml', '_NS_001.xml'),
                notification_xml('NS', first.file_name, '777', errors=[
                        ('00311', "CodiceDestinatario non valido")]),
                to='rossiimpianti@pec.example.it'))
        first.click('fetch')
        first.reload()
        assert first.state == 'rejected'
        assert '00311' in first.errors
        # the cron again: nothing new
        SDIFile = Model.get('termogest.sdi.file')
        set_user(1, cfg)
        cron = Model.get('ir.cron')
        as_user(cfg, 'fabio')
        first.click('fetch')
        first.reload()
        assert len(first.messages) == 1

        # Corrected on the card, resent: a new file, same number
        party.sdi_code = 'M5UXCR1'
        party.save()
        first.click('resend')
        invoice.reload()
        second = invoice.sdi_files[0]
        assert second.id != first.id
        assert second.resend_of == first
        assert second.progressive != first.progressive
        assert second.file_name != first.file_name
        second.click('send')
        assert second.state == 'sent'
        root = etree.fromstring(bytes(second.data))
        assert text(root, './/DatiGeneraliDocumento/Numero') == invoice.number
        assert text(root, './/CodiceDestinatario') == 'M5UXCR1'
        assert text(root, './/ProgressivoInvio') == second.progressive
        assert len(sink.messages) == 2
        assert len(SDIFile.find([('invoice', '=', invoice.id)])) == 2
        del cron


def test_intermediary_channel(cfg):
    "Sent through the REST intermediary; NE outcome of a PA: accepted"
    Company = Model.get('company.company')
    as_user(cfg, 'giulia')
    with intermediary_server() as server:
        company, = Company.find([])
        company.sdi_channel = 'rest'
        company.rest_url = server.base_url
        company.rest_token = 'test-token'
        company.save()

        as_user(cfg, 'fabio')
        p = products()
        invoice = new_invoice(
            new_invoice_customer('pa'), [(p['MAN'], 1)], post=True)
        invoice.click('fatturapa_send')
        file, _ = sdi_file(invoice)
        assert file.state == 'sent'
        assert file.reference
        submitted, = server.invoices.values()
        server.notify(file.reference, 'RC')
        server.notify(file.reference, 'NE', outcome='EC01')
        file.click('fetch')
        file.reload()
        assert file.state == 'accepted'
        assert sorted(m.type for m in file.messages) == ['NE', 'RC']
        del submitted


def test_access(cfg):
    "Without the invoices section no invoice, file or button"
    as_user(cfg, 'fabio')
    p = products()
    invoice = new_invoice(
        new_invoice_customer('business'), [(p['MAN'], 1)], post=True)
    invoice.click('fatturapa_send')
    as_user(cfg, 'nadia')
    Invoice = Model.get('account.invoice')
    SDIFile = Model.get('termogest.sdi.file')
    Sale = Model.get('sale.sale')
    for model in [Invoice, SDIFile, Sale]:
        with pytest.raises(UserError):
            model.find([])
    as_user(cfg, 'luca')
    with pytest.raises(UserError):
        Invoice.find([])


def test_credit_note_and_courtesy_copy(cfg):
    "A credit note is a TD04 linked to its invoice; both print to PDF"
    from proteus import Report
    as_user(cfg, 'fabio')
    p = products()
    invoice = new_invoice(
        new_invoice_customer('business'), [(p['MAN'], 2)], post=True)
    set_user(1, cfg)
    credit = Wizard('account.invoice.credit', [invoice])
    credit.execute('credit')
    as_user(cfg, 'fabio')
    Invoice = Model.get('account.invoice')
    note, = Invoice.find([('id', '!=', invoice.id)])
    # credited with refund: posted (and checked) and reconciled at once
    assert note.state == 'paid'
    assert note.total_amount == D('-109.80')
    note.click('fatturapa_send')
    file, root = sdi_file(note)
    assert text(root, './/TipoDocumento') == 'TD04'
    assert text(root, './/ImportoTotaleDocumento') == '109.80'
    assert text(root, './/DatiFattureCollegate/IdDocumento') == (
        invoice.number)
    assert not list(validation.validate(bytes(file.data), XSD_DIR).problems)
    extension, content, _, _ = Report('account.invoice.courtesy').execute(
        [invoice, note])
    assert extension == 'pdf'
    assert bytes(content).startswith(b'%PDF')
