# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Syntax checks shared by the TermoGest modules (no database, no network).

E-mail addresses are checked for syntax only: a PEC or customer address must
be accepted offline, so no DNS look-up (unlike email-validator's
deliverability check, which also made trytond refuse every user e-mail on a
machine without DNS).
"""
import re

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = rf"{_ATOM}(?:\.{_ATOM})*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"^{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")


def is_email(value):
    "Tell whether value is an e-mail address like name@domain.tld"
    return (bool(value) and len(value) <= 254
        and bool(_EMAIL_RE.match(value)))
