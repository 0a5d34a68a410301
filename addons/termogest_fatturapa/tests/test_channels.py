# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""SdI transport channels against loopback servers (no Tryton, no net)."""
import email
import email.policy
import logging
import socket
from email.message import EmailMessage

import pytest

from trytond.modules.termogest_fatturapa.fpa.channels import (
    MAX_FILE_SIZE, ChannelError, Incoming, ManualChannel, PECChannel,
    RESTChannel, Sent, extract_notifications, is_notification_name)

from .servers import (
    Mailbox, imap_server, intermediary_server, notification_xml, sdi_reply,
    smtp_sink)

SENDER = 'fatture@pec.termoidraulica.it'
PASSWORD = 'Pec "Pa55\\word!'  # quote, backslash, space
TOKEN = 'tok-9f8e7d6c5b4a'
INVOICE = 'IT01234567890_0000A.xml'
# CRLF, trailing blanks, non-ASCII, a long line: must arrive untouched
XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\r\n'
    '<p:FatturaElettronica versione="FPR12">  \r\n'
    '<Descrizione>Manutenzione caldaia – città</Descrizione>\n'
    + 'x' * 2000 + '\n</p:FatturaElettronica>').encode('utf-8')


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    "A proxy from the environment must not catch loopback requests"
    monkeypatch.setenv('no_proxy', '127.0.0.1,localhost')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')


def closed_port():
    "A port on 127.0.0.1 where nobody listens"
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def pec(smtp=None, imap=None, **kwargs):
    values = dict(
        smtp_host='127.0.0.1',
        smtp_port=smtp.port if smtp else closed_port(),
        smtp_user=SENDER, smtp_password=PASSWORD, smtp_security='none',
        imap_host='127.0.0.1',
        imap_port=imap.port if imap else closed_port(),
        imap_user=SENDER, imap_password=PASSWORD, imap_security='none',
        sender=SENDER, timeout=5)
    values.update(kwargs)
    return PECChannel(**values)


def assert_secret_free(error, *secrets):
    text = str(error) + repr(error.args) + str(error.detail or '')
    for secret in secrets:
        assert secret not in text


# Names

@pytest.mark.parametrize('name, result', [
        ('IT01234567890_0000A_RC_001.xml', True),
        ('IT01234567890_11111_NS_002.xml', True),
        ('ITRSSMRA80A01H501U_ZZ9_MT_001.XML', True),
        ('IT01234567890_11111.xml', False),
        ('IT01234567890_11111_XX_001.xml', False),
        ('daticert.xml', False),
        ('postacert.eml', False),
        ('', False),
        (None, False),
        ])
def test_notification_name(name, result):
    assert is_notification_name(name) is result


# PEC

def test_pec_send():
    with smtp_sink(user=SENDER, password=PASSWORD) as smtp:
        sent = pec(smtp).send(INVOICE, XML)

        assert isinstance(sent, Sent)
        assert len(smtp.messages) == 1
        received, = smtp.messages
    assert received.rcpt_tos == ['sdi01@pec.fatturapa.it']
    assert received.mail_from == SENDER
    assert received.user == SENDER
    assert received.message['Subject'] == INVOICE
    assert received.message['To'] == 'sdi01@pec.fatturapa.it'
    assert received.attachments() == {INVOICE: XML}
    assert sent.reference == received.message['Message-ID'].strip()
    assert sent.reference.endswith('@pec.termoidraulica.it>')
    assert sent.sdi_id is None


def test_pec_send_other_sdi_address():
    with smtp_sink() as smtp:
        pec(smtp, smtp_user=None, sdi_address='sdi23@pec.fatturapa.it'
            ).send(INVOICE, XML)
    assert smtp.messages[0].rcpt_tos == ['sdi23@pec.fatturapa.it']


def test_pec_send_wrong_password(caplog):
    caplog.set_level(logging.DEBUG)
    with smtp_sink(user=SENDER, password='another') as smtp:
        with pytest.raises(ChannelError) as info:
            pec(smtp).send(INVOICE, XML)
        assert not smtp.messages
    error = info.value
    assert 'Canale PEC (SMTP 127.0.0.1:%d)' % smtp.port in str(error)
    assert 'autenticazione rifiutata' in str(error)
    assert 'password SMTP' in str(error)
    assert error.cause is not None and error.__cause__ is error.cause
    assert not error.temporary
    assert_secret_free(error, PASSWORD)
    assert PASSWORD not in caplog.text


def reply_with_plain_attachment(name, data):
    msg = EmailMessage()
    msg['From'] = 'sdi23@pec.fatturapa.it'
    msg['To'] = SENDER
    msg['Subject'] = name
    msg['Message-ID'] = '<plain-1@pec.fatturapa.it>'
    msg.set_content('notifica')
    msg.add_attachment(
        data, maintype='application', subtype='octet-stream',
        filename=name)
    return msg


def test_pec_fetch_and_ack():
    rc_name = 'IT01234567890_0000A_RC_001.xml'
    rc = notification_xml('RC', INVOICE, '4242')
    ns_name = 'IT01234567890_0000B_NS_001.xml'
    ns = notification_xml('NS', 'IT01234567890_0000B.xml', '4243')
    mailbox = Mailbox()
    rc_uid = mailbox.append(sdi_reply(rc_name, rc, to=SENDER))
    ns_uid = mailbox.append(reply_with_plain_attachment(ns_name, ns))
    other = EmailMessage()
    other['Subject'] = 'Newsletter'
    other.set_content('nothing for SdI')
    other_uid = mailbox.append(other)
    old_uid = mailbox.append(
        sdi_reply('IT01234567890_00009_RC_001.xml', rc, to=SENDER),
        seen=True)

    with imap_server(mailbox, user=SENDER, password=PASSWORD) as imap:
        channel = pec(imap=imap)
        incomings = channel.fetch()

        assert [(i.name, i.data) for i in incomings] == [
            (rc_name, rc), (ns_name, ns)]
        assert all(isinstance(i, Incoming) for i in incomings)
        assert incomings[0].sender == 'sdi01@pec.fatturapa.it'
        assert incomings[1].sender == 'sdi23@pec.fatturapa.it'
        validity = mailbox.uidvalidity
        assert incomings[1].reference == (
            '%s:%s:<plain-1@pec.fatturapa.it>' % (validity, ns_uid))
        assert incomings[0].reference.startswith(
            '%s:%s:<' % (validity, rc_uid))
        # Fetching reads without marking: a crash loses nothing
        assert not mailbox.seen(rc_uid) and not mailbox.seen(ns_uid)
        assert channel.fetch() == incomings
        assert 'EXAMINE' in imap.log and 'SELECT' not in imap.log

        channel.ack(incomings)

        assert mailbox.seen(rc_uid) and mailbox.seen(ns_uid)
        assert not mailbox.seen(other_uid)
        assert mailbox.seen(old_uid)
        assert channel.fetch() == []

        # ALL reads again what was already seen
        again = pec(imap=imap, imap_search='ALL').fetch()
        assert [i.name for i in again] == [
            rc_name, ns_name, 'IT01234567890_00009_RC_001.xml']


def test_pec_fetch_eml_as_octet_stream():
    "Some providers attach postacert.eml as application/octet-stream"
    name = 'IT01234567890_0000A_MC_001.xml'
    data = notification_xml('MC', INVOICE, '77')
    inner = sdi_reply(name, data, to=SENDER, envelope=False)
    outer = EmailMessage()
    outer['From'] = 'posta-certificata@pec.example.it'
    outer.set_content('PEC')
    outer.add_attachment(
        inner.as_bytes(), maintype='application',
        subtype='octet-stream', filename='postacert.eml')
    msg = email.message_from_bytes(
        outer.as_bytes(), policy=email.policy.default)
    assert list(extract_notifications(msg)) == [
        (name, data, 'sdi01@pec.fatturapa.it')]


def test_pec_fetch_wrong_password(caplog):
    caplog.set_level(logging.DEBUG)
    with imap_server(user=SENDER, password='another') as imap:
        with pytest.raises(ChannelError) as info:
            pec(imap=imap).fetch()
    error = info.value
    assert 'Canale PEC (IMAP 127.0.0.1:%d)' % imap.port in str(error)
    assert 'accesso rifiutato' in str(error)
    assert 'password IMAP' in str(error)
    assert 'AUTHENTICATIONFAILED' in str(error)
    assert error.cause is not None
    assert_secret_free(error, PASSWORD)
    assert PASSWORD not in caplog.text


def test_pec_fetch_missing_folder():
    with imap_server(user=SENDER, password=PASSWORD) as imap:
        with pytest.raises(ChannelError, match='cartella «SdI ricevute»'):
            pec(imap=imap, imap_folder='SdI ricevute').fetch()


def test_pec_connection_refused():
    channel = pec()
    with pytest.raises(ChannelError, match='connessione rifiutata') as info:
        channel.send(INVOICE, XML)
    assert info.value.temporary
    assert 'SMTP 127.0.0.1' in str(info.value)
    with pytest.raises(ChannelError, match='connessione rifiutata') as info:
        channel.fetch()
    assert 'IMAP 127.0.0.1' in str(info.value)


def test_pec_tls_mismatch():
    "SSL asked, the server speaks plain text: say to check the security"
    with smtp_sink() as smtp, imap_server() as imap:
        channel = pec(smtp, imap, smtp_security='ssl', imap_security='ssl')
        with pytest.raises(ChannelError, match='errore TLS/SSL'):
            channel.send(INVOICE, XML)
        with pytest.raises(ChannelError, match='errore TLS/SSL'):
            channel.fetch()
        assert not smtp.messages


def test_pec_bad_security():
    with pytest.raises(ChannelError, match='sicurezza SMTP'):
        pec(smtp_security='tls')


# REST intermediary

def test_rest_round_trip(caplog):
    caplog.set_level(logging.DEBUG)
    with intermediary_server(token=TOKEN, prefix='/api/v1') as api:
        channel = RESTChannel(api.base_url + '/', TOKEN, timeout=5)

        sent = channel.send(INVOICE, XML)

        assert sent.reference == 'inv-1'
        assert sent.sdi_id == '1000001'
        assert sent.raw['status'] == 'sent'
        assert api.invoice('inv-1')['data'] == XML
        assert api.invoice('inv-1')['file_name'] == INVOICE
        assert channel.status(sent.reference)['status'] == 'sent'
        assert channel.fetch() == []

        api.notify(INVOICE, 'RC')
        assert channel.status(sent.reference)['status'] == 'delivered'
        incomings = channel.fetch()

        assert len(incomings) == 1
        incoming, = incomings
        assert incoming.name == 'IT01234567890_0000A_RC_001.xml'
        assert b'<IdentificativoSdI>1000001<' in incoming.data
        assert incoming.reference == 'ntf-2'
        assert channel.fetch() == incomings  # not acknowledged yet

        channel.ack(incomings)

        assert api.notifications['ntf-2']['acknowledged']
        assert channel.fetch() == []
        assert ('POST', '/api/v1/notifications/ntf-2/ack') in api.requests
    assert TOKEN not in caplog.text


def test_rest_send_without_sdi_id():
    with intermediary_server(token=TOKEN) as api:
        api.sdi_ids = False
        sent = RESTChannel(api.base_url, TOKEN, timeout=5).send(INVOICE, XML)
    assert sent.reference == 'inv-1' and sent.sdi_id is None


def test_rest_wrong_token():
    with intermediary_server(token=TOKEN) as api:
        with pytest.raises(ChannelError) as info:
            RESTChannel(api.base_url, 'wrong-token', timeout=5).send(
                INVOICE, XML)
        assert not api.invoices
    error = info.value
    assert error.status == 401 and not error.temporary
    assert 'Canale intermediario (127.0.0.1:%d)' % api.port in str(error)
    assert 'HTTP 401' in str(error)
    assert 'Controllare il token' in str(error)
    assert 'invalid or missing token' in str(error)
    assert_secret_free(error, 'wrong-token', TOKEN)


def test_rest_server_error():
    with intermediary_server(token=TOKEN) as api:
        api.fail = 500
        api.fail_message = 'database unavailable ' + 'z' * 1000
        channel = RESTChannel(api.base_url, TOKEN, timeout=5)
        with pytest.raises(ChannelError) as info:
            channel.send(INVOICE, XML)
        with pytest.raises(ChannelError, match='HTTP 500'):
            channel.fetch()
    error = info.value
    assert error.status == 500 and error.temporary
    assert 'HTTP 500 a POST /invoices' in str(error)
    assert 'Riprovare più tardi' in str(error)
    assert 'database unavailable' in str(error)
    assert 'troncato' in str(error)
    assert len(str(error)) < 800
    assert api.fail_message in error.detail


def test_rest_garbage():
    with intermediary_server(token=TOKEN) as api:
        api.fail = 'garbage'
        channel = RESTChannel(api.base_url, TOKEN, timeout=5)
        for call in [
                lambda: channel.send(INVOICE, XML),
                lambda: channel.status('inv-1'),
                channel.fetch]:
            with pytest.raises(ChannelError, match='non è JSON') as info:
                call()
            assert 'Service Unavailable' in str(info.value)


def test_rest_unexpected_json():
    with intermediary_server(token=TOKEN) as api:
        channel = RESTChannel(api.base_url + '/nowhere', TOKEN, timeout=5)
        with pytest.raises(ChannelError, match='HTTP 404') as info:
            channel.send(INVOICE, XML)
    assert 'indirizzo base' in str(info.value)


def test_rest_connection_refused():
    channel = RESTChannel(
        'http://127.0.0.1:%d/v1' % closed_port(), TOKEN, timeout=5)
    with pytest.raises(ChannelError, match='connessione rifiutata') as info:
        channel.send(INVOICE, XML)
    assert info.value.temporary
    assert 'Canale intermediario (127.0.0.1:' in str(info.value)
    with pytest.raises(ChannelError):
        channel.fetch()


def test_rest_timeout():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        sock.listen(1)  # accepts in the backlog, never answers
        channel = RESTChannel(
            'http://127.0.0.1:%d' % sock.getsockname()[1], TOKEN,
            timeout=0.3)
        with pytest.raises(ChannelError, match='tempo massimo') as info:
            channel.fetch()
    assert info.value.temporary


def test_rest_bad_url():
    with pytest.raises(ChannelError, match='indirizzo «ftp://x» non'):
        RESTChannel('ftp://x', TOKEN)


# Size and manual channel

def test_oversize_refused():
    big = b'x' * (MAX_FILE_SIZE + 1)
    with smtp_sink() as smtp, intermediary_server(token=TOKEN) as api:
        for channel in [
                pec(smtp, smtp_user=None),
                RESTChannel(api.base_url, TOKEN, timeout=5)]:
            with pytest.raises(ChannelError, match='supera il limite'):
                channel.send(INVOICE, big)
        assert not smtp.messages
        assert not api.requests
        # The limit itself is accepted
        pec(smtp, smtp_user=None).send(INVOICE, big[:MAX_FILE_SIZE])
        assert len(smtp.messages[0].attachments()[INVOICE]) == MAX_FILE_SIZE


def test_bad_file_name():
    with pytest.raises(ChannelError, match='nome file'):
        RESTChannel('http://127.0.0.1:1', TOKEN).send('../x.xml', XML)


def test_manual():
    channel = ManualChannel()
    with pytest.raises(ChannelError, match='Fatture e Corrispettivi'):
        channel.send(INVOICE, XML)
    assert channel.fetch() == []
    channel.ack([])
