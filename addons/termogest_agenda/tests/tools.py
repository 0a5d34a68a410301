# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Proteus helpers of the agenda tests."""
import datetime
from zoneinfo import ZoneInfo

from proteus import Model

from trytond.modules.termogest_impianti.tests.tools import (
    create_plant_setup, new_device, new_plant)
from trytond.modules.termogest_permessi.tests.tools import PASSWORD, get_user


def create_agenda_setup(config):
    """The plants setup plus the agenda accounts:
    luca and marco (technicians), chiara (chief technician), anna (office:
    customers, calls, agenda, interventions) and rita (agenda read only)"""
    User = Model.get('res.user')
    Lang = Model.get('ir.lang')
    TermogestConfiguration = Model.get('termogest.configuration')
    create_plant_setup(config)
    Company = Model.get('company.company')
    company, = Company.find([])
    company.timezone = 'Europe/Rome'
    company.save()
    limits = TermogestConfiguration(1)
    limits.max_technician_accounts = 5
    limits.max_secretary_accounts = 8
    limits.save()
    italian, = Lang.find([('code', '=', 'it')])

    def account(login, name, role, **sections):
        user = User(login=login, name=name, language=italian)
        user.termogest_role = role
        user.password = PASSWORD
        user.email = f'{login}@example.com'
        for section, value in sections.items():
            setattr(user, section, value)
        user.save()
    account('marco', "Marco Gallo", 'technician')
    account('chiara', "Chiara Costa", 'technician',
        access_chief_technician=True)
    account('anna', "Anna Moretti", 'secretary', access_customers_full=True,
        access_calls_edit=True, access_agenda_edit=True,
        access_interventions=True, access_devices=True)
    account('rita', "Rita Fontana", 'secretary', access_agenda_read=True)


ROME = ZoneInfo('Europe/Rome')


def at(days=0, hour=9, minute=0):
    "The naive UTC datetime of hour:minute in Rome, days from today"
    today = datetime.datetime.now(ROME).date() + datetime.timedelta(
        days=days)
    local = datetime.datetime.combine(
        today, datetime.time(hour, minute), tzinfo=ROME)
    return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def rome_today():
    return datetime.datetime.now(ROME).date()


def employee(login):
    "The technician employee of an account"
    Employee = Model.get('company.employee')
    return Employee(get_user(login).technician.id)


def customer_with_boiler(name="Mario Rossi", **values):
    "A customer with a plant and a 24 kW gas boiler (as the caller)"
    plant = new_plant(name, **values)
    device = new_device(plant)
    return plant.party, plant, device


def new_appointment(technician, party, start, hours=1, plant=None,
        devices=(), kind='maintenance', call=None, save=True):
    Appointment = Model.get('termogest.appointment')
    appointment = Appointment()
    appointment.technician = technician
    appointment.party = party
    if plant:
        appointment.plant = plant
    appointment.kind = kind
    appointment.start = start
    appointment.end = start + datetime.timedelta(hours=hours)
    for device in devices:
        appointment.devices.append(Model.get('termogest.device')(device.id))
    if call:
        appointment.call = call
    if save:
        appointment.save()
    return appointment
