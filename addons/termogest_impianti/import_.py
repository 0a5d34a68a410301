# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import customers, plants and devices from a spreadsheet

The file is checked row by row before anything is written.  Rows with an
error are left out whole (never half a row) and listed by number; the good
rows are then imported in one transaction: if the database refuses one of
them, nothing at all is imported.
"""

import hashlib
import threading
import unicodedata
from collections import OrderedDict, defaultdict

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.termogest_clienti.subjects import detect_subject_type
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import spreadsheet
from .regulation import COMPONENT_CODES

MAX_FILE_SIZE = 20 * 1024 * 1024
# Records created by one call in import_records (see _create)
CREATE_SIZE = 500


# The file read and checked by the last steps of the wizard, so that each
# step does not read and check it again: {key: Sheet or results}; the
# values are never modified.  Only a speed-up: a step run by another
# process reads the file itself.
_CACHE = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SIZE = 2


def _cached(key, compute):
    "The value of key in the cache, computed and stored when missing"
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


class ImportError_(ValidationError):
    pass


class ImportStart(ModelView):
    "Import from spreadsheet"
    __name__ = 'termogest.impianti.import.start'
    __string__ = "Import from Spreadsheet"

    file = fields.Binary("File", filename='filename', required=True,
        help="An .xls or .xlsx file with one device per row.")
    filename = fields.Char("File Name")


class ImportColumn(ModelView):
    "Column of the spreadsheet to import"
    __name__ = 'termogest.impianti.import.column'
    __string__ = "Spreadsheet Column"

    index = fields.Integer("Index", readonly=True)
    letter = fields.Char("Column", readonly=True)
    header = fields.Char("Header", readonly=True)
    sample = fields.Char("First Value", readonly=True)
    target = fields.Selection('get_targets', "Import As")

    @classmethod
    def get_targets(cls):
        return [(None, "")] + [
            (t.key, t.label + (' *' if t.required else ''))
            for t in spreadsheet.TARGETS]


class ImportMapping(ModelView):
    "Import column mapping"
    __name__ = 'termogest.impianti.import.mapping'
    __string__ = "Column Mapping"

    filename = fields.Char("File", readonly=True)
    rows = fields.Integer("Rows", readonly=True)
    columns = fields.One2Many(
        'termogest.impianti.import.column', None, "Columns",
        help="Choose for each column what it holds; leave empty to skip "
        "it. Fields with * are required.")


class ImportResult(ModelView):
    "Import result"
    __name__ = 'termogest.impianti.import.result'
    __string__ = "Import Result"

    rows = fields.Integer("Rows Read", readonly=True)
    valid = fields.Integer("Rows to Import", readonly=True)
    invalid = fields.Integer("Rows with Errors", readonly=True)
    report = fields.Text("Report", readonly=True)
    done = fields.Boolean("Done", readonly=True)


class Import(Wizard):
    "Import from spreadsheet"
    __name__ = 'termogest.impianti.import'
    start = StateView(
        'termogest.impianti.import.start',
        'termogest_impianti.import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Next", 'read', 'tryton-forward', default=True),
            ])
    read = StateTransition()
    mapping = StateView(
        'termogest.impianti.import.mapping',
        'termogest_impianti.import_mapping_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Back", 'start', 'tryton-back'),
            Button("Check", 'check', 'tryton-forward', default=True),
            ])
    check = StateTransition()
    result = StateView(
        'termogest.impianti.import.result',
        'termogest_impianti.import_result_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Back", 'mapping', 'tryton-back',
                states={'invisible': Bool(Eval('done'))}),
            Button("Import Valid Rows", 'import_', 'tryton-ok',
                default=True,
                states={
                    'invisible': Bool(Eval('done')),
                    'readonly': ~Eval('valid'),
                    }),
            ])
    import_ = StateTransition()

    def _file_key(self):
        "What identifies the uploaded file in the cache"
        return (hashlib.sha256(bytes(self.start.file or b'')).digest(),
            self.start.filename or '')

    def _sheet(self):
        data = self.start.file
        if data is not None and len(data) > MAX_FILE_SIZE:
            raise ImportError_(gettext(
                    'termogest_impianti.msg_import_too_big',
                    filename=self.start.filename or '',
                    size=MAX_FILE_SIZE // (1024 * 1024)))
        try:
            return _cached(('sheet',) + self._file_key(),
                lambda: spreadsheet.read_sheet(
                    bytes(data or b''), self.start.filename or ''))
        except spreadsheet.SpreadsheetError as exception:
            raise ImportError_(str(exception)) from exception

    def transition_read(self):
        sheet = self._sheet()
        guessed = spreadsheet.guess_mapping(sheet.headers)
        first = sheet.rows[0][1] if sheet.rows else []
        columns = []
        for index, header in enumerate(sheet.headers):
            sample = first[index] if index < len(first) else None
            columns.append({
                    'index': index,
                    'letter': spreadsheet.column_letter(index),
                    'header': header,
                    'sample': '' if sample is None else str(sample)[:60],
                    'target': guessed.get(index),
                    })
        self.mapping.filename = self.start.filename
        self.mapping.rows = len(sheet.rows)
        self.mapping.columns = columns
        return 'mapping'

    def default_mapping(self, fields):
        return {
            'filename': self.mapping.filename,
            'rows': self.mapping.rows,
            'columns': [{
                    'index': c.index,
                    'letter': c.letter,
                    'header': c.header,
                    'sample': c.sample,
                    'target': c.target,
                    } for c in self.mapping.columns],
            }

    def _mapping(self):
        return {c.index: c.target for c in self.mapping.columns if c.target}

    def _validate(self):
        pool = Pool()
        Date = pool.get('ir.date')
        sheet = self._sheet()
        mapping, today = self._mapping(), Date.today()
        try:
            results = _cached(
                ('results',) + self._file_key()
                + (tuple(sorted(mapping.items())), today),
                lambda: spreadsheet.validate_sheet(
                    sheet, mapping, today=today))
        except spreadsheet.SpreadsheetError as exception:
            raise ImportError_(str(exception)) from exception
        return results

    def transition_check(self):
        results = self._validate()
        wrong = [r for r in results if r.errors]
        self.result.rows = len(results)
        self.result.valid = len(results) - len(wrong)
        self.result.invalid = len(wrong)
        self.result.report = spreadsheet.format_report(results, limit=500)
        self.result.done = False
        return 'result'

    def default_result(self, fields):
        return {
            'rows': self.result.rows,
            'valid': self.result.valid,
            'invalid': self.result.invalid,
            'report': self.result.report,
            'done': self.result.done,
            }

    def transition_import_(self):
        results = self._validate()
        good = [r for r in results if r.ok]
        counts = import_records([(r.row, r.record) for r in good])
        wrong = len(results) - len(good)
        self.result.done = True
        self.result.report = gettext(
            'termogest_impianti.msg_import_done',
            rows=len(good), wrong=wrong, **counts)
        if wrong:
            self.result.report += '\n' + spreadsheet.format_report(
                results, limit=500)
        return 'result'


def import_records(rows):
    """Create the customers, plants and devices of validated records

    rows: [(row number, record of spreadsheet.validate_sheet)].  Existing
    customers are matched by number, codice fiscale, partita IVA or name
    and city; existing plants by catasto code or site address.  Return the
    counts of what was created.

    The database is read in bulk (one search per kind of key, not one per
    row) and the records of each model are created together, in calls of
    CREATE_SIZE records.
    """
    pool = Pool()
    Party = pool.get('party.party')
    Address = pool.get('party.address')
    Plant = pool.get('termogest.plant')
    Device = pool.get('termogest.device')
    Fuel = pool.get('termogest.fuel')
    Refrigerant = pool.get('termogest.refrigerant')
    Region = pool.get('termogest.region')
    Country = pool.get('country.country')
    Subdivision = pool.get('country.subdivision')
    Identifier = pool.get('party.identifier')
    ContactMechanism = pool.get('party.contact_mechanism')

    fuels = {f.code: f for f in Fuel.search([])}
    refrigerants = {r.code.upper(): r for r in Refrigerant.search([])}
    italy = Country.search([('code', '=', 'IT')], limit=1)
    italy = italy[0] if italy else None
    subdivisions = {}
    if italy:
        for subdivision in Subdivision.search([('country', '=', italy.id)]):
            subdivisions[subdivision.code.split('-')[-1]] = subdivision
    regions = {}

    def region_of(subdivision):
        key = subdivision.id if subdivision else None
        if key not in regions:
            region = None
            if subdivision:
                region = Region.from_subdivision(subdivision)
            if not region:
                region = Plant.default_region()
                region = Region(region) if region else None
            regions[key] = region
        return regions[key]

    # Customers
    parties = {}

    def party_key(record):
        return (record['customer_code'] or record['fiscal_code']
            or record['vat_number']
            or '%s|%s' % (record['customer_name'].casefold(),
                (record['customer_city'] or '').casefold()))

    # One record per customer, in the order of the file
    customers = {}
    for row, record in rows:
        customers.setdefault(party_key(record), record)
    by_code = _first_by(Party.search([
                ('code', 'in', sorted({r['customer_code']
                            for r in customers.values()
                            if r['customer_code']})),
                ]), 'code')
    by_identifier = {}
    for identifier in Identifier.search([
                ('code', 'in', sorted({r[k] for r in customers.values()
                            for k in ['fiscal_code', 'vat_number']
                            if r[k]})),
                ('party.internal', '=', False),
                ]):
        by_identifier.setdefault(identifier.code, identifier.party)
    # The customers the name and city search could find: a superset
    # searched at once, then the exact search for the few candidates
    same_names = _similar_names(Party, [
            r['customer_name'] for r in customers.values()])

    def find_party(record):
        if record['customer_code']:
            found = by_code.get(record['customer_code'])
            if found:
                return found
        for key in ['fiscal_code', 'vat_number']:
            if record[key]:
                found = by_identifier.get(record[key])
                if found:
                    return found
        if not same_names(record['customer_name']):
            return
        domain = [('name', 'ilike', record['customer_name'])]
        if record['customer_city']:
            domain.append(
                ('addresses.city', 'ilike', record['customer_city']))
        found = Party.search(domain + [('internal', '=', False)], limit=2)
        if len(found) == 1:
            return found[0]

    to_create = {}
    order = []
    # A contact of a new customer, whose only address is in Italy
    formatter = ContactMechanism(
        party=Party(addresses=[Address(country=italy)]))
    for key, record in customers.items():
        party = find_party(record)
        if party:
            parties[key] = party
            continue
        subdivision = subdivisions.get(record['customer_province'] or '')
        # Formatted as the contact mechanisms would do it after their
        # creation (compute_fields), to spare a write for each of them
        contacts = []
        for type_, name in [('phone', 'phone'), ('mobile', 'mobile'),
                ('email', 'email')]:
            if record[name]:
                value = formatter.format_value(
                    value=record[name], type_=type_)
                contacts.append({
                        'type': type_,
                        'value': value,
                        'value_compact': formatter.format_value_compact(
                            value=value, type_=type_),
                        })
        # The codes go straight into party.identifier, as the setter of
        # fiscal_code and vat_number would put them (one write per
        # customer through the setters)
        identifiers = []
        for name in ['fiscal_code', 'vat_number']:
            if record[name] and record[name].strip():
                type_, code = Party._identifier_type_of(name, record[name])
                identifiers.append({'type': type_, 'code': code})
        values = {
            'name': record['customer_name'],
            'subject_type': detect_subject_type(
                fiscal_code=record['fiscal_code'],
                vat_number=record['vat_number'],
                sdi_code=record['sdi_code'], country_code='IT') or 'person',
            'identifiers': [('create', identifiers)],
            'pec': record['pec'],
            'addresses': [('create', [{
                            'street_unstructured': (
                                record['customer_street']),
                            'postal_code': record['customer_postal_code'],
                            'city': record['customer_city'],
                            'country': italy.id if italy else None,
                            'subdivision': (
                                subdivision.id if subdivision else None),
                            }])],
            'contact_mechanisms': [('create', contacts)],
            }
        if record['sdi_code']:
            values['sdi_code'] = record['sdi_code']
        to_create[key] = values
        order.append(key)
    new_parties = set()
    if order:
        with Transaction().set_context(_skip_warnings=True):
            created = _create(Party, [to_create[k] for k in order])
        parties.update(zip(order, created))
        new_parties = {p.id for p in created}
    party_count = len(order)

    # Plants
    plants = {}
    new_addresses = []
    plant_values = []
    plant_keys = []

    def plant_key(record):
        party = parties[party_key(record)]
        street = record['plant_street'] or record['customer_street']
        city = record['plant_city'] or record['customer_city']
        return (party.id, record['catasto_code']
            or '%s|%s' % ((street or '').casefold(), (city or '').casefold()))

    by_catasto = _first_by(Plant.search([
                ('catasto_code', 'in', sorted({r['catasto_code']
                            for _, r in rows if r['catasto_code']})),
                ]), 'catasto_code')
    for row, record in rows:
        party = parties[party_key(record)]
        street = record['plant_street'] or record['customer_street']
        city = record['plant_city'] or record['customer_city']
        key = plant_key(record)
        if key in plants or key in plant_keys:
            continue
        existing = None
        if record['catasto_code']:
            existing = by_catasto.get(record['catasto_code'])
            existing = [existing] if existing else None
        # a customer created above has no plant yet
        if not existing and street and party.id not in new_parties:
            existing = Plant.search([
                    ('party', '=', party.id),
                    ('address.street', 'ilike', street),
                    ('address.city', 'ilike', city or '%'),
                    ], limit=1)
        if existing:
            plants[key] = existing[0]
            continue
        address = None
        for candidate in party.addresses:
            if ((candidate.street or '').casefold()
                    == (street or '').casefold()
                    and (candidate.city or '').casefold()
                    == (city or '').casefold()):
                address = candidate
                break
        province = (record['plant_province']
            or record['customer_province'] or '')
        subdivision = subdivisions.get(province)
        if address is None:
            # street_unstructured is what the setter of street fills
            address = Address(
                party=party, street_unstructured=street,
                postal_code=(record['plant_postal_code']
                    or record['customer_postal_code']),
                city=city, country=italy,
                subdivision=subdivision)
            new_addresses.append(address)
        region = region_of(subdivision or address.subdivision)
        plant_values.append((address, {
                    'party': party.id,
                    'region': region.id if region else None,
                    'catasto_code': record['catasto_code'],
                    'pdr': record['pdr'],
                    'pod': record['pod'],
                    }))
        plant_keys.append(key)
    for index in range(0, len(new_addresses), CREATE_SIZE):
        Address.save(new_addresses[index:index + CREATE_SIZE])
    if plant_values:
        vlist = []
        for address, values in plant_values:
            values['address'] = address.id
            vlist.append(values)
        created = _create(Plant, vlist)
        plants.update(zip(plant_keys, created))
        new_plants = {p.id for p in created}
    else:
        new_plants = set()
    plant_count = len(plant_keys)

    # Devices: Device.create gives each one the next free slot; in a
    # plant created above, where no slot is taken, they are numbered here
    # in the same way without a search per device
    device_values = []
    taken = defaultdict(set)
    for row, record in rows:
        plant = plants[plant_key(record)]
        refrigerant = None
        if record['refrigerant']:
            refrigerant = refrigerants.get(record['refrigerant'].upper())
            if refrigerant is None:
                refrigerant, = Refrigerant.create([{
                            'code': record['refrigerant'],
                            'gwp': 0,
                            'note': gettext(
                                'termogest_impianti.msg_import_gwp_unknown'),
                            }])
                refrigerants[record['refrigerant'].upper()] = refrigerant
        fuel = fuels.get(record['fuel']) if record['fuel'] else None
        values = {
            'plant': plant.id,
            'kind': record['kind'],
            'brand': record['brand'],
            'model': record['model'],
            'serial_number': record['serial_number'],
            'fuel': fuel.id if fuel else None,
            'nominal_power': record['nominal_power'],
            'generator_class': record['generator_class'],
            'heat_carrier': record['heat_carrier'] or 'water',
            'installation_date': record['installation_date'],
            'first_start_date': record['first_start_date'],
            'warranty_end': record['warranty_end'],
            'refrigerant': refrigerant.id if refrigerant else None,
            'refrigerant_charge': record['refrigerant_charge'],
            'maintenance_interval': record['maintenance_interval'],
            'last_maintenance_date': record['last_maintenance_date'],
            'last_efficiency_check_date': (
                record['last_efficiency_check_date']),
            'notes': record['device_notes'],
            }
        if plant.id in new_plants:
            slots = taken[plant.id, COMPONENT_CODES.get(record['kind'])]
            number = 1
            while number in slots:
                number += 1
            values['progressive'] = number
            slots.add(number)
        device_values.append(values)
    if device_values:
        _create(Device, device_values)
    return {
        'parties': party_count,
        'plants': plant_count,
        'devices': len(device_values),
        }


def _create(Model, vlist, size=CREATE_SIZE):
    """Create the records of vlist in calls of size records, in order

    The same records as one call, but Tryton checks every id of a list
    when it instantiates each of its records: the time grows with the
    square of the records of one call.
    """
    records = []
    for index in range(0, len(vlist), size):
        records.extend(Model.create(vlist[index:index + size]))
    return records


def _first_by(records, name):
    """{value of field name: first record} of records in their order, as
    a search of each value with limit=1 would find"""
    result = {}
    for record in records:
        result.setdefault(getattr(record, name), record)
    return result


# Characters with a meaning in a LIKE pattern
_LIKE_SPECIAL = frozenset('%_\\')


def _fold_name(name):
    "Case and accents folded, None when it cannot be compared in Python"
    text = unicodedata.normalize('NFKD', name)
    text = ''.join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    if not text.isascii() or _LIKE_SPECIAL & set(text):
        return None
    return text


def _similar_names(Party, names, size=500):
    """Return a function telling whether a customer name could match an
    existing customer with ('name', 'ilike', name)

    It searches every name at once (OR of the same clauses) and compares
    the names found folded; it never says no when the search could find
    one, so the exact search then runs only for these names.
    """
    names = sorted({n for n in names if n})
    found, unsure = set(), False
    for index in range(0, len(names), size):
        chunk = names[index:index + size]
        domain = ['OR'] + [('name', 'ilike', n) for n in chunk]
        for party in Party.search(
                [domain, ('internal', '=', False)], order=[]):
            folded = _fold_name(party.name or '')
            if folded is None:
                unsure = True
            found.add(folded)

    def similar(name):
        if unsure:
            return True
        folded = _fold_name(name)
        return folded is None or folded in found
    return similar
