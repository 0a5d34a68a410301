# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.pool import PoolMeta

APPLICATION = 'termogest_mobile'


class UserApplication(metaclass=PoolMeta):
    __name__ = 'res.user.application'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        application = (APPLICATION, "TermoGest Mobile")
        if application not in cls.application.selection:
            cls.application.selection.append(application)
