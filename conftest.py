# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""pytest glue: Tryton scenarios (.rst) and the addons as trytond modules."""
import doctest
import importlib
import pathlib
import sys
import unittest

import pytest

ROOT = pathlib.Path(__file__).parent

# The helpers of the end-to-end tests (tests/demo_server.py): importable as
# top-level modules (pytest's importlib mode adds no test folder to the path)
sys.path.insert(0, str(ROOT / 'tests'))

# Stop pytest re-importing the addons as top-level "<name>" packages.
for cfg in ROOT.glob('addons/*/tryton.cfg'):
    sys.modules.setdefault(
        cfg.parent.name,
        importlib.import_module(f'trytond.modules.{cfg.parent.name}'))


def pytest_configure(config):
    import trytond.config as tconfig
    import trytond.tests.tools

    # The production rule of trytond.conf, also in tests.
    tconfig.set('password', 'length', '12')
    tconfig.set('database', 'language', 'en')
    trytond.tests.tools.activate_modules = _activate_modules(
        trytond.tests.tools.activate_modules)


def _activate_modules(activate_modules):
    """activate_modules of trytond.tests.tools, the modules' database cached
    on its own: a test with set-up functions starts from it (restored, or
    built and cached for the others, ModuleTestCase's included) instead of
    activating the modules again"""
    from trytond.tests.test_tryton import backup_db_cache, restore_db_cache
    from trytond.tests.tools import _func_name, _get_config

    def wrapper(modules, *setup):
        if isinstance(modules, str):
            modules = [modules]
        if not setup:
            return activate_modules(modules)
        cache_name = '%s--%s' % (
            '-'.join(sorted(modules)), '|'.join(map(_func_name, setup)))
        if restore_db_cache(cache_name):
            return _get_config()
        cfg = activate_modules(modules)
        for func in setup:
            func(config=cfg)
        backup_db_cache(cache_name)
        return cfg
    return wrapper


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.rst' and file_path.name.startswith('scenario'):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.name)


class ScenarioItem(pytest.Item):
    def runtest(self):
        from trytond.backend import name as backend_name
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_checker, doctest_setup, doctest_teardown)
        flags = (doctest.REPORT_ONLY_FIRST_FAILURE | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend_name == 'sqlite':
            flags |= STRIP_DECIMAL
        suite = doctest.DocFileSuite(
            str(self.path), module_relative=False, encoding='utf-8',
            setUp=doctest_setup, tearDown=doctest_teardown,
            checker=doctest_checker, optionflags=flags)
        result = unittest.TestResult()
        suite.run(result)
        if result.failures or result.errors:
            raise ScenarioFailure('\n'.join(
                    t for _, t in result.failures + result.errors))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f'scenario: {self.name}'


class ScenarioFailure(Exception):
    pass
