# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Tests of the pure-Python FatturaPA engine (no Tryton database).

The official XSD and samples are read from ``../shared/fatturapa`` beside
the repository; the tests that need them are skipped when it is missing.
Set UPDATE_GOLDEN=1 to rewrite the golden files in ``golden/``.
"""
import copy
import datetime
import hashlib
import os
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from trytond.modules.termogest_fatturapa.fpa import (
    builder, codes, data, filename, notifications, text, validation)

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / 'golden'
SHARED = Path(__file__).resolve().parents[3] / '..' / 'shared' / 'fatturapa'
XSD_DIR = SHARED / 'xsd'
OFFICIAL = SHARED / 'samples' / 'official'
MESSAGES = SHARED / 'samples' / 'sdi_messages'
SCHEMA_SHA256 = (
    '152944f6eef9f5d69ef6e955ee173b32142b00a8c1c5222fc97dfab5910e8a8c')
UPDATE_GOLDEN = os.environ.get('UPDATE_GOLDEN') == '1'

needs_shared = pytest.mark.skipif(
    not (XSD_DIR / 'Schema_VFPR12_v1.2.3.xsd').is_file(),
    reason="../shared/fatturapa is missing beside the repository: the "
    "official XSD and samples are needed (FATTURAPA.md §1)")

SELLER_VAT = '01234560017'
CUSTOMER_VAT = '09876540015'
PA_CODE = '11223340016'
D = Decimal


def official_samples():
    if not OFFICIAL.is_dir():
        return []
    return sorted(p.name for p in OFFICIAL.glob('*.xml'))


def message_samples():
    if not MESSAGES.is_dir():
        return []
    return sorted(p.name for p in MESSAGES.glob('*.xml'))


# --- invoice fixtures -------------------------------------------------------

def supplier():
    return data.Party(
        name="Termoidraulica Esempio S.r.l.",
        vat_country='IT', vat_code=SELLER_VAT,
        address=data.Address("Via Roma 1", '10121', "Torino", 'TO'),
        tax_regime='RF01', rea_office='TO', rea_number='1234567',
        share_capital=D('10000'), sole_member='SM', liquidation='LN',
        phone='0111234567', email='amministrazione@esempio.it')


def invoice(**values):
    params = dict(
        transmitter_country='IT', transmitter_code=SELLER_VAT,
        progressive='0000A', format='FPR12', recipient_code='0000000',
        supplier=supplier(),
        customer=data.Party(
            first_name="Mario", last_name="Rossi",
            fiscal_code='RSSMRA80A01H501U',
            address=data.Address(
                "Corso Francia 10", '10138', "Torino", 'TO')),
        document_type='TD01', currency='EUR',
        date=datetime.date(2025, 6, 30), number='FT/2025/0042',
        total=D('128.10'),
        lines=[
            data.Line(1, "Manutenzione ordinaria caldaia a gas", D('1'),
                'u', D('90.0000'), D('90.00'), D('22'),
                other_data=[('INTERVENTO', '2025/318')]),
            data.Line(2, "Kit guarnizioni", D('2'), 'u', D('7.5000'),
                D('15.00'), D('22')),
            ],
        summaries=[data.Summary(D('22'), D('105.00'), D('23.10'))],
        reasons=["Manutenzione ordinaria impianto termico, "
            "rapporto n. 2025/318"],
        payments=[data.Payment('MP05', D('128.10'),
                datetime.date(2025, 7, 30),
                iban='IT60 X054 2811 1010 0000 0123 456')],
        )
    params.update(values)
    return data.Invoice(**params)


def private_invoice():
    "Consumer receiving by PEC: 0000000 + PECDestinatario"
    return invoice(recipient_pec='mario.rossi@pec.it')


def business_invoice():
    "Business with a 7-character code, line discount and instalments"
    return invoice(
        progressive='0000B', recipient_code='abc1234',
        recipient_pec='ignored@pec.it',
        customer=data.Party(
            name="Condominio “Le Querce” – Amministrazione",
            vat_country='IT', vat_code=CUSTOMER_VAT,
            address=data.Address("Via Garibaldi", '20121', "Milano", 'MI',
                street_number='12/B')),
        number='FT/2025/0043', total=D('170.80'),
        lines=[
            data.Line(1, "Sostituzione valvola 3/4’’ — intervento 5 €",
                D('2'), 'pz', D('50.00'), D('90.00'), D('22'),
                discount=D('10'), code=('INTERNO', 'VLV-34'),
                start_date=datetime.date(2025, 6, 1),
                end_date=datetime.date(2025, 6, 30)),
            data.Line(2, "Manodopera", D('1.5'), 'h', D('33.3333'),
                D('50.00'), D('22')),
            ],
        summaries=[data.Summary(D('22'), D('140.00'), D('30.80'))],
        reasons=[],
        payment_terms='TP01',
        payments=[
            data.Payment('MP12', D('85.40'), datetime.date(2025, 7, 31)),
            data.Payment('MP12', D('85.40'), datetime.date(2025, 8, 31)),
            ],
        purchase_orders=[data.LinkedDocument(
                'ORD-77', datetime.date(2025, 5, 20))],
        )


def pa_invoice():
    "Public administration: FPA12, 6-character code, split payment"
    return invoice(
        progressive='0000C', format='FPA12', recipient_code='UFY9MH',
        customer=data.Party(
            name="Comune di Esempio", fiscal_code=PA_CODE,
            address=data.Address("Piazza Palazzo di Città 1", '10122',
                "Torino", 'TO')),
        number='FT/2025/0044', total=D('1220.00'),
        lines=[data.Line(1, "Manutenzione centrale termica scuola",
                None, None, D('1000'), D('1000.00'), D('22'))],
        summaries=[data.Summary(D('22'), D('1000.00'), D('220.00'),
                vat_due='S')],
        reasons=["Scissione dei pagamenti art. 17-ter DPR 633/72"],
        payments=[data.Payment('MP05', D('1000.00'),
                datetime.date(2025, 7, 30),
                iban='IT60X0542811101000000123456',
                bank="Banca di Esempio")],
        contracts=[data.LinkedDocument('CONTR-2025-1',
                datetime.date(2025, 1, 10), cup='B11B25000010004',
                cig='ZA1B2C3D4E')],
        )


def exempt_invoice():
    "A 22% line and an exempt N4 line with the stamp duty"
    return invoice(
        progressive='0000D', total=D('224.40'),
        lines=[
            data.Line(1, "Verifica impianto", D('1'), 'u', D('100'),
                D('100.00'), D('22')),
            data.Line(2, "Prestazione esente", D('1'), 'u', D('100'),
                D('100.00'), D('0'), nature='N4'),
            ],
        summaries=[
            data.Summary(D('22'), D('100.00'), D('22.00')),
            data.Summary(D('0'), D('100.00'), D('0.00'), nature='N4',
                law_reference="Esente art. 10 DPR 633/72"),
            ],
        stamp_duty=D('2.00'),
        reasons=["Imposta di bollo assolta in modo virtuale ai sensi del "
            "DM 17/06/2014"],
        payments=[data.Payment('MP01', D('224.40'))],
        )


CASES = {
    'private': private_invoice,
    'business': business_invoice,
    'pa': pa_invoice,
    'exempt': exempt_invoice,
    }


def built(factory):
    return etree.ElementTree(builder.build(factory()))


# --- code lists -------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize('type_, codes_', [
        ('TipoDocumentoType', codes.TIPO_DOCUMENTO),
        ('NaturaType', {**codes.NATURA, **codes.NATURA_GENERIC}),
        ('RegimeFiscaleType', codes.REGIME_FISCALE),
        ('ModalitaPagamentoType', codes.MODALITA_PAGAMENTO),
        ('CondizioniPagamentoType', codes.CONDIZIONI_PAGAMENTO),
        ('EsigibilitaIVAType', codes.ESIGIBILITA_IVA),
        ])
def test_code_lists_match_xsd(type_, codes_):
    "Code lists are the XSD enumerations"
    xsd = etree.parse(str(XSD_DIR / 'Schema_VFPR12_v1.2.3.xsd'))
    ns = {'xs': 'http://www.w3.org/2001/XMLSchema'}
    values = xsd.xpath(
        '//xs:simpleType[@name=$n]//xs:enumeration/@value', n=type_,
        namespaces=ns)
    assert values
    assert set(values) == set(codes_)


def test_code_lists_content():
    "1.2.3 codes are present and selection is formatted"
    assert {'TD28', 'TD29'} <= set(codes.TIPO_DOCUMENTO)
    assert 'RF20' in codes.REGIME_FISCALE
    assert 'RF03' not in codes.REGIME_FISCALE
    assert not set(codes.NATURA) & {'N2', 'N3', 'N6'}
    assert len(codes.MODALITA_PAGAMENTO) == 23
    selection = codes.selection(codes.CONDIZIONI_PAGAMENTO)
    assert selection[0] == ('TP01', 'TP01 - pagamento a rate')


# --- official samples -------------------------------------------------------

@needs_shared
def test_schema_hash():
    "The official schema is the pinned byte-exact copy"
    content = (XSD_DIR / 'Schema_VFPR12_v1.2.3.xsd').read_bytes()
    assert hashlib.sha256(content).hexdigest() == SCHEMA_SHA256


@needs_shared
def test_schema_cached():
    "The schema is compiled once per directory"
    assert (validation.fatturapa_schema(XSD_DIR)
        is validation.fatturapa_schema(str(XSD_DIR)))


@needs_shared
@pytest.mark.parametrize('name', official_samples())
def test_official_samples_xsd(name):
    "The official samples pass the XSD"
    tree = etree.parse(str(OFFICIAL / name))
    assert validation.schema_problems(tree, XSD_DIR) == []


@needs_shared
@pytest.mark.parametrize('name', official_samples())
def test_official_samples_semantic(name):
    "Only FPR03 fails an SdI check, and only 00422"
    result = validation.validate((OFFICIAL / name).read_bytes(), XSD_DIR)
    assert result.schema_checked
    if name == 'IT01234567890_FPR03.xml':
        assert result.codes == ['00422']
        problem, = result.problems
        assert problem.path == "Fattura 123 / Riepilogo IVA 22,00%"
        assert '27.00' in problem.message and '25.00' in problem.message
        assert problem.xpath.endswith('DatiRiepilogo')
    else:
        assert result.problems == []


def test_official_count():
    "All 7 official samples are exercised when shared data is present"
    if OFFICIAL.is_dir():
        assert len(official_samples()) == 7


# --- builder ----------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize('case', sorted(CASES))
def test_build_valid(case):
    "Built invoices pass the XSD and the SdI checks"
    root = builder.build(CASES[case]())
    result = validation.validate(builder.serialize(root), XSD_DIR)
    assert result.schema_checked
    assert [p.message for p in result] == []


@pytest.mark.parametrize('case', sorted(CASES))
def test_golden(case):
    "Serialized output is byte-for-byte the golden file"
    content = builder.serialize(builder.build(CASES[case]()))
    path = GOLDEN / ('%s.xml' % case)
    if UPDATE_GOLDEN or not path.exists():
        if not UPDATE_GOLDEN:
            pytest.fail("Missing golden file %s: run with UPDATE_GOLDEN=1"
                % path)
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(content)
    assert content == path.read_bytes()


def test_build_root_and_routing():
    "Namespace prefix on the root only, routing rules of §2.3"
    content = builder.serialize(builder.build(private_invoice()))
    assert content.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<p:FatturaElettronica ')
    root = etree.fromstring(content)
    assert root.tag == '{%s}FatturaElettronica' % builder.NS
    assert root.get('versione') == 'FPR12'
    assert root.get('SistemaEmittente') == 'TermoGest'
    assert all(e.tag.startswith('{') is False
        for e in root.iterdescendants())
    data_ = root.find('FatturaElettronicaHeader/DatiTrasmissione')
    assert data_.findtext('CodiceDestinatario') == '0000000'
    assert data_.findtext('PECDestinatario') == 'mario.rossi@pec.it'
    # A PEC is not written with a real code
    business = builder.build(business_invoice())
    data_ = business.find('FatturaElettronicaHeader/DatiTrasmissione')
    assert data_.findtext('CodiceDestinatario') == 'ABC1234'
    assert data_.find('PECDestinatario') is None
    pa = builder.build(pa_invoice())
    assert pa.get('versione') == 'FPA12'
    assert pa.findtext('FatturaElettronicaHeader/DatiTrasmissione/'
        'FormatoTrasmissione') == 'FPA12'
    assert pa.findtext('.//DatiRiepilogo/EsigibilitaIVA') == 'S'


def test_build_formats():
    "Amounts, prices and quantities keep their precision"
    root = builder.build(business_invoice())
    line1, line2 = root.iterfind('.//DettaglioLinee')
    assert line1.findtext('Quantita') == '2.00'
    assert line1.findtext('PrezzoUnitario') == '50.00'
    assert line1.findtext('ScontoMaggiorazione/Tipo') == 'SC'
    assert line1.findtext('ScontoMaggiorazione/Percentuale') == '10.00'
    assert line1.findtext('PrezzoTotale') == '90.00'
    assert line1.findtext('AliquotaIVA') == '22.00'
    assert line1.findtext('Descrizione') == (
        "Sostituzione valvola 3/4'' - intervento 5 EUR")
    assert [c.tag for c in line1] == [
        'NumeroLinea', 'CodiceArticolo', 'Descrizione', 'Quantita',
        'UnitaMisura', 'DataInizioPeriodo', 'DataFinePeriodo',
        'PrezzoUnitario', 'ScontoMaggiorazione', 'PrezzoTotale',
        'AliquotaIVA']
    assert line2.findtext('Quantita') == '1.50'
    assert line2.findtext('PrezzoUnitario') == '33.3333'
    assert builder.price(D('1.123456780000')) == '1.12345678'
    assert builder.price(D('0.5')) == '0.50'
    assert builder.price(D('12')) == '12.00'
    assert builder.price(D('1E+2')) == '100.00'
    assert builder.amount(D('2.005')) == '2.01'
    with pytest.raises(builder.BuildError) as info:
        builder.price(D('0.123456789'), 'PrezzoUnitario', "della riga 4")
    assert "Prezzo unitario della riga 4" in str(info.value)
    assert "massimo 8" in str(info.value)


def test_build_exempt_and_stamp():
    "Natura, RiferimentoNormativo and DatiBollo"
    root = builder.build(exempt_invoice())
    document = root.find('.//DatiGeneraliDocumento')
    assert [c.tag for c in document] == [
        'TipoDocumento', 'Divisa', 'Data', 'Numero', 'DatiBollo',
        'ImportoTotaleDocumento', 'Causale']
    assert document.findtext('DatiBollo/BolloVirtuale') == 'SI'
    assert document.findtext('DatiBollo/ImportoBollo') == '2.00'
    summary = root.findall('.//DatiRiepilogo')[1]
    assert [c.tag for c in summary] == [
        'AliquotaIVA', 'Natura', 'ImponibileImporto', 'Imposta',
        'EsigibilitaIVA', 'RiferimentoNormativo']
    assert summary.findtext('AliquotaIVA') == '0.00'


def test_build_linked_and_credit_note():
    "DatiFattureCollegate follow the other linked documents"
    values = business_invoice()
    values.document_type = 'TD04'
    values.linked_invoices = [data.LinkedDocument(
            'FT/2025/0001', datetime.date(2025, 1, 15))]
    root = builder.build(values)
    general = root.find('.//DatiGenerali')
    assert [c.tag for c in general] == [
        'DatiGeneraliDocumento', 'DatiOrdineAcquisto',
        'DatiFattureCollegate']
    assert general.findtext('DatiFattureCollegate/IdDocumento') == (
        'FT/2025/0001')


def test_causale_split():
    "A long Causale is split into elements of at most 200 characters"
    words = ' '.join(['manutenzione'] * 60)
    root = builder.build(invoice(reasons=[words]))
    reasons = [e.text for e in root.iterfind('.//Causale')]
    assert len(reasons) == 4
    assert all(len(r) <= 200 for r in reasons)
    assert ' '.join(reasons) == words


@pytest.mark.parametrize('change, message', [
        (lambda i: setattr(i.lines[2 - 1], 'description', 'x' * 1200),
            "Descrizione della riga 2 troppo lunga: 1200 caratteri, "
            "massimo 1000. Accorciarla."),
        (lambda i: setattr(i.customer, 'last_name', 'R' * 61),
            "Cognome del cliente troppo lungo: 61 caratteri, massimo 60. "
            "Accorciarlo."),
        (lambda i: setattr(i.supplier, 'name', 'S' * 81),
            "Denominazione del fornitore troppo lunga: 81 caratteri, "
            "massimo 80. Accorciarla."),
        (lambda i: setattr(i.customer.address, 'street', 'V' * 61),
            "Indirizzo del cliente troppo lungo: 61 caratteri, massimo 60."),
        (lambda i: setattr(i.customer.address, 'city', 'C' * 61),
            "Comune del cliente troppo lungo"),
        (lambda i: setattr(i, 'number', 'FT-' + '1' * 20),
            "Numero della fattura troppo lungo: 23 caratteri, massimo 20."),
        (lambda i: setattr(i.summaries[0], 'law_reference', 'L' * 101),
            "Riferimento normativo del riepilogo IVA 22,00% troppo lungo"),
        (lambda i: setattr(i.lines[0], 'description', 'Caldaia ☃ 🔥'),
            "Descrizione della riga 1 contiene caratteri non ammessi"),
        (lambda i: setattr(i.lines[0], 'description', '  '),
            "Descrizione della riga 1 mancante"),
        (lambda i: setattr(i.lines[0], 'quantity', D('-1')),
            "Quantità della riga 1 negativa"),
        (lambda i: setattr(i.lines[0], 'unit_price', D('1.000000001')),
            "Prezzo unitario della riga 1 con troppi decimali"),
        (lambda i: setattr(i.lines[0], 'rate', D('22.5555')),
            "Aliquota IVA della riga 1 non valida"),
        (lambda i: setattr(i.customer, 'name', None)
            or setattr(i.customer, 'first_name', None)
            or setattr(i.customer, 'last_name', None),
            "Denominazione del cliente mancante"),
        (lambda i: setattr(i.supplier, 'vat_code', None),
            "Partita IVA del fornitore mancante"),
        ])
def test_build_errors(change, message):
    "Over-long or unmappable texts raise a BuildError in Italian"
    values = private_invoice()
    change(values)
    with pytest.raises(builder.BuildError) as info:
        builder.build(values)
    assert message in str(info.value)


def test_build_error_field():
    "BuildError names the XSD field"
    values = private_invoice()
    values.lines[0].description = 'x' * 1001
    with pytest.raises(builder.BuildError) as info:
        builder.build(values)
    assert info.value.field == 'Descrizione'
    assert info.value.where == "della riga 1"


# --- text -------------------------------------------------------------------

@pytest.mark.parametrize('value, expected, unmappable', [
        ("Caffè però città", "Caffè però città", []),
        ("L’impianto “nuovo” – 10 € …", 'L\'impianto "nuovo" - 10 EUR ...',
            []),
        ("e\u0301", "é", []),
        ("Łódź Œuvre ﬁne", "Lódz OEuvre fine", []),
        ("riga1\nriga2\tfine", "riga1 riga2 fine", []),
        ("zero\u200bwidth", "zerowidth", []),
        ("pupazzo ☃ e 漢", "pupazzo ? e ?", ['☃', '漢']),
        ])
def test_latin1(value, expected, unmappable):
    "Transliteration to Latin-1"
    assert text.latin1(value) == (expected, unmappable)


def test_ascii():
    "Transliteration to Basic Latin"
    assert text.ascii("m² N° Città ½") == ("m2 No Citta 1/2", [])
    assert text.ascii("♥") == ("?", ['♥'])


@pytest.mark.parametrize('name, fiscal_code, expected', [
        ("Mario Rossi", 'RSSMRA80A01L219M', ("Mario", "Rossi")),
        ("Rossi Mario", 'RSSMRA80A01L219M', ("Mario", "Rossi")),
        ("Maria Grazia De Luca", 'DLCMGR75B41F205X',
            ("Maria Grazia", "De Luca")),
        ("De Luca Maria Grazia", 'DLCMGR75B41F205X',
            ("Maria Grazia", "De Luca")),
        ("Anna Bo", 'BOXNNA70A41L219X', ("Anna", "Bo")),
        ("Niccolò D'Amico", 'DMCNCL82C10L219K', ("Niccolò", "D'Amico")),
        # the code names someone else, a single word, no personal code
        ("Mario Rossi", 'BNCMRA80A01L219M', (None, None)),
        ("Rossi", 'RSSMRA80A01L219M', (None, None)),
        ("Mario Rossi", '01234560017', (None, None)),
        ("Mario Rossi", None, (None, None)),
        ])
def test_split_person_name(name, fiscal_code, expected):
    "Nome and Cognome told apart by the codice fiscale"
    assert text.split_person_name(name, fiscal_code) == expected


# --- validation -------------------------------------------------------------

def _set(path, value):
    def change(root):
        for element in root.iterfind(path):
            element.text = value
    return change


def _remove(path):
    def change(root):
        element = root.find(path)
        element.getparent().remove(element)
    return change


def _insert_after(path, after, tag, value=None, children=()):
    def change(root):
        parent = root.find(path)
        element = etree.Element(tag)
        element.text = value
        for child_tag, child_value in children:
            etree.SubElement(element, child_tag).text = child_value
        if after is None:
            parent.insert(0, element)
        else:
            parent.find(after).addnext(element)
    return change


def _both(*changes):
    def change(root):
        for change_ in changes:
            change_(root)
    return change


def _set_versione(value):
    def change(root):
        root.set('versione', value)
    return change


def _duplicate_body(root):
    body = root.find('FatturaElettronicaBody')
    body.addnext(copy.deepcopy(body))


LINE1 = './/DettaglioLinee[1]'
SUMMARY1 = './/DatiRiepilogo[1]'
DOCUMENT = './/DatiGeneraliDocumento'
MUTATIONS = [
    ('00400', 'private', _set(LINE1 + '/AliquotaIVA', '0.00')),
    ('00401', 'private', _insert_after(LINE1, 'AliquotaIVA', 'Natura',
            'N4')),
    ('00411', 'private', _insert_after(LINE1, 'AliquotaIVA', 'Ritenuta',
            'SI')),
    ('00417', 'private', _remove(
            './/CessionarioCommittente/DatiAnagrafici/CodiceFiscale')),
    ('00418', 'business', _both(
            _insert_after('.//DatiGenerali', 'DatiOrdineAcquisto',
                'DatiFattureCollegate', children=[
                    ('IdDocumento', 'FT/2025/0099'),
                    ('Data', '2025-12-31')]))),
    ('00419', 'exempt', _remove(SUMMARY1)),
    ('00420', 'exempt', _both(
            _set('.//Natura', 'N6.7'),
            _set('.//DatiRiepilogo[2]/EsigibilitaIVA', 'S'))),
    ('00421', 'private', _set(SUMMARY1 + '/Imposta', '23.12')),
    ('00422', 'private', _set(SUMMARY1 + '/ImponibileImporto', '106.01')),
    ('00423', 'private', _set(LINE1 + '/PrezzoTotale', '90.02')),
    ('00423', 'business', _set(LINE1 + '/ScontoMaggiorazione/Percentuale',
            '11.00')),
    ('00425', 'private', _set(DOCUMENT + '/Numero', 'FT/ABC')),
    ('00427', 'business', _both(
            _set_versione('FPA12'),
            _set('.//FormatoTrasmissione', 'FPA12'))),
    ('00427', 'pa', _both(
            _set_versione('FPR12'),
            _set('.//FormatoTrasmissione', 'FPR12'))),
    ('00428', 'private', _set_versione('FPA12')),
    ('00429', 'exempt', _remove('.//DatiRiepilogo[2]/Natura')),
    ('00430', 'private', _insert_after(SUMMARY1, 'AliquotaIVA', 'Natura',
            'N4')),
    ('00437', 'private', _insert_after(DOCUMENT, 'Numero',
            'ScontoMaggiorazione', children=[('Tipo', 'SC')])),
    ('00438', 'private', _insert_after(LINE1, 'PrezzoUnitario',
            'ScontoMaggiorazione', children=[('Tipo', 'SC')])),
    ('00443', 'private', _insert_after('.//DatiBeniServizi',
            'DatiRiepilogo', 'DatiRiepilogo', children=[
                ('AliquotaIVA', '10.00'), ('ImponibileImporto', '0.00'),
                ('Imposta', '0.00')])),
    ('00444', 'exempt', _set('.//DatiRiepilogo[2]/Natura', 'N3.5')),
    ('00445', 'exempt', _set('.//Natura', 'N2')),
    ('00313', 'business', _set('.//CodiceDestinatario', 'XXXXXXX')),
    ('00330', 'private', _set('.//PECDestinatario',
            'sdi01@pec.fatturapa.it')),
    ('00471', 'business', _set(
            './/CessionarioCommittente//IdFiscaleIVA/IdCodice',
            SELLER_VAT)),
    ('00409', 'private', _duplicate_body),
    ]


# Codes that a mutation triggers besides the one it targets
COLLATERAL = {
    ('00400', 'private'): {'00419', '00422'},
    ('00401', 'private'): {'00422', '00444'},
    ('00422', 'private'): {'00421'},
    ('00429', 'exempt'): {'00422', '00444'},
    ('00430', 'private'): {'00422', '00444'},
    ('00444', 'exempt'): {'00422'},
    }


@needs_shared
@pytest.mark.parametrize('code, case, change', MUTATIONS,
    ids=['%s-%s' % (m[0], m[1]) for m in MUTATIONS])
def test_check_fires(code, case, change):
    "Each SdI check fires on a minimal mutation of a clean invoice"
    tree = built(CASES[case])
    change(tree.getroot())
    result = validation.validate(tree, XSD_DIR)
    assert result.schema_checked
    assert set(result.codes) == {code} | COLLATERAL.get((code, case), set()
        ), [p.message for p in result]
    for problem in result:
        assert problem.message.startswith(problem.path + ': ')
        assert '(codice %s)' % problem.code in problem.message
        assert tree.xpath(problem.xpath,
            namespaces={'p': builder.NS})


@needs_shared
def test_check_messages():
    "Messages name the line and the fix in Italian"
    tree = built(private_invoice)
    _set('.//DettaglioLinee[2]/AliquotaIVA', '0.00')(tree.getroot())
    result = validation.validate(tree, XSD_DIR)
    problem = [p for p in result if p.code == '00400'][0]
    assert problem.path == "Riga 2"
    assert problem.message == (
        "Riga 2: Natura obbligatoria con aliquota 0 (codice 00400). "
        "Indicare la natura dell'esenzione (N1…N7) sull'imposta della "
        "riga.")
    assert problem.xpath == (
        '/p:FatturaElettronica/FatturaElettronicaBody/DatiBeniServizi/'
        'DettaglioLinee[2]')


def test_checks_tolerance():
    "Tolerances: 00421 ±0.01 half-up, 00422 ±1.00, 00423 ±0.01"
    tree = built(private_invoice)
    root = tree.getroot()
    _set(SUMMARY1 + '/Imposta', '23.11')(root)
    _set(SUMMARY1 + '/ImponibileImporto', '106.00')(root)
    _set(LINE1 + '/PrezzoTotale', '90.01')(root)
    # 106.00 × 22% = 23.32, 23.11 is out of tolerance
    assert [p.code for p in validation.semantic_problems(tree)] == [
        '00421']
    _set(SUMMARY1 + '/Imposta', '23.33')(root)
    assert validation.semantic_problems(tree) == []
    _insert_after(SUMMARY1, 'AliquotaIVA', 'Arrotondamento', '-1.00')(root)
    assert [p.code for p in validation.semantic_problems(tree)] == [
        '00422']


@needs_shared
@pytest.mark.parametrize('change, path, words', [
        (_set(LINE1 + '/AliquotaIVA', '22'), "Riga 1",
            ["AliquotaIVA", "non nel formato richiesto", "'22'"]),
        (_remove(LINE1 + '/Descrizione'), "Riga 1",
            ["Quantita", "non previsto", "Descrizione"]),
        (_remove('.//CessionarioCommittente/Sede/CAP'),
            "Intestazione / Cessionario / Sede", ["Comune", "CAP"]),
        (_set('.//TipoDocumento', 'TD99'), "Dati documento",
            ["TipoDocumento", "'TD99'", "non ammesso"]),
        ])
def test_schema_problems_readable(change, path, words):
    "XSD errors become readable Italian problems with code 00200"
    tree = built(private_invoice)
    change(tree.getroot())
    result = validation.validate(tree, XSD_DIR)
    assert result.schema_checked
    assert result.codes == ['00200']
    problem = result[0]
    assert problem.path == path
    assert problem.message.startswith(path + ': campo ')
    for word in words:
        assert word in problem.message


def test_validate_without_schema(tmp_path):
    "Without a schema only the SdI checks run, and the result says so"
    tree = built(private_invoice)
    result = validation.validate(tree, None)
    assert not result.schema_checked and result.ok
    result = validation.validate(tree, tmp_path)
    assert not result.schema_checked and result.ok
    _set(SUMMARY1 + '/Imposta', '0.00')(tree.getroot())
    result = validation.validate(tree, tmp_path)
    assert not result.schema_checked
    assert result.codes == ['00421']
    assert validation.schema_problems(tree, None) is None


def test_validate_broken_schema(tmp_path):
    "A schema directory with an unusable schema is a clear error"
    (tmp_path / 'Schema_VFPR12_v1.2.3.xsd').write_bytes(b'<nope')
    with pytest.raises(validation.SchemaError):
        validation.validate(built(private_invoice), tmp_path)


# --- file names --------------------------------------------------------------

@pytest.mark.parametrize('n, expected', [
        (1, '00001'), (10, '0000A'), (35, '0000Z'), (36, '00010'),
        (36 ** 5 - 1, 'ZZZZZ')])
def test_base36(n, expected):
    assert filename.to_base36(n) == expected


@pytest.mark.parametrize('n', [0, -1, 36 ** 5, 1.5])
def test_base36_errors(n):
    with pytest.raises(ValueError):
        filename.to_base36(n)


def test_file_name():
    assert filename.file_name('IT', '01234567890', 10) == (
        'IT01234567890_0000A.xml')
    assert filename.file_name('it', '01234567890', '0000a', 'xml.p7m') == (
        'IT01234567890_0000A.xml.p7m')
    with pytest.raises(ValueError):
        filename.file_name('IT', '0123', '00001')
    assert filename.MAX_FILE_SIZE == 5_000_000


@pytest.mark.parametrize('name, valid', [
        ('IT01234567890_00001.xml', True),
        ('IT01234567890_0000A.xml.p7m', True),
        ('IT01234567890_ab.zip', True),
        ('ITRSSMRA80A01H501U_00001.xml', True),
        ('DE123456789_1.xml', True),
        ('IT0123456789_00001.xml', False),
        ('IT01234567890_000001.xml', False),
        ('IT01234567890-00001.xml', False),
        ('IT01234567890_00001.pdf', False),
        ('it01234567890_00001.xml', False),
        ('IT01234567890_00001', False),
        ])
def test_check_file_name(name, valid):
    assert filename.check_file_name(name) is valid


# --- notifications -----------------------------------------------------------

EXPECTED_MESSAGES = {
    'RC': ('delivered', dict(recipient_code='AAA111',
            received_at=datetime.datetime(2013, 6, 6, 12, 0,
                tzinfo=datetime.timezone.utc),
            delivered_at=datetime.datetime(2013, 6, 6, 12, 1,
                tzinfo=datetime.timezone.utc))),
    'NS': ('rejected', dict(
            errors=[('00100', 'Certificato di firma scaduto', None)],
            archive=('100', 'IT01234567890_11111.zip'))),
    'MC': ('not_delivered', dict(description='Notifica di esempio')),
    'NE': ('accepted', dict(outcome='EC01',
            invoice_reference=('1111', '2013', '2'))),
    'DT': ('expired', dict(description='Notifica di esempio')),
    'AT': ('undeliverable', dict(recipient_code='AAAAAA', hash=(
                '2c1f3a240a056d9537a8608fed310812'
                'ef7b1b7a410d0152f5c9c9e93486ae44'))),
    'MT': (None, dict(recipient_code='AAA111', format='SDI10',
            attempts=1)),
    'EC': (None, dict(outcome='EC01', recipient_message_id='123456')),
    'SE': (None, dict(outcome='EN00')),
    }


@needs_shared
@pytest.mark.parametrize('name', message_samples())
def test_notification_samples(name):
    "Each official SdI notification maps to its type, state and fields"
    base, type_, number = notifications.file_name_type(name)
    assert (base, number) == ('IT01234567890_11111', '001')
    notification = notifications.parse((MESSAGES / name).read_bytes())
    assert notification.type == type_
    assert notification.sdi_id == '111'
    state, fields = EXPECTED_MESSAGES[type_]
    assert notification.state == state
    for key, value in fields.items():
        assert getattr(notification, key) == value, key
    if type_ not in {'EC', 'SE'}:
        assert notification.file_name == 'IT01234567890_11111.xml.p7m'
    if type_ != 'EC':
        assert notification.message_id == '123456'


def test_notification_sample_count():
    if MESSAGES.is_dir():
        assert len(message_samples()) == 9


def test_notification_naive_datetime():
    "A naive DataOraRicezione is Italian time"
    notification = notifications.parse(
        b'<t:NotificaMancataConsegna '
        b'xmlns:t="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" '
        b'versione="1.0"><IdentificativoSdI>5</IdentificativoSdI>'
        b'<NomeFile>IT01234567890_00001.xml</NomeFile>'
        b'<DataOraRicezione>2025-01-15T10:00:00.123</DataOraRicezione>'
        b'<MessageId>9</MessageId></t:NotificaMancataConsegna>')
    assert notification.received_at.utcoffset() == datetime.timedelta(
        hours=1)
    assert notification.state == 'not_delivered'


def test_notification_refused_outcome():
    "NE with EC02 means refused, with the buyer's reason"
    notification = notifications.parse(
        b'<t:NotificaEsito '
        b'xmlns:t="http://www.fatturapa.gov.it/sdi/messaggi/v1.0" '
        b'versione="1.0"><IdentificativoSdI>7</IdentificativoSdI>'
        b'<NomeFile>IT01234567890_00002.xml</NomeFile>'
        b'<EsitoCommittente versione="1.0">'
        b'<IdentificativoSdI>7</IdentificativoSdI>'
        b'<Esito>EC02</Esito><Descrizione>Manca il CIG</Descrizione>'
        b'</EsitoCommittente><MessageId>8</MessageId></t:NotificaEsito>')
    assert notification.state == 'refused'
    assert notification.outcome == 'EC02'
    assert notification.description == 'Manca il CIG'


B2B_NS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ns3:RicevutaScarto xmlns:ns3="http://ivaservizi.agenziaentrate.gov.'
    b'it/docs/xsd/fattura/messaggi/v1.0" '
    b'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" versione="1.0">'
    b'<IdentificativoSdI>4000123456</IdentificativoSdI>'
    b'<NomeFile>IT01234560017_0000A.xml</NomeFile>'
    b'<Hash>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0'
    b'8</Hash>'
    b'<DataOraRicezione>2025-07-01T10:15:30.000+02:00</DataOraRicezione>'
    b'<ListaErrori><Errore><Codice>00423</Codice>'
    b'<Descrizione>2.2.1.11 &lt;PrezzoTotale&gt; non calcolato secondo le '
    b'regole definite nelle specifiche tecniche</Descrizione>'
    b'<Suggerimento>Verificare PrezzoTotale della riga 1</Suggerimento>'
    b'</Errore><Errore><Codice>00421</Codice>'
    b'<Descrizione>2.2.2.6 &lt;Imposta&gt; non calcolato</Descrizione>'
    b'<Suggerimento>Ricalcolare Imposta</Suggerimento></Errore>'
    b'</ListaErrori><MessageId>5123456789</MessageId>'
    b'<PecMessageId>opec21.2025@pec.fatturapa.it</PecMessageId>'
    b'<Note>Nota</Note></ns3:RicevutaScarto>')


def test_b2b_rejection():
    "A B2B RicevutaScarto of the fattura/messaggi namespace"
    notification = notifications.parse(B2B_NS)
    assert notification.type == 'NS'
    assert notification.root == 'RicevutaScarto'
    assert notification.state == 'rejected'
    assert notification.sdi_id == '4000123456'
    assert notification.file_name == 'IT01234560017_0000A.xml'
    assert notification.hash.startswith('9f86d081')
    assert notification.received_at == datetime.datetime(2025, 7, 1, 8,
        15, 30, tzinfo=datetime.timezone.utc)
    assert notification.errors == [
        ('00423', "2.2.1.11 <PrezzoTotale> non calcolato secondo le regole "
            "definite nelle specifiche tecniche",
            "Verificare PrezzoTotale della riga 1"),
        ('00421', "2.2.2.6 <Imposta> non calcolato", "Ricalcolare Imposta"),
        ]
    assert notification.message_id == '5123456789'
    assert notification.pec_message_id == 'opec21.2025@pec.fatturapa.it'
    assert notification.note == 'Nota'


def test_b2b_impossible_delivery_and_metadata():
    "RicevutaImpossibilitaRecapito and FileMetadati"
    ns = (b'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/'
        b'messaggi/v1.0')
    mc = notifications.parse(
        b'<m:RicevutaImpossibilitaRecapito xmlns:m="' + ns + b'" '
        b'versione="1.0"><IdentificativoSdI>1</IdentificativoSdI>'
        b'<NomeFile>IT01234560017_0000B.xml</NomeFile><Hash>ab</Hash>'
        b'<DataOraRicezione>2025-07-01T10:00:00Z</DataOraRicezione>'
        b'<DataMessaADisposizione>2025-07-03T10:00:00Z'
        b'</DataMessaADisposizione><MessageId>2</MessageId>'
        b'</m:RicevutaImpossibilitaRecapito>')
    assert (mc.type, mc.state) == ('MC', 'not_delivered')
    assert mc.available_at.day == 3
    mt = notifications.parse(
        b'<m:FileMetadati xmlns:m="' + ns + b'" versione="1.0">'
        b'<IdentificativoSdI>1</IdentificativoSdI>'
        b'<NomeFile>IT09876540015_00001.xml</NomeFile><Hash>ab</Hash>'
        b'<CodiceDestinatario>ABC1234</CodiceDestinatario>'
        b'<Formato>FPR12</Formato><TentativiInvio>1</TentativiInvio>'
        b'<MessageId>2</MessageId></m:FileMetadati>')
    assert (mt.type, mt.recipient_code, mt.format) == (
        'MT', 'ABC1234', 'FPR12')


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / 'secret.txt'
    path.write_text('TOPSECRET-7f3a')
    return path


def _xxe(secret):
    return (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file://'
        + str(secret).encode() + b'">]>\n'
        b'<t:RicevutaConsegna xmlns:t="http://www.fatturapa.gov.it/sdi/'
        b'messaggi/v1.0"><IdentificativoSdI>&e;</IdentificativoSdI>'
        b'<Note>&e;</Note></t:RicevutaConsegna>')


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n'
    b' <!ENTITY lol "lol">\n'
    b' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    b' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n'
    b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    b']>\n<t:RicevutaConsegna xmlns:t="http://www.fatturapa.gov.it/sdi/'
    b'messaggi/v1.0"><Note>&lol3;</Note></t:RicevutaConsegna>')
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n'
    b'<!DOCTYPE t:RicevutaConsegna SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    b'<t:RicevutaConsegna xmlns:t="http://www.fatturapa.gov.it/sdi/'
    b'messaggi/v1.0"><Note>x</Note></t:RicevutaConsegna>')


@pytest.mark.parametrize('payload', ['xxe', 'laughs', 'dtd', 'utf16'])
def test_notification_doctype_refused(payload, secret):
    "DOCTYPE, entities and external DTDs are refused without reading"
    content = {
        'xxe': _xxe(secret),
        'laughs': BILLION_LAUGHS,
        'dtd': EXTERNAL_DTD,
        'utf16': _xxe(secret).decode().replace(
            'version="1.0"?>', 'version="1.0" encoding="UTF-16"?>'
            ).encode('utf-16'),
        }[payload]
    with pytest.raises(notifications.NotificationError) as info:
        notifications.parse(content)
    assert 'DOCTYPE' in str(info.value)
    assert 'TOPSECRET' not in str(info.value)


@pytest.mark.parametrize('payload', ['xxe', 'laughs', 'dtd'])
def test_notification_doctype_after_parse(payload, secret, monkeypatch):
    "Even past the raw scan, the parser reads no file and stops on DTD"
    monkeypatch.setattr(notifications, '_has_doctype', lambda data: False)
    content = {
        'xxe': _xxe(secret),
        'laughs': BILLION_LAUGHS,
        'dtd': EXTERNAL_DTD,
        }[payload]
    with pytest.raises(notifications.NotificationError) as info:
        notifications.parse(content)
    assert 'TOPSECRET' not in str(info.value)
    # The parser itself never expands the external entity
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False)
    root = etree.fromstring(_xxe(secret), parser)
    assert b'TOPSECRET' not in etree.tostring(root)


@pytest.mark.parametrize('content', [
        b'', b'   ', b'not xml at all', b'\x00\xff\xfe garbage',
        b'<t:RicevutaConsegna xmlns:t="http://www.fatturapa.gov.it/sdi/'
        b'messaggi/v1.0"><Note>x</t:RicevutaConsegna>',
        b'<RicevutaConsegna><IdentificativoSdI>1</IdentificativoSdI>'
        b'</RicevutaConsegna>',
        b'<t:Unknown xmlns:t="http://www.fatturapa.gov.it/sdi/messaggi/'
        b'v1.0"/>',
        b'<p:FatturaElettronica xmlns:p="http://ivaservizi.agenziaentrate.'
        b'gov.it/docs/xsd/fatture/v1.2" versione="FPR12"/>',
        ])
def test_notification_garbage(content):
    "Anything else is refused with an Italian message"
    with pytest.raises(notifications.NotificationError):
        notifications.parse(content)


def test_notification_oversize():
    "Oversize input is refused before parsing"
    content = b'<a>' + b'x' * 2000 + b'</a>'
    with pytest.raises(notifications.NotificationError) as info:
        notifications.parse(content, max_size=1000)
    assert 'troppo grande' in str(info.value)
    with pytest.raises(notifications.NotificationError):
        notifications.parse(b' ' * (notifications.MAX_SIZE + 1))


@pytest.mark.parametrize('name, expected', [
        ('IT01234567890_11111_NS_001.xml', (
                'IT01234567890_11111', 'NS', '001')),
        ('IT01234560017_0000A_RC_002.xml', (
                'IT01234560017_0000A', 'RC', '002')),
        ('IT01234567890_11111_MT_001.xml', (
                'IT01234567890_11111', 'MT', '001')),
        ('IT01234567890_11111.xml', None),
        ('IT01234567890_11111_XX_001.xml', None),
        ])
def test_file_name_type(name, expected):
    assert notifications.file_name_type(name) == expected


def test_foreign_customer():
    "Foreign customer: VAT without prefix, CAP 00000, no Provincia"
    values = business_invoice()
    values.recipient_code = 'XXXXXXX'
    values.customer = data.Party(name="Heizung GmbH",
        vat_code='DE123456789',
        address=data.Address("Hauptstraße 5", '80331-X', "München",
            'BY', country='DE'))
    root = builder.build(values)
    customer = root.find('.//CessionarioCommittente')
    assert customer.findtext('.//IdFiscaleIVA/IdPaese') == 'DE'
    assert customer.findtext('.//IdFiscaleIVA/IdCodice') == '123456789'
    assert customer.findtext('Sede/CAP') == '00000'
    assert customer.find('Sede/Provincia') is None
    assert validation.validate(root, None).ok


def test_semantic_not_an_invoice():
    "Without a schema a foreign document is still refused"
    result = validation.validate(b'<html/>', None)
    assert result.codes == ['00200']
    assert not result.schema_checked


def test_naive_utc():
    "Aware datetimes convert to the naive UTC that Tryton stores"
    value = datetime.datetime(2025, 7, 1, 10, 15,
        tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert notifications.naive_utc(value) == datetime.datetime(
        2025, 7, 1, 8, 15)
    assert notifications.naive_utc(None) is None
