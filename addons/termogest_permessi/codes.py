# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""FatturaPA code lists about the company itself (schema 1.2.3)."""

FISCAL_REGIMES = [
    ('RF01', "RF01 Ordinary"),
    ('RF02', "RF02 Minimum taxpayers (L. 244/2007)"),
    ('RF04', "RF04 Agriculture and fishing"),
    ('RF05', "RF05 Salt and tobacco sales"),
    ('RF06', "RF06 Match trade"),
    ('RF07', "RF07 Publishing"),
    ('RF08', "RF08 Public telephone services"),
    ('RF09', "RF09 Public transport and parking documents"),
    ('RF10', "RF10 Entertainment and games (DPR 640/72)"),
    ('RF11', "RF11 Travel agencies"),
    ('RF12', "RF12 Farm holidays"),
    ('RF13', "RF13 Door-to-door sales"),
    ('RF14', "RF14 Second-hand goods, art and antiques"),
    ('RF15', "RF15 Art and antiques auctions"),
    ('RF16', "RF16 VAT on cash basis for public administrations"),
    ('RF17', "RF17 VAT on cash basis (DL 83/2012)"),
    ('RF18', "RF18 Other"),
    ('RF19', "RF19 Flat-rate scheme (L. 190/2014)"),
    ]

SOLE_SHAREHOLDER = [
    (None, ""),
    ('SU', "Sole shareholder"),
    ('SM', "Several shareholders"),
    ]

LIQUIDATION_STATUS = [
    ('LN', "Not in liquidation"),
    ('LS', "In liquidation"),
    ]
