# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError
from trytond.res.exceptions import PasswordError


class AccountLoginError(ValidationError):
    pass


class AccountPasswordError(PasswordError):
    pass


class AccountSlotError(ValidationError):
    pass


class TechnicianLinkError(UserError):
    pass


class AccountSectionError(ValidationError):
    pass


class CompanyDataError(ValidationError):
    pass
