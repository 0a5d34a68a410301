# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SdI file names and size limit (FATTURAPA.md §5)."""
import re

__all__ = ['MAX_FILE_SIZE', 'to_base36', 'file_name', 'check_file_name']

# "5 MB" read as 10**6 bytes, the stricter reading (00003)
MAX_FILE_SIZE = 5_000_000
DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
EXTENSIONS = ('xml', 'xml.p7m', 'zip')
FILE_NAME = re.compile(
    r'^(?P<country>[A-Z]{2})(?P<code>[A-Za-z0-9]{2,28})'
    r'_(?P<progressive>[A-Za-z0-9]{1,5})'
    r'\.(?P<ext>xml|xml\.p7m|zip)$', re.IGNORECASE)


def to_base36(n, width=5):
    "Return n in upper-case base 36, zero-padded to width"
    if not isinstance(n, int) or n < 1:
        raise ValueError(
            "Il progressivo deve essere un intero positivo, non %r." % (n,))
    if n > 36 ** width - 1:
        raise ValueError(
            "Progressivo %d esaurito: supera il massimo di %d "
            "caratteri in base 36." % (n, width))
    digits = []
    while n:
        n, remainder = divmod(n, 36)
        digits.append(DIGITS[remainder])
    return ''.join(reversed(digits)).rjust(width, '0')


def file_name(country, code, progressive, ext='xml'):
    "Return the SdI name: IT01234567890_0000A.xml"
    if isinstance(progressive, int):
        progressive = to_base36(progressive)
    name = '%s%s_%s.%s' % (
        (country or '').upper(), (code or '').replace(' ', ''),
        (progressive or '').upper(), ext.lstrip('.'))
    if not check_file_name(name):
        raise ValueError(
            "Nome file SdI non valido: %r. Serve <paese><identificativo "
            "fiscale>_<progressivo di 1-5 caratteri>.xml (codice 00001)."
            % name)
    return name


def check_file_name(name):
    "Return True if name follows the SdI naming rule (00001)"
    match = FILE_NAME.match(name or '')
    if not match:
        return False
    if not match.group('country').isupper():
        return False
    length = len(match.group('code'))
    if match.group('country') == 'IT' and not 11 <= length <= 16:
        return False
    return True
