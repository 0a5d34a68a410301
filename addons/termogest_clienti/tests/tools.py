# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Proteus helpers of the customer card tests."""
from proteus import Model

from trytond.modules.termogest_permessi.tests.tools import (
    PASSWORD, create_termogest_company)

# Valid codes (python-stdnum checks them)
PERSON_CF = 'RSSMRA85T10A562S'
OTHER_PERSON_CF = 'BNCLRA70A41L219T'
COMPANY_VAT = '01234560017'
OTHER_COMPANY_VAT = '09876540015'


def create_customer_setup(config):
    "The service centre, its accounts, Italy and France, one more account"
    User = Model.get('res.user')
    Country = Model.get('country.country')
    Lang = Model.get('ir.lang')
    create_termogest_company(config)
    Country(name="Italia", code='IT').save()
    Country(name="Francia", code='FR').save()
    italian, = Lang.find([('code', '=', 'it')])
    # marta: the full customer registry with the reserved notes
    user = User(login='marta', name="Marta Gallo", language=italian)
    user.termogest_role = 'secretary'
    user.password = PASSWORD
    user.access_customers_full = True
    user.access_customer_notes = True
    user.save()


def italy():
    Country = Model.get('country.country')
    country, = Country.find([('code', '=', 'IT')])
    return country


def new_customer(name, city="Torino", street="Via Roma 1", **values):
    "An unsaved customer card with one Italian address"
    Party = Model.get('party.party')
    party = Party(name=name)
    address = party.addresses[0] if party.addresses else party.addresses.new()
    address.street = street
    address.city = city
    address.postal_code = '10100'
    address.country = italy()
    for field, value in values.items():
        setattr(party, field, value)
    return party


def add_contact(party, type_, value, name=None, role=None):
    mechanism = party.contact_mechanisms.new(type=type_, value=value)
    mechanism.name = name
    mechanism.role = role
    return mechanism
