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

    # The production rule of trytond.conf, also in tests.
    tconfig.set('password', 'length', '12')
    tconfig.set('database', 'language', 'en')


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
