# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class CustomerValidationError(ValidationError):
    pass


class CustomerIdentifierError(ValidationError):
    pass


class SubjectTypeWarning(UserWarning):
    pass


class TrashError(UserError):
    pass


class TakeoverError(UserError):
    pass
