# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Demo plants, devices, booklets, REEs and contracts (termogest_impianti)

demo_data.py calls create_plants(company) once the demo customers exist
(demo_clienti.create_customers).  The data is generated from
random.Random(SEED) and the server date: the same records on every run of
the same day.  About 230 plants for the demo customers: flats and houses of
Torino and its province with a wall-hung condensing boiler, older standard
and low-temperature boilers, gas-oil and LPG boilers in second homes in the
countryside and in the mountains, heat pumps, split air conditioners,
condominiums with two boilers in cascade (one on district heating); then
active and archived booklets, completed REEs (three failed, one on gas oil,
one type 2 on a heat pump), draft REEs and maintenance contracts (active,
expiring, expired, cancelled, renewed).

build_plants() only makes the data (plain dicts, no database), so it can be
checked on its own:  python scripts/demo_impianti.py
"""
import datetime
import random
import time
from decimal import Decimal

from demo_clienti import ADMINISTRATOR, MARKER, build_customers

SEED = 2026
# Records sent per create call
BATCH = 50
# The demo technicians (demo_data.TECHNICIANS) and their flue gas analysers
TECHNICIANS = ["Paolo Rossi", "Luca Ferri", "Marco Galli", "Andrea Greco"]
INSTRUMENTS = {
    "Paolo Rossi": "Sauermann Si-CA 130 s/n 22091187",
    "Luca Ferri": "Testo 310 II s/n 63218845",
    "Marco Galli": "Seitron Chemist 400X s/n 21A04567",
    "Andrea Greco": "Testo 300 s/n 65104422",
    }
# The booklet model of DM 10/02/2014 is compulsory from this day
BOOKLET_START = datetime.date(2014, 10, 15)

# Wall-hung gas condensing boilers: (brand, model with {p}, powers in kW)
CONDENSING = [
    ("Vaillant", "ecoTEC plus VMW {p} CS/1-5", [25, 30, 35]),
    ("Baxi", "Luna Duo-tec E {p}", [24, 28, 33]),
    ("Immergas", "Victrix Tera {p} Plus", [24, 28, 32]),
    ("Ariston", "Genus One {p} EU", [24, 30, 35]),
    ("Riello", "Residence Condens {p} KIS", [25, 30, 35]),
    ("Beretta", "Mynute Green {p} C.S.I.", [25, 30, 35]),
    ("Ferroli", "Bluehelix Tech RRT {p} C", [24, 28, 34]),
    ("Viessmann", "Vitodens 100-W B1KF {p} kW", [25, 32, 35]),
    ("Junkers Bosch", "Condens GC2300iW {p}/30 C 23", [24, 30]),
    ("Hermann Saunier Duval", "ThemaPlus Condens F {p} E", [25, 30, 35]),
    ]
# Older gas boilers: (brand, model, kW, class, draught, first year, last)
OLD_BOILERS = [
    ("Beretta", "Ciao 24 CAI", '23.3', 'standard', 'N', 1996, 2004),
    ("Junkers", "Ceraclass ZW 24-2 KE", '24.0', 'standard', 'N', 1996, 2003),
    ("Vaillant", "turboTEC plus VMW 242/3-5", '24.0', 'standard', 'F',
        2003, 2012),
    ("Baxi", "Eco 3 240 Fi", '24.4', 'standard', 'F', 2002, 2011),
    ("Ferroli", "Domiproject F24", '23.8', 'standard', 'F', 2001, 2012),
    ("Immergas", "Eolo Mini 24 3 E", '23.7', 'standard', 'F', 2004, 2012),
    ("Ariston", "Microgenus II 24 MFFI", '23.7', 'standard', 'F', 2005, 2012),
    ("Sime", "Format 25 C", '25.0', 'standard', 'F', 1998, 2008),
    ("Riello", "Family 28 KIS", '27.9', 'low_temperature', 'F', 2006, 2012),
    ("Viessmann", "Vitopend 100-W WH1D 24 kW", '24.0', 'low_temperature', 'F',
        2007, 2012),
    ]
# Floor-standing gas-oil boilers (same fields)
GASOIL_BOILERS = [
    ("Ferroli", "Atlas 32", '31.3', 'standard', 'F', 1996, 2008),
    ("Viessmann", "Vitola 200 VB2A 27 kW", '27.0', 'low_temperature', 'F',
        1998, 2010),
    ("Buderus", "Logano G125 BE 32 kW", '32.0', 'low_temperature', 'F',
        2004, 2012),
    ("Sime", "Rondo 4 OF", '31.4', 'standard', 'F', 1996, 2006),
    ]
# Central boilers of the condominiums, two in cascade: (brand, model, kW)
CASCADE = [
    ("Riello", "Condexa PRO 100", '95.0'),
    ("Viessmann", "Vitodens 200-W B2HA 100 kW", '100.0'),
    ("Immergas", "Victrix Pro 120 2 ErP", '116.0'),
    ("Baxi", "Luna Duo-tec MP+ 1.110", '102.0'),
    ("Vaillant", "ecoTEC plus VKK 806/5-5", '78.0'),
    ("Beretta", "Power Plus 65 M", '61.5'),
    ("Ariston", "Genus Premium HP 150 EU", '148.0'),
    ]
# Air-to-water heat pumps: (brand, model, heating kW, cooling kW,
# refrigerant, charge kg, first year)
HEAT_PUMPS = [
    ("Daikin", "Altherma 3 R ERGA08DV + EHBH08D6V", '8.0', '7.7', 'R32',
        '1.50', 2019),
    ("Daikin", "Altherma 3 H HT EPRA14DV3 + ETBH16D6V", '14.0', '13.2',
        'R32', '3.40', 2020),
    ("Mitsubishi Electric", "Ecodan PUZ-WM85VAA + EHST20D-VM2D", '8.0',
        '7.1', 'R32', '1.40', 2019),
    ("Mitsubishi Electric", "Ecodan PUZ-WM112VAA + ERST20D-VM2D", '11.2',
        '10.0', 'R32', '2.50', 2020),
    ("Mitsubishi Electric", "Ecodan PUHZ-SW100VHA", '10.0', '9.0', 'R410A',
        '3.20', 2013),
    ("Samsung", "EHS Mono AE080RXYDEG/EU", '8.0', '8.0', 'R32', '1.45',
        2019),
    ("Samsung", "EHS Mono HT Quiet AE160RXYDGG/EU", '16.0', '14.5', 'R32',
        '3.00', 2021),
    ("Panasonic", "Aquarea WH-MDC09J3E5", '9.0', '7.0', 'R32', '1.27', 2019),
    ("Panasonic", "Aquarea T-CAP WH-MXC16H9E8", '16.0', '14.5', 'R410A',
        '2.85', 2014),
    ]
# Split air conditioners: (brand, model, cooling kW, heating kW,
# refrigerant, charge kg, first year)
AIR_CONDITIONERS = [
    ("Daikin", "Perfera FTXM25R + RXM25R", '2.5', '3.2', 'R32', '0.76',
        2018),
    ("Daikin", "Perfera FTXM35R + RXM35R", '3.5', '4.0', 'R32', '0.76',
        2018),
    ("Daikin", "Multi 3MXM52A (3 unità interne)", '5.2', '6.8', 'R32',
        '1.30', 2019),
    ("Mitsubishi Electric", "MSZ-LN25VG2 + MUZ-LN25VG2", '2.5', '3.2', 'R32',
        '1.00', 2019),
    ("Mitsubishi Electric", "MXZ-3F54VF (3 unità interne)", '5.4', '7.0',
        'R32', '1.40', 2018),
    ("Samsung", "WindFree Comfort AR09TXFCAWKN", '2.5', '3.2', 'R32', '0.70',
        2019),
    ("Samsung", "WindFree Comfort AR12TXFCAWKN", '3.5', '4.0', 'R32', '0.80',
        2019),
    ("LG", "Libero Smart S12ET", '3.5', '4.0', 'R32', '0.65', 2019),
    ("Panasonic", "Etherea CS-Z35ZKEW + CU-Z35ZKE", '3.5', '4.0', 'R32',
        '0.85', 2020),
    ("Haier", "Flexis Plus AS35S2SF1FA", '3.5', '4.2', 'R32', '0.75', 2020),
    ("Daikin", "FTXS35K + RXS35K", '3.5', '4.0', 'R410A', '1.05', 2009),
    ]
# Larger systems of shops and offices: (brand, model, cooling kW, heating
# kW, refrigerant, charge kg, first year)
BUSINESS_AIR = [
    ("Mitsubishi Electric", "City Multi PUMY-P125YKM (VRF)", '14.0', '16.0',
        'R410A', '4.80', 2014),
    ("Daikin", "Sky Air FBA100A + RZASG100MV1 (canalizzato)", '9.5', '10.8',
        'R32', '2.90', 2019),
    ("Daikin", "Multi 5MXM90A (5 unità interne)", '9.0', '10.4', 'R32',
        '2.50', 2019),
    ]
WATER_HEATERS = [
    ("Ariston", "Velis Evo 80", '1.5'),
    ("Bosch", "Tronic 2000T ES 080", '2.0'),
    ]
SOLAR = [
    ("Vaillant", "auroTHERM VFK 145 V (2 collettori piani, 4,7 m²)"),
    ("Riello", "CSAL 2.5 (2 collettori piani, 5 m²)"),
    ("Viessmann", "Vitosol 100-FM SV1F (2 collettori piani, 4,6 m²)"),
    ]
# Second homes: (city, postal code, province, streets, countryside)
SECOND_HOMES = [
    ("Bardonecchia", '10052', 'IT-TO', ["Via Medail", "Via Melezet",
            "Viale della Vittoria", "Via Einaudi"], False),
    ("Sauze d'Oulx", '10050', 'IT-TO', ["Via Assietta", "Via Clotes"],
        False),
    ("Cesana Torinese", '10054', 'IT-TO', ["Via Roma", "Frazione Sansicario"],
        False),
    ("Pragelato", '10060', 'IT-TO', ["Via Nazionale", "Borgata Soucheres"],
        False),
    ("Cocconato", '14023', 'IT-AT', ["Strada Vallorsine", "Regione Tuffo"],
        True),
    ("Monforte d'Alba", '12065', 'IT-CN', ["Località Bussia",
            "Strada Ginestra"], True),
    ("Castagneto Po", '10090', 'IT-TO', ["Strada San Genesio",
            "Regione Ronchi"], True),
    ("Pecetto Torinese", '10020', 'IT-TO', ["Strada Valle Sauglio",
            "Strada Eremo"], True),
    ]
# Plant names by customer kind
HOME_NAMES = ["Abitazione", "Appartamento", "Riscaldamento e ACS",
    "Alloggio"]
BUSINESS_NAMES = {
    'sole_trader': ["Locale commerciale", "Negozio", "Laboratorio",
        "Studio"],
    'company': ["Sede", "Uffici", "Locale", "Stabilimento"],
    }
MAINTENANCE_NOTES = [
    "Manutenzione ordinaria: pulizia bruciatore e scambiatore, controllo "
    "tenuta e dispositivi di sicurezza.",
    "Manutenzione ordinaria: pulizia sifone condensa, verifica vaso di "
    "espansione e pressione impianto.",
    "Manutenzione ordinaria con analisi di combustione di controllo.",
    ]
AIR_MAINTENANCE_NOTES = [
    "Sanificazione unità interne, pulizia filtri e batterie, controllo "
    "scarico condensa.",
    "Pulizia filtri e verifica assorbimenti; nessuna perdita di "
    "refrigerante rilevata.",
    ]
CONTRACT_TERMS = (
    "Manutenzione ordinaria annuale secondo le istruzioni del costruttore, "
    "con compilazione del libretto di impianto; controllo di efficienza "
    "energetica alle scadenze del DPR 74/2013 e trasmissione del rapporto "
    "al CIT (contributo regionale escluso). Uscita di pronto intervento "
    "nei giorni feriali senza diritto di chiamata.")


def _decimal(value):
    return Decimal(str(value))


def add_years(date, years):
    "The same day years later, 28 February for 29 February"
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def device_supply(device):
    "The Allegato A supply of a device dict, or None"
    kind, fuel = device['kind'], device.get('fuel')
    if kind == 'boiler' and fuel in {'natural_gas', 'lpg'}:
        return 'gas'
    elif kind == 'boiler' and fuel in {'gasoil', 'pellet'}:
        return 'liquid_solid'
    elif kind in {'heat_pump', 'air_conditioner'}:
        return 'electric'
    elif kind == 'district_heating':
        return 'substation'


def control_months(supply, power):
    "The months between efficiency controls (Allegato A), or None"
    if supply == 'gas' and power > 10:
        return 48 if power < 100 else 24
    elif supply == 'liquid_solid' and power > 10:
        return 24 if power < 100 else 12
    elif supply == 'electric' and power > 12:
        return 48 if power < 100 else 24
    elif supply == 'substation' and power > 10:
        return 48


class Generator:
    "Makes the plants, devices, booklets, REEs and contracts as plain dicts"

    def __init__(self, cards, today, seed=SEED):
        self.rng = random.Random(seed)
        self.today = today
        self.cards = [c for c in cards if not c.get('trash')]
        self.by_name = {c['name']: c for c in self.cards}
        self.plants = []
        self.reports = []
        self.contracts = []
        self.used = set()

    # Small random pieces
    def unique(self, make):
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def digits(self, count):
        return ''.join(self.rng.choice('0123456789') for _ in range(count))

    def day(self, start, end):
        "A day between start and end, both included"
        end = min(end, self.today)
        if end <= start:
            return end
        return start + datetime.timedelta(
            days=self.rng.randint(0, (end - start).days))

    def days_ago(self, first, last):
        return self.today - datetime.timedelta(
            days=self.rng.randint(first, last))

    def year_day(self, first_year, last_year):
        return self.day(datetime.date(first_year, 1, 1),
            min(datetime.date(last_year, 12, 31),
                self.today - datetime.timedelta(days=30)))

    def serial(self, brand, date):
        yy, week = date.strftime('%y'), '%02d' % date.isocalendar()[1]
        rng = self.rng
        makers = {
            'Vaillant': lambda: '21%s%s00100%s0082%sN%s' % (
                yy, week, self.digits(7), self.digits(4), self.digits(1)),
            'Hermann Saunier Duval': lambda: '21%s%s00200%s0084%sN%s' % (
                yy, week, self.digits(7), self.digits(4), self.digits(1)),
            'Baxi': lambda: '%s%s%s' % (yy, week, self.digits(7)),
            'Immergas': lambda: '%s%s' % (rng.choice('12345'),
                self.digits(7)),
            'Ariston': lambda: '%s%s%s' % (yy, week, self.digits(8)),
            'Riello': lambda: '%s%s%s' % (yy, week, self.digits(6)),
            'Beretta': lambda: '%s%s%s' % (yy, week, self.digits(7)),
            'Ferroli': lambda: '%s%sF%s' % (yy, week, self.digits(5)),
            'Viessmann': lambda: '757%s%s%s' % (self.digits(4), yy,
                self.digits(7)),
            'Junkers Bosch': lambda: '7736901%s%s%s' % (self.digits(3), yy,
                self.digits(7)),
            'Junkers': lambda: '%s%s%s' % (rng.choice('789'), yy,
                self.digits(6)),
            'Bosch': lambda: '7736503%s%s%s' % (self.digits(3), yy,
                self.digits(5)),
            'Buderus': lambda: '7738%s%s%s' % (self.digits(3), yy,
                self.digits(6)),
            'Sime': lambda: '%s%s' % (yy, self.digits(6)),
            'Daikin': lambda: '%s%s' % (rng.choice('EJ'), self.digits(7)),
            'Mitsubishi Electric': lambda: '%s%s%s' % (yy[-1],
                rng.choice(['YU', 'ZU', 'XU']), self.digits(5)),
            'Samsung': lambda: '0%s%sQPA%s%s' % (rng.choice('GHJK'),
                self.digits(1), rng.choice('BCDEF'), self.digits(7)),
            'Panasonic': lambda: '%s%s' % (yy, self.digits(8)),
            'LG': lambda: '%s%sTK%s' % (yy, '%02d' % date.month,
                self.digits(6)),
            'Haier': lambda: 'AAAQ%s%s' % (yy, self.digits(8)),
            'MCZ': lambda: '%s%s' % (yy, self.digits(7)),
            }
        make = makers.get(brand, lambda: self.digits(10))
        return self.unique(make)

    # Devices
    def device(self, plant, kind, brand, model, installed, **values):
        component = {'boiler': 'GT', 'water_heater': 'GT',
            'heat_pump': 'GF', 'air_conditioner': 'GF',
            'solar_thermal': 'CS', 'district_heating': 'SC'}[kind]
        progressive = 1 + max([d['progressive'] for d in plant['devices']
                if d['_component'] == component
                and not d.get('removal_date')], default=0)
        device = {
            'kind': kind,
            'progressive': progressive,
            'brand': brand,
            'model': model,
            'serial_number': self.serial(brand, installed),
            'installation_date': installed,
            'maintenance_interval': 12,
            '_component': component,
            }
        if installed.year >= 2008:
            device['first_start_date'] = min(
                installed + datetime.timedelta(days=self.rng.randint(0, 12)),
                self.today)
        elif self.rng.random() < 0.4:
            device['installation_date_estimated'] = True
        # Two years of legal warranty, five for the registered ones
        years = 5 if self.rng.random() < 0.3 else 2
        device['warranty_end'] = add_years(installed, years)
        device.update(values)
        plant['devices'].append(device)
        self.maintenance(device)
        return device

    def maintenance(self, device):
        "The last maintenance and efficiency control dates"
        rng = self.rng
        installed = device['installation_date']
        if device['kind'] in {'air_conditioner', 'water_heater',
                'solar_thermal'} and rng.random() < 0.5:
            device['maintenance_interval'] = 24
        elif device['kind'] == 'heat_pump' and rng.random() < 0.2:
            device['maintenance_interval'] = 24
        if rng.random() < 0.92:
            last = self.days_ago(10, 390)
        else:
            # overdue
            last = self.days_ago(430, 900)
        if device['maintenance_interval'] == 24 and rng.random() < 0.5:
            last -= datetime.timedelta(days=365)
        if last > installed:
            device['last_maintenance_date'] = last

    def condensing_boiler(self, plant, first_year=2008, last_year=2025,
            fuel='natural_gas'):
        brand, model, powers = self.rng.choice(CONDENSING)
        power = self.rng.choice(powers)
        return self.device(
            plant, 'boiler', brand, model.format(p=power),
            self.year_day(first_year, last_year),
            fuel=fuel, nominal_power=_decimal(power),
            generator_class='gas_condensing', heat_carrier='water',
            _draught='F', _family='condensing')

    def old_boiler(self, plant, catalogue=OLD_BOILERS, fuel='natural_gas'):
        brand, model, power, class_, draught, first, last = (
            self.rng.choice(catalogue))
        return self.device(
            plant, 'boiler', brand, model, self.year_day(first, last),
            fuel=fuel, nominal_power=_decimal(power),
            generator_class=class_, heat_carrier='water',
            _draught=draught, _family='old')

    def heat_pump(self, plant, catalogue=HEAT_PUMPS):
        brand, model, heating, cooling, gas, charge, first = (
            self.rng.choice(catalogue))
        return self.device(
            plant, 'heat_pump', brand, model, self.year_day(first, 2025),
            fuel='electricity', hp_drive='electric',
            nominal_power=_decimal(heating), cooling_power=_decimal(cooling),
            heat_carrier='water', refrigerant=gas,
            refrigerant_charge=_decimal(charge), _family='heat_pump')

    def air_conditioner(self, plant, catalogue=AIR_CONDITIONERS):
        brand, model, cooling, heating, gas, charge, first = (
            self.rng.choice(catalogue))
        return self.device(
            plant, 'air_conditioner', brand, model,
            self.year_day(first, 2025),
            fuel='electricity', hp_drive='electric',
            nominal_power=_decimal(heating), cooling_power=_decimal(cooling),
            heat_carrier='air', refrigerant=gas,
            refrigerant_charge=_decimal(charge), _family='air')

    def water_heater(self, plant):
        brand, model, power = self.rng.choice(WATER_HEATERS)
        return self.device(
            plant, 'water_heater', brand, model, self.year_day(2012, 2025),
            fuel='electricity', nominal_power=_decimal(power),
            heat_carrier='water', _family='water_heater')

    def solar(self, plant, installed):
        brand, model = self.rng.choice(SOLAR)
        return self.device(
            plant, 'solar_thermal', brand, model, installed,
            heat_carrier='water', _family='solar')

    # Plants
    def plant(self, card, name, role='owner', address=None, active=None):
        plant = {
            'customer': card['name'],
            'name': name,
            'role': role,
            'address': address,
            'city': (address or card['address'])[2],
            'province': (address or card['address'])[3],
            'active': card.get('active', True) if active is None else active,
            'devices': [],
            'booklets': [],
            '_card': card,
            }
        self.plants.append(plant)
        return plant

    def second_address(self, countryside):
        city, postal_code, province, streets, _ = self.rng.choice(
            [h for h in SECOND_HOMES if h[4] == countryside])
        street = '%s %s' % (self.rng.choice(streets), self.rng.randint(1, 60))
        name = "Casa in campagna" if countryside else "Casa in montagna"
        return (street, postal_code, city, province, name)

    def home(self, card, name=None, role='owner'):
        rng = self.rng
        names = HOME_NAMES + (["Villetta"] if card['address'][2] != "Torino"
            else [])
        plant = self.plant(card, name or rng.choice(names), role)
        r = rng.random()
        if r < 0.6:
            boiler = self.condensing_boiler(plant)
            if rng.random() < 0.06:
                self.solar(plant, boiler['installation_date'])
        elif r < 0.8:
            self.old_boiler(plant)
        else:
            self.heat_pump(plant)
        if rng.random() < 0.18:
            self.air_conditioner(plant)
        if rng.random() < 0.025:
            self.water_heater(plant)
        return plant

    def second_home(self, card):
        rng = self.rng
        countryside = rng.random() < 0.45
        address = self.second_address(countryside)
        plant = self.plant(card, address[4], address=address)
        if countryside:
            if rng.random() < 0.6:
                self.old_boiler(plant, GASOIL_BOILERS, fuel='gasoil')
            else:
                self.condensing_boiler(plant, fuel='lpg')
        else:
            if rng.random() < 0.4:
                self.condensing_boiler(plant, fuel='lpg')
            else:
                self.condensing_boiler(plant)
        return plant

    def business(self, card, name=None):
        rng = self.rng
        plant = self.plant(
            card, name or rng.choice(BUSINESS_NAMES[card['subject_type']]))
        r = rng.random()
        if card['subject_type'] == 'company' and r < 0.35:
            # a larger floor-standing or modular condensing boiler
            brand, model, power = rng.choice(CASCADE)
            self.device(
                plant, 'boiler', brand, model, self.year_day(2010, 2025),
                fuel='natural_gas', nominal_power=_decimal(power),
                generator_class='gas_condensing', heat_carrier='water',
                _draught='F', _family='condensing')
            self.air_conditioner(plant, BUSINESS_AIR)
        elif r < 0.6:
            self.condensing_boiler(plant)
            self.air_conditioner(plant)
        elif r < 0.75:
            self.old_boiler(plant)
        elif r < 0.9:
            self.air_conditioner(plant, BUSINESS_AIR)
        else:
            self.heat_pump(plant)
        return plant

    def condominium(self, card, district_heating=False):
        plant = self.plant(card, "Centrale termica", 'administrator')
        if district_heating:
            self.device(
                plant, 'district_heating', "Iren Energia",
                "Sottostazione di scambio TLR 290 kW",
                self.year_day(2004, 2012), fuel='district_heating',
                nominal_power=Decimal('290.00'), heat_carrier='water',
                _family='district_heating')
            return plant
        brand, model, power = self.rng.choice(CASCADE)
        installed = self.year_day(2009, 2024)
        for _ in range(2):
            self.device(
                plant, 'boiler', brand, model, installed,
                fuel='natural_gas', nominal_power=_decimal(power),
                generator_class='gas_condensing', heat_carrier='water',
                _draught='F', _family='condensing', _cascade=True,
                notes="Caldaie in cascata con regolatore di centrale.")
        return plant

    def build_plants(self):
        rng = self.rng
        district_heating = rng.choice([c['name'] for c in self.cards
                if c['subject_type'] == 'condominium'
                and c['address'][2] == "Torino" and c['name'] != MARKER])
        # The marker condominium first
        cards = sorted(self.cards, key=lambda c: c['name'] != MARKER)
        # Flats on central heating: a split air conditioner for most
        flats = [c['name'] for c in cards
            if c.get('owner') and self.by_name[c['owner']][
                'subject_type'] == 'condominium']
        no_plant = set(rng.sample(flats, 14))
        for card in cards:
            kind = card['subject_type']
            owner = self.by_name.get(card.get('owner'))
            if kind == 'condominium':
                self.condominium(card, card['name'] == district_heating)
            elif owner and owner['subject_type'] == 'condominium':
                if card['name'] not in no_plant:
                    plant = self.plant(card, "Climatizzazione appartamento")
                    self.air_conditioner(plant)
            elif owner:
                # tenants of the landlords: their own boiler
                self.home(card, "Appartamento in locazione", 'occupant')
            elif kind == 'person':
                self.home(card)
                if rng.random() < 0.3:
                    self.second_home(card)
            elif kind in {'sole_trader', 'company'}:
                self.business(card)
                if rng.random() < 0.3:
                    self.business(card, rng.choice(
                            ["Magazzino", "Seconda sede", "Punto vendita"]))
            elif kind == 'public_administration':
                self.public_administration(card)
            elif kind == 'foreign':
                self.foreign(card)
        self.replacements()

    def public_administration(self, card):
        plant = self.plant(card, "Centrale termica", 'third_party')
        brand, model, power = self.rng.choice(CASCADE)
        installed = self.year_day(2010, 2022)
        for _ in range(2):
            self.device(
                plant, 'boiler', brand, model, installed,
                fuel='natural_gas', nominal_power=_decimal(power),
                generator_class='gas_condensing', heat_carrier='water',
                _draught='F', _family='condensing', _cascade=True)
        if card['name'].startswith("ASL"):
            self.air_conditioner(plant, BUSINESS_AIR)

    def foreign(self, card):
        if card['address'][4] == 'FR':
            # the chalets at Claviere
            address = ("Via Nazionale 30", '10050', "Claviere", 'IT-TO',
                "Chalets di Claviere")
            plant = self.plant(card, "Chalets di Claviere", address=address)
            installed = self.year_day(2016, 2020)
            for _ in range(3):
                self.device(
                    plant, 'boiler', "MCZ", "Club Comfort Air 12 M1",
                    installed, fuel='pellet', nominal_power=Decimal('11.70'),
                    heat_carrier='air', _family='pellet',
                    notes="Stufa a pellet ad aria.")
        else:
            address = ("Via Medail 33", '10052', "Bardonecchia", 'IT-TO',
                "Seconda casa")
            plant = self.plant(card, "Seconda casa", address=address)
            self.condensing_boiler(plant)

    def replacements(self):
        "Old boilers removed and replaced in the same slot"
        rng = self.rng
        candidates = [p for p in self.plants
            if p['active'] and len(p['devices']) == 1
            and p['devices'][0].get('_family') == 'old'
            and p['devices'][0]['installation_date'].year < 2004]
        for plant in rng.sample(candidates, 2):
            old, = plant['devices']
            removed = self.days_ago(20, 400)
            old['removal_date'] = removed
            old.pop('last_efficiency_check_date', None)
            if (old.get('last_maintenance_date')
                    and old['last_maintenance_date'] > removed):
                old['last_maintenance_date'] = removed - datetime.timedelta(
                    days=200)
            new = self.condensing_boiler(plant)
            new['installation_date'] = removed
            new['first_start_date'] = removed
            new['warranty_end'] = add_years(removed, 2)
            new.pop('last_efficiency_check_date', None)
            if (new.get('last_maintenance_date')
                    and new['last_maintenance_date'] <= removed):
                del new['last_maintenance_date']
            new['progressive'] = old['progressive']
            new['notes'] = "Sostituisce %s %s (%s)." % (
                old['brand'], old['model'], old['serial_number'])
            old['_replaced_by'] = len(plant['devices']) - 1
            plant['_replaced'] = True

    def controls(self):
        """The last efficiency control of the generators in the scope of
        DPR 74/2013: the powers add up per supply over the plant"""
        rng = self.rng
        for plant in self.plants:
            totals, groups = {}, {}
            for device in plant['devices']:
                if device.get('removal_date'):
                    continue
                supply = device_supply(device)
                if not supply:
                    continue
                power = device.get('nominal_power') or Decimal(0)
                if supply == 'electric':
                    power = max(power, device['cooling_power'])
                totals[supply] = totals.get(supply, 0) + power
                groups.setdefault(supply, []).append(device)
            for supply, devices in groups.items():
                months = control_months(supply, totals[supply])
                if not months:
                    continue
                for device in devices:
                    installed = device['installation_date']
                    if ((self.today - installed).days < months * 30
                            and rng.random() < 0.5):
                        # not controlled since the first start
                        continue
                    first = max(installed, self.today
                        - datetime.timedelta(days=int(months * 32.5)))
                    device['last_efficiency_check_date'] = self.day(
                        first, self.today - datetime.timedelta(days=15))

    # Plant identifiers and technicians
    def identifiers(self):
        rng = self.rng
        for plant in self.plants:
            devices = plant['devices']
            heating = [d for d in devices
                if d['_component'] in {'GT', 'GF', 'SC'}
                and d['kind'] != 'water_heater'
                and (d['kind'] != 'air_conditioner'
                    or d['cooling_power'] > 12)]
            plant['_heating'] = bool(heating)
            if heating and rng.random() < 0.75:
                plant['catasto_code'] = self.unique(
                    lambda: str(rng.randint(100000, 1999999)))
            if any(d.get('fuel') == 'natural_gas' for d in devices) and (
                    rng.random() < 0.45):
                plant['pdr'] = self.unique(lambda: '0' + self.digits(13))
            if rng.random() < 0.3:
                # IRETI in Torino, e-distribuzione elsewhere
                prefix = 'IT020E' if plant['city'] == "Torino" else 'IT001E'
                plant['pod'] = self.unique(
                    lambda: prefix + self.digits(8))
            if rng.random() < 0.5:
                plant['technicians'] = rng.sample(
                    TECHNICIANS[1:] if rng.random() < 0.8 else TECHNICIANS,
                    rng.choice([1, 1, 2]))

    # Booklets
    def booklets(self):
        rng = self.rng
        for plant in self.plants:
            if not plant['_heating'] or not plant['active']:
                continue
            card = plant['_card']
            existing = self.day(BOOKLET_START, datetime.date(2017, 12, 31))
            if plant.get('_replaced'):
                # the booklet of the old boiler, archived by the new one
                removed = min(d['removal_date'] for d in plant['devices']
                    if d.get('removal_date'))
                new = self.booklet(
                    plant, card, removed, 'generator_replacement')
                new['_round'] = 2
                plant['booklets'] = [
                    self.booklet(plant, card, existing, 'existing'), new]
                continue
            if rng.random() > 0.8:
                continue
            installed = min(d['installation_date'] for d in plant['devices']
                if d['_component'] in {'GT', 'GF', 'SC'})
            if installed > BOOKLET_START:
                booklet = self.booklet(plant, card, installed, 'new')
            else:
                booklet = self.booklet(plant, card, existing, 'existing')
            plant['booklets'] = [booklet]

    def booklet(self, plant, card, date, intervention):
        rng = self.rng
        kind = card['subject_type']
        devices = plant['devices']
        single = kind in {'person', 'foreign', 'sole_trader'}
        if kind == 'condominium':
            category, volume = 'E.1', rng.randint(2800, 7500)
        elif kind == 'public_administration':
            category, volume = (
                'E.7' if "Istituto" in card['name'] else
                'E.3' if card['name'].startswith("ASL") else 'E.2',
                rng.randint(3000, 9000))
        elif kind in {'sole_trader', 'company'}:
            category, volume = 'E.5', rng.randint(250, 1800)
        else:
            category, volume = 'E.1', rng.randint(180, 480)
        cooling = any(d['_component'] == 'GF' for d in devices)
        values = {
            'date': date,
            'intervention_type': intervention,
            'building_category': category,
            'single_unit': single,
            'heated_volume': Decimal(volume),
            'service_heating': True,
            'service_dhw': kind != 'condominium' or rng.random() < 0.5,
            'service_cooling': cooling,
            'heat_carrier': 'water',
            'water_content': (Decimal(volume) / 2500).quantize(
                Decimal('0.001')),
            'water_hardness': Decimal(rng.randint(18, 32)),
            'heating_treatment': rng.choice(
                ['none', 'filtration', 'chemical', 'softening']),
            'dhw_treatment': rng.choice(['none', 'filtration', 'softening']),
            }
        if cooling:
            values['cooled_volume'] = Decimal(int(volume * 0.6))
        if kind == 'condominium':
            responsible = [{'name': ADMINISTRATOR, 'role': 'administrator',
                    'start_date': date}]
        else:
            responsible = [{
                    'name': card['name'],
                    'fiscal_code': card.get('fiscal_code')
                    or card.get('vat_number'),
                    'role': plant['role'],
                    'start_date': date,
                    }]
            if intervention == 'existing' and kind == 'person' and (
                    rng.random() < 0.15):
                # the previous owner or tenant
                took_over = self.day(date, datetime.date(2023, 12, 31))
                responsible[0]['start_date'] = took_over
                responsible.insert(0, {
                        'name': "%s %s" % (
                            rng.choice(["Ferrero", "Bosio", "Rinaldi",
                                    "Cravero", "Moretti", "Audisio"]),
                            rng.choice(["Giorgio", "Anna", "Carlo",
                                    "Rosa", "Piero", "Lucia"])),
                        'role': plant['role'],
                        'start_date': date,
                        'end_date': took_over,
                        })
        values['responsibles'] = responsible
        values['_round'] = 1
        return values

    # Efficiency reports
    def efficiency_reports(self):
        rng = self.rng
        gas = [(p, d) for p in self.plants if p['active']
            for d in p['devices']
            if d['kind'] == 'boiler' and not d.get('removal_date')
            and d.get('fuel') in {'natural_gas', 'lpg'}]
        old = [(p, d) for p, d in gas if d.get('_family') == 'old']
        # The three failures: low efficiency, CO with prescription, CO
        failures = rng.sample(old, 3)
        for (plant, device), failure in zip(
                failures, ['efficiency', 'co_stop', 'co']):
            self.report_type1(plant, device, failure=failure)
        rest = [pd for pd in gas if pd not in failures]
        for plant, device in rng.sample(rest, 37):
            self.report_type1(plant, device)
        gasoil = [(p, d) for p in self.plants if p['active']
            for d in p['devices'] if d.get('fuel') == 'gasoil'
            and not d.get('removal_date')]
        self.report_type1(*rng.choice(gasoil))
        heat_pumps = [(p, d) for p in self.plants if p['active']
            for d in p['devices'] if d['kind'] == 'heat_pump'
            and max(d['nominal_power'], d['cooling_power']) > 12]
        self.report_type2(*rng.choice(heat_pumps))
        # Drafts: controls of today and yesterday still being filled in
        done = {id(r['_device']) for r in self.reports}
        for plant, device in rng.sample(
                [pd for pd in rest if id(pd[1]) not in done], 4):
            self.report_type1(plant, device, draft=True)

    def technician(self, plant, device):
        "The owner controls the central plants, else an authorized one"
        if device.get('_cascade'):
            return "Paolo Rossi"
        return self.rng.choice(plant.get('technicians') or TECHNICIANS[1:])

    def _common(self, plant, device, date, technician):
        rng = self.rng
        arrival = datetime.time(rng.randint(8, 16), rng.choice([0, 15, 30,
                    45]))
        minutes = arrival.hour * 60 + arrival.minute + rng.randint(35, 80)
        return {
            'date': date,
            'technician': technician,
            'arrival_time': arrival,
            'departure_time': datetime.time(minutes // 60, minutes % 60),
            'catasto_code': plant.get('catasto_code'),
            'doc_conformity': rng.random() < 0.9,
            'doc_manuals': rng.random() < 0.85,
            'doc_booklet': True,
            'doc_booklet_complete': rng.random() < 0.9,
            'water_hardness': Decimal(rng.randint(18, 32)),
            'heating_treatment_not_required': plant['_card'][
                'subject_type'] == 'person',
            'dhw_treatment_not_required': True,
            'technician_signature': technician,
            'responsible_signature': (ADMINISTRATOR
                if plant['role'] == 'administrator'
                else plant['customer']),
            '_plant': plant,
            '_device': device,
            }

    def report_type1(self, plant, device, failure=None, draft=False):
        rng = self.rng
        fuel = device['fuel']
        family = device.get('_family')
        technician = self.technician(plant, device)
        if draft:
            date = self.days_ago(0, 1)
        elif failure:
            date = self.days_ago(8, 60)
        else:
            date = self.days_ago(8, 400)
            if date < device['installation_date']:
                date = self.day(device['installation_date'], self.today)
        values = self._common(plant, device, date, technician)
        power = device['nominal_power']
        if family == 'condensing':
            flue, o2 = rng.uniform(42, 66), rng.uniform(3.2, 5.6)
            co, efficiency = rng.uniform(8, 85), rng.uniform(96.6, 98.9)
            nox, input_ = rng.uniform(24, 55), power * Decimal('1.03')
        elif fuel == 'gasoil':
            flue, o2 = rng.uniform(170, 210), rng.uniform(4.0, 6.5)
            co, efficiency = rng.uniform(15, 60), rng.uniform(89.6, 92.4)
            nox, input_ = rng.uniform(150, 210), power / Decimal('0.92')
        else:
            flue, o2 = rng.uniform(105, 150), rng.uniform(5.5, 9.5)
            co, efficiency = rng.uniform(40, 190), rng.uniform(89.2, 92.6)
            nox, input_ = rng.uniform(110, 170), power / Decimal('0.91')
        if failure == 'efficiency':
            efficiency = rng.uniform(83.2, 84.0)
        elif failure in {'co', 'co_stop'}:
            co = rng.uniform(700, 900)
            o2 = rng.uniform(8.5, 10.0)
        co2_max = {'natural_gas': 11.7, 'lpg': 13.7, 'gasoil': 15.1}[fuel]
        co_corrected = co * 21 / (21 - o2)
        values.update({
                'report_type': '1',
                'instrument': INSTRUMENTS[technician],
                'total_power': sum(d['nominal_power'] for d in plant[
                        'devices'] if d['_component'] == 'GT'
                    and not d.get('removal_date')),
                'focolare_power': input_.quantize(Decimal('0.1')),
                'service_dhw': not device.get('_cascade'),
                'draught': device.get('_draught', 'F'),
                'air_temperature': _decimal(round(rng.uniform(6, 22), 1)),
                })
        if draft:
            values.update({
                    'flue_temperature': _decimal(round(flue, 1)),
                    'o2': _decimal(round(o2, 1)),
                    })
            self.reports.append(values)
            return values
        values.update({
                'flue_temperature': _decimal(round(flue, 1)),
                'o2': _decimal(round(o2, 1)),
                'co2': _decimal(round(co2_max * (21 - o2) / 21, 1)),
                'co_dry': _decimal(round(co)),
                'co_corrected': _decimal(round(co_corrected)),
                'measured_efficiency': _decimal(round(efficiency, 1)),
                'nox': _decimal(round(nox)),
                'sticker_code': 'RP-%s' % self.unique(
                    lambda: self.digits(7)),
                })
        for name in ['d_room', 'd_flue', 'd_regulation', 'd_vents',
                'd_leaks', 'd_vent_size', 'd_seal', 'e_controls',
                'e_safety', 'e_valve', 'e_exchanger', 'e_results']:
            values[name] = 'yes'
        values['d_outdoor'] = ('yes' if rng.random() < 0.25
            else 'not_applicable')
        values['e_backflow'] = 'no'
        if device.get('_draught') == 'N':
            values['flue_depression'] = _decimal(round(rng.uniform(3, 9), 1))
        if fuel == 'gasoil':
            readings = sorted(round(rng.uniform(0.3, 1.6), 1)
                for _ in range(3))
            for index, reading in enumerate(readings, 1):
                values['bacharach%s' % index] = _decimal(reading)
        if failure:
            values['e_results'] = 'no'
        if failure == 'efficiency':
            values['observations'] = (
                "Rendimento di combustione inferiore al minimo di legge "
                "(DPR 74/2013, allegato B) anche dopo la pulizia del "
                "bruciatore.")
            values['recommendations'] = (
                "Sostituire il generatore entro 180 giorni; preventivo "
                "consegnato al cliente.")
        elif failure == 'co_stop':
            values['e_exchanger'] = 'no'
            values['observations'] = (
                "CO corretto oltre 1000 ppm: scambiatore lato fumi "
                "ostruito.")
            values['prescriptions'] = (
                "Generatore messo fuori servizio: non riaccendere prima "
                "della pulizia dello scambiatore e di una nuova analisi "
                "di combustione.")
            values['can_operate'] = False
        elif failure == 'co':
            values['observations'] = (
                "CO corretto oltre il limite: regolazione del bruciatore "
                "non sufficiente.")
            values['recommendations'] = (
                "Pulizia dello scambiatore e sostituzione degli ugelli "
                "da eseguire entro 30 giorni.")
            values['intervention_by'] = date + datetime.timedelta(days=30)
        elif rng.random() < 0.3:
            values['suggest_valves'] = True
            values['recommendations'] = rng.choice([
                    "Installare valvole termostatiche sui radiatori.",
                    "Installare un cronotermostato programmabile.",
                    "Coibentare le tubazioni in centrale termica.",
                    ])
        values['_done'] = True
        # The REE sets the device's last control (and maintenance)
        device['last_efficiency_check_date'] = date
        if (not device.get('last_maintenance_date')
                or device['last_maintenance_date'] < date):
            device['last_maintenance_date'] = date
        self.reports.append(values)
        return values

    def report_type2(self, plant, device):
        date = self.days_ago(20, 300)
        technician = self.technician(plant, device)
        values = self._common(plant, device, date, technician)
        values.update({
                'report_type': '2',
                'total_power': device['nominal_power'],
                'test_mode': 'RIS',
                'superheat': Decimal('5.5'),
                'subcooling': Decimal('4.0'),
                'condensing_temperature': Decimal('44.0'),
                'evaporating_temperature': Decimal('-1.5'),
                'source_in_temperature': Decimal('7.5'),
                'source_out_temperature': Decimal('3.0'),
                'user_in_temperature': Decimal('30.5'),
                'user_out_temperature': Decimal('35.0'),
                'absorbed_power': Decimal('3.10'),
                'filters_clean': True,
                'check_passed': True,
                'service_dhw': True,
                '_done': True,
                })
        for name in ['d_room', 'd_vent_size', 'd_vents', 'd_electric',
                'd_insulation', 'e_refrigerant_leaks',
                'e_direct_leak_detection', 'e_indirect_leak_detection',
                'e_exchangers_clean']:
            values[name] = 'yes'
        device['last_efficiency_check_date'] = date
        if (not device.get('last_maintenance_date')
                or device['last_maintenance_date'] < date):
            device['last_maintenance_date'] = date
        self.reports.append(values)

    # Contracts
    def make_contracts(self):
        rng = self.rng
        eligible = [p for p in self.plants
            if p['active'] and p['_heating']
            and not p['_card'].get('no_maintenance')]
        for plant in rng.sample(eligible, 60):
            self.contract(plant)
        contracts = self.contracts
        # Expiring within 30-60 days, and a few in the next month
        for contract in contracts[:6]:
            self.period(contract, self.today + datetime.timedelta(
                    days=rng.randint(30, 60)))
        for contract in contracts[6:9]:
            self.period(contract, self.today + datetime.timedelta(
                    days=rng.randint(3, 29)))
        # Cancelled during the year
        for contract, reason in zip(contracts[9:11], [
                    "Disdetta del cliente: manutenzione affidata al "
                    "fornitore del gas.",
                    "Caldaia sostituita con una pompa di calore di "
                    "un'altra ditta.",
                    ]):
            contract['_fate'] = 'cancelled'
            contract['cancel_reason'] = reason
        # Expired last year, not renewed
        for contract in contracts[11:14]:
            contract['automatic_renewal'] = False
            contract['_fate'] = 'expired'
            self.period(contract, self.days_ago(40, 200))
        # Renewed: the new year starts after the old end, 1.8% dearer
        contract = contracts[14]
        contract['_fate'] = 'renewed'
        self.period(contract, self.days_ago(20, 60))
        start = contract['end_date'] + datetime.timedelta(days=1)
        self.contracts.append(dict(contract,
                start_date=start, end_date=self.year_end(start),
                price=(contract['price'] * Decimal('1.018')).quantize(
                    Decimal('0.01')),
                _fate='active', _renews=contract))
        # A proposal not signed yet
        contracts[15]['_fate'] = 'draft'
        contracts[15]['start_date'] = self.today + datetime.timedelta(
            days=7)
        contracts[15]['end_date'] = self.year_end(
            contracts[15]['start_date'])
        # The deactivated cards: deceased customer, sold house, moved
        for card in self.cards:
            if card.get('active', True) or card['subject_type'] != 'person':
                continue
            plants = [p for p in self.plants
                if p['customer'] == card['name'] and p['_heating']]
            if not plants:
                continue
            contract = self.contract(plants[0])
            if "eredi" in (card.get('reserved_notes') or ''):
                contract['automatic_renewal'] = False
                contract['_fate'] = 'expired'
                self.period(contract, self.days_ago(60, 150))
            else:
                contract['_fate'] = 'cancelled'
                contract['cancel_reason'] = (
                    "Casa venduta." if "venduta" in card['reserved_notes']
                    else "Cliente trasferito in un'altra città.")

    def year_end(self, start):
        return add_years(start, 1) - datetime.timedelta(days=1)

    def period(self, contract, end):
        "Move the contract to the year ending on end"
        contract['end_date'] = end
        start = end + datetime.timedelta(days=1)
        contract['start_date'] = add_years(start, -1)

    def contract(self, plant):
        rng = self.rng
        devices = plant['devices']
        kinds = {d['kind'] for d in devices if not d.get('removal_date')}
        visits = 1
        if plant['_card']['subject_type'] in {
                'condominium', 'public_administration'}:
            price, visits = rng.choice([650, 780, 890]), 2
        elif 'heat_pump' in kinds:
            price = rng.choice([150, 160, 170, 180])
        elif 'air_conditioner' in kinds:
            price = rng.choice([140, 150, 160, 175])
        else:
            price = rng.choice([90, 95, 105, 110, 120, 130])
        start = self.days_ago(0, 300)
        contract = {
            '_plant': plant,
            'start_date': start,
            'end_date': self.year_end(start),
            'visits_per_year': visits,
            'price': Decimal(price),
            'automatic_renewal': rng.random() < 0.9,
            'renewal_notice_days': rng.choice([30, 30, 60]),
            'description': CONTRACT_TERMS,
            '_fate': 'active',
            }
        if 'air_conditioner' in kinds and 'boiler' in kinds and (
                rng.random() < 0.5):
            # the boiler only
            contract['_devices'] = [d for d in devices
                if d['kind'] == 'boiler' and not d.get('removal_date')]
            contract['price'] = Decimal(rng.choice([95, 110, 120]))
        self.contracts.append(contract)
        return contract

    def build(self):
        self.build_plants()
        self.controls()
        self.identifiers()
        self.booklets()
        self.efficiency_reports()
        self.make_contracts()
        return self


def build_plants(today, seed=SEED):
    "The demo data as dicts, the same ones for the same seed and day"
    return Generator(build_customers(), today, seed).build()


# Database
def _create(Model, vlist, context):
    ids = []
    for i in range(0, len(vlist), BATCH):
        ids += Model.create(vlist[i:i + BATCH], context)
    return ids


def _clean(values):
    "The values without the generator's own keys"
    return {k: v for k, v in values.items()
        if not k.startswith('_') and v is not None}


def setup_configuration(company):
    "The REA data of the maintainer, for the CIT exports"
    from proteus import Model
    Configuration = Model.get('termogest.impianti.configuration')
    configuration = Configuration(1)
    rea_office = getattr(company, 'rea_office', None)
    rea_number = getattr(company, 'rea_number', None)
    if rea_office and rea_number and not configuration.rea_number:
        configuration.rea_office = rea_office
        configuration.rea_number = rea_number
        configuration.save()


def _activate_booklets(Booklet, booklets, today, context):
    """Click "Activate" on the booklets, the replacements in a second round
    (they archive the booklets of the old boilers)"""
    for round_ in [1, 2]:
        ids = [b['_id'] for b in booklets if b['_round'] == round_]
        if ids:
            Booklet.activate(ids, context)


def create_plants(company):
    """Create the demo plants of the demo customers

    Nothing is done when termogest_impianti is not activated, when the demo
    customers are missing or when the plant of the first demo customer
    (MARKER) exists already.  Return the number of plants created.
    """
    from proteus import Model
    Module = Model.get('ir.module')
    if not Module.find([
                ('name', '=', 'termogest_impianti'),
                ('state', '=', 'activated'),
                ]):
        print("termogest_impianti non è attivo: nessun impianto demo "
            "(ricreare il database con make demo RESET=1).")
        return 0
    Party = Model.get('party.party')
    Address = Model.get('party.address')
    Plant = Model.get('termogest.plant')
    Device = Model.get('termogest.device')
    Booklet = Model.get('termogest.booklet')
    Entry = Model.get('termogest.booklet.entry')
    Report = Model.get('termogest.efficiency.report')
    Contract = Model.get('termogest.contract')
    Employee = Model.get('company.employee')
    Fuel = Model.get('termogest.fuel')
    Refrigerant = Model.get('termogest.refrigerant')
    Region = Model.get('termogest.region')
    Subdivision = Model.get('country.subdivision')
    Country = Model.get('country.country')
    Cron = Model.get('ir.cron')
    Date = Model.get('ir.date')
    context = Plant._config.context
    inactive = dict(context, active_test=False)
    with Plant._config.set_context(active_test=False):
        if Plant.find([('party.name', '=', MARKER)], limit=1):
            return 0
    if not Party.find([('name', '=', MARKER)], limit=1):
        print("Clienti demo assenti: nessun impianto demo.")
        return 0
    start = time.monotonic()
    setup_configuration(company)
    today = Date.today(context)
    data = build_plants(today)
    plants = data.plants
    customers = {p['name']: p for p in Party.search_read(
            [('name', 'in', sorted({p['customer'] for p in plants}))],
            0, None, [('id', 'ASC')], ['name', 'addresses'], inactive)}

    # Records of the rules
    fuels = {f['code']: f['id'] for f in Fuel.search_read(
            [], 0, None, None, ['code'], inactive)}
    refrigerants = {r['code']: r['id'] for r in Refrigerant.search_read(
            [], 0, None, None, ['code'], inactive)}
    regions = Region.search_read([], 0, None, None,
        ['code', 'subdivision_codes'], context)
    generic = next(r['id'] for r in regions if r['code'] == 'generic')
    subdivisions = {s['code']: s for s in Subdivision.search_read(
            [('country.code', '=', 'IT')], 0, None, None,
            ['code', 'parent.code'], context)}
    italy, = Country.find([('code', '=', 'IT')])
    employees = {e['party.']['name']: e['id'] for e in Employee.search_read(
            [('company', '=', company.id)], 0, None, None,
            ['party.name'], context)}

    def region(province):
        codes = set()
        subdivision = subdivisions.get(province)
        if subdivision:
            codes.add(subdivision['code'])
            if subdivision.get('parent.'):
                codes.add(subdivision['parent.']['code'])
        for record in regions:
            if codes & set((record['subdivision_codes'] or '').split()):
                return record['id']
        return generic

    # Addresses of the second homes
    new_addresses = [p for p in plants if p['address']]
    address_ids = _create(Address, [{
                'party': customers[p['customer']]['id'],
                'street_unstructured': p['address'][0],
                'postal_code': p['address'][1],
                'city': p['address'][2],
                'country': italy.id,
                'subdivision': subdivisions[p['address'][3]]['id'],
                } for p in new_addresses], context)
    for plant, address_id in zip(new_addresses, address_ids):
        plant['_address'] = address_id

    # Plants
    vlist = []
    for plant in plants:
        customer = customers[plant['customer']]
        values = {
            'company': company.id,
            'party': customer['id'],
            'name': plant['name'],
            'responsible_role': plant['role'],
            'address': plant.get('_address') or customer['addresses'][0],
            'region': region(plant['province']),
            'active': plant['active'],
            }
        for name in ['catasto_code', 'pdr', 'pod']:
            if plant.get(name):
                values[name] = plant[name]
        technicians = [employees[n] for n in plant.get('technicians', [])
            if n in employees]
        if technicians:
            values['authorized_technicians'] = [('add', technicians)]
        vlist.append(values)
    for plant, plant_id in zip(plants, _create(Plant, vlist, context)):
        plant['_id'] = plant_id

    # Devices
    devices = [d for p in plants for d in p['devices']]
    vlist = []
    for plant in plants:
        for device in plant['devices']:
            values = _clean(device)
            values['plant'] = plant['_id']
            if device.get('fuel'):
                values['fuel'] = fuels[device['fuel']]
            if device.get('refrigerant'):
                values['refrigerant'] = refrigerants[device['refrigerant']]
            vlist.append(values)
    for device, device_id in zip(devices, _create(Device, vlist, inactive)):
        device['_id'] = device_id
    replaced = []
    for plant in plants:
        for device in plant['devices']:
            if '_replaced_by' in device:
                replaced.extend([[device['_id']], {
                            'replaced_by': plant['devices'][
                                device['_replaced_by']]['_id'],
                            }])
    if replaced:
        Device.write(*replaced, inactive)

    # Booklets: the archived ones are replaced in a second round
    booklets = [b for p in plants for b in p['booklets']]
    vlist = []
    for plant in plants:
        for booklet in plant['booklets']:
            values = _clean(booklet)
            values['plant'] = plant['_id']
            values['catasto_code'] = plant.get('catasto_code')
            values['responsibles'] = [('create', [
                        _clean(r) for r in booklet['responsibles']])]
            vlist.append(values)
    for booklet, booklet_id in zip(booklets, _create(Booklet, vlist,
                context)):
        booklet['_id'] = booklet_id
    for plant in plants:
        if len(plant['booklets']) == 2:
            plant['booklets'][1]['_archives'] = plant['booklets'][0]['_id']

    # Efficiency reports, completed before the booklets are activated: the
    # log entries are written below with the maintenance ones
    vlist = []
    for report in data.reports:
        values = _clean(report)
        values['device'] = report['_device']['_id']
        values['technician'] = employees.get(report['technician'])
        vlist.append(values)
    report_ids = _create(Report, vlist, context)
    done = [id_ for report, id_ in zip(data.reports, report_ids)
        if report.get('_done')]
    if done:
        Report.done(done, context)
    # read() does not keep the order of the ids on PostgreSQL
    values = {v['id']: v for v in Report.read(
            report_ids, ['number', 'result'], context)}
    for report, id_ in zip(data.reports, report_ids):
        report.update({'_id': id_, '_number': values[id_]['number'],
                '_result': values[id_]['result']})

    _activate_booklets(Booklet, booklets, today, context)
    # The log of the booklets: the last maintenance of each device and
    # the completed REEs
    vlist = []
    for plant in plants:
        if not plant['booklets']:
            continue
        booklet = plant['booklets'][-1]
        for device in plant['devices']:
            if device.get('notes', '').startswith("Sostituisce"):
                vlist.append({
                        'booklet': booklet['_id'],
                        'date': device['installation_date'],
                        'kind': 'replacement',
                        'description': "Nuovo generatore %s %s. %s" % (
                            device['brand'], device['model'],
                            device['notes']),
                        'device': device['_id'],
                        })
            date = device.get('last_maintenance_date')
            if not date or date < booklet['date'] or device.get(
                    'removal_date'):
                continue
            notes = (AIR_MAINTENANCE_NOTES
                if device['_component'] == 'GF' else MAINTENANCE_NOTES)
            vlist.append({
                    'booklet': booklet['_id'],
                    'date': date,
                    'kind': 'maintenance',
                    'description': notes[device['_id'] % len(notes)],
                    'device': device['_id'],
                    })
    results = {'pass': "positivo", 'fail': "negativo"}
    for report in data.reports:
        booklet = report['_plant']['booklets'][-1:]
        if (not report.get('_done') or not booklet
                or report['date'] < booklet[0]['date']):
            continue
        device = report['_device']
        vlist.append({
                'booklet': booklet[0]['_id'],
                'date': report['date'],
                'kind': 'efficiency',
                'description': "Rapporto di efficienza %s su %s%s: %s." % (
                    report['_number'], device['_component'],
                    device['progressive'], results[report['_result']]),
                'device': device['_id'],
                'report': report['_id'],
                })
    entries = _create(Entry, vlist, context)

    # Contracts; the renewals after the contracts they renew
    contracts = sorted(data.contracts, key=lambda c: '_renews' in c)
    vlist = []
    for contract in contracts:
        plant = contract['_plant']
        values = _clean(contract)
        values.update({
                'company': company.id,
                'party': customers[plant['customer']]['id'],
                'plants': [('add', [plant['_id']])],
                })
        if contract.get('_devices'):
            values['devices'] = [('add', [
                        d['_id'] for d in contract['_devices']])]
        vlist.append(values)
    renewals = [c for c in contracts if '_renews' in c]
    for contract, contract_id in zip(contracts, _create(
                Contract, vlist[:-len(renewals) or None], context)):
        contract['_id'] = contract_id
    for contract, values in zip(renewals, vlist[-len(renewals):]):
        values['renewed_from'] = contract['_renews']['_id']
    for contract, contract_id in zip(renewals, _create(
                Contract, vlist[-len(renewals):] if renewals else [],
                context)):
        contract['_id'] = contract_id
    Contract.activate([c['_id'] for c in contracts
            if c['_fate'] != 'draft'], context)
    Contract.cancel([c['_id'] for c in contracts
            if c['_fate'] == 'cancelled'], context)
    # The past contracts expire as the daily job does
    cron, = Cron.find([
            ('method', '=', 'termogest.contract|process_expired')])
    cron.click('run_once')

    print("Impianti demo: %d impianti, %d apparecchi, %d libretti "
        "(%d voci), %d REE, %d contratti creati in %.1f s." % (
            len(plants), len(devices), len(booklets), len(entries),
            len(report_ids), len(Contract.find([])),
            time.monotonic() - start))
    return len(plants)


if __name__ == '__main__':
    from collections import Counter
    data = build_plants(datetime.date.today())
    devices = [d for p in data.plants for d in p['devices']]
    customers = {c['name'] for c in build_customers() if not c.get('trash')}
    print(len(data.plants), "impianti,",
        len(customers - {p['customer'] for p in data.plants}),
        "clienti senza impianto")
    print(len(devices), "apparecchi:", dict(Counter(
                d['kind'] for d in devices)))
    print(sum(len(p['booklets']) for p in data.plants), "libretti,",
        len(data.reports), "REE,", len(data.contracts), "contratti:",
        dict(Counter(c['_fate'] for c in data.contracts)))
