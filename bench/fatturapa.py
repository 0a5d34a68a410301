#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the FatturaPA engine (FATTURAPA.md §10), against a38

Build invoices of 6 lines (4 at 22%, 2 exempt N4, two riepiloghi, stamp
duty, a bank payment) and, side by side in one run, interleaved:

- ours: termogest_fatturapa.fpa build + validation (XSD when the schema
  directory exists, then the offline SdI checks) + serialization, as
  account.invoice does it (invoice.py);
- ours without the XSD;
- a38 (0.1.8, installed only for the benchmark): the same invoice built
  through its models the way its README does, its own validate() (field
  types and lengths, a few SdI codes; no XSD) and its XML serialization;
- a38 + lxml XSD validation of its tree against the same compiled schema.

It also checks that a38's XML for the same invoice passes the XSD and has
the same values as ours, and prints the engine-only report of before
(build + serialize, parse + XSD + SdI checks, in bulk).

    .venv/bin/python bench/fatturapa.py [--fpa-rounds 60] [--fpa-batch 10]
        [--fpa-count 1000] [--fpa-xsd-dir DIR] [--fpa-profile]

a38 comes from PyPI: .venv/bin/pip install a38==0.1.8 (it adds
asn1crypto and pytz); without it the a38 columns are empty.
"""
import argparse
import cProfile
import datetime
import io
import platform
import pstats
import statistics
import sys
import time
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from lxml import etree

from trytond.modules.termogest_fatturapa.fpa import builder, data, validation

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_XSD_DIR = ROOT / '..' / 'shared' / 'fatturapa' / 'xsd'
D = Decimal
TARGET_RATIO = 10


def sample_invoice(i=1):
    "Return an invoice of 6 lines: 4 at 22% and 2 exempt N4"
    lines, taxed, exempt = [], D(0), D(0)
    for n in range(1, 7):
        quantity, price = D(n), D('12.3456')
        total = (quantity * price).quantize(D('0.01'))
        rate, nature = (D(22), None) if n <= 4 else (D(0), 'N4')
        if nature:
            exempt += total
        else:
            taxed += total
        lines.append(data.Line(n,
                "Intervento di manutenzione n. %d sull'impianto" % n,
                quantity, 'u', price, total, rate, nature=nature,
                other_data=[('INTERVENTO', '2025/%d' % n)]))
    tax = (taxed * D('0.22')).quantize(D('0.01'))
    total = taxed + tax + exempt
    return data.Invoice(
        transmitter_country='IT', transmitter_code='01234560017',
        progressive='%05d' % (i % 100000), format='FPR12',
        recipient_code='ABC1234',
        supplier=data.Party(
            name="Termoidraulica Esempio S.r.l.", vat_country='IT',
            vat_code='01234560017', tax_regime='RF01',
            address=data.Address("Via Roma 1", '10121', "Torino", 'TO'),
            rea_office='TO', rea_number='1234567', liquidation='LN'),
        customer=data.Party(
            name="Condominio Le Querce", fiscal_code='80012345678',
            address=data.Address("Via Garibaldi 12", '20121', "Milano",
                'MI')),
        document_type='TD01', currency='EUR',
        date=datetime.date(2025, 6, 30), number='FT/2025/%05d' % i,
        total=total, lines=lines,
        summaries=[
            data.Summary(D(22), taxed, tax),
            data.Summary(D(0), exempt, D(0), nature='N4',
                law_reference="Esente art. 10 DPR 633/72"),
            ],
        stamp_duty=D('2.00') if exempt > D('77.47') else None,
        reasons=["Manutenzione ordinaria impianto termico"],
        payments=[data.Payment('MP05', total, datetime.date(2025, 7, 30),
                iban='IT60X0542811101000000123456')],
        )


def engine_rate(count=1000, xsd_dir=DEFAULT_XSD_DIR, invoices=None):
    """Measure the engine on count invoices and return a dict of timings

    invoices may be an iterable of data.Invoice to use instead of the
    generated sample (for example filled from Tryton invoices).
    """
    if invoices is None:
        invoices = [sample_invoice(i) for i in range(1, count + 1)]
    else:
        invoices = list(invoices)
    count = len(invoices)
    validation.fatturapa_schema(xsd_dir)    # compile outside the timing
    start = time.perf_counter()
    documents = [builder.serialize(builder.build(i)) for i in invoices]
    built = time.perf_counter()
    schema_checked, problems = True, 0
    for document in documents:
        result = validation.validate(validation.parse(document), xsd_dir)
        schema_checked &= result.schema_checked
        problems += len(result.problems)
    validated = time.perf_counter()
    build_time, validate_time = built - start, validated - built
    return {
        'count': count,
        'bytes': sum(len(d) for d in documents) // max(count, 1),
        'build': build_time,
        'validate': validate_time,
        'total': validated - start,
        'build_rate': count / build_time,
        'validate_rate': count / validate_time,
        'total_rate': count / (validated - start),
        'schema_checked': schema_checked,
        'problems': problems,
        }


def machine():
    return '%s, %s, Python %s, lxml %s' % (
        platform.platform(), platform.processor() or platform.machine(),
        platform.python_version(),
        '.'.join(map(str, etree.LXML_VERSION)))


# --- Side by side with the a38 library -------------------------------------

def a38_fattura(invoice):
    """Return the a38 FatturaPrivati12 equivalent to a data.Invoice

    Filled top-down, as a38's README does: building it bottom-up from
    nested constructors is 40% slower, as a38 copies every sub-model it
    is given.
    """
    from a38 import fattura as a
    supplier, customer = invoice.supplier, invoice.customer
    f = a.FatturaPrivati12()
    header = f.fattura_elettronica_header
    header.dati_trasmissione.update(
        a.IdTrasmittente(invoice.transmitter_country,
            invoice.transmitter_code),
        progressivo_invio=invoice.progressive,
        codice_destinatario=invoice.recipient_code)
    header.cedente_prestatore = a.CedentePrestatore(
        a.DatiAnagraficiCedentePrestatore(
            a.IdFiscaleIVA(supplier.vat_country, supplier.vat_code),
            anagrafica=a.Anagrafica(denominazione=supplier.name),
            regime_fiscale=supplier.tax_regime),
        a.Sede(indirizzo=supplier.address.street,
            cap=supplier.address.postal_code, comune=supplier.address.city,
            provincia=supplier.address.province,
            nazione=supplier.address.country),
        iscrizione_rea=a.IscrizioneREA(
            ufficio=supplier.rea_office, numero_rea=supplier.rea_number,
            stato_liquidazione=supplier.liquidation))
    header.cessionario_committente = a.CessionarioCommittente(
        a.DatiAnagraficiCessionarioCommittente(
            codice_fiscale=customer.fiscal_code,
            anagrafica=a.Anagrafica(denominazione=customer.name)),
        a.Sede(indirizzo=customer.address.street,
            cap=customer.address.postal_code, comune=customer.address.city,
            provincia=customer.address.province,
            nazione=customer.address.country))
    body = f.fattura_elettronica_body[0]
    body.dati_generali.dati_generali_documento = a.DatiGeneraliDocumento(
        tipo_documento=invoice.document_type, divisa=invoice.currency,
        data=invoice.date, numero=invoice.number,
        dati_bollo=a.DatiBollo(
            bollo_virtuale='SI', importo_bollo=invoice.stamp_duty)
        if invoice.stamp_duty else None,
        importo_totale_documento=invoice.total,
        causale=list(invoice.reasons))
    goods = body.dati_beni_servizi
    for line in invoice.lines:
        goods.add_dettaglio_linee(
            numero_linea=line.number, descrizione=line.description,
            quantita=line.quantity, unita_misura=line.unit,
            prezzo_unitario=line.unit_price, prezzo_totale=line.total,
            aliquota_iva=line.rate, natura=line.nature,
            altri_dati_gestionali=[
                a.AltriDatiGestionali(tipo_dato=t, riferimento_testo=v)
                for t, v in line.other_data])
    for s in invoice.summaries:
        goods.dati_riepilogo.append(a.DatiRiepilogo(
                aliquota_iva=s.rate, natura=s.nature,
                imponibile_importo=s.taxable, imposta=s.tax,
                esigibilita_iva=s.vat_due,
                riferimento_normativo=s.law_reference))
    body.dati_pagamento.append(a.DatiPagamento(
            condizioni_pagamento=invoice.payment_terms,
            dettaglio_pagamento=[a.DettaglioPagamento(
                    modalita_pagamento=p.method,
                    data_scadenza_pagamento=p.due_date,
                    importo_pagamento=p.amount, iban=p.iban)
                for p in invoice.payments]))
    return f


def a38_version():
    "The installed a38 version, None when a38 is missing"
    try:
        import a38.fattura  # noqa: F401
    except ImportError:
        return None
    try:
        return version('a38')
    except PackageNotFoundError:
        return '?'


# The steps timed, each from the same data.Invoice to validated XML bytes

def run_ours(invoice, xsd_dir):
    "What account.invoice does (invoice.py): build, validate, serialize"
    root = builder.build(invoice)
    result = validation.validate(root, xsd_dir)
    if result.problems:
        raise AssertionError([str(p) for p in result.problems])
    return builder.serialize(root)


def run_a38(invoice, xsd_dir=None):
    """a38: build its models, its validate() and its XML serialization

    With xsd_dir the tree is built with lxml and validated against the
    same compiled schema as ours.
    """
    from a38.validation import Validation
    fattura = a38_fattura(invoice)
    check = Validation()
    fattura.validate(check)
    if check.errors:
        raise AssertionError([str(e) for e in check.errors])
    if xsd_dir is None:
        import xml.etree.ElementTree as ET
        return ET.tostring(fattura.build_etree().getroot(),
            encoding='utf-8', xml_declaration=True)
    tree = fattura.build_etree(lxml=True)
    schema = validation.fatturapa_schema(xsd_dir)
    if not schema.validate(tree):
        raise AssertionError(str(schema.error_log))
    return etree.tostring(tree, encoding='UTF-8', xml_declaration=True)


def variants(xsd_dir, with_a38):
    """{name: function of an invoice} of what is measured

    ours, ours_noxsd, a38 and a38_xsd; those needing the schema or a38
    are left out without them.
    """
    schema = validation.fatturapa_schema(xsd_dir)  # compiled once, here
    result = {}
    if schema is not None:
        result['ours'] = lambda i: run_ours(i, xsd_dir)
    result['ours_noxsd'] = lambda i: run_ours(i, None)
    if with_a38:
        result['a38'] = run_a38
        if schema is not None:
            result['a38_xsd'] = lambda i: run_a38(i, xsd_dir)
    return result


def interleaved(functions, rounds=60, batch=10):
    """Median seconds per invoice of each function, measured in turns

    Each round times a batch of distinct invoices with every function,
    in an order rotated from round to round; one round of warm-up.
    """
    names = list(functions)
    invoices = [sample_invoice(i) for i in range(1, batch + 1)]
    times = {n: [] for n in names}
    for round_ in range(rounds + 1):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            function = functions[name]
            start = time.perf_counter()
            for invoice in invoices:
                function(invoice)
            elapsed = (time.perf_counter() - start) / batch
            if round_:
                times[name].append(elapsed)
    return {n: statistics.median(t) for n, t in times.items()}


def leaves(document):
    "The (tag, text) of the leaf elements of an XML document, in order"
    root = etree.fromstring(document)
    return [(etree.QName(e).localname, (e.text or '').strip())
        for e in root.iter() if isinstance(e.tag, str) and not len(e)]


def a38_check(xsd_dir):
    """Check a38's XML of the sample invoice: a dict of findings

    a38_errors: what a38's validate() says; xsd_ok: whether its default
    (xml.etree) output passes the XSD (None without the schema);
    xsd_errors; same_values: same leaf tags and texts as ours;
    our_problems: what our SdI checks say of a38's XML.
    """
    from a38.validation import Validation
    invoice = sample_invoice(1)
    fattura = a38_fattura(invoice)
    check = Validation()
    fattura.validate(check)
    document = run_a38(invoice)
    result = {'a38_errors': [str(e) for e in check.errors],
        'xsd_ok': None, 'xsd_errors': []}
    schema = validation.fatturapa_schema(xsd_dir)
    if schema is not None:
        result['xsd_ok'] = schema.validate(etree.fromstring(document))
        result['xsd_errors'] = [str(e) for e in schema.error_log]
    ours = builder.serialize(builder.build(invoice))
    result['same_values'] = leaves(ours) == leaves(document)
    result['our_problems'] = [str(p) for p in validation.validate(
            validation.parse(document), None).problems]
    return result


def profile_ours(xsd_dir, count=2000, limit=25):
    "The cProfile report of our path on count invoices, as text"
    invoices = [sample_invoice(i) for i in range(1, count + 1)]
    validation.fatturapa_schema(xsd_dir)
    profiler = cProfile.Profile()
    profiler.enable()
    for invoice in invoices:
        run_ours(invoice, xsd_dir)
    profiler.disable()
    output = io.StringIO()
    stats = pstats.Stats(profiler, stream=output)
    stats.sort_stats('tottime').print_stats(limit)
    return output.getvalue()


def _entry(name, ours, baseline, baseline_name, note):
    ratio = baseline / ours if baseline else None
    return {
        'name': name,
        'value': ours * 1000,
        'unit': 'ms/invoice',
        'baseline': baseline * 1000 if baseline else None,
        'baseline_name': baseline_name if baseline else None,
        'ratio': ratio,
        'target': '>= %dx' % TARGET_RATIO,
        'ok': ratio is not None and ratio >= TARGET_RATIO,
        'note': note,
        }


def measure(args):
    """Return the FatturaPA figures as a list of result dicts

    value and baseline are medians in ms per invoice, ratio is
    a38 / ours (higher is better for us).
    """
    xsd_dir = getattr(args, 'fpa_xsd_dir', None) or DEFAULT_XSD_DIR
    if not Path(xsd_dir).is_dir():
        xsd_dir = None
    rounds = getattr(args, 'fpa_rounds', 60)
    batch = getattr(args, 'fpa_batch', 10)
    version = a38_version()
    functions = variants(xsd_dir, version is not None)
    medians = interleaved(functions, rounds, batch)
    a38 = 'a38 %s' % version
    missing = ('a38 not installed (pip install a38==0.1.8): no baseline'
        if version is None else '')
    notes = [missing] if missing else []
    if version is not None:
        found = a38_check(xsd_dir)
        if found['xsd_ok'] is False:
            notes.append("a38's XML FAILS the XSD: %s"
                % '; '.join(found['xsd_errors'][:3]))
        elif found['xsd_ok']:
            notes.append("a38's XML passes the XSD")
        if not found['same_values']:
            notes.append("a38's XML differs from ours")
    if xsd_dir is None:
        notes.append('no XSD directory: ours ran the SdI checks only')
    note = '; '.join(notes)
    ours = medians.get('ours', medians['ours_noxsd'])
    results = [_entry(
            "FatturaPA build+validate+XML (ours XSD+SdI vs a38 validate)",
            ours, medians.get('a38'), a38 + ' (no XSD)', note)]
    if version is None or 'a38_xsd' in medians:
        results.append(_entry(
                "FatturaPA build+validate+XML, both with XSD",
                ours, medians.get('a38_xsd'), a38 + ' + lxml XSD', note))
    results.append(_entry(
            "FatturaPA build+validate+XML, both without XSD",
            medians['ours_noxsd'], medians.get('a38'), a38 + ' (no XSD)',
            note))
    return results


def add_arguments(parser):
    group = parser.add_argument_group("FatturaPA (bench/fatturapa.py)")
    group.add_argument('--fpa-rounds', type=int, default=60,
        help="interleaved rounds of each variant (default 60)")
    group.add_argument('--fpa-batch', type=int, default=10,
        help="invoices timed together in a round (default 10)")
    group.add_argument('--fpa-count', type=int, default=1000,
        help="invoices of the engine-only report (default 1000)")
    group.add_argument('--fpa-xsd-dir', type=Path, default=DEFAULT_XSD_DIR,
        help="FatturaPA schema directory (default ../shared/fatturapa/xsd)")
    group.add_argument('--fpa-profile', action='store_true',
        help="also print the cProfile report of our path")


def print_table(results, out=sys.stdout):
    print("%-60s %12s %12s %8s %8s %s" % (
            "Measure", "ours", "baseline", "ratio", "target", "ok"),
        file=out)
    for r in results:
        print("%-60s %9.3f ms %9s ms %7s %8s %s" % (
                r['name'], r['value'],
                '%.3f' % r['baseline'] if r['baseline'] else '-',
                '%.1fx' % r['ratio'] if r['ratio'] else '-',
                r['target'], 'OK' if r['ok'] else 'NO'), file=out)
        if r['baseline_name']:
            print("%60s baseline: %s" % ('', r['baseline_name']), file=out)
    notes = sorted({r['note'] for r in results if r.get('note')})
    for note in notes:
        print("Note: %s" % note, file=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    # The options of before, kept for existing command lines
    parser.add_argument('--count', dest='fpa_count', type=int,
        help=argparse.SUPPRESS)
    parser.add_argument('--xsd-dir', dest='fpa_xsd_dir', type=Path,
        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    print("Machine: %s" % machine())
    print("a38: %s; XSD: %s" % (a38_version() or 'not installed',
            args.fpa_xsd_dir if Path(args.fpa_xsd_dir).is_dir()
            else 'none'))
    print("Medians per invoice over %d interleaved rounds of %d invoices"
        % (args.fpa_rounds, args.fpa_batch))
    print_table(measure(args))
    if args.fpa_profile:
        print()
        print(profile_ours(args.fpa_xsd_dir))
    print()
    print("Engine only, in bulk (build + serialize, then parse + validate):")
    result = engine_rate(args.fpa_count, args.fpa_xsd_dir)
    print("Invoices: %d of 6 lines, %d bytes each; XSD %s; problems %d" % (
            result['count'], result['bytes'],
            'checked' if result['schema_checked'] else 'SKIPPED',
            result['problems']))
    for key, label in [
            ('build', "build + serialize"),
            ('validate', "parse + XSD + SdI checks"),
            ('total', "total")]:
        print("%-26s %8.3f s %10.0f invoices/s" % (
                label, result[key], result[key + '_rate']))
    return 0 if result['problems'] == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
