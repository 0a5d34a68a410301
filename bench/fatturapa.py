#!/usr/bin/env python3
# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark of the FatturaPA engine (FATTURAPA.md §10).

Build N invoices of 6 lines (22% and N4 exempt) from the data classes,
serialize them, parse them back and validate them (XSD + SdI checks).

    .venv/bin/python bench/fatturapa.py [--count 1000] [--xsd-dir DIR]
"""
import argparse
import datetime
import platform
import sys
import time
from decimal import Decimal
from pathlib import Path

from lxml import etree

from trytond.modules.termogest_fatturapa.fpa import builder, data, validation

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_XSD_DIR = ROOT / '..' / 'shared' / 'fatturapa' / 'xsd'
D = Decimal


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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=1000)
    parser.add_argument('--xsd-dir', type=Path, default=DEFAULT_XSD_DIR)
    args = parser.parse_args(argv)
    result = engine_rate(args.count, args.xsd_dir)
    print("Machine: %s" % machine())
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
