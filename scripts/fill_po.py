"""Fill the empty msgstr of a .po file from a Python dict {msgid: msgstr}.

Usage: python scripts/fill_po.py <file.po> <translations.py>
The translations file defines T = {...}.  Prints the entries still empty.
"""
import runpy
import sys

import polib


def main(po_path, dict_path):
    translations = runpy.run_path(dict_path)['T']
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgstr or entry.msgstr_plural.get(0):
            continue
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
        else:
            missing.append(entry)
    po.save(po_path)
    for entry in missing:
        print(f'untranslated: {entry.msgctxt} {entry.msgid!r}')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
