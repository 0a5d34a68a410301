# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import io
import logging
import re
import zipfile

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .exceptions import FatturaPAError, SDIError
from .fpa import notifications
from .fpa.channels import ChannelError
from .fpa.filename import MAX_FILE_SIZE, file_name

logger = logging.getLogger(__name__)
SDI_PEC = re.compile(r'^sdi\d{2}@pec\.fatturapa\.it$', re.I)

STATES = [
    ('to_send', "To Send"),
    ('sent', "Sent"),
    ('delivered', "Delivered"),
    ('not_delivered', "Not Delivered"),
    ('rejected', "Rejected"),
    ('accepted', "Accepted"),
    ('refused', "Refused"),
    ('expired', "Terms Expired"),
    ('undeliverable', "Undeliverable"),
    ]
# The states a notification moves a file from, by the state it gives
_FROM = {
    'delivered': {'sent', 'not_delivered'},
    'not_delivered': {'sent'},
    'rejected': {'sent'},
    'accepted': {'sent', 'delivered'},
    'refused': {'sent', 'delivered'},
    'expired': {'sent', 'delivered'},
    'undeliverable': {'sent', 'not_delivered'},
    }
MESSAGE_TYPES = [
    ('RC', "RC - Delivery receipt"),
    ('NS', "NS - Rejection"),
    ('MC', "MC - Failed delivery"),
    ('NE', "NE - Outcome from the administration"),
    ('DT', "DT - Terms expired"),
    ('AT', "AT - Transmission certificate"),
    ('MT', "MT - Metadata"),
    ('EC', "EC - Buyer's outcome"),
    ('SE', "SE - Outcome rejected"),
    ]


class SDIFile(Workflow, ModelSQL, ModelView):
    "SDI File"
    __name__ = 'termogest.sdi.file'
    __string__ = "SDI File"
    _rec_name = 'file_name'

    invoice = fields.Many2One(
        'account.invoice', "Invoice", required=True, readonly=True,
        ondelete='RESTRICT')
    company = fields.Many2One(
        'company.company', "Company", required=True, readonly=True)
    party = fields.Function(
        fields.Many2One(
            'party.party', "Customer",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'get_invoice_field', searcher='search_invoice_field')
    invoice_date = fields.Function(
        fields.Date("Invoice Date"), 'get_invoice_field')
    progressive = fields.Char("Progressive", readonly=True, required=True)
    file_name = fields.Char("File Name", readonly=True, required=True)
    data = fields.Binary(
        "XML", readonly=True, required=True, filename='file_name',
        file_id='data_id')
    data_id = fields.Char("XML ID", readonly=True)
    size = fields.Integer("Size", readonly=True)
    format = fields.Char("Format", readonly=True)
    channel = fields.Selection([
            ('manual', "Manual"),
            ('pec', "PEC"),
            ('rest', "Intermediary"),
            ], "Channel", readonly=True)
    reference = fields.Char(
        "Transmission Reference", readonly=True,
        help="The PEC Message-ID or the intermediary's identifier.")
    sdi_id = fields.Char(
        "SDI Identifier", readonly=True,
        help="IdentificativoSdI: assigned by the SDI on receipt.")
    sent_at = fields.DateTime("Sent At", readonly=True)
    sent_by = fields.Many2One('res.user', "Sent By", readonly=True)
    resent_as = fields.One2Many(
        'termogest.sdi.file', 'resend_of', "Resent As", readonly=True)
    resend_of = fields.Many2One(
        'termogest.sdi.file', "Resend Of", readonly=True,
        ondelete='RESTRICT')
    messages = fields.One2Many(
        'termogest.sdi.message', 'file', "Notifications", readonly=True)
    errors = fields.Text("Errors", readonly=True)
    state = fields.Selection(STATES, "State", readonly=True, sort=False)
    state_string = state.translated('state')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('file_name_unique', Unique(t, t.file_name),
                'termogest_fatturapa.msg_sdi_file_name_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.sdi_id, Index.Equality())),
                Index(t, (t.invoice, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                })
        cls._order = [('id', 'DESC')]
        cls._transitions |= {
            ('to_send', 'sent'),
            ('sent', 'delivered'),
            ('sent', 'not_delivered'),
            ('sent', 'rejected'),
            ('sent', 'accepted'),
            ('sent', 'refused'),
            ('sent', 'expired'),
            ('not_delivered', 'delivered'),
            ('not_delivered', 'undeliverable'),
            ('sent', 'undeliverable'),
            ('delivered', 'accepted'),
            ('delivered', 'refused'),
            ('delivered', 'expired'),
            }
        cls._buttons.update({
                'send': {
                    'invisible': Eval('state') != 'to_send',
                    'depends': ['state'],
                    },
                'mark_sent': {
                    'invisible': ((Eval('state') != 'to_send')
                        | (Eval('channel') != 'manual')),
                    'depends': ['state', 'channel'],
                    },
                'resend': {
                    'invisible': ((Eval('state') != 'rejected')
                        | Eval('resent_as', [])),
                    'depends': ['state', 'resent_as'],
                    },
                'fetch': {
                    'invisible': Eval('state') == 'to_send',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state').in_(
                        ['rejected', 'refused', 'undeliverable']), 'danger',
                    If(Eval('state').in_(['not_delivered', 'to_send']),
                        'warning',
                        If(Eval('state').in_(
                                ['delivered', 'accepted', 'expired']),
                            'success', '')))),
            ]

    @staticmethod
    def default_state():
        return 'to_send'

    def get_invoice_field(self, name):
        value = getattr(self.invoice, name)
        if isinstance(value, ModelSQL):
            return value.id
        return value

    @classmethod
    def search_invoice_field(cls, name, clause):
        return [('invoice.' + clause[0],) + tuple(clause[1:])]

    @classmethod
    def _new_file(cls, invoice, resend_of=None):
        "A new file (not saved) of the invoice, or raise FatturaPAError"
        company = invoice.company
        progressive = company.next_sdi_progressive()
        transmitter = company.get_transmitter()
        xml, problems = invoice.fatturapa_xml(
            progressive=progressive, transmitter=transmitter)
        if problems:
            raise FatturaPAError(invoice.fatturapa_problems_text(problems))
        if len(xml) > MAX_FILE_SIZE:
            raise FatturaPAError(gettext(
                    'termogest_fatturapa.msg_sdi_file_too_big',
                    invoice=invoice.rec_name, size=len(xml)))
        return cls(
            invoice=invoice, company=company, progressive=progressive,
            file_name=file_name(*transmitter, progressive),
            data=xml, size=len(xml), format=invoice.fatturapa_format,
            channel=company.sdi_channel or 'manual', resend_of=resend_of,
            state='to_send')

    @classmethod
    def create_for_invoices(cls, invoices):
        """Build, check and store a file for each invoice

        A bad invoice does not stop the others: return the files created and
        the messages of the failures by invoice.
        """
        files, failures = [], {}
        for invoice in invoices:
            if invoice.state not in {'posted', 'paid'}:
                failures[invoice] = gettext(
                    'termogest_fatturapa.msg_sdi_invoice_not_posted',
                    invoice=invoice.rec_name)
                continue
            pending = [f for f in invoice.sdi_files if f.state not in {
                    'rejected'}]
            if pending:
                failures[invoice] = gettext(
                    'termogest_fatturapa.msg_sdi_invoice_has_file',
                    invoice=invoice.rec_name, file=pending[0].file_name,
                    state=pending[0].state_string)
                continue
            rejected = [f for f in invoice.sdi_files if not f.resent_as]
            try:
                files.append(cls._new_file(
                        invoice, resend_of=rejected[0] if rejected else None))
            except FatturaPAError as exception:
                failures[invoice] = exception.message
        cls.save(files)
        return files, failures

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, files):
        "Send the files through their company's channel"
        pool = Pool()
        User = pool.get('res.user')
        transaction = Transaction()
        # The same file is never sent twice: lock, and send only the files
        # still to send.
        cls.lock(files)
        user = User(transaction.user)
        for file in files:
            if file.state != 'to_send':
                continue
            channel = file.company.get_sdi_channel()
            try:
                sent = channel.send(file.file_name, file.data)
            except ChannelError as exception:
                raise SDIError(gettext(
                        'termogest_fatturapa.msg_sdi_send_failed',
                        file=file.file_name, invoice=file.invoice.rec_name,
                        error=str(exception))) from exception
            file.reference = sent.reference
            file.sdi_id = sent.sdi_id
            file.sent_at = datetime.datetime.now().replace(microsecond=0)
            file.sent_by = user
            # Saved at once: a later failure must not forget what was sent
            file.save()

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def mark_sent(cls, files):
        "The file was uploaded on the portal by hand"
        pool = Pool()
        User = pool.get('res.user')
        now = datetime.datetime.now().replace(microsecond=0)
        user = User(Transaction().user)
        for file in files:
            file.sent_at = now
            file.sent_by = user
        cls.save(files)

    @classmethod
    @ModelView.button
    def resend(cls, files):
        "Build a new file, with a new progressive, for rejected invoices"
        new, failures = cls.create_for_invoices(
            list({f.invoice for f in files if f.state == 'rejected'}))
        if failures:
            raise FatturaPAError('\n\n'.join(failures.values()))
        return new

    @classmethod
    @ModelView.button
    def fetch(cls, files):
        cls.fetch_notifications(companies=list({f.company for f in files}))

    @classmethod
    def fetch_notifications(cls, companies=None):
        "Read the notifications of the companies' channels (cron)"
        pool = Pool()
        Company = pool.get('company.company')
        if companies is None:
            companies = Company.search([
                    ('sdi_channel', 'in', ['pec', 'rest']),
                    ])
        for company in companies:
            if company.sdi_channel not in {'pec', 'rest'}:
                continue
            channel = company.get_sdi_channel()
            try:
                incomings = channel.fetch()
            except ChannelError as exception:
                logger.warning(
                    "SDI notifications of %s: %s", company.rec_name,
                    exception)
                raise SDIError(gettext(
                        'termogest_fatturapa.msg_sdi_fetch_failed',
                        company=company.rec_name, error=str(exception))
                    ) from exception
            done = []
            sender = next((i.sender for i in incomings
                    if getattr(i, 'sender', None)
                    and SDI_PEC.match(i.sender)), None)
            if (company.sdi_channel == 'pec' and sender
                    and sender != company.pec_sdi_address):
                # The SDI names in its replies the address to use next
                company.pec_sdi_address = sender
                company.save()
            for incoming in incomings:
                try:
                    cls.process_notification(
                        incoming.data, name=incoming.name, company=company)
                except SDIError as exception:
                    logger.warning(
                        "SDI notification %s not processed: %s",
                        incoming.name, exception.message)
                    continue
                done.append(incoming)
            # Acknowledged once stored: the cron may run twice safely.
            Transaction().commit()
            channel.ack(done)

    @classmethod
    def process_notification(cls, data, name=None, company=None):
        """Store the notification and move its file to the state it gives

        Return the message, or None for a notification already stored.
        """
        pool = Pool()
        Message = pool.get('termogest.sdi.message')
        Attachment = pool.get('ir.attachment')
        try:
            notification = notifications.parse(data)
        except notifications.NotificationError as exception:
            raise SDIError(gettext(
                    'termogest_fatturapa.msg_sdi_notification_invalid',
                    name=name or '', error=str(exception))) from exception
        domain = ['OR',
            ('file_name', '=', notification.file_name),
            ]
        if notification.sdi_id:
            domain.append(('sdi_id', '=', notification.sdi_id))
        if company:
            domain = [domain, ('company', '=', company.id)]
        files = cls.search(domain, order=[('id', 'DESC')], limit=1)
        if not files:
            raise SDIError(gettext(
                    'termogest_fatturapa.msg_sdi_notification_no_file',
                    name=name or '', file=notification.file_name or ''))
        file, = files
        message_id = notification.message_id or ''
        if Message.search([
                    ('file', '=', file.id),
                    ('type', '=', notification.type),
                    ('message_id', '=', message_id),
                    ], limit=1):
            return None
        if notification.sdi_id and not file.sdi_id:
            file.sdi_id = notification.sdi_id
            file.save()
        errors = '\n'.join(
            ' '.join(filter(None, [code, description, suggestion]))
            for code, description, suggestion in notification.errors)
        name = name or '%s_%s_%s.xml' % (
            file.file_name.rsplit('.', 1)[0], notification.type,
            message_id or '001')
        message = Message(
            file=file, type=notification.type, message_id=message_id,
            sdi_id=notification.sdi_id, name=name, data=data,
            date=notifications.naive_utc(
                notification.delivered_at or notification.received_at),
            errors=errors or None,
            outcome=getattr(notification, 'outcome', None),
            description=(
                getattr(notification, 'description', None) or None))
        message.save()
        Attachment.create([{
                    'resource': str(file.invoice),
                    'name': name,
                    'type': 'data',
                    'data': data,
                    }])
        state = notification.state
        if state and file.state in _FROM.get(state, ()):
            if errors and state == 'rejected':
                file.errors = errors
                file.save()
            cls._transition(file, state)
        return message

    @classmethod
    def _transition(cls, file, state):
        # Workflow.transition for one file and a state known at run time
        cls.write([file], {'state': state})


class SDIMessage(ModelSQL, ModelView):
    "SDI Notification"
    __name__ = 'termogest.sdi.message'
    __string__ = "SDI Notification"

    file = fields.Many2One(
        'termogest.sdi.file', "File", required=True, readonly=True,
        ondelete='CASCADE')
    invoice = fields.Function(
        fields.Many2One('account.invoice', "Invoice"), 'get_invoice')
    type = fields.Selection(MESSAGE_TYPES, "Type", readonly=True)
    message_id = fields.Char("Message ID", readonly=True)
    sdi_id = fields.Char("SDI Identifier", readonly=True)
    name = fields.Char("File Name", readonly=True)
    data = fields.Binary(
        "Content", readonly=True, filename='name', file_id='data_id')
    data_id = fields.Char("Content ID", readonly=True)
    date = fields.DateTime("Date", readonly=True)
    errors = fields.Text("Errors", readonly=True)
    outcome = fields.Char("Outcome", readonly=True)
    description = fields.Text("Description", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('message_unique', Unique(t, t.file, t.type, t.message_id),
                'termogest_fatturapa.msg_sdi_message_unique'),
            ]
        cls._order = [('date', 'DESC NULLS LAST'), ('id', 'DESC')]

    def get_invoice(self, name):
        return self.file.invoice.id


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('termogest.sdi.file|fetch_notifications',
                "Read SDI Notifications"))


class ImportNotificationStart(ModelView):
    "Import SDI Notification"
    __name__ = 'termogest.sdi.message.import.start'
    __string__ = "Import SDI Notification"
    data = fields.Binary("File", filename='name', required=True)
    name = fields.Char("File Name")


class ImportNotification(Wizard):
    "Import SDI Notification"
    __name__ = 'termogest.sdi.message.import'
    start = StateView(
        'termogest.sdi.message.import.start',
        'termogest_fatturapa.sdi_message_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()

    def transition_import_(self):
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        File.process_notification(bytes(self.start.data), name=self.start.name)
        return 'end'


class ExportFilesResult(ModelView):
    "Export SDI Files"
    __name__ = 'termogest.sdi.file.export.result'
    __string__ = "Export SDI Files"
    files = fields.Many2Many(
        'termogest.sdi.file', None, None, "Files", readonly=True)
    archive = fields.Binary(
        "Archive", filename='archive_name', readonly=True)
    archive_name = fields.Char("Archive Name", readonly=True)
    report = fields.Text("Report", readonly=True)


class ExportFiles(Wizard):
    "Export SDI Files"
    __name__ = 'termogest.sdi.file.export'
    start_state = 'export'
    export = StateTransition()
    result = StateView(
        'termogest.sdi.file.export.result',
        'termogest_fatturapa.sdi_export_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_export(self):
        pool = Pool()
        File = pool.get('termogest.sdi.file')
        invoices = [i for i in self.records if i.type == 'out']
        files, failures = File.create_for_invoices(invoices)
        self.result.files = files
        lines = [gettext(
                'termogest_fatturapa.msg_sdi_export_summary',
                done=len(files), failed=len(failures))]
        for invoice, message in failures.items():
            lines.append('')
            lines.append(message)
        self.result.report = '\n'.join(lines)
        if files:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as zip_:
                for file in files:
                    zip_.writestr(file.file_name, file.data)
            self.result.archive = buffer.getvalue()
            self.result.archive_name = 'fatture-%s.zip' % (
                datetime.date.today().strftime('%Y%m%d'))
        return 'result'

    def default_result(self, fields):
        return {
            'files': [f.id for f in self.result.files],
            'report': self.result.report,
            'archive': self.result.archive,
            'archive_name': self.result.archive_name,
            }
