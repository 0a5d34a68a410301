# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The e-invoices of the demo data pass the XSD and the SdI checks

The demo database (trytond-admin + scripts/demo_data.py, the modules of
the browser test) is built in a temporary directory and kept, with its
file store (the SDI files' XML are stored there, not in the database), in
build/dbcache/fatturapa-<hash>/, keyed by the content of addons/, the demo
scripts, this file and the Tryton versions.  Every stored SDI file
(termogest.sdi.file) is validated with the official XSD
(../shared/fatturapa/xsd, or TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR) and the
offline SdI checks, and the demo must cover the cases of the issue: a
private customer with CodiceDestinatario 0000000 and a PEC, a business, a
public administration with split payment (FPA12, EsigibilitaIVA S), an
exempt line with its Natura and the stamp duty (DatiBollo).
"""
import hashlib
import importlib.metadata
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DB_CACHE = ROOT / 'build' / 'dbcache'
DEMO_SCRIPT = ROOT / 'scripts' / 'demo_data.py'
BIN = Path(sys.executable).parent
DB = 'termogest'
MODULES = [
    'termogest_permessi', 'termogest_clienti', 'termogest_impianti',
    'termogest_agenda', 'termogest_fatturapa']
XSD_DIR = Path(os.environ.get(
        'TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR',
        ROOT.parent / 'shared' / 'fatturapa' / 'xsd'))
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


def setup_key():
    "Hash of everything the demo database is built from"
    digest = hashlib.sha1()
    files = sorted(
        p for p in (ROOT / 'addons').rglob('*')
        if p.is_file() and '__pycache__' not in p.parts
        and p.suffix != '.pyc')
    scripts = sorted((ROOT / 'scripts').glob('demo_*.py'))
    for path in files + scripts + [Path(__file__)]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    for dist in sorted(
            f"{d.metadata['Name']}=={d.version}"
            for d in importlib.metadata.distributions()
            if d.metadata['Name'].lower().startswith(('trytond', 'proteus'))):
        digest.update(dist.encode())
    return digest.hexdigest()[:12]


def run(cmd, env, log, input=''):
    "Run cmd, its output appended to log; fail with that output"
    with open(log, 'a') as out:
        out.write(f"$ {' '.join(map(str, cmd))}\n")
        out.flush()
        result = subprocess.run(
            cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            input=input, text=True)
    if result.returncode:
        pytest.fail(
            f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
            + Path(log).read_text()[-5000:], pytrace=False)


@pytest.fixture(scope='module')
def demo_database(tmp_path_factory):
    """The directory of the demo database: termogest.sqlite and its file
    store termogest/"""
    cached = DB_CACHE / f'fatturapa-{setup_key()}'
    if cached.exists():
        return cached
    tmp = tmp_path_factory.mktemp('demo-fatturapa')
    conf = tmp / 'trytond.conf'
    conf.write_text(
        "[database]\n"
        "uri = sqlite://\n"
        "language = it\n"
        "[password]\n"
        "length = 12\n"
        "[email]\n"
        "uri = smtp://127.0.0.1:1\n"
        "from = TermoGest <noreply@termogest.invalid>\n")
    passfile = tmp / 'adminpass'
    passfile.write_text('admin-demo-test\n')
    path = tmp / 'database'
    path.mkdir()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_') and k not in {
            'DB_NAME', 'DB_CACHE', 'TRYTONPASSFILE'}}
    env.update({
            'TRYTOND_DATABASE__URI': 'sqlite://',
            'TRYTOND_DATABASE__PATH': str(path),
            'TRYTOND_TERMOGEST__FATTURAPA_XSD_DIR': str(XSD_DIR),
            'TRYTONPASSFILE': str(passfile),
            'TRYTOND_CONFIG': str(conf),
            })
    log = tmp / 'setup.log'
    start = time.monotonic()
    (path / f'{DB}.sqlite').touch()
    admin = [BIN / 'trytond-admin', '-c', conf, '-d', DB]
    run(admin + ['--all'], env, log, input='\n')
    run(admin + ['-u', *MODULES, '--activate-dependencies'], env, log)
    run(admin + ['-l', 'it'], env, log)
    run([sys.executable, DEMO_SCRIPT, DB], env, log)
    print(f"demo database built in {time.monotonic() - start:.1f} s")
    DB_CACHE.mkdir(parents=True, exist_ok=True)
    partial = DB_CACHE / f'{cached.name}.{os.getpid()}'
    shutil.copytree(path, partial)
    partial.rename(cached)
    return cached


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


def test_demo_sdi_files_valid_and_cover_the_cases(demo_database):
    from lxml import etree

    from trytond.modules.termogest_fatturapa.fpa.validation import validate

    start = time.monotonic()
    files = list(sdi_files(demo_database))
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
