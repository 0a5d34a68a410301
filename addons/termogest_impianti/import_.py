# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Import customers, plants and devices from a spreadsheet

The file is checked row by row before anything is written.  Rows with an
error are left out whole (never half a row) and listed by number; the good
rows are then imported in one transaction: if the database refuses one of
them, nothing at all is imported.
"""

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.termogest_clienti.subjects import detect_subject_type
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import spreadsheet

MAX_FILE_SIZE = 20 * 1024 * 1024


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

    def _sheet(self):
        data = self.start.file
        if data is not None and len(data) > MAX_FILE_SIZE:
            raise ImportError_(gettext(
                    'termogest_impianti.msg_import_too_big',
                    filename=self.start.filename or '',
                    size=MAX_FILE_SIZE // (1024 * 1024)))
        try:
            return spreadsheet.read_sheet(
                bytes(data or b''), self.start.filename or '')
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
        try:
            results = spreadsheet.validate_sheet(
                sheet, self._mapping(), today=Date.today())
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

    def find_party(record):
        if record['customer_code']:
            found = Party.search(
                [('code', '=', record['customer_code'])], limit=1)
            if found:
                return found[0]
        for type_, key in [('it_codicefiscale', 'fiscal_code'),
                ('it_vat', 'vat_number')]:
            if record[key]:
                found = Identifier.search([
                        ('code', '=', record[key]),
                        ('party.internal', '=', False),
                        ], limit=1)
                if found:
                    return found[0].party
        domain = [('name', 'ilike', record['customer_name'])]
        if record['customer_city']:
            domain.append(
                ('addresses.city', 'ilike', record['customer_city']))
        found = Party.search(domain + [('internal', '=', False)], limit=2)
        if len(found) == 1:
            return found[0]

    to_create = {}
    order = []
    for row, record in rows:
        key = party_key(record)
        if key in parties or key in to_create:
            continue
        party = find_party(record)
        if party:
            parties[key] = party
            continue
        subdivision = subdivisions.get(record['customer_province'] or '')
        contacts = []
        for type_, name in [('phone', 'phone'), ('mobile', 'mobile'),
                ('email', 'email')]:
            if record[name]:
                contacts.append({'type': type_, 'value': record[name]})
        values = {
            'name': record['customer_name'],
            'subject_type': detect_subject_type(
                fiscal_code=record['fiscal_code'],
                vat_number=record['vat_number'],
                sdi_code=record['sdi_code'], country_code='IT') or 'person',
            'fiscal_code': record['fiscal_code'],
            'vat_number': record['vat_number'],
            'pec': record['pec'],
            'addresses': [('create', [{
                            'street': record['customer_street'],
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
    if order:
        with Transaction().set_context(_skip_warnings=True):
            created = Party.create([to_create[k] for k in order])
        parties.update(zip(order, created))
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

    for row, record in rows:
        party = parties[party_key(record)]
        street = record['plant_street'] or record['customer_street']
        city = record['plant_city'] or record['customer_city']
        key = plant_key(record)
        if key in plants or key in plant_keys:
            continue
        existing = None
        if record['catasto_code']:
            existing = Plant.search(
                [('catasto_code', '=', record['catasto_code'])], limit=1)
        if not existing and street:
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
            address = Address(
                party=party, street=street,
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
    if new_addresses:
        Address.save(new_addresses)
    if plant_values:
        vlist = []
        for address, values in plant_values:
            values['address'] = address.id
            vlist.append(values)
        created = Plant.create(vlist)
        plants.update(zip(plant_keys, created))
    plant_count = len(plant_keys)

    # Devices: Device.create gives each one the next free slot
    device_values = []
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
        device_values.append(values)
    if device_values:
        Device.create(device_values)
    return {
        'parties': party_count,
        'plants': plant_count,
        'devices': len(device_values),
        }
