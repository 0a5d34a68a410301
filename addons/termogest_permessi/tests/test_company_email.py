# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A company-data change mails every administrator (real SMTP sink)."""
import email
import email.policy
import socket
import time

import pytest
from aiosmtpd.controller import Controller
from proteus import Model

import trytond.config as config
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import as_user, create_termogest_company, get_user


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return '250 OK'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def sink():
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname='127.0.0.1', port=port)
    controller.start()
    previous = config.get('email', 'uri')
    config.set('email', 'uri', f'smtp://127.0.0.1:{port}')
    yield handler
    config.set('email', 'uri', previous)
    controller.stop()


@pytest.fixture
def cfg():
    configuration = activate_modules(
        'termogest_permessi', create_termogest_company)
    yield configuration
    drop_db()


def wait_for(sink, count, timeout=10):
    end = time.monotonic() + timeout
    while len(sink.messages) < count and time.monotonic() < end:
        time.sleep(0.05)
    return sink.messages


def test_company_change_mails_each_administrator(cfg, sink):
    Company = Model.get('company.company')
    User = Model.get('res.user')
    # A second administrator, and an administrator without e-mail.
    sara = get_user('sara')
    set_user(1, cfg)
    sara = User(sara.id)
    sara.access_admin = True
    sara.save()

    as_user(cfg, 'giulia')
    company, = Company.find([])
    company.vat_number = '09876540015'
    company.pec = 'rossiimpianti@pec.it'
    company.rea_office = 'to'
    company.rea_number = '1187654'
    company.save()

    messages = wait_for(sink, 3)
    time.sleep(0.3)  # nothing more must arrive
    recipients = sorted(r for rcpt, _ in sink.messages for r in rcpt)
    assert recipients == [
        'admin@example.com', 'giulia@example.com', 'sara@example.com']
    _, message = messages[0]
    assert ' '.join(message['Subject'].split()) == (
        'TermoGest: dati aziendali di Rossi Impianti S.r.l. modificati '
        '(4 campi)')
    body = message.get_content()
    assert 'modificati da Giulia Bianchi il ' in body
    assert '- Partita IVA: (vuoto) -> 09876540015' in body
    assert '- PEC: (vuoto) -> rossiimpianti@pec.it' in body
    assert '- Ufficio REA: (vuoto) -> TO' in body
    assert '- Numero REA: (vuoto) -> 1187654' in body
    assert 'Telefono' not in body


def test_unchanged_save_sends_nothing(cfg, sink):
    Company = Model.get('company.company')
    as_user(cfg, 'giulia')
    company, = Company.find([])
    Company.write([company.id], {'pec': None}, cfg.context)
    time.sleep(0.5)
    assert sink.messages == []


def test_invalid_company_data_refused(cfg, sink):
    Company = Model.get('company.company')
    as_user(cfg, 'giulia')
    company, = Company.find([])
    company.pec = 'non-una-pec'
    with pytest.raises(Exception) as info:
        company.save()
    assert 'PEC "non-una-pec"' in info.value.message
    assert 'correggi il campo PEC' in info.value.message
    company.reload()
    company.rea_office = 'TO'
    with pytest.raises(Exception) as info:
        company.save()
    assert 'compila sia "Ufficio REA" sia "Numero REA"' in (
        info.value.message)
    time.sleep(0.3)
    assert sink.messages == []
