# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import ValidationError


class SDIConfigurationError(UserError):
    pass


class FatturaPAError(UserError):
    "The invoice cannot become a valid FatturaPA file"


class SDIError(UserError):
    pass


class SDIWarning(UserWarning):
    pass


class InvoicingError(UserError):
    pass


class DiscountError(ValidationError):
    pass
