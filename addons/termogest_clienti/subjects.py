# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What kind of subject a customer card describes, from its data alone.

These rules decide the FatturaPA blocks later (CodiceFiscale or IdFiscaleIVA,
Nome/Cognome or Denominazione, codice destinatario), so they live here as pure
functions that the tests exercise without a database.
"""
import re

from stdnum.it import codicefiscale

PRIVATE_SDI_CODE = '0000000'
FOREIGN_SDI_CODE = 'XXXXXXX'
_SDI_CODE_RE = re.compile(r'^[A-Z0-9]{6,7}$')


def compact(code):
    return (code or '').replace(' ', '').replace('-', '').upper()


def is_personal_fiscal_code(code):
    "A 16-character codice fiscale: it belongs to a natural person"
    code = compact(code)
    return len(code) == 16 and not code.isdigit()


def is_numeric_fiscal_code(code):
    "An 11-digit codice fiscale: a company, a body or a condominium"
    code = compact(code)
    return len(code) == 11 and code.isdigit()


def detect_subject_type(
        fiscal_code=None, vat_number=None, sdi_code=None, country_code=None,
        building_owner=False):
    """The subject type the data points to, None when the data says nothing

    The order matters: a foreign address wins over everything, a 6-character
    codice destinatario only exists for public administrations, a building
    owner without a partita IVA nor a personal codice fiscale is a
    condominium.
    """
    fiscal_code = compact(fiscal_code)
    vat_number = compact(vat_number)
    sdi_code = compact(sdi_code)
    if country_code and country_code.upper() != 'IT':
        return 'foreign'
    if vat_number[:2].isalpha() and vat_number[:2] != 'IT':
        return 'foreign'
    if len(sdi_code) == 6:
        return 'public_administration'
    if (building_owner and not vat_number
            and not is_personal_fiscal_code(fiscal_code)):
        return 'condominium'
    if is_personal_fiscal_code(fiscal_code):
        return 'sole_trader' if vat_number else 'person'
    if is_numeric_fiscal_code(fiscal_code) or vat_number:
        return 'company'
    return None


def sdi_code_problem(sdi_code, subject_type):
    """The message id (termogest_clienti.msg_*) of what is wrong with the
    codice destinatario for that subject type, or None"""
    sdi_code = sdi_code or ''
    if subject_type == 'public_administration':
        if len(sdi_code) != 6 or not _SDI_CODE_RE.match(sdi_code):
            return 'msg_sdi_code_public_administration'
        return None
    if not sdi_code:
        return None
    if not _SDI_CODE_RE.match(sdi_code):
        return 'msg_sdi_code_characters'
    if len(sdi_code) == 6:
        return 'msg_sdi_code_six_not_public_administration'
    if subject_type == 'foreign':
        if sdi_code != FOREIGN_SDI_CODE:
            return 'msg_sdi_code_foreign'
    elif sdi_code == FOREIGN_SDI_CODE:
        return 'msg_sdi_code_foreign_only'
    return None


def valid_fiscal_code(code):
    return codicefiscale.is_valid(compact(code))
