# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import PoolMeta


class EfficiencyReport(metaclass=PoolMeta):
    __name__ = 'termogest.efficiency.report'

    intervention = fields.Many2One(
        'termogest.intervention', "Intervention", ondelete='SET NULL',
        readonly=True)

    @classmethod
    def copy(cls, reports, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('intervention')
        return super().copy(reports, default=default)
