# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Hardened parser of SdI notifications (FATTURAPA.md §8).

Both namespaces are accepted: ``sdi/messaggi/v1.0`` (the original family)
and ``fattura/messaggi/v1.0`` (the B2B receipts).  Input is refused before
parsing when it is too large or declares a DOCTYPE; the parser never loads
DTDs, resolves entities or touches the network.  The signature is not
verified.
"""
import datetime
import re
from dataclasses import dataclass, field
from typing import ClassVar

from lxml import etree

__all__ = ['NAMESPACES', 'STATE', 'Notification', 'NotificationError',
    'parse', 'file_name_type', 'naive_utc']

NAMESPACES = {
    'http://www.fatturapa.gov.it/sdi/messaggi/v1.0',
    'http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fattura/messaggi/v1.0',
    }
TYPES = {
    'RicevutaConsegna': 'RC',
    'NotificaScarto': 'NS',
    'RicevutaScarto': 'NS',
    'NotificaMancataConsegna': 'MC',
    'RicevutaImpossibilitaRecapito': 'MC',
    'NotificaEsito': 'NE',
    'NotificaDecorrenzaTermini': 'DT',
    'AttestazioneTrasmissioneFattura': 'AT',
    'MetadatiInvioFile': 'MT',
    'FileMetadati': 'MT',
    'NotificaEsitoCommittente': 'EC',
    'ScartoEsitoCommittente': 'SE',
    }
# Notification type (and outcome) -> state of our SDI file
STATE = {
    'RC': 'delivered',
    'NS': 'rejected',
    'MC': 'not_delivered',
    ('NE', 'EC01'): 'accepted',
    ('NE', 'EC02'): 'refused',
    'DT': 'expired',
    'AT': 'undeliverable',
    }
MAX_SIZE = 1_000_000
ROME = None
FILE_NAME_TYPE = re.compile(
    r'^(?P<base>[A-Za-z]{2}[A-Za-z0-9]{2,28}_[A-Za-z0-9]{1,5})'
    r'_(?P<type>RC|NS|MC|NE|DT|AT|MT|EC|SE)_(?P<number>[0-9]{3})'
    r'\.xml(?:\.p7m)?$', re.IGNORECASE)


class NotificationError(ValueError):
    "The data is not an acceptable SdI notification"


@dataclass
class Notification:
    "One SdI notification"
    type: str                       # RC, NS, MC, NE, DT, AT, MT, EC, SE
    root: str = ''                  # local name of the root element
    namespace: str = ''
    sdi_id: str | None = None       # IdentificativoSdI
    file_name: str | None = None    # NomeFile
    message_id: str | None = None   # MessageId
    received_at: datetime.datetime | None = None   # DataOraRicezione
    delivered_at: datetime.datetime | None = None  # DataOraConsegna
    available_at: datetime.datetime | None = None  # DataMessaADisposizione
    errors: list = field(default_factory=list)  # (code, desc, suggestion)
    outcome: str | None = None      # EC01/EC02 (NE, EC), EN00/EN01 (SE)
    description: str | None = None  # Descrizione
    hash: str | None = None         # Hash / HashFileOriginale
    note: str | None = None         # Note
    recipient_code: str | None = None   # Destinatario/Codice, MT code
    recipient_name: str | None = None   # Destinatario/Descrizione
    archive: tuple | None = None    # RiferimentoArchivio (sdi_id, name)
    invoice_reference: tuple | None = None  # (numero, anno, posizione)
    recipient_message_id: str | None = None  # MessageIdCommittente
    format: str | None = None       # MT Formato
    attempts: int | None = None     # MT TentativiInvio
    pec_message_id: str | None = None

    STATE: ClassVar[dict] = STATE

    @property
    def state(self):
        "The state of our SDI file after this notification, or None"
        return STATE.get((self.type, self.outcome), STATE.get(self.type))


def _rome():
    global ROME
    if ROME is None:
        try:
            from zoneinfo import ZoneInfo
            ROME = ZoneInfo('Europe/Rome')
        except Exception:
            ROME = datetime.timezone.utc
    return ROME


def _datetime(value):
    "Parse an xs:dateTime; naive values are taken as Italian time"
    if not value:
        return None
    value = value.strip()
    if value.endswith(('Z', 'z')):
        value = value[:-1] + '+00:00'
    # fromisoformat of Python 3.11 accepts fractions of any length
    try:
        result = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise NotificationError(
            "Data e ora non valida nella notifica SdI: %r." % value)
    if result.tzinfo is None:
        result = result.replace(tzinfo=_rome())
    return result


def _has_doctype(data):
    flat = data.replace(b'\x00', b'').lower()
    return b'<!doctype' in flat or b'<!entity' in flat


def parse(data, max_size=MAX_SIZE):
    "Parse the bytes of an SdI notification and return a Notification"
    if isinstance(data, str):
        data = data.encode('utf-8')
    if not isinstance(data, (bytes, bytearray)):
        raise NotificationError(
            "La notifica SdI deve essere un contenuto binario.")
    data = bytes(data)
    if len(data) > max_size:
        raise NotificationError(
            "Notifica SdI troppo grande: %d byte, massimo %d. File "
            "rifiutato senza leggerlo." % (len(data), max_size))
    if not data.strip():
        raise NotificationError("Notifica SdI vuota.")
    if _has_doctype(data):
        raise NotificationError(
            "Notifica SdI rifiutata: contiene una dichiarazione DOCTYPE o "
            "ENTITY, che le notifiche autentiche non hanno.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True,
        huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exception:
        raise NotificationError(
            "Notifica SdI non leggibile: XML non ben formato (%s)."
            % exception) from exception
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise NotificationError(
            "Notifica SdI rifiutata: contiene una dichiarazione DOCTYPE.")
    qname = etree.QName(root)
    if qname.namespace not in NAMESPACES or qname.localname not in TYPES:
        raise NotificationError(
            "Il file non è una notifica SdI riconosciuta (elemento radice "
            "%s)." % root.tag)
    return _read(root, TYPES[qname.localname], qname)


def _text(element, path):
    "Text of the first child at path (no namespace), stripped"
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _read(root, type_, qname):
    # Some producers qualify the children too: read them unqualified
    prefix = '{%s}' % qname.namespace
    for element in root.iterdescendants():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix):]
    notification = Notification(type_, qname.localname, qname.namespace)
    notification.sdi_id = _text(root, 'IdentificativoSdI')
    notification.file_name = _text(root, 'NomeFile')
    notification.message_id = _text(root, 'MessageId')
    notification.pec_message_id = _text(root, 'PecMessageId')
    notification.received_at = _datetime(_text(root, 'DataOraRicezione'))
    notification.delivered_at = _datetime(_text(root, 'DataOraConsegna'))
    notification.available_at = _datetime(
        _text(root, 'DataMessaADisposizione'))
    notification.description = _text(root, 'Descrizione')
    notification.hash = (_text(root, 'Hash')
        or _text(root, 'HashFileOriginale'))
    notification.note = _text(root, 'Note')
    recipient = root.find('Destinatario')
    if recipient is not None:
        notification.recipient_code = _text(recipient, 'Codice')
        notification.recipient_name = _text(recipient, 'Descrizione')
    else:
        notification.recipient_code = _text(root, 'CodiceDestinatario')
    archive = root.find('RiferimentoArchivio')
    if archive is not None:
        notification.archive = (
            _text(archive, 'IdentificativoSdI'), _text(archive, 'NomeFile'))
    for error in root.iterfind('ListaErrori/Errore'):
        notification.errors.append((
                _text(error, 'Codice'), _text(error, 'Descrizione'),
                _text(error, 'Suggerimento')))
    notification.format = _text(root, 'Formato')
    attempts = _text(root, 'TentativiInvio')
    if attempts and attempts.isdigit():
        notification.attempts = int(attempts)
    outcome = root
    if type_ == 'NE':
        outcome = root.find('EsitoCommittente')
        if outcome is None:
            raise NotificationError(
                "Notifica di esito senza EsitoCommittente.")
        notification.description = _text(outcome, 'Descrizione')
    if type_ in {'NE', 'EC'}:
        notification.outcome = _text(outcome, 'Esito')
        notification.recipient_message_id = _text(
            outcome, 'MessageIdCommittente')
        reference = outcome.find('RiferimentoFattura')
        if reference is not None:
            notification.invoice_reference = (
                _text(reference, 'NumeroFattura'),
                _text(reference, 'AnnoFattura'),
                _text(reference, 'PosizioneFattura'))
    elif type_ == 'SE':
        notification.outcome = _text(root, 'Scarto')
        notification.recipient_message_id = _text(
            root, 'MessageIdCommittente')
    return notification


def naive_utc(value):
    "Return an aware datetime as naive UTC, as Tryton stores it"
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def file_name_type(name):
    """Return (invoice file base, type, number) of a notification file name

    For example IT01234567890_11111_NS_001.xml gives
    ('IT01234567890_11111', 'NS', '001'); None if name does not match.
    """
    match = FILE_NAME_TYPE.match(name or '')
    if not match:
        return None
    return (match.group('base'), match.group('type').upper(),
        match.group('number'))
