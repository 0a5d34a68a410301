"""Regenerate addons/<module>/locale/it.po, keeping the existing msgstr.

Usage:
    TRYTOND_CONFIG=<config with language = en> \
        python scripts/export_po.py <database> <module> [<module> ...]

The database must have English as default language (Tryton extracts the
source strings only then) and the modules activated.
"""
import os
import sys

import polib

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(database, modules):
    from trytond import config as tconfig
    tconfig.update_etc(os.environ['TRYTOND_CONFIG'])
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool.start()
    pool = Pool(database)
    pool.init()
    with Transaction().start(database, 0, readonly=False) as transaction:
        Lang = pool.get('ir.lang')
        Translation = pool.get('ir.translation')
        TranslationSet = pool.get('ir.translation.set', type='wizard')
        it, = Lang.search([('code', '=', 'it')])
        Lang.write([it], {'translatable': True})
        session_id, _, _ = TranslationSet.create()
        TranslationSet(session_id).transition_set_()
        TranslationSet.delete(session_id)
        for module in modules:
            # Source strings live in the English rows: export those and
            # take the Italian text from the existing file.
            content = Translation.translation_export('en', module)
            merge(os.path.join(HERE, 'addons', module, 'locale', 'it.po'),
                content)
        transaction.commit()


def merge(path, content):
    old = {}
    if os.path.exists(path):
        for entry in polib.pofile(path):
            old[(entry.msgctxt, entry.msgid)] = entry
    new = polib.pofile(content.decode('utf-8'))
    for entry in new:
        previous = old.get((entry.msgctxt, entry.msgid))
        entry.flags = [f for f in entry.flags if f != 'fuzzy']
        if entry.msgid_plural:
            entry.msgstr_plural = (
                previous.msgstr_plural if previous else {0: '', 1: ''})
        else:
            entry.msgstr = previous.msgstr if previous else ''
    os.makedirs(os.path.dirname(path), exist_ok=True)
    new.save(path)
    missing = [e for e in new if not e.msgstr]
    print(f'{path}: {len(new)} entries, {len(missing)} untranslated')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
