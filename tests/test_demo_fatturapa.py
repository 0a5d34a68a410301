# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The e-invoices of the demo data pass the XSD and the SdI checks

The demo database (tests/demo_server.py: trytond-admin +
scripts/demo_data.py, built once and cached with its file store, where the
SDI files' XML are, in build/dbcache/demo-<hash>/) is read directly.
Every stored SDI file (termogest.sdi.file) is validated with the official
XSD (../shared/fatturapa/xsd, or TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR) and
the offline SdI checks, and the demo must cover the cases of the issue: a
private customer with CodiceDestinatario 0000000 and a PEC, a business, a
public administration with split payment (FPA12, EsigibilitaIVA S), an
exempt line with its Natura and the stamp duty (DatiBollo).
"""
import os
import sqlite3
import time

import pytest
from demo_server import DB, XSD_DIR, demo_database

XSD_NAMES = [
    'Schema_VFPR12_v1.2.3.xsd', 'Schema_VFPR12_v1.2.3_localimport.xsd']

if os.environ.get('TRYTOND_DATABASE__URI', '').startswith('postgresql'):
    pytest.skip(
        "the demo files are database-independent: checked in the SQLite "
        "pass", allow_module_level=True)
if not any((XSD_DIR / name).exists() for name in XSD_NAMES):
    pytest.skip(
        f"no FatturaPA schema in {XSD_DIR} (see termogest_fatturapa's "
        "documentation, Validazione XSD)", allow_module_level=True)


@pytest.fixture(scope='module')
def demo_directory(tmp_path_factory):
    """The directory of the demo database: termogest.sqlite and its file
    store termogest/"""
    return demo_database(tmp_path_factory)


def sdi_files(directory):
    "(file name, state, XML bytes) of the stored SDI files"
    con = sqlite3.connect(f'file:{directory / f"{DB}.sqlite"}?mode=ro',
        uri=True)
    try:
        rows = con.execute(
            'SELECT file_name, state, data, data_id '
            'FROM termogest_sdi_file ORDER BY id').fetchall()
    finally:
        con.close()
    for file_name, state, data, data_id in rows:
        if data_id:
            # trytond's file store: <path>/<database>/<id[:2]>/<id[2:4]>/<id>
            data = (directory / DB / data_id[0:2] / data_id[2:4]
                / data_id).read_bytes()
        yield file_name, state, bytes(data)


def test_demo_sdi_files_valid_and_cover_the_cases(demo_directory):
    from lxml import etree

    from trytond.modules.termogest_fatturapa.fpa.validation import validate

    start = time.monotonic()
    files = list(sdi_files(demo_directory))
    assert files, "the demo has no SDI file"
    failures = {}
    cases = {}
    for file_name, state, data in files:
        result = validate(data, XSD_DIR)
        assert result.schema_checked, (file_name, "XSD not checked")
        if list(result.problems):
            failures[file_name] = [str(p) for p in result.problems]
        root = etree.fromstring(data)

        def texts(path):
            return [e.text for e in root.iterfind(path)]
        transmission = './FatturaElettronicaHeader/DatiTrasmissione/'
        code, = texts(transmission + 'CodiceDestinatario')
        pec = texts(transmission + 'PECDestinatario')
        buyer = ('./FatturaElettronicaHeader/CessionarioCommittente/'
            'DatiAnagrafici/')
        vat = texts(buyer + 'IdFiscaleIVA/IdCodice')
        summaries = './FatturaElettronicaBody/DatiBeniServizi/DatiRiepilogo/'
        lines = './FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee/'
        document = ('./FatturaElettronicaBody/DatiGenerali/'
            'DatiGeneraliDocumento/')
        if code == '0000000' and pec and not vat:
            cases.setdefault('private 0000000 + PEC', file_name)
        if (root.get('versione') == 'FPR12' and vat
                and code not in {'0000000', 'XXXXXXX'}
                and state != 'rejected'):
            cases.setdefault('business', file_name)
        if (root.get('versione') == 'FPA12' and len(code) == 6
                and 'S' in texts(summaries + 'EsigibilitaIVA')):
            cases.setdefault('PA split payment (FPA12, S)', file_name)
        if (texts(lines + 'Natura') and texts(summaries + 'Natura')
                and texts(document + 'DatiBollo/BolloVirtuale') == ['SI']
                and texts(document + 'DatiBollo/ImportoBollo')):
            cases.setdefault('exempt line with Natura + DatiBollo', file_name)
    assert not failures, failures
    missing = {
        'private 0000000 + PEC', 'business', 'PA split payment (FPA12, S)',
        'exempt line with Natura + DatiBollo'} - set(cases)
    assert not missing, (
        f"the demo has no SDI file for: {', '.join(sorted(missing))} "
        f"(found: {cases})")
    print(f"{len(files)} demo SDI files valid, cases {cases}: "
        f"{time.monotonic() - start:.1f} s")
