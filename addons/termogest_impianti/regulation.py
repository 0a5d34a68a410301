# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The regulatory arithmetic, without database

The numbers come from records (DPR 74/2013 Allegato A and B, fuels,
region profiles): the functions take them as arguments.
"""
import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal
from math import log10

CENT = Decimal('0.01')

# Component code of the libretto (scheda 4) by device kind
COMPONENT_CODES = {
    'boiler': 'GT',
    'water_heater': 'GT',
    'heat_pump': 'GF',
    'air_conditioner': 'GF',
    'district_heating': 'SC',
    'cogeneration': 'CG',
    'solar_thermal': 'CS',
    'other': 'AG',
    }


def component_kinds(component):
    "The device kinds that share a booklet component (GT, GF...)"
    return [k for k, c in COMPONENT_CODES.items() if c == component]


# REE type by component code
REPORT_TYPES = {'GT': '1', 'GF': '2', 'SC': '3', 'CG': '4'}


def add_months(date, months):
    "Add months to date, clamping the day to the end of the month"
    if date is None or months is None:
        return None
    month = date.month - 1 + months
    year = date.year + month // 12
    month = month % 12 + 1
    day = min(date.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day)


def class_matches(rule_class, generator_class):
    return (rule_class == 'any'
        or rule_class == generator_class
        or (rule_class == 'not_gas_condensing'
            and generator_class != 'gas_condensing'))


def minimum_efficiency(power, installed, heat_carrier, generator_class,
        rules):
    """The minimum combustion efficiency of Allegato B, in %

    rules are objects with heat_carrier, generator_class, installed_from,
    installed_to, coeff_a, coeff_b and power_cap; the first that matches
    wins.  Return None when no rule applies (or data is missing).
    """
    if not power or not installed or not heat_carrier:
        return None
    for rule in rules:
        if rule.heat_carrier != heat_carrier:
            continue
        if rule.installed_from and installed < rule.installed_from:
            continue
        if rule.installed_to and installed > rule.installed_to:
            continue
        if not class_matches(rule.generator_class, generator_class):
            continue
        pn = Decimal(power)
        if rule.power_cap:
            pn = min(pn, Decimal(rule.power_cap))
        value = (Decimal(rule.coeff_a)
            + Decimal(rule.coeff_b) * Decimal(log10(pn)))
        return value.quantize(CENT, ROUND_HALF_UP)
    return None


def control_rule(supply, power, rules):
    """The Allegato A row for a supply and an (aggregated) power

    rules are objects with supply, power_min, power_min_inclusive,
    power_max, power_max_inclusive; return the first that matches or None
    (no periodic efficiency control).
    """
    if not supply or power is None:
        return None
    p = Decimal(power)
    for rule in rules:
        if rule.supply != supply:
            continue
        if rule.power_min is not None and (p < rule.power_min
                or (p == rule.power_min and not rule.power_min_inclusive)):
            continue
        if rule.power_max is not None and (p > rule.power_max
                or (p == rule.power_max and not rule.power_max_inclusive)):
            continue
        return rule
    return None


def aggregate_powers(generators):
    """Sum the powers per supply: the Allegato A note (1)

    generators: iterable of (key, supply, power); return {supply: total}.
    """
    totals = {}
    for _, supply, power in generators:
        if not supply or power is None:
            continue
        totals[supply] = totals.get(supply, Decimal(0)) + Decimal(power)
    return totals


def reported_efficiency(measured, tolerance):
    "The analyser's average plus the tolerance points (UNI 10389-1)"
    if measured is None:
        return None
    return (Decimal(measured) + Decimal(tolerance or 0)).quantize(
        CENT, ROUND_HALF_UP)


def combustion_test(measured, minimum, tolerance, co_corrected, co_limit,
        bacharach=(), bacharach_max=None, efficiency_test=True,
        bacharach_required=False):
    """The outcome of one combustion test (REGULATION.md §2.7 R1-R4)

    Return a dict with reported, efficiency_ok, co_ok, bacharach_ok and
    ok; a check that does not apply is None.
    """
    result = {
        'reported': None,
        'efficiency_ok': None,
        'co_ok': None,
        'bacharach_ok': None,
        }
    if efficiency_test:
        result['reported'] = reported_efficiency(measured, tolerance)
        if result['reported'] is not None and minimum is not None:
            result['efficiency_ok'] = result['reported'] >= minimum
        elif result['reported'] is not None or minimum is not None:
            result['efficiency_ok'] = None
    if co_corrected is not None and co_limit is not None:
        result['co_ok'] = Decimal(co_corrected) <= Decimal(co_limit)
    if bacharach_required:
        readings = [b for b in bacharach if b is not None]
        if readings and bacharach_max is not None:
            result['bacharach_ok'] = max(readings) <= bacharach_max
    checks = [result['co_ok']]
    if efficiency_test:
        checks.append(result['efficiency_ok'])
    if bacharach_required:
        checks.append(result['bacharach_ok'])
    if any(c is False for c in checks):
        result['ok'] = False
    elif any(c is None for c in checks):
        result['ok'] = None
    else:
        result['ok'] = True
    return result


def co2_equivalent(charge_kg, gwp):
    "Tonnes of CO2 equivalent of a refrigerant charge"
    if charge_kg is None or gwp is None:
        return None
    return (Decimal(charge_kg) * Decimal(gwp) / 1000).quantize(
        Decimal('0.001'), ROUND_HALF_UP)


def rec_name_domain(clause, names):
    "The domain searching clause's value in each of names"
    _, operator, value = clause
    if operator.startswith('!') or operator.startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op] + [(name, operator, value) for name in names]
