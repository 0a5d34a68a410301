# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer documents in PDF: the quote and the courtesy copy of the
invoice share their heading's helpers and their style (report/document.css)"""
from trytond.modules.termogest_agenda.intervention import HTMLReport

from .fpa.codes import MODALITA_PAGAMENTO


def text(value):
    "A value as text, empty for None"
    return '' if value is None else value


def province(subdivision):
    "The province code of a subdivision: TO for IT-TO"
    if not subdivision or not subdivision.code:
        return ''
    return subdivision.code.split('-')[-1]


def address_lines(address):
    "A postal address on two lines (three abroad)"
    if not address:
        return []
    place = ' '.join(p for p in [address.postal_code, address.city] if p)
    if province(address.subdivision):
        place += ' (%s)' % province(address.subdivision)
    lines = [address.street_single_line, place.strip()]
    if address.country and address.country.code != 'IT':
        lines.append(address.country.name)
    return [l for l in lines if l]


def company_address(company):
    "The registered office of the company on one line"
    street = ', '.join(
        l.strip() for l in (company.address_street or '').splitlines()
        if l.strip())
    place = ' '.join(
        p for p in [company.address_postal_code, company.address_city] if p)
    if province(company.address_subdivision):
        place += ' (%s)' % province(company.address_subdivision)
    return ' \u2013 '.join(p for p in [street, place.strip()] if p)


def company_tax_ids(company):
    "P.IVA and codice fiscale of the company (once when they are equal)"
    parts = []
    if company.vat_number:
        parts.append("P.IVA %s" % company.vat_number)
    if company.fiscal_code and company.fiscal_code != company.vat_number:
        parts.append("C.F. %s" % company.fiscal_code)
    return ' \u2013 '.join(parts)


def company_legal(company, fmt_num):
    "REA, share capital, sole shareholder and liquidation of the company"
    parts = []
    if company.rea_office and company.rea_number:
        parts.append("REA %s-%s" % (company.rea_office, company.rea_number))
    if company.share_capital:
        parts.append("Capitale sociale \u20ac %s" % fmt_num(
                company.share_capital))
    if company.sole_shareholder == 'SU':
        parts.append("Socio unico")
    if company.liquidation_status == 'LS':
        parts.append("In liquidazione")
    return ' \u2013 '.join(parts)


def company_contacts(company):
    parts = []
    if company.phone:
        parts.append("Tel. %s" % company.phone)
    if company.party and company.party.email:
        parts.append("E-mail %s" % company.party.email)
    if company.pec:
        parts.append("PEC %s" % company.pec)
    return ' \u2013 '.join(parts)


class DocumentReport(HTMLReport):
    "A document of the company to a customer, from an HTML template"

    @classmethod
    def get_context(cls, records, header, data):
        context = super().get_context(records, header, data)
        context.update({
                'text': text,
                'province': province,
                'address_lines': address_lines,
                'company_address': company_address,
                'company_tax_ids': company_tax_ids,
                'company_legal': company_legal,
                'company_contacts': company_contacts,
                # The labels of ModalitaPagamento
                'MODALITA_PAGAMENTO': MODALITA_PAGAMENTO,
                })
        return context
