# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('termogest.plant|refresh_due_dates',
                    "Refresh Plant Due Dates"),
                ('termogest.contract|process_expired',
                    "Expire and Renew Maintenance Contracts"),
                ])
