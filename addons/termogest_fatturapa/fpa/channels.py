# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Transport channels towards the Sistema di Interscambio (SdI).

Three channels (FATTURAPA.md §7):

- ``PECChannel``: the file goes by SMTP to ``sdi01@pec.fatturapa.it`` and
  the notifications are read back by IMAP from the same PEC mailbox;
- ``RESTChannel``: a generic accredited intermediary with a JSON API;
- ``ManualChannel``: the user uploads the XML on the "Fatture e
  Corrispettivi" portal.

Every channel has ``send(file_name, data) -> Sent``, ``fetch() ->
[Incoming]`` and ``ack(incomings)``.  ``fetch`` never consumes anything:
the caller stores the notifications first and then calls ``ack``, so a
crash in between only means the same notifications are fetched again
(the caller is idempotent on ``Incoming.reference`` and on the content,
FATTURAPA.md §8).

Any failure is a ``ChannelError`` with an Italian message that names the
channel, the host and what to check.  Nothing here knows Tryton, and no
password or token is ever written in a message or in the log.
"""
import base64
import binascii
import email
import email.policy
import email.utils
import http.client
import imaplib
import json
import logging
import re
import smtplib
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage

__all__ = [
    'MAX_FILE_SIZE', 'NOTIFICATION_NAME', 'ChannelError', 'Sent',
    'Incoming', 'PECChannel', 'RESTChannel', 'ManualChannel',
    'is_notification_name']

logger = logging.getLogger(__name__)

# 5 MB per file (SdI error 00003); the spec does not say 10**6 or 2**20
MAX_FILE_SIZE = 5_000_000
# <IdPaese><IdCodice>_<progressivo>_<TYPE>_<nnn>.xml (FATTURAPA.md §8)
NOTIFICATION_NAME = re.compile(
    r'^[A-Z]{2}[0-9A-Z]{2,28}_[0-9A-Z]{1,5}'
    r'_(?P<type>RC|NS|MC|NE|DT|AT|MT|EC|SE)_[0-9]{3}\.xml$',
    re.IGNORECASE)
# Longest server text quoted in a message (the full text is in .detail)
MAX_QUOTED = 300
# Biggest HTTP response read from an intermediary
MAX_RESPONSE = 50_000_000
# Deepest PEC envelope nesting followed (postacert.eml in postacert.eml)
MAX_DEPTH = 5
SECURITIES = ('ssl', 'starttls', 'none')
PORTAL_URL = 'https://ivaservizi.agenziaentrate.gov.it/portale/'


def is_notification_name(name):
    "Tell if name is the name of an SdI notification file"
    return bool(name and NOTIFICATION_NAME.match(name))


def _shorten(text, length=MAX_QUOTED):
    text = ' '.join(str(text).split())
    if len(text) > length:
        text = '%s… [troncato, %d caratteri in tutto]' % (
            text[:length], len(text))
    return text


def _describe(exception):
    "A short text for an exception that never holds a credential"
    if isinstance(exception, smtplib.SMTPResponseException):
        text = exception.smtp_error
        if isinstance(text, bytes):
            text = text.decode('utf-8', 'replace')
        text = '%s %s' % (exception.smtp_code, text)
    elif isinstance(exception, smtplib.SMTPRecipientsRefused):
        text = '; '.join(
            '%s: %s %s' % (r, c, m.decode('utf-8', 'replace')
                if isinstance(m, bytes) else m)
            for r, (c, m) in exception.recipients.items())
    else:
        text = str(exception) or exception.__class__.__name__
    return _shorten(text)


class ChannelError(Exception):
    """A channel could not do its job.

    ``message`` is in Italian for the user and says what to check;
    ``cause`` is the original exception (also ``__cause__``), ``detail``
    the full text the server answered when there is one, ``status`` the
    HTTP status and ``temporary`` whether trying again later may work
    (network, timeout, 5xx) rather than needing a fix (credentials,
    address, refused file).
    """

    def __init__(self, message, cause=None, detail=None, status=None,
            temporary=False):
        super().__init__(message)
        self.message = message
        self.cause = cause
        self.detail = detail
        self.status = status
        self.temporary = temporary
        if cause is not None:
            self.__cause__ = cause

    def __str__(self):
        return self.message


@dataclass
class Sent:
    "What a channel returned for a sent file"
    reference: str | None   # Message-ID (PEC), id (intermediary)
    sdi_id: str | None = None  # IdentificativoSdI when already known
    raw: dict | None = None


@dataclass
class Incoming:
    """One notification file received by a channel.

    ``reference`` is a stable id of where it came from:
    ``<UIDVALIDITY>:<UID>:<Message-ID>`` for PEC (one message normally
    holds one notification; with the file name it is always unique) and
    the notification id for an intermediary.  ``sender`` is, for PEC, the
    SdI address that wrote the notification (``sdiNN@pec.fatturapa.it``,
    to be used for the next files).
    """
    name: str
    data: bytes
    reference: str | None
    sender: str | None = field(default=None, compare=False)


def check_file(file_name, data, channel):
    "Refuse what SdI would refuse anyway before it leaves"
    if (not file_name
            or any(c in file_name for c in '/\\')
            or any(ord(c) < 32 or ord(c) == 127 for c in file_name)):
        raise ChannelError(
            'Canale %s: nome file «%s» non valido. Il nome deve essere '
            'del tipo IT01234567890_00001.xml, senza percorso.'
            % (channel, file_name))
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError('data must be bytes')
    if len(data) > MAX_FILE_SIZE:
        raise ChannelError(
            'Canale %s: il file «%s» pesa %d byte e supera il limite di '
            '%d byte (5 MB) accettato dal Sistema di Interscambio '
            '(scarto 00003). Ridurre o togliere gli allegati della '
            'fattura.' % (channel, file_name, len(data), MAX_FILE_SIZE))


def _content_type(file_name):
    name = file_name.lower()
    if name.endswith('.p7m'):
        return 'application', 'pkcs7-mime'
    elif name.endswith('.zip'):
        return 'application', 'zip'
    return 'application', 'xml'


def _network_error(channel, where, exception, what):
    """The ChannelError for an OSError (refused, unknown host, timeout,
    TLS) while talking to where"""
    if isinstance(exception, (socket.timeout, TimeoutError)):
        text = ('nessuna risposta entro il tempo massimo. Controllare '
            'che il server sia raggiungibile e riprovare più tardi')
    elif isinstance(exception, socket.gaierror):
        text = ('nome del server sconosciuto. Controllare %s'
            % what)
    elif isinstance(exception, ConnectionRefusedError):
        text = ('connessione rifiutata. Controllare %s' % what)
    elif isinstance(exception, ssl.SSLError):
        text = ('errore TLS/SSL. Controllare la porta e il tipo di '
            'sicurezza (SSL o STARTTLS) indicati dal gestore')
    else:
        text = ('errore di rete. Controllare %s e la connessione a '
            'Internet' % what)
    return ChannelError(
        'Canale %s (%s): %s (%s).' % (
            channel, where, text, _describe(exception)),
        cause=exception, temporary=True)


class ManualChannel:
    "The user uploads the XML file on the Agenzia delle Entrate portal"
    name = 'manuale'

    def send(self, file_name, data):
        raise ChannelError(
            'Canale manuale: TermoGest non trasmette il file «%s». '
            'Scaricare il file XML e caricarlo sul portale «Fatture e '
            'Corrispettivi» dell\'Agenzia delle Entrate (%s), sezione '
            '«Trasmissione»; poi registrare qui le notifiche ricevute.'
            % (file_name, PORTAL_URL))

    def fetch(self):
        return []

    def ack(self, incomings):
        pass


class PECChannel:
    """SMTP to send the file to SdI, IMAP to read SdI's replies.

    The mailbox (or ``imap_folder``) should be dedicated to SdI: messages
    without a notification are left as they are (unread) and read again
    at each fetch.  ``imap_search`` is the IMAP search used by fetch:
    ``UNSEEN`` (default) or ``ALL`` to read again messages already seen
    (for example opened by someone in a mail client).
    """
    name = 'PEC'

    def __init__(self, smtp_host, smtp_port, smtp_user, smtp_password,
            smtp_security, imap_host, imap_port, imap_user, imap_password,
            imap_security, imap_folder='INBOX', sender=None,
            sdi_address='sdi01@pec.fatturapa.it', timeout=30,
            imap_search='UNSEEN', max_messages=200, ssl_context=None):
        for label, security in [
                ('SMTP', smtp_security), ('IMAP', imap_security)]:
            if security not in SECURITIES:
                raise ChannelError(
                    'Canale PEC: sicurezza %s «%s» non valida; usare '
                    '«ssl», «starttls» o «none».' % (label, security))
        if not sender:
            raise ChannelError(
                'Canale PEC: manca l\'indirizzo PEC del mittente.')
        self.smtp_host = smtp_host
        self.smtp_port = int(smtp_port or {
                'ssl': 465, 'starttls': 587, 'none': 25}[smtp_security])
        self.smtp_user = smtp_user
        self.smtp_password = smtp_password
        self.smtp_security = smtp_security
        self.imap_host = imap_host
        self.imap_port = int(imap_port or {
                'ssl': 993, 'starttls': 143, 'none': 143}[imap_security])
        self.imap_user = imap_user
        self.imap_password = imap_password
        self.imap_security = imap_security
        self.imap_folder = imap_folder or 'INBOX'
        self.sender = sender
        self.sdi_address = sdi_address
        self.timeout = timeout
        self.imap_search = imap_search
        self.max_messages = max_messages
        self.ssl_context = ssl_context

    def __repr__(self):
        return '<PECChannel %s smtp=%s:%s imap=%s:%s>' % (
            self.sender, self.smtp_host, self.smtp_port,
            self.imap_host, self.imap_port)

    @property
    def _smtp_where(self):
        return 'SMTP %s:%s' % (self.smtp_host, self.smtp_port)

    @property
    def _imap_where(self):
        return 'IMAP %s:%s' % (self.imap_host, self.imap_port)

    def _context(self):
        return self.ssl_context or ssl.create_default_context()

    # Sending

    def message(self, file_name, data):
        "The e-mail that carries the file to SdI"
        msg = EmailMessage(policy=email.policy.SMTP)
        msg['From'] = self.sender
        msg['To'] = self.sdi_address
        msg['Subject'] = file_name
        msg['Date'] = email.utils.formatdate(localtime=True)
        domain = self.sender.rpartition('@')[2] or 'termogest.invalid'
        # Short enough not to be folded
        msg['Message-ID'] = '<%s@%s>' % (uuid.uuid4().hex, domain)
        msg.set_content(
            'Invio al Sistema di Interscambio del file %s.\n' % file_name)
        maintype, subtype = _content_type(file_name)
        msg.add_attachment(
            bytes(data), maintype=maintype, subtype=subtype,
            filename=file_name)
        return msg

    def _smtp(self):
        where = self._smtp_where
        what = 'server e porta SMTP della casella PEC'
        try:
            if self.smtp_security == 'ssl':
                server = smtplib.SMTP_SSL(
                    self.smtp_host, self.smtp_port, timeout=self.timeout,
                    context=self._context())
            else:
                server = smtplib.SMTP(
                    self.smtp_host, self.smtp_port, timeout=self.timeout)
            try:
                if self.smtp_security == 'starttls':
                    server.starttls(context=self._context())
                if self.smtp_user:
                    server.login(self.smtp_user, self.smtp_password or '')
            except BaseException:
                server.close()
                raise
        except smtplib.SMTPAuthenticationError as exception:
            raise ChannelError(
                'Canale PEC (%s): autenticazione rifiutata. Controllare '
                'utente e password SMTP della casella PEC (%s).' % (
                    where, _describe(exception)),
                cause=exception) from exception
        except smtplib.SMTPNotSupportedError as exception:
            raise ChannelError(
                'Canale PEC (%s): il server non supporta l\'operazione '
                'richiesta (autenticazione o STARTTLS). Controllare il '
                'tipo di sicurezza e la porta indicati dal gestore PEC '
                '(%s).' % (where, _describe(exception)),
                cause=exception) from exception
        except smtplib.SMTPException as exception:
            raise ChannelError(
                'Canale PEC (%s): il server ha rifiutato la connessione. '
                'Controllare %s e il tipo di sicurezza (%s).' % (
                    where, what, _describe(exception)),
                cause=exception, temporary=True) from exception
        except OSError as exception:
            raise _network_error(
                'PEC', where, exception, what) from exception
        return server

    def send(self, file_name, data):
        check_file(file_name, data, 'PEC')
        msg = self.message(file_name, data)
        where = self._smtp_where
        server = self._smtp()
        try:
            refused = server.send_message(
                msg, from_addr=self.sender, to_addrs=[self.sdi_address])
        except smtplib.SMTPRecipientsRefused as exception:
            raise ChannelError(
                'Canale PEC (%s): il destinatario %s è stato rifiutato. '
                'Controllare l\'indirizzo del Sistema di Interscambio '
                '(%s).' % (where, self.sdi_address, _describe(exception)),
                cause=exception) from exception
        except smtplib.SMTPSenderRefused as exception:
            raise ChannelError(
                'Canale PEC (%s): il mittente %s è stato rifiutato. '
                'Controllare che sia l\'indirizzo della casella PEC con '
                'cui si accede (%s).' % (
                    where, self.sender, _describe(exception)),
                cause=exception) from exception
        except smtplib.SMTPDataError as exception:
            raise ChannelError(
                'Canale PEC (%s): il server ha rifiutato il messaggio '
                '(%s). Controllare la dimensione e i limiti della '
                'casella.' % (where, _describe(exception)),
                cause=exception,
                temporary=400 <= exception.smtp_code < 500) from exception
        except smtplib.SMTPException as exception:
            raise ChannelError(
                'Canale PEC (%s): invio non riuscito (%s). Riprovare più '
                'tardi.' % (where, _describe(exception)),
                cause=exception, temporary=True) from exception
        except OSError as exception:
            raise _network_error(
                'PEC', where, exception,
                'server e porta SMTP della casella PEC') from exception
        finally:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
        message_id = msg['Message-ID']
        logger.info(
            'PEC: sent %s to %s via %s (%s)',
            file_name, self.sdi_address, where, message_id)
        return Sent(
            reference=message_id, sdi_id=None,
            raw={
                'message_id': message_id,
                'to': self.sdi_address,
                'refused': {
                    k: [c, m.decode('utf-8', 'replace')]
                    for k, (c, m) in refused.items()},
                })

    # Receiving

    def _imap(self):
        where = self._imap_where
        what = 'server e porta IMAP della casella PEC'
        try:
            if self.imap_security == 'ssl':
                conn = imaplib.IMAP4_SSL(
                    self.imap_host, self.imap_port,
                    ssl_context=self._context(), timeout=self.timeout)
            else:
                conn = imaplib.IMAP4(
                    self.imap_host, self.imap_port, timeout=self.timeout)
            try:
                if self.imap_security == 'starttls':
                    conn.starttls(ssl_context=self._context())
                conn.login(self.imap_user, self.imap_password or '')
            except BaseException:
                conn.shutdown()
                raise
        except imaplib.IMAP4.error as exception:
            raise ChannelError(
                'Canale PEC (%s): accesso rifiutato. Controllare utente e '
                'password IMAP della casella PEC e il tipo di sicurezza '
                '(%s).' % (where, _imap_text(exception)),
                cause=exception) from exception
        except OSError as exception:
            raise _network_error(
                'PEC', where, exception, what) from exception
        return conn

    def _select(self, conn, readonly):
        typ, data = conn.select(_imap_quote(self.imap_folder), readonly)
        if typ != 'OK':
            raise ChannelError(
                'Canale PEC (%s): cartella «%s» non trovata. Controllare '
                'la cartella IMAP configurata (%s).' % (
                    self._imap_where, self.imap_folder,
                    _imap_text(data)))
        typ, data = conn.response('UIDVALIDITY')
        return data[0].decode('ascii') if data and data[0] else '0'

    def _session(self, function):
        "Run function(conn) in an IMAP session, mapping the errors"
        where = self._imap_where
        conn = self._imap()
        try:
            return function(conn)
        except imaplib.IMAP4.abort as exception:
            raise ChannelError(
                'Canale PEC (%s): connessione interrotta dal server (%s). '
                'Riprovare più tardi.' % (where, _imap_text(exception)),
                cause=exception, temporary=True) from exception
        except imaplib.IMAP4.error as exception:
            raise ChannelError(
                'Canale PEC (%s): il server ha rifiutato un comando (%s). '
                'Controllare la cartella IMAP e i permessi della casella.'
                % (where, _imap_text(exception)),
                cause=exception) from exception
        except OSError as exception:
            raise _network_error(
                'PEC', where, exception,
                'server e porta IMAP della casella PEC') from exception
        finally:
            try:
                if conn.state == 'SELECTED':
                    conn.close()
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                conn.shutdown()

    def fetch(self):
        return self._session(self._fetch)

    def _fetch(self, conn):
        uidvalidity = self._select(conn, readonly=True)
        typ, data = conn.uid('SEARCH', self.imap_search)
        if typ != 'OK':
            raise imaplib.IMAP4.error(_imap_text(data))
        uids = b' '.join(d for d in data if d).split()
        uids = sorted(uids, key=int)[:self.max_messages]
        incomings = []
        for uid in uids:
            uid = uid.decode('ascii')
            typ, data = conn.uid('FETCH', uid, '(BODY.PEEK[])')
            raw = _fetched_body(data) if typ == 'OK' else None
            if raw is None:
                logger.warning(
                    'PEC: no body for UID %s in %s', uid, self.imap_folder)
                continue
            msg = email.message_from_bytes(
                raw, policy=email.policy.default)
            message_id = (msg.get('Message-ID') or '').strip()
            reference = '%s:%s:%s' % (uidvalidity, uid, message_id)
            found = list(extract_notifications(msg))
            if not found:
                logger.debug(
                    'PEC: UID %s (%s) holds no notification', uid,
                    message_id)
            for name, data, sender in found:
                incomings.append(Incoming(
                        name=name, data=data, reference=reference,
                        sender=sender))
        logger.info(
            'PEC: %d notification(s) in %d message(s) from %s',
            len(incomings), len(uids), self._imap_where)
        return incomings

    def ack(self, incomings):
        "Mark as seen the messages the incomings came from"
        references = {i.reference for i in incomings if i.reference}
        if references:
            self._session(lambda conn: self._ack(conn, references))

    def _ack(self, conn, references):
        uidvalidity = self._select(conn, readonly=False)
        uids = set()
        for reference in references:
            validity, _, rest = reference.partition(':')
            uid = rest.partition(':')[0]
            if not uid.isdigit():
                continue
            if validity != uidvalidity:
                # The folder was rebuilt, the UID means something else:
                # leave the message unread, it will be fetched again.
                logger.warning(
                    'PEC: UIDVALIDITY changed, %s not marked as seen',
                    reference)
                continue
            uids.add(uid)
        if uids:
            typ, data = conn.uid(
                'STORE', ','.join(sorted(uids, key=int)), '+FLAGS.SILENT',
                r'(\Seen)')
            if typ != 'OK':
                raise imaplib.IMAP4.error(_imap_text(data))


def _imap_text(value):
    "Text of an imaplib error or response data"
    if isinstance(value, (list, tuple)):
        value = b' '.join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        value = value.decode('utf-8', 'replace')
    value = str(value)
    # imaplib writes errors as "b'...'"
    match = re.fullmatch(r"""b(['"])(.*)\1""", value)
    if match:
        value = match.group(2)
    return _shorten(value)


def _imap_quote(name):
    if re.fullmatch(r'[A-Za-z0-9_./-]+', name):
        return name
    return '"%s"' % name.replace('\\', '\\\\').replace('"', '\\"')


def _fetched_body(data):
    "The message bytes from an imaplib FETCH response"
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def extract_notifications(msg, sender=None, depth=0):
    """Yield (name, data, sender) for every notification attached to msg.

    It follows nested messages: a PEC envelope carries SdI's original
    message as ``postacert.eml`` (message/rfc822, or sometimes an
    application/octet-stream ``.eml`` attachment).  sender is the From
    of the innermost message holding the file.
    """
    if depth > MAX_DEPTH:
        return
    from_ = msg.get('From')
    if from_:
        address = email.utils.parseaddr(str(from_))[1]
        sender = address or sender
    for part in _parts(msg):
        content_type = part.get_content_type()
        if content_type == 'message/rfc822':
            for inner in part.get_payload() or []:
                yield from extract_notifications(inner, sender, depth + 1)
            continue
        if part.is_multipart():
            continue
        name = part.get_filename()
        if not name:
            continue
        name = name.strip().replace('\\', '/').rpartition('/')[2]
        if is_notification_name(name):
            data = part.get_payload(decode=True)
            if data:
                yield name, data, sender
        elif name.lower().endswith('.eml'):
            data = part.get_payload(decode=True)
            if data:
                inner = email.message_from_bytes(
                    data, policy=email.policy.default)
                yield from extract_notifications(inner, sender, depth + 1)


def _parts(msg):
    "The leaf and message/rfc822 parts of msg, not below message/rfc822"
    if msg.get_content_type() == 'message/rfc822' or not msg.is_multipart():
        yield msg
        return
    for part in msg.get_payload():
        if part.get_content_type() == 'message/rfc822':
            yield part
        elif part.is_multipart():
            yield from _parts(part)
        else:
            yield part


class RESTChannel:
    """A generic accredited intermediary with a JSON API.

    - ``POST {base}/invoices`` ``{"file_name", "content": base64}`` →
      ``{"id", "sdi_id"?}``
    - ``GET {base}/invoices/{id}`` → the intermediary's status
    - ``GET {base}/notifications?acknowledged=false`` →
      ``[{"id", "file_name", "content": base64}]``
    - ``POST {base}/notifications/{id}/ack``

    Authentication: ``Authorization: Bearer <token>``.
    """
    name = 'intermediario'

    def __init__(self, base_url, token, timeout=30):
        parts = urllib.parse.urlsplit(base_url or '')
        if parts.scheme not in ('http', 'https') or not parts.hostname:
            raise ChannelError(
                'Canale intermediario: indirizzo «%s» non valido. '
                'Indicare l\'indirizzo base dell\'API, per esempio '
                'https://api.intermediario.it/v1.' % _shorten(
                    base_url, 100))
        self.base_url = base_url.rstrip('/')
        self.token = token
        self.timeout = timeout
        self.host = parts.hostname
        if parts.port:
            self.host = '%s:%s' % (parts.hostname, parts.port)

    def __repr__(self):
        return '<RESTChannel %s>' % self.host

    def _error(self, text, **kwargs):
        return ChannelError(
            'Canale intermediario (%s): %s' % (self.host, text), **kwargs)

    def _request(self, method, path, payload=None):
        url = self.base_url + path
        headers = {
            'Accept': 'application/json',
            'Authorization': 'Bearer %s' % (self.token or ''),
            'User-Agent': 'TermoGest',
            }
        body = None
        if payload is not None:
            body = json.dumps(payload).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        request = urllib.request.Request(
            url, data=body, headers=headers, method=method)
        logger.debug('intermediary: %s %s%s', method, self.host, path)
        try:
            with urllib.request.urlopen(
                    request, timeout=self.timeout) as response:
                content = response.read(MAX_RESPONSE + 1)
                status = response.status
        except urllib.error.HTTPError as exception:
            raise self._http_error(method, path, exception) from exception
        except urllib.error.URLError as exception:
            reason = exception.reason
            if not isinstance(reason, OSError):
                reason = exception
            raise _network_error(
                'intermediario', self.host, reason,
                'l\'indirizzo base dell\'API dell\'intermediario'
                ) from exception
        except http.client.HTTPException as exception:
            raise self._error(
                'risposta HTTP non valida (%s). Controllare l\'indirizzo '
                'base dell\'API e riprovare più tardi.'
                % _describe(exception),
                cause=exception, temporary=True) from exception
        except OSError as exception:
            raise _network_error(
                'intermediario', self.host, exception,
                'l\'indirizzo base dell\'API dell\'intermediario'
                ) from exception
        if len(content) > MAX_RESPONSE:
            raise self._error(
                'risposta troppo grande a %s %s.' % (method, path))
        if status == 204 or not content.strip():
            return None
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError) as exception:
            text = content.decode('utf-8', 'replace')
            raise self._error(
                'risposta non valida a %s %s, non è JSON: «%s». '
                'Controllare l\'indirizzo base dell\'API.' % (
                    method, path, _shorten(text, 100)),
                cause=exception, detail=text, status=status,
                temporary=True) from exception

    def _http_error(self, method, path, exception):
        status = exception.code
        try:
            content = exception.read(MAX_RESPONSE) or b''
        except (OSError, http.client.HTTPException):
            content = b''
        text = content.decode('utf-8', 'replace').strip()
        quoted = text
        try:
            value = json.loads(text)
        except ValueError:
            pass
        else:
            if isinstance(value, dict):
                for key in ['error', 'message', 'detail', 'description',
                        'errors']:
                    if value.get(key):
                        quoted = value[key]
                        if not isinstance(quoted, str):
                            quoted = json.dumps(quoted, ensure_ascii=False)
                        break
        quoted = _shorten(quoted or exception.reason or '')
        if status in (401, 403):
            fix = ('credenziali rifiutate. Controllare il token '
                'dell\'intermediario e che sia abilitato alla '
                'trasmissione')
            temporary = False
        elif status == 404:
            fix = ('risorsa non trovata. Controllare l\'indirizzo base '
                'dell\'API e l\'identificativo richiesto')
            temporary = False
        elif status == 413:
            fix = 'file troppo grande per l\'intermediario'
            temporary = False
        elif status == 429:
            fix = 'troppe richieste. Riprovare più tardi'
            temporary = True
        elif status >= 500:
            fix = ('errore del server dell\'intermediario. Riprovare più '
                'tardi; se persiste, contattare l\'intermediario')
            temporary = True
        else:
            fix = ('richiesta rifiutata. Controllare il file e la '
                'configurazione del canale')
            temporary = False
        return self._error(
            'HTTP %d a %s %s, %s. Risposta: «%s».' % (
                status, method, path, fix, quoted),
            cause=exception, detail=text, status=status,
            temporary=temporary)

    def _malformed(self, method, path, value):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return self._error(
            'risposta inattesa a %s %s: «%s». Controllare che '
            'l\'indirizzo base sia quello dell\'API dell\'intermediario.'
            % (method, path, _shorten(text, 100)),
            detail=text, temporary=True)

    def send(self, file_name, data):
        check_file(file_name, data, 'intermediario')
        path = '/invoices'
        result = self._request('POST', path, {
                'file_name': file_name,
                'content': base64.b64encode(bytes(data)).decode('ascii'),
                })
        if (not isinstance(result, dict)
                or result.get('id') in (None, '')):
            raise self._malformed('POST', path, result)
        sdi_id = result.get('sdi_id')
        logger.info(
            'intermediary: sent %s to %s, id %s', file_name, self.host,
            result['id'])
        return Sent(
            reference=str(result['id']),
            sdi_id=str(sdi_id) if sdi_id not in (None, '') else None,
            raw=result)

    def status(self, reference):
        path = '/invoices/%s' % urllib.parse.quote(str(reference), safe='')
        result = self._request('GET', path)
        if not isinstance(result, dict):
            raise self._malformed('GET', path, result)
        return result

    def fetch(self):
        path = '/notifications?acknowledged=false'
        result = self._request('GET', path)
        if isinstance(result, dict):
            for key in ['notifications', 'items']:
                if key in result:
                    result = result[key]
                    break
        if result is None:
            return []
        if not isinstance(result, list):
            raise self._malformed('GET', path, result)
        incomings = []
        for item in result:
            if (not isinstance(item, dict)
                    or item.get('id') in (None, '')
                    or not isinstance(item.get('file_name'), str)
                    or not isinstance(item.get('content'), str)):
                raise self._malformed('GET', path, item)
            try:
                data = base64.b64decode(item['content'], validate=True)
            except (binascii.Error, ValueError) as exception:
                raise self._error(
                    'contenuto non valido (base64) per la notifica %s.'
                    % _shorten(item['id'], 50),
                    cause=exception, temporary=True) from exception
            name = item['file_name'].replace('\\', '/').rpartition('/')[2]
            incomings.append(Incoming(
                    name=name, data=data, reference=str(item['id'])))
        logger.info(
            'intermediary: %d notification(s) from %s',
            len(incomings), self.host)
        return incomings

    def ack(self, incomings):
        for incoming in incomings:
            if not incoming.reference:
                continue
            self._request('POST', '/notifications/%s/ack'
                % urllib.parse.quote(incoming.reference, safe=''))
