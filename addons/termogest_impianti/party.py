# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    plants = fields.One2Many(
        'termogest.plant', 'party', "Plants",
        context={'party': Eval('id', -1)})
    devices = fields.Function(
        fields.Many2Many('termogest.device', None, None, "Devices"),
        'get_devices')
    contracts = fields.One2Many(
        'termogest.contract', 'party', "Contracts", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'new_device': {
                    'invisible': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                'new_booklet': {
                    'invisible': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                })

    def get_devices(self, name):
        pool = Pool()
        Device = pool.get('termogest.device')
        return [d.id for d in Device.search([
                    ('plant.party', '=', self.id),
                    ])]

    @classmethod
    @ModelView.button_action('termogest_impianti.act_device_new')
    def new_device(cls, parties):
        pass

    @classmethod
    @ModelView.button_action('termogest_impianti.act_booklet_new')
    def new_booklet(cls, parties):
        pass

    @classmethod
    def _trash_dependents(cls):
        return super()._trash_dependents() + [
            ('termogest.plant', 'party', 'active'),
            ]

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('plants')
        default.setdefault('contracts')
        return super().copy(parties, default=default)

    @classmethod
    def purge(cls, parties):
        "Keep in the trash the cards whose plants have booklets or REEs"
        pool = Pool()
        Plant = pool.get('termogest.plant')
        with Transaction().set_context(active_test=False):
            plants = Plant.search([('party', 'in', [p.id for p in parties])])
        Contract = pool.get('termogest.contract')
        kept = {p.party.id for p in plants if p.booklets
            or any(d.reports for d in p.devices)}
        kept.update(c.party.id for c in Contract.search([
                    ('party', 'in', [p.id for p in parties]),
                    ('state', '!=', 'draft'),
                    ]))
        if kept and Transaction().context.get('_termogest_purge_strict'):
            party = cls(next(iter(kept)))
            raise AccessError(gettext(
                    'termogest_impianti.msg_party_purge_booklets',
                    party=party.rec_name))
        super().purge([p for p in parties if p.id not in kept])

    @classmethod
    @ModelView.button
    def empty_trash(cls, parties):
        with Transaction().set_context(_termogest_purge_strict=True):
            super().empty_trash(parties)


class Replace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('termogest.plant', 'party'),
            ('termogest.contract', 'party'),
            ]


class Erase(metaclass=PoolMeta):
    __name__ = 'party.erase'

    def check_erase(self, party):
        pool = Pool()
        Booklet = pool.get('termogest.booklet')
        Report = pool.get('termogest.efficiency.report')
        super().check_erase(party)
        # DM 10/02/2014: booklets and REEs are kept at least 5 years
        if (Booklet.search([('plant.party', '=', party.id)], limit=1)
                or Report.search([
                        ('device.plant.party', '=', party.id),
                        ('state', '=', 'done'),
                        ], limit=1)):
            raise AccessError(gettext(
                    'termogest_impianti.msg_party_erase_booklets',
                    party=party.rec_name))


class Takeover(metaclass=PoolMeta):
    __name__ = 'termogest.party.takeover'

    def transition_takeover(self):
        pool = Pool()
        Booklet = pool.get('termogest.booklet')
        Responsible = pool.get('termogest.booklet.responsible')
        party = self.record
        previous = party.name
        previous_code = party.fiscal_code or party.vat_number
        state = super().transition_takeover()
        start = self.start
        booklets = Booklet.search([
                ('plant.party', '=', party.id),
                ('state', '=', 'active'),
                ])
        responsibles = []
        for booklet in booklets:
            current = [r for r in booklet.responsibles if not r.end_date]
            if current:
                Responsible.write(current, {'end_date': start.date})
            elif previous:
                responsibles.append(Responsible(
                        booklet=booklet, name=previous,
                        fiscal_code=previous_code,
                        role=booklet.plant.responsible_role,
                        start_date=min(booklet.date, start.date),
                        end_date=start.date))
            responsibles.append(Responsible(
                    booklet=booklet, name=start.name,
                    fiscal_code=start.fiscal_code or start.vat_number,
                    role=booklet.plant.responsible_role,
                    start_date=start.date))
            booklet.add_entry('takeover', gettext(
                    'termogest_impianti.msg_booklet_log_takeover',
                    previous=previous, new=start.name),
                date=start.date)
        Responsible.save(responsibles)
        return state
