# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Proteus helpers of the plants tests."""
import datetime
from decimal import Decimal

from proteus import Model

from trytond.modules.termogest_clienti.tests.tools import (
    COMPANY_VAT, create_customer_setup, new_customer)
from trytond.modules.termogest_permessi.tests.tools import PASSWORD

D = Decimal


def create_plant_setup(config):
    """The customer setup, Piemonte and Lombardia with two provinces, the
    company's REA data and the accounts of the plants sections"""
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    Country = Model.get('country.country')
    Subdivision = Model.get('country.subdivision')
    Configuration = Model.get('termogest.impianti.configuration')
    Company = Model.get('company.company')
    create_customer_setup(config)
    italy, = Country.find([('code', '=', 'IT')])
    for region_code, region_name, province_code, province_name in [
            ('IT-21', "Piemonte", 'IT-TO', "Torino"),
            ('IT-25', "Lombardia", 'IT-MI', "Milano"),
            ]:
        region = Subdivision(
            country=italy, code=region_code, name=region_name,
            type='region')
        region.save()
        Subdivision(country=italy, code=province_code, name=province_name,
            type='province', parent=region).save()
    configuration = Configuration(1)
    configuration.rea_office = 'TO'
    configuration.rea_number = '1187654'
    configuration.save()
    company, = Company.find([])
    company.party.vat_number = COMPANY_VAT
    company.party.save()
    TermogestConfiguration = Model.get('termogest.configuration')
    limits = TermogestConfiguration(1)
    limits.max_secretary_accounts = 6
    limits.save()
    italian, = Lang.find([('code', '=', 'it')])

    def account(login, name, role, **sections):
        user = User(login=login, name=name, language=italian)
        user.termogest_role = role
        user.password = PASSWORD
        for section, value in sections.items():
            setattr(user, section, value)
        user.save()
    # paolo: the customers, plants and devices, booklets and REE, contracts
    account('paolo', "Paolo Neri", 'secretary', access_customers_full=True,
        access_devices=True,
        access_booklets=True, access_contracts=True)
    # elena: plants and devices only
    account('elena', "Elena Riva", 'secretary', access_devices=True)


def province(code):
    Subdivision = Model.get('country.subdivision')
    subdivision, = Subdivision.find([('code', '=', code)])
    return subdivision


def fuel(code):
    Fuel = Model.get('termogest.fuel')
    record, = Fuel.find([('code', '=', code)])
    return record


def new_plant(name="Mario Rossi", city="Torino", province_code='IT-TO',
        party=None, **values):
    "A saved customer (unless given) with a saved plant at its address"
    Plant = Model.get('termogest.plant')
    if party is None:
        party = new_customer(name, city=city)
        party.addresses[0].subdivision = province(province_code)
        party.save()
    plant = Plant(party=party)
    for field, value in values.items():
        setattr(plant, field, value)
    plant.save()
    return plant


def new_device(plant, kind='boiler', power=24, fuel_code='natural_gas',
        installed=datetime.date(2015, 3, 1), generator_class='gas_condensing',
        **values):
    Device = Model.get('termogest.device')
    device = Device(plant=plant, kind=kind)
    device.nominal_power = D(power) if power is not None else None
    device.fuel = fuel(fuel_code) if fuel_code else None
    device.installation_date = installed
    if kind in {'boiler', 'water_heater'}:
        device.generator_class = generator_class
    device.brand = values.pop('brand', "Vaillant")
    device.model = values.pop('model', "ecoTEC plus VMW 246")
    device.serial_number = values.pop('serial_number', None)
    for field, value in values.items():
        setattr(device, field, value)
    device.save()
    return device
