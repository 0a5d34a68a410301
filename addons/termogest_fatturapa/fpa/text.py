# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Transliteration to the characters the FatturaPA XSD allows.

The ``String...LatinType`` types accept Basic Latin and Latin-1
Supplement (U+0020-U+00FF plus tab and line ends), the ``String...Type``
ones Basic Latin only (FATTURAPA.md §2.2).
"""
import re
import unicodedata

__all__ = ['latin1', 'ascii', 'split_person_name']

# Common typographic characters outside Latin-1
MAP = {
    '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'",
    '\u2032': "'", '\u00b4': "'",
    '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u201f': '"',
    '\u2033': '"',
    '\u2010': '-', '\u2011': '-', '\u2012': '-', '\u2013': '-',
    '\u2014': '-', '\u2015': '-', '\u2212': '-',
    '\u2026': '...', '\u2022': '-', '\u00b7': '-',
    '\u20ac': 'EUR',
    '\u2039': '<', '\u203a': '>', '\u2044': '/',
    '\u0152': 'OE', '\u0153': 'oe',
    '\u2122': 'TM',
    '\u0141': 'L', '\u0142': 'l', '\u0110': 'D', '\u0111': 'd',
    '\u0126': 'H', '\u0127': 'h', '\u0131': 'i', '\u0166': 'T',
    '\u0167': 't',
    '\u200b': '', '\u200c': '', '\u200d': '', '\u2060': '', '\ufeff': '',
    '\u00ad': '',
    }
# Characters needed only in ASCII fields
ASCII_MAP = {
    '\u00b0': 'o', '\u00aa': 'a', '\u00ba': 'o',
    '\u00a0': ' ', '\u00ab': '"', '\u00bb': '"',
    '\u00df': 'ss', '\u00e6': 'ae', '\u00c6': 'AE',
    '\u00f8': 'o', '\u00d8': 'O', '\u00d0': 'D', '\u00f0': 'd',
    '\u00de': 'Th', '\u00fe': 'th', '\u00d7': 'x',
    }
WHITESPACE = {'\t': ' ', '\n': ' ', '\r': ' '}
CLEAN = {
    0xff: re.compile('[\x20-\x7e\xa0-\xff]*'),
    0x7e: re.compile('[\x20-\x7e]*'),
    }


def _convert(text, limit, extra):
    if CLEAN[limit].fullmatch(text):
        return text, []
    text = unicodedata.normalize('NFC', text.replace('\r\n', ' '))
    result, unmappable = [], []
    for char in text:
        if char in WHITESPACE:
            result.append(WHITESPACE[char])
            continue
        code = ord(char)
        if (0x20 <= code < 0x7f) or (0xa0 <= code <= limit):
            result.append(char)
            continue
        if char in extra:
            result.append(extra[char])
            continue
        if char in MAP:
            result.append(MAP[char])
            continue
        decomposed = ''.join(
            c for c in unicodedata.normalize('NFKD', char)
            if not unicodedata.combining(c))
        decomposed = ''.join(
            extra.get(c, MAP.get(c, c)) for c in decomposed)
        if decomposed and all(
                0x20 <= ord(c) < 0x7f or 0xa0 <= ord(c) <= limit
                for c in decomposed):
            result.append(decomposed)
        else:
            result.append('?')
            if char not in unmappable:
                unmappable.append(char)
    return ''.join(result), unmappable


def latin1(text):
    """Return (clean_text, unmappable_chars) for a Latin-1 field

    Unmappable characters are replaced by '?' in clean_text and listed
    once each, in order of appearance.
    """
    return _convert(text, 0xff, {})


def ascii(text):
    "Return (clean_text, unmappable_chars) for a Basic Latin field"
    return _convert(text, 0x7e, ASCII_MAP)


_VOWELS = set('AEIOU')


def _letters(text):
    "The letters A-Z of text, accents removed, upper case"
    text = unicodedata.normalize('NFKD', text or '')
    return ''.join(c for c in text.upper() if 'A' <= c <= 'Z')


def _surname_code(surname):
    letters = _letters(surname)
    consonants = [c for c in letters if c not in _VOWELS]
    vowels = [c for c in letters if c in _VOWELS]
    return ''.join(consonants + vowels + ['X'] * 3)[:3]


def _name_code(name):
    letters = _letters(name)
    consonants = [c for c in letters if c not in _VOWELS]
    if len(consonants) >= 4:
        return consonants[0] + consonants[2] + consonants[3]
    vowels = [c for c in letters if c in _VOWELS]
    return ''.join(consonants + vowels + ['X'] * 3)[:3]


def split_person_name(full_name, fiscal_code):
    """(first name, last name) of a person's full name, told apart by the
    first six characters of the codice fiscale (surname code, name code),
    whatever the order of the words ("Mario Rossi", "Rossi Mario", "Maria
    Grazia De Luca"); (None, None) when the code does not decide one split.
    """
    words = (full_name or '').split()
    code = (fiscal_code or '').strip().upper()
    if len(words) < 2 or len(code) != 16 or not code[:6].isalpha():
        return None, None
    found = set()
    for i in range(1, len(words)):
        head, tail = ' '.join(words[:i]), ' '.join(words[i:])
        for first, last in [(head, tail), (tail, head)]:
            if (_surname_code(last) == code[:3]
                    and _name_code(first) == code[3:6]):
                found.add((first, last))
    if len(found) == 1:
        return found.pop()
    return None, None
