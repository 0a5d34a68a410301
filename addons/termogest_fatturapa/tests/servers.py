# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Loopback servers that play SdI's counterparts in tests and demos.

Each one is a context manager that binds 127.0.0.1 on a port chosen by
the OS and stops when the block ends::

    with smtp_sink(user='pec@example.it', password='secret') as smtp:
        ...  # smtp.host, smtp.port, smtp.messages
    with imap_server(mailbox, user='pec@example.it',
            password='secret') as imap:
        mailbox.append(sdi_reply('IT01234567890_00001_RC_001.xml', ...))
    with intermediary_server(token='t0ken') as api:
        ...  # api.base_url, api.invoices, api.notify(...), api.fail = 500

Nothing here talks to the internet.  ``notification_xml`` and
``sdi_reply`` build plausible SdI notifications and PEC envelopes.
"""
import base64
import contextlib
import email
import email.policy
import email.utils
import http.server
import itertools
import json
import re
import socketserver
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from xml.sax.saxutils import escape

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = [
    'smtp_sink', 'SMTPSink', 'imap_server', 'Mailbox', 'IMAPServer',
    'intermediary_server', 'Intermediary', 'notification_xml',
    'sdi_reply']

HOST = '127.0.0.1'
SDI_NAMESPACE = 'http://www.fatturapa.gov.it/sdi/messaggi/v1.0'
SDI_ROOTS = {
    'RC': 'RicevutaConsegna',
    'NS': 'NotificaScarto',
    'MC': 'NotificaMancataConsegna',
    'NE': 'NotificaEsito',
    'DT': 'NotificaDecorrenzaTermini',
    'AT': 'AttestazioneTrasmissioneFattura',
    'MT': 'MetadatiInvioFile',
    'EC': 'NotificaEsitoCommittente',
    'SE': 'ScartoEsitoCommittente',
    }


def notification_xml(type_, file_name, sdi_id, message_id=None,
        errors=None, outcome='EC01', timestamp=None):
    """A minimal SdI notification (namespace sdi/messaggi v1.0), unsigned.

    errors is a list of (Codice, Descrizione) for an NS (default 00200).
    """
    root = SDI_ROOTS[type_]
    timestamp = timestamp or time.strftime(
        '%Y-%m-%dT%H:%M:%S.000+02:00')
    message_id = message_id or str(int(sdi_id) * 10 + 1)
    lines = [
        '<IdentificativoSdI>%s</IdentificativoSdI>' % escape(str(sdi_id)),
        '<NomeFile>%s</NomeFile>' % escape(file_name),
        ]
    if type_ in {'RC', 'NS', 'MC', 'AT'}:
        lines.append(
            '<DataOraRicezione>%s</DataOraRicezione>' % timestamp)
    if type_ == 'RC':
        lines += [
            '<DataOraConsegna>%s</DataOraConsegna>' % timestamp,
            '<Destinatario><Codice>0000000</Codice>'
            '<Descrizione>Cliente di prova</Descrizione></Destinatario>',
            ]
    elif type_ == 'NS':
        lines.append('<ListaErrori>')
        for code, description in errors or [
                ('00200', 'File non conforme al formato')]:
            lines.append(
                '<Errore><Codice>%s</Codice><Descrizione>%s</Descrizione>'
                '</Errore>' % (escape(code), escape(description)))
        lines.append('</ListaErrori>')
    elif type_ == 'MC':
        lines.append(
            '<Descrizione>Destinatario non raggiungibile</Descrizione>')
    elif type_ == 'NE':
        lines.append(
            '<EsitoCommittente><IdentificativoSdI>%s</IdentificativoSdI>'
            '<Esito>%s</Esito></EsitoCommittente>'
            % (escape(str(sdi_id)), escape(outcome)))
    lines.append('<MessageId>%s</MessageId>' % escape(message_id))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<types:%(root)s xmlns:types="%(ns)s" versione="1.0">\n'
        '  %(body)s\n'
        '</types:%(root)s>\n' % {
            'root': root, 'ns': SDI_NAMESPACE,
            'body': '\n  '.join(lines)}).encode('utf-8')


def sdi_reply(name, data, to, sdi_address='sdi01@pec.fatturapa.it',
        envelope=True, provider='pec.example.it'):
    """The message SdI sends back by PEC with the notification name/data.

    With envelope the SdI message is wrapped as a real PEC delivery is:
    text, daticert.xml, postacert.eml (the SdI message, message/rfc822)
    and a (dummy) smime.p7s.
    """
    inner = EmailMessage(policy=email.policy.SMTP)
    inner['From'] = sdi_address
    inner['To'] = to
    inner['Subject'] = 'Notifica %s' % name
    inner['Date'] = email.utils.formatdate(localtime=True)
    inner['Message-ID'] = email.utils.make_msgid(
        'sdi', domain='pec.fatturapa.it')
    inner.set_content('Il file allegato contiene la notifica %s.\n' % name)
    inner.add_attachment(
        data, maintype='application', subtype='xml', filename=name)
    if not envelope:
        return inner
    outer = EmailMessage(policy=email.policy.SMTP)
    outer['From'] = '"Per conto di: %s" <posta-certificata@%s>' % (
        sdi_address, provider)
    outer['To'] = to
    outer['Subject'] = 'POSTA CERTIFICATA: %s' % inner['Subject']
    outer['Date'] = inner['Date']
    outer['Message-ID'] = email.utils.make_msgid('opec', domain=provider)
    outer['X-Trasporto'] = 'posta-certificata'
    outer['X-Riferimento-Message-ID'] = inner['Message-ID']
    outer.set_content(
        'Messaggio di posta certificata\n\nIl giorno %s il messaggio '
        '"%s" è stato inviato da "%s" indirizzato a: %s\n'
        % (inner['Date'], inner['Subject'], sdi_address, to))
    daticert = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<postacert tipo="posta-certificata" errore="nessuno">'
        '<intestazione><mittente>%s</mittente>'
        '<destinatari tipo="certificato">%s</destinatari>'
        '</intestazione><dati><msgid>%s</msgid></dati></postacert>\n'
        % (escape(sdi_address), escape(to), escape(inner['Message-ID'])))
    outer.add_attachment(
        daticert.encode('utf-8'), maintype='application', subtype='xml',
        filename='daticert.xml')
    outer.add_attachment(
        inner, disposition='attachment', filename='postacert.eml')
    outer.add_attachment(
        b'not a real signature', maintype='application',
        subtype='pkcs7-signature', filename='smime.p7s')
    return outer


# SMTP

@dataclass
class Received:
    "One message received by the SMTP sink"
    mail_from: str
    rcpt_tos: list
    data: bytes
    message: Message
    user: str | None = None

    def attachments(self):
        "{file name: bytes} of the message's attachments"
        return {
            part.get_filename(): part.get_payload(decode=True)
            for part in self.message.iter_attachments()}


class SMTPSink:
    "aiosmtpd handler that records messages and checks AUTH"

    def __init__(self, user=None, password=None):
        self.user = user
        self.password = password
        self.messages = []
        self.host = HOST
        self.port = None

    def authenticate(self, server, session, envelope, mechanism,
            auth_data):
        ok = (isinstance(auth_data, LoginPassword)
            and auth_data.login.decode('utf-8') == self.user
            and auth_data.password.decode('utf-8') == self.password)
        return AuthResult(
            success=ok, handled=False,
            auth_data=auth_data.login.decode('utf-8') if ok else None)

    async def handle_MAIL(self, server, session, envelope, address,
            mail_options):
        if self.user is not None and not session.authenticated:
            return '530 5.7.0 Authentication required'
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data if session.authenticated else None
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default)
        self.messages.append(Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                data=envelope.content, message=message,
                user=login))
        return '250 OK'


class _Controller(Controller):
    "Controller on a port chosen by the OS"

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextlib.contextmanager
def smtp_sink(user=None, password=None):
    """An SMTP server on 127.0.0.1 recording every message.

    With user, AUTH LOGIN/PLAIN is offered without TLS and required before
    MAIL FROM; only user/password are accepted.
    """
    sink = SMTPSink(user, password)
    kwargs = {}
    if user is not None:
        kwargs.update(
            authenticator=sink.authenticate, auth_require_tls=False)
    controller = _Controller(sink, hostname=HOST, port=0, **kwargs)
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


# IMAP

@dataclass
class StoredMessage:
    uid: int
    data: bytes
    flags: set = field(default_factory=set)


class Mailbox:
    "The folders of one IMAP account; thread safe"

    def __init__(self, folders=('INBOX',), uidvalidity=None):
        self.lock = threading.RLock()
        self.uidvalidity = uidvalidity or int(time.time())
        self.folders = {name: [] for name in folders}
        self._uids = itertools.count(1)

    def append(self, message, folder='INBOX', seen=False):
        "Add message (bytes or email message); return its UID"
        if isinstance(message, Message):
            message = message.as_bytes(policy=email.policy.SMTP)
        with self.lock:
            uid = next(self._uids)
            self.folders.setdefault(folder, []).append(StoredMessage(
                    uid, bytes(message), {'\\Seen'} if seen else set()))
            return uid

    def get(self, uid, folder='INBOX'):
        with self.lock:
            for message in self.folders[folder]:
                if message.uid == uid:
                    return message
        raise KeyError(uid)

    def flags(self, uid, folder='INBOX'):
        return set(self.get(uid, folder).flags)

    def seen(self, uid, folder='INBOX'):
        return '\\Seen' in self.flags(uid, folder)


def _imap_tokens(text):
    "Split IMAP arguments: atoms, quoted strings, (lists), [sections]"
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == ' ':
            i += 1
        elif char == '"':
            i += 1
            value = []
            while i < len(text) and text[i] != '"':
                if text[i] == '\\':
                    i += 1
                value.append(text[i])
                i += 1
            tokens.append(''.join(value))
            i += 1
        else:
            depth = 0
            start = i
            while i < len(text) and (text[i] != ' ' or depth):
                if text[i] in '([':
                    depth += 1
                elif text[i] in ')]':
                    depth -= 1
                i += 1
            tokens.append(text[start:i])
    return tokens


def _imap_set(text, values):
    "The members of values (sorted ints) in the IMAP sequence set text"
    top = values[-1] if values else 0
    result = set()
    for item in text.split(','):
        first, _, last = item.partition(':')
        first = top if first == '*' else int(first)
        last = first if not last else (top if last == '*' else int(last))
        low, high = sorted((first, last))
        result.update(v for v in values if low <= v <= high)
    return sorted(result)


class _IMAPHandler(socketserver.StreamRequestHandler):
    timeout = 30

    def setup(self):
        super().setup()
        self.state = 'not-authenticated'
        self.folder = None
        self.readonly = False

    @property
    def mailbox(self):
        return self.server.mailbox

    def write(self, line):
        if isinstance(line, str):
            line = line.encode('utf-8')
        self.wfile.write(line + b'\r\n')

    def readline(self):
        line = self.rfile.readline(1_000_000)
        if not line:
            return None
        line = line.rstrip(b'\r\n').decode('utf-8', 'replace')
        # Literals: {n} at the end of a line, n bytes follow
        while True:
            match = re.search(r'\{(\d+)\+?\}$', line)
            if not match:
                return line
            if not match.group(0).endswith('+}'):
                self.write('+ Ready for literal')
            literal = self.rfile.read(int(match.group(1))).decode(
                'utf-8', 'replace')
            rest = self.rfile.readline(1_000_000).rstrip(b'\r\n')
            line = '%s"%s"%s' % (
                line[:match.start()],
                literal.replace('\\', '\\\\').replace('"', '\\"'),
                rest.decode('utf-8', 'replace'))

    def handle(self):
        self.write('* OK [CAPABILITY IMAP4rev1] TermoGest test IMAP ready')
        while True:
            try:
                line = self.readline()
            except OSError:
                return
            if line is None:
                return
            tag, _, rest = line.partition(' ')
            command, _, args = rest.partition(' ')
            command = command.upper()
            if command == 'UID':
                sub, _, args = args.partition(' ')
                command = 'UID_' + sub.upper()
            self.server.log.append(command)
            method = getattr(self, 'do_' + command, None)
            if not tag or method is None:
                self.write('%s BAD unknown command' % (tag or '*'))
                continue
            if (command not in {'CAPABILITY', 'NOOP', 'LOGOUT', 'LOGIN'}
                    and self.state == 'not-authenticated'):
                self.write('%s NO not authenticated' % tag)
                continue
            try:
                result = method(_imap_tokens(args))
            except (ValueError, IndexError, KeyError) as exception:
                self.write('%s BAD %s' % (tag, exception))
                continue
            if result is None:
                return
            self.write('%s %s' % (tag, result))

    def do_CAPABILITY(self, args):
        self.write('* CAPABILITY IMAP4rev1')
        return 'OK CAPABILITY completed'

    def do_NOOP(self, args):
        return 'OK NOOP completed'

    def do_LOGOUT(self, args):
        self.write('* BYE logging out')
        return 'OK LOGOUT completed'

    def do_LOGIN(self, args):
        user, password = args
        if (user, password) != (self.server.user, self.server.password):
            return 'NO [AUTHENTICATIONFAILED] Invalid credentials'
        self.state = 'authenticated'
        return 'OK LOGIN completed'

    def _select(self, args, readonly):
        name = args[0]
        if name.upper() == 'INBOX':
            name = 'INBOX'
        with self.mailbox.lock:
            if name not in self.mailbox.folders:
                self.state = 'authenticated'
                return 'NO [NONEXISTENT] no such mailbox'
            messages = self.mailbox.folders[name]
            unseen = [i for i, m in enumerate(messages, 1)
                if '\\Seen' not in m.flags]
            uidnext = max((m.uid for m in messages), default=0) + 1
            self.write(r'* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)')
            self.write('* %d EXISTS' % len(messages))
            self.write('* 0 RECENT')
            if unseen:
                self.write('* OK [UNSEEN %d] first unseen' % unseen[0])
            self.write(
                '* OK [UIDVALIDITY %d] UIDs valid'
                % self.mailbox.uidvalidity)
            self.write('* OK [UIDNEXT %d] predicted next UID' % uidnext)
            self.write(
                r'* OK [PERMANENTFLAGS (\Deleted \Seen \*)] flags')
        self.state = 'selected'
        self.folder = name
        self.readonly = readonly
        return 'OK [%s] %s completed' % (
            'READ-ONLY' if readonly else 'READ-WRITE',
            'EXAMINE' if readonly else 'SELECT')

    def do_SELECT(self, args):
        return self._select(args, False)

    def do_EXAMINE(self, args):
        return self._select(args, True)

    def do_CLOSE(self, args):
        if self.state != 'selected':
            return 'NO no mailbox selected'
        self.state = 'authenticated'
        self.folder = None
        return 'OK CLOSE completed'

    def _messages(self):
        "[(sequence number, message)] of the selected folder"
        return list(enumerate(self.mailbox.folders[self.folder], 1))

    def _chosen(self, text, uid):
        messages = self._messages()
        if uid:
            wanted = _imap_set(text, [m.uid for _, m in messages])
            return [(n, m) for n, m in messages if m.uid in wanted]
        wanted = _imap_set(text, [n for n, _ in messages])
        return [(n, m) for n, m in messages if n in wanted]

    def _search(self, args, uid):
        if self.state != 'selected':
            return 'NO no mailbox selected'
        criteria = [a.upper() for a in args]
        if criteria[:2] == ['CHARSET', 'UTF-8'] or criteria[:2] == [
                'CHARSET', 'US-ASCII']:
            criteria = criteria[2:]
        with self.mailbox.lock:
            found = []
            for number, message in self._messages():
                ok = True
                for criterion in criteria:
                    if criterion == 'ALL':
                        continue
                    elif criterion == 'UNSEEN':
                        ok &= '\\Seen' not in message.flags
                    elif criterion == 'SEEN':
                        ok &= '\\Seen' in message.flags
                    elif criterion == 'UNDELETED':
                        ok &= '\\Deleted' not in message.flags
                    else:
                        raise ValueError('unsupported search %s' % criterion)
                if ok:
                    found.append(message.uid if uid else number)
        self.write(' '.join(['* SEARCH'] + [str(f) for f in found]))
        return 'OK SEARCH completed'

    def do_SEARCH(self, args):
        return self._search(args, False)

    def do_UID_SEARCH(self, args):
        return self._search(args, True)

    def _fetch(self, args, uid):
        if self.state != 'selected':
            return 'NO no mailbox selected'
        items = args[1].strip('()').upper()
        items = _imap_tokens(items)
        with self.mailbox.lock:
            for number, message in self._chosen(args[0], uid):
                parts = ['UID %d' % message.uid]
                literal = None
                for item in items:
                    if item in {'BODY[]', 'RFC822'}:
                        if not self.readonly:
                            message.flags.add('\\Seen')
                        literal = item
                    elif item == 'BODY.PEEK[]':
                        literal = 'BODY[]'
                    elif item == 'RFC822.SIZE':
                        parts.append('RFC822.SIZE %d' % len(message.data))
                    elif item not in {'UID', 'FLAGS'}:
                        raise ValueError('unsupported fetch item %s' % item)
                if 'FLAGS' in items:
                    parts.append('FLAGS (%s)' % ' '.join(
                            sorted(message.flags)))
                head = '* %d FETCH (%s' % (number, ' '.join(parts))
                if literal:
                    self.write('%s %s {%d}' % (
                            head, literal, len(message.data)))
                    self.wfile.write(message.data)
                    self.write(')')
                else:
                    self.write(head + ')')
        return 'OK FETCH completed'

    def do_FETCH(self, args):
        return self._fetch(args, False)

    def do_UID_FETCH(self, args):
        return self._fetch(args, True)

    def _store(self, args, uid):
        if self.state != 'selected':
            return 'NO no mailbox selected'
        if self.readonly:
            return 'NO [READ-ONLY] mailbox opened with EXAMINE'
        what = args[1].upper()
        flags = set(args[2].strip('()').split())
        with self.mailbox.lock:
            for number, message in self._chosen(args[0], uid):
                if what.startswith('+FLAGS'):
                    message.flags |= flags
                elif what.startswith('-FLAGS'):
                    message.flags -= flags
                elif what.startswith('FLAGS'):
                    message.flags = set(flags)
                else:
                    raise ValueError('unsupported store %s' % what)
                if not what.endswith('.SILENT'):
                    self.write('* %d FETCH (UID %d FLAGS (%s))' % (
                            number, message.uid,
                            ' '.join(sorted(message.flags))))
        return 'OK STORE completed'

    def do_STORE(self, args):
        return self._store(args, False)

    def do_UID_STORE(self, args):
        return self._store(args, True)


class IMAPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, mailbox, user, password):
        super().__init__((HOST, 0), _IMAPHandler)
        self.mailbox = mailbox
        self.user = user
        self.password = password
        self.host, self.port = self.server_address[:2]
        self.log = []  # command names received, never their arguments


@contextlib.contextmanager
def imap_server(mailbox=None, user='pec@example.it', password='secret'):
    """A minimal IMAP4rev1 server on 127.0.0.1 serving mailbox.

    Commands: CAPABILITY, LOGIN, SELECT, EXAMINE, [UID] SEARCH (ALL,
    UNSEEN, SEEN, UNDELETED), [UID] FETCH (RFC822, BODY[], BODY.PEEK[],
    FLAGS, UID, RFC822.SIZE), [UID] STORE [+-]FLAGS[.SILENT], NOOP,
    CLOSE, LOGOUT.  A wrong user or password gets NO.
    """
    if mailbox is None:
        mailbox = Mailbox()
    server = IMAPServer(mailbox, user, password)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={'poll_interval': 0.05},
        daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# REST intermediary

class _IntermediaryHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, format, *args):
        pass

    @property
    def api(self):
        return self.server

    def reply(self, status, value=None, body=None):
        if body is None:
            body = json.dumps(value).encode('utf-8')
            content_type = 'application/json'
        else:
            content_type = 'text/html; charset=utf-8'
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        if status == 401:
            self.send_header('WWW-Authenticate', 'Bearer')
        self.end_headers()
        self.wfile.write(body)

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        if not path.startswith(self.api.prefix):
            return self.reply(404, {'error': 'not found'})
        path = path[len(self.api.prefix):]
        query = urllib.parse.parse_qs(url.query)
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        api = self.api
        with api.lock:
            api.requests.append((method, url.path))
        if self.headers.get('Authorization') != 'Bearer %s' % api.token:
            return self.reply(401, {'error': 'invalid or missing token'})
        if api.fail == 'garbage':
            return self.reply(
                200, body=b'<html><body>Service Unavailable</body></html>')
        elif api.fail:
            return self.reply(int(api.fail), {
                    'error': api.fail_message or 'internal server error'})
        parts = [p for p in path.split('/') if p]
        with api.lock:
            if method == 'POST' and parts == ['invoices']:
                return self.submit(body)
            elif method == 'GET' and len(parts) == 2 and (
                    parts[0] == 'invoices'):
                invoice = api.invoices.get(parts[1])
                if not invoice:
                    return self.reply(404, {'error': 'invoice not found'})
                return self.reply(200, api.public(invoice))
            elif method == 'GET' and parts == ['notifications']:
                acknowledged = query.get('acknowledged', [None])[0]
                result = []
                for notification in api.notifications.values():
                    if (acknowledged is not None
                            and notification['acknowledged']
                            != (acknowledged == 'true')):
                        continue
                    result.append({
                            'id': notification['id'],
                            'invoice_id': notification['invoice_id'],
                            'type': notification['type'],
                            'file_name': notification['file_name'],
                            'content': base64.b64encode(
                                notification['data']).decode('ascii'),
                            })
                return self.reply(200, result)
            elif (method == 'POST' and len(parts) == 3
                    and parts[0] == 'notifications' and parts[2] == 'ack'):
                notification = api.notifications.get(parts[1])
                if not notification:
                    return self.reply(
                        404, {'error': 'notification not found'})
                notification['acknowledged'] = True
                return self.reply(
                    200, {'id': notification['id'], 'acknowledged': True})
        return self.reply(404, {'error': 'not found'})

    def submit(self, body):
        api = self.api
        try:
            payload = json.loads(body)
            file_name = payload['file_name']
            data = base64.b64decode(payload['content'], validate=True)
        except (ValueError, KeyError, TypeError):
            return self.reply(400, {'error': 'invalid request body'})
        if any(i['file_name'] == file_name for i in api.invoices.values()):
            return self.reply(
                409, {'error': 'file name already used (00002)'})
        number = next(api._numbers)
        invoice = {
            'id': 'inv-%d' % number,
            'file_name': file_name,
            'data': data,
            'sdi_id': str(1000000 + number) if api.sdi_ids else None,
            'status': 'sent',
            }
        api.invoices[invoice['id']] = invoice
        return self.reply(201, api.public(invoice))

    def do_GET(self):
        self.dispatch('GET')

    def do_POST(self):
        self.dispatch('POST')


class Intermediary(http.server.ThreadingHTTPServer):
    """The REST intermediary's state.

    - ``invoices``: {id: {id, file_name, data, sdi_id, status}};
    - ``notifications``: {id: {id, invoice_id, type, file_name, data,
      acknowledged}};
    - ``requests``: [(method, path)] received;
    - ``fail``: None, an HTTP status (every authenticated request answers
      it with ``{"error": fail_message}``) or ``'garbage'`` (200 with an
      HTML page);
    - ``sdi_ids``: whether submission returns an sdi_id at once.
    """
    daemon_threads = True
    block_on_close = False
    STATUSES = {
        'RC': 'delivered', 'NS': 'rejected', 'MC': 'not_delivered',
        'DT': 'expired', 'AT': 'undeliverable',
        }

    def __init__(self, token, prefix=''):
        super().__init__((HOST, 0), _IntermediaryHandler)
        self.token = token
        self.prefix = prefix.rstrip('/')
        self.host, self.port = self.server_address[:2]
        self.base_url = 'http://%s:%d%s' % (self.host, self.port, self.prefix)
        self.lock = threading.RLock()
        self.invoices = {}
        self.notifications = {}
        self.requests = []
        self.fail = None
        self.fail_message = None
        self.sdi_ids = True
        self._numbers = itertools.count(1)

    @staticmethod
    def public(invoice):
        return {k: v for k, v in invoice.items() if k != 'data'}

    def invoice(self, key):
        "The invoice with id or file name key"
        with self.lock:
            for invoice in self.invoices.values():
                if key in {invoice['id'], invoice['file_name']}:
                    return invoice
        raise KeyError(key)

    def notify(self, key, type_='RC', data=None, name=None, **kwargs):
        """Queue a notification of type_ for the invoice with id or file
        name key; return its id.  data defaults to notification_xml(...)
        with kwargs."""
        with self.lock:
            invoice = self.invoice(key)
            stem = re.sub(
                r'(\.xml)?(\.p7m)?$', '', invoice['file_name'], flags=re.I)
            count = sum(
                1 for n in self.notifications.values()
                if n['invoice_id'] == invoice['id'] and n['type'] == type_)
            name = name or '%s_%s_%03d.xml' % (stem, type_, count + 1)
            if data is None:
                data = notification_xml(
                    type_, invoice['file_name'],
                    invoice['sdi_id'] or '999', **kwargs)
            number = next(self._numbers)
            notification = {
                'id': 'ntf-%d' % number,
                'invoice_id': invoice['id'],
                'type': type_,
                'file_name': name,
                'data': data,
                'acknowledged': False,
                }
            self.notifications[notification['id']] = notification
            invoice['status'] = self.STATUSES.get(type_, invoice['status'])
            return notification['id']


@contextlib.contextmanager
def intermediary_server(token='test-token', prefix=''):
    """An HTTP server on 127.0.0.1 playing the REST intermediary of
    ``RESTChannel``; use ``server.base_url`` as the channel's base."""
    server = Intermediary(token, prefix)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={'poll_interval': 0.05},
        daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
