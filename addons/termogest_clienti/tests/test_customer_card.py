# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The customer card over RPC (proteus), as each account kind uses it."""
import datetime

import pytest
from proteus import Model, Wizard

from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.modules.termogest_permessi.tests.tools import as_user
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import (
    COMPANY_VAT, OTHER_COMPANY_VAT, OTHER_PERSON_CF, PERSON_CF, add_contact,
    create_customer_setup, new_customer)


@pytest.fixture
def cfg():
    config = activate_modules('termogest_clienti', create_customer_setup)
    yield config
    drop_db()


def refused(party, match):
    "Save the card, expect an Italian error containing every piece of match"
    with pytest.raises(UserError) as info:
        party.save()
    for piece in match:
        assert piece in info.value.message, info.value.message
    return info.value.message


def names(parties):
    return sorted(p.name for p in parties)


# Fiscal data


def test_customer_number_comes_from_the_sequence(cfg):
    as_user(cfg, 'marta')
    first = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    first.save()
    second = new_customer("Laura Bianchi", fiscal_code=OTHER_PERSON_CF)
    second.save()
    assert first.code and second.code
    assert first.code != second.code
    assert int(second.code) == int(first.code) + 1


def test_person_detected_and_recipient_code_defaulted(cfg):
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi")
    party.fiscal_code = PERSON_CF
    assert party.subject_type == 'person'
    assert party.sdi_code == '0000000'
    party.save()
    assert party.fiscal_code == PERSON_CF
    identifier, = party.identifiers
    assert identifier.type == 'it_codicefiscale'


def test_sole_trader_and_company_detected(cfg):
    as_user(cfg, 'marta')
    trader = new_customer("Idraulica Rossi di Mario Rossi")
    trader.fiscal_code = PERSON_CF
    trader.vat_number = COMPANY_VAT
    assert trader.subject_type == 'sole_trader'
    trader.sdi_code = 'M5UXCR1'
    trader.save()
    company = new_customer("Termica Alpi S.r.l.")
    company.vat_number = 'IT' + OTHER_COMPANY_VAT
    company.fiscal_code = OTHER_COMPANY_VAT
    assert company.subject_type == 'company'
    company.save()
    assert company.vat_number == OTHER_COMPANY_VAT
    assert {i.type for i in company.identifiers} == {
        'it_vat', 'it_codicefiscale'}


def test_wrong_fiscal_code_refused_in_italian_and_nothing_saved(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code='RSSMRA85T10A562X')
    message = refused(party, [
            'Cliente "Mario Rossi"', 'campo "Codice fiscale"',
            '"RSSMRA85T10A562X" non è un codice fiscale valido',
            'tessera sanitaria'])
    assert message.startswith('Cliente')
    assert not Party.find([('name', '=', "Mario Rossi")])


def test_wrong_vat_number_refused_in_italian(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer(
        "Termica Alpi S.r.l.", vat_number='12345678901',
        subject_type='company', sdi_code='M5UXCR1')
    refused(party, [
            'Cliente "Termica Alpi S.r.l."', 'campo "Partita IVA"',
            '"12345678901" non è una partita IVA valida',
            'pulsante Verifica'])
    assert not Party.find([('name', '=', "Termica Alpi S.r.l.")])
    party.vat_number = COMPANY_VAT
    party.save()
    assert party.vat_number == COMPANY_VAT


def test_wrong_eu_vat_number_refused(cfg):
    as_user(cfg, 'marta')
    party = new_customer("Chauffage Dupont", vat_number='FR00000000001')
    refused(party, ['campo "Partita IVA"', 'numero IVA UE'])


def test_invalid_pec_refused_in_italian(cfg):
    as_user(cfg, 'marta')
    party = new_customer(
        "Mario Rossi", fiscal_code=PERSON_CF, pec='mario.rossi-pec.it')
    refused(party, [
            'Cliente "Mario Rossi"', 'campo "PEC"',
            '"mario.rossi-pec.it" non è un indirizzo e-mail'])
    party.pec = ' Mario.Rossi@PEC.it '
    party.save()
    assert party.pec == 'mario.rossi@pec.it'


def test_recipient_code_length_checked_against_subject_type(cfg):
    as_user(cfg, 'marta')
    party = new_customer(
        "Termica Alpi S.r.l.", vat_number=COMPANY_VAT, sdi_code='UFABCD')
    # A 6-character code means a public administration
    assert party.subject_type == 'public_administration'
    party.subject_type = 'company'
    refused(party, [
            'campo "Codice destinatario"', '"UFABCD" ha 6 caratteri'])
    party.sdi_code = 'XXXXXXX'
    refused(party, ['XXXXXXX vale solo per i clienti esteri'])
    party.sdi_code = 'M5UX$R1'
    refused(party, ['può contenere solo lettere maiuscole e cifre'])
    party.sdi_code = 'm5uxcr1'
    party.save()
    assert party.sdi_code == 'M5UXCR1'


def test_public_administration_needs_six_character_code(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer("Comune di Collegno", fiscal_code='80012340016')
    assert party.subject_type == 'company'
    party.subject_type = 'public_administration'
    refused(party, [
            'Il cliente "Comune di Collegno" è una pubblica amministrazione',
            'campo "Codice destinatario"', '6 caratteri'])
    party.sdi_code = 'M5UXCR1'
    refused(party, ['codice univoco ufficio'])
    assert not Party.find([('name', '=', "Comune di Collegno")])
    party.sdi_code = 'UF1A2B'
    party.save()
    assert party.subject_type == 'public_administration'


def test_foreign_customer(cfg):
    Country = Model.get('country.country')
    as_user(cfg, 'marta')
    party = new_customer("Chauffage Dupont SARL")
    address, = party.addresses
    address.country, = Country.find([('code', '=', 'FR')])
    party.vat_number = 'FR40303265045'
    assert party.subject_type == 'foreign'
    assert party.sdi_code == 'XXXXXXX'
    party.save()
    assert party.identifiers[0].type == 'eu_vat'
    party.sdi_code = '0000000'
    refused(party, ['è estero', 'deve essere XXXXXXX'])


def test_subject_type_contradicting_the_data_warns(cfg):
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    party.subject_type = 'company'
    party.sdi_code = 'M5UXCR1'
    with pytest.raises(UserWarning) as info:
        party.save()
    assert info.value.message == (
        'Cliente "Mario Rossi": il tipo soggetto è "Società o ente" ma i '
        'dati fiscali indicano "Privato". Controlla il codice fiscale, la '
        'partita IVA, il codice destinatario e il paese dell\'indirizzo.')
    # The user confirms the warning once and the card is saved as chosen
    Warning = Model.get('res.user.warning')
    Warning.skip(info.value.name, False, cfg.context)
    party.save()
    assert party.subject_type == 'company'
    assert party.subject_type_warning


# Search and list


def test_search_by_number_name_codes_phone_email_street_city(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer(
        "Mario Rossi", street="Via Nizza 45", city="Moncalieri",
        fiscal_code=PERSON_CF)
    add_contact(party, 'phone', '+39 011 6401234')
    add_contact(party, 'email', 'mario.rossi@example.it')
    party.save()
    company = new_customer(
        "Termica Alpi S.r.l.", vat_number=COMPANY_VAT, sdi_code='M5UXCR1')
    company.save()
    for text in [party.code, "Rossi", PERSON_CF, '6401234',
            'mario.rossi@example', "Nizza", "Moncalieri",
            # inside a word of the street, on every backend (PostgreSQL's
            # full-text search of the street matches whole words only)
            "izza 4", "oncal"]:
        found = Party.find([
                ('rec_name', 'ilike', f'%{text}%'),
                ('internal', '=', False),
                ])
        assert [p.id for p in found] == [party.id], text
    assert Party.find([('vat_number', '=', COMPANY_VAT)]) == [company]
    assert Party.find([('city', 'ilike', 'moncal%')]) == [party]
    assert party.city == "Moncalieri"
    assert party.phone == '+39 011 6401234'


def test_customer_list_leaves_out_the_service_centre(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    new_customer("Mario Rossi", fiscal_code=PERSON_CF).save()
    customers = Party.find([('internal', '=', False)])
    assert names(customers) == ["Mario Rossi"]
    internal = Party.find([('internal', '=', True)])
    assert "Rossi Impianti S.r.l." in names(internal)


def test_attention_marks_the_customer_everywhere(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer(
        "Mario Rossi", fiscal_code=PERSON_CF, attention=True,
        attention_reason="Cane in giardino")
    party.save()
    assert party.rec_name == '\u26a0 Mario Rossi'
    assert Party.find([('rec_name', 'ilike', '\u26a0 Mario%')]) == [party]


# Access


def test_reserved_notes_unreadable_without_the_group(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer(
        "Mario Rossi", fiscal_code=PERSON_CF,
        reserved_notes="Paga in ritardo: chiedere acconto")
    party.save()
    assert Party.read([party.id], ['reserved_notes'], cfg.context)[0][
        'reserved_notes'] == "Paga in ritardo: chiedere acconto"

    as_user(cfg, 'sara')
    with pytest.raises(AccessError):
        Party.read([party.id], ['reserved_notes'], cfg.context)
    with pytest.raises(AccessError):
        Party.search_read(
            [('id', '=', party.id)], 0, None, None, ['reserved_notes'],
            cfg.context)
    with pytest.raises(AccessError):
        Party.export_data([party.id], ['reserved_notes'], cfg.context)
    with pytest.raises(AccessError):
        Party.search([('reserved_notes', 'ilike', '%ritardo%')], 0, None,
            None, cfg.context)
    with pytest.raises(AccessError):
        Party.write([party.id], {'reserved_notes': "cancellate"}, cfg.context)
    # The rest of the card stays readable
    assert Party.read([party.id], ['name'], cfg.context)[0]['name'] == (
        "Mario Rossi")
    form = Party.fields_view_get(None, 'form', cfg.context)
    assert 'reserved_notes' not in form['fields']
    assert 'reserved_notes' not in form['arch']


def test_customers_group_reads_and_edits_but_does_not_create(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    party.save()
    as_user(cfg, 'sara')
    party = Party(party.id)
    party.no_maintenance = True
    party.save()
    with pytest.raises(AccessError):
        new_customer("Laura Bianchi").save()
    with pytest.raises(AccessError):
        Party.delete([Party(party.id)])


def test_technician_reads_no_customer(cfg):
    Party = Model.get('party.party')
    Employee = Model.get('company.employee')
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    party.save()
    luca = as_user(cfg, 'luca')
    assert "Mario Rossi" not in names(Party.find([]))
    with pytest.raises(AccessError):
        Party.read([party.id], ['name'], cfg.context)
    # The technician still reads the service centre and the technicians
    employee, = Employee.find([('id', '=', luca.employee.id)])
    assert employee.party.name == "Luca Ferri"
    with pytest.raises(AccessError):
        Party.write([employee.party.id], {'name': "X"}, cfg.context)


# Condominiums


def test_condominium_members_and_attach_wizard(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    condominium = new_customer(
        "Condominio Via Nizza 45", street="Via Nizza 45",
        is_building_owner=True, fiscal_code='97012340010')
    condominium.sdi_code = None
    assert condominium.subject_type == 'condominium'
    admin = add_contact(condominium, 'phone', '+39 011 555777',
        name="Studio Ferrero", role="amministratore di condominio")
    condominium.save()
    assert condominium.contact_mechanisms[0].role == (
        "amministratore di condominio")
    assert admin
    flat = new_customer("Anna Verdi", street="Via Nizza 45 int. 3",
        fiscal_code=OTHER_PERSON_CF, building_owner=condominium)
    flat.save()
    other = new_customer("Mario Rossi", street="Via Nizza 45 int. 5",
        fiscal_code=PERSON_CF)
    other.save()

    attach = Wizard('termogest.party.attach_members', [condominium])
    attach.form.members.append(Party(other.id))
    attach.execute('attach')
    condominium.reload()
    assert names(condominium.building_members) == ["Anna Verdi", "Mario Rossi"]
    assert condominium.building_member_count == 2
    assert Party.find([('is_building_owner', '=', True)]) == [condominium]

    condominium.is_building_owner = False
    with pytest.raises(UserError) as info:
        condominium.save()
    assert 'ha 2 schede collegate' in info.value.message


# Takeover


def test_takeover_keeps_the_card_and_records_the_previous_holder(cfg):
    Party = Model.get('party.party')
    Holder = Model.get('termogest.party.holder')
    ContactMechanism = Model.get('party.contact_mechanism')
    marta = as_user(cfg, 'marta')
    party = new_customer(
        "Mario Rossi", fiscal_code=PERSON_CF, attention=True,
        attention_reason="Cane in giardino",
        reserved_notes="Paga in ritardo")
    add_contact(party, 'mobile', '+39 333 1234567', name="Mario")
    party.save()
    flat = new_customer("Inquilino del piano di sopra",
        fiscal_code=OTHER_PERSON_CF)
    flat.save()
    code, address_ids = party.code, [a.id for a in party.addresses]

    takeover = Wizard('termogest.party.takeover', [party])
    assert takeover.form.previous_name == "Mario Rossi"
    takeover.form.name = "Giorgio Neri"
    takeover.form.fiscal_code = 'NREGRG80A01L219X'
    with pytest.raises(UserError) as info:
        takeover.execute('takeover')
    assert 'campo "Codice fiscale"' in info.value.message
    # Nothing changed on the refused takeover
    party.reload()
    assert party.name == "Mario Rossi"
    assert not party.holders

    takeover = Wizard('termogest.party.takeover', [party])
    takeover.form.name = "Giorgio Neri"
    takeover.form.reason = 'tenant'
    takeover.form.fiscal_code = 'NREGRG80A01L219U'
    takeover.form.mobile = '+39 347 7654321'
    takeover.form.note = "Nuovo inquilino dal 1 dicembre"
    takeover.execute('takeover')

    party.reload()
    assert party.name == "Giorgio Neri"
    assert party.code == code
    assert [a.id for a in party.addresses] == address_ids
    assert party.fiscal_code == 'NREGRG80A01L219U'
    assert not party.attention
    assert [m.value for m in party.contact_mechanisms] == ['+39 347 7654321']
    assert Party.read([party.id], ['reserved_notes'], cfg.context)[0][
        'reserved_notes'] is None
    holder, = party.holders
    assert holder.name == "Mario Rossi"
    assert holder.fiscal_code == PERSON_CF
    assert holder.reason == 'tenant'
    assert holder.attention
    assert holder.user == marta
    assert holder.recorded_at
    assert 'Cellulare: +39 333 1234567 (Mario)' in holder.contacts
    assert Holder.read([holder.id], ['reserved_notes'], cfg.context)[0][
        'reserved_notes'] == "Paga in ritardo"
    # The previous contacts are kept, deactivated
    old = ContactMechanism.find([
            ('party', '=', party.id), ('active', '=', False)])
    assert [m.value for m in old] == ['+39 333 1234567']
    # The history is read-only
    with pytest.raises(AccessError):
        Holder.write([holder.id], {'name': "Altro"}, cfg.context)
    as_user(cfg, 'sara')
    with pytest.raises(AccessError):
        Holder.read([holder.id], ['reserved_notes'], cfg.context)
    with pytest.raises(AccessButtonError):
        Party.click([party], 'takeover')


# Trash


def _snapshot(config, party_id):
    "Every record hanging off a card, with its active flag"
    Party = Model.get('party.party')
    Address = Model.get('party.address')
    ContactMechanism = Model.get('party.contact_mechanism')
    Identifier = Model.get('party.identifier')
    snapshot = {}
    for Model_, domain in [
            (Address, [('party', '=', party_id)]),
            (ContactMechanism, [('party', '=', party_id)]),
            (Identifier, [('party', '=', party_id)]),
            (Party, [('building_owner', '=', party_id)]),
            ]:
        with config.set_context(active_test=False):
            records = Model_.find(domain)
        snapshot[Model_.__name__] = sorted(
            (r.id, getattr(r, 'active', None)) for r in records)
    return snapshot


def test_trash_hides_the_card_and_restore_brings_back_everything(cfg):
    Party = Model.get('party.party')
    Address = Model.get('party.address')
    marta = as_user(cfg, 'marta')
    owner = new_customer(
        "Casa Rossi", is_building_owner=True, fiscal_code=PERSON_CF)
    add_contact(owner, 'phone', '+39 011 1111111')
    add_contact(owner, 'email', 'casa.rossi@example.it', name="Mario",
        role="proprietario")
    second = owner.addresses.new(street="Via Po 2", city="Torino")
    assert second
    owner.save()
    old = Address.find([('party', '=', owner.id)])[-1]
    old.active = False
    old.save()
    tenant = new_customer("Anna Verdi", fiscal_code=OTHER_PERSON_CF,
        building_owner=owner)
    tenant.save()
    before = _snapshot(cfg, owner.id)
    assert len(before['party.address']) == 2
    assert len(before['party.contact_mechanism']) == 2
    assert before['party.party'] == [(tenant.id, True)]

    Party.delete([owner])
    assert "Casa Rossi" not in names(Party.find([]))
    with cfg.set_context(active_test=False):
        assert "Casa Rossi" not in names(Party.find([]))
    trashed, = Party.find([('trashed_at', '!=', None)])
    assert trashed.id == owner.id
    assert trashed.trashed_by == marta
    assert trashed.trashed_at
    tenant.reload()
    assert tenant.building_owner is None
    assert all(not active for _, active in
        _snapshot(cfg, owner.id)['party.contact_mechanism'])

    trashed.click('restore')
    assert _snapshot(cfg, owner.id) == before
    owner.reload()
    assert owner.trashed_at is None
    assert owner.trashed_by is None
    assert "Casa Rossi" in names(Party.find([]))
    tenant.reload()
    assert tenant.building_owner == owner


def test_trash_refuses_the_service_centre(cfg):
    Party = Model.get('party.party')
    set_user(1, cfg)
    company_party, = Party.find([('name', '=', "Rossi Impianti S.r.l.")])
    with pytest.raises(UserError) as info:
        Party.delete([company_party])
    assert 'non si può eliminare' in info.value.message


def test_purge_removes_only_cards_older_than_30_days(cfg):
    Party = Model.get('party.party')
    Cron = Model.get('ir.cron')
    as_user(cfg, 'marta')
    old = new_customer("Vecchio Cliente", fiscal_code=PERSON_CF)
    old.save()
    recent = new_customer("Cliente Recente", fiscal_code=OTHER_PERSON_CF)
    recent.save()
    kept = new_customer("Cliente Attivo")
    kept.save()
    Party.delete([old, recent])

    set_user(1, cfg)
    now = datetime.datetime.now()
    Party.write([old.id], {
            'trashed_at': now - datetime.timedelta(days=31)}, cfg.context)
    Party.write([recent.id], {
            'trashed_at': now - datetime.timedelta(days=29)}, cfg.context)
    cron, = Cron.find([('method', '=', 'party.party|purge_trash')])
    assert cron.interval_type == 'days'
    cron.click('run_once')
    cron.click('run_once')  # idempotent
    with cfg.set_context(active_test=False):
        remaining = Party.find([('trashed_at', '!=', None)])
        assert names(remaining) == ["Cliente Recente"]
        assert not Party.find([
                ('id', '=', old.id), ('trashed_at', '!=', None)])
    assert names(Party.find([('internal', '=', False)])) == ["Cliente Attivo"]


def test_emptying_the_trash_early_is_for_administrators(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    party.save()
    Party.delete([party])
    trashed, = Party.find([('trashed_at', '!=', None)])
    with pytest.raises(AccessButtonError):
        trashed.click('empty_trash')
    as_user(cfg, 'giulia')
    trashed, = Party.find([('trashed_at', '!=', None)])
    trashed.click('empty_trash')
    assert not Party.find([('trashed_at', '!=', None)])


# Merge


def test_merge_moves_every_reference_and_deactivates_the_duplicate(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    reference = new_customer("Mario Rossi", fiscal_code=PERSON_CF,
        is_building_owner=True)
    reference.save()
    duplicate = new_customer("Mario Rossi", is_building_owner=True)
    add_contact(duplicate, 'mobile', '+39 333 9999999')
    duplicate.save()
    tenant = new_customer("Anna Verdi", fiscal_code=OTHER_PERSON_CF,
        building_owner=duplicate)
    tenant.save()
    takeover = Wizard('termogest.party.takeover', [duplicate])
    takeover.form.name = "Mario Rossi"
    takeover.form.keep_contacts = True
    takeover.execute('takeover')
    duplicate.reload()
    assert len(duplicate.holders) == 1

    merge = Wizard('party.replace', [duplicate])
    assert merge.form.source == duplicate
    merge.form.destination = reference
    try:
        merge.execute('replace')
    except UserWarning as warning:
        Model.get('res.user.warning').skip(
            warning.name, False, cfg.context)
        merge.execute('replace')

    duplicate = Party(duplicate.id)
    assert not duplicate.active
    assert duplicate.replaced_by == reference
    reference.reload()
    assert [t.name for t in reference.building_members] == ["Anna Verdi"]
    assert len(reference.holders) == 1
    assert '+39 333 9999999' in [
        m.value for m in reference.contact_mechanisms]
    assert "Mario Rossi" in names(Party.find([]))
    assert len(Party.find([('name', '=', "Mario Rossi")])) == 1


def test_merge_button_opens_the_replace_wizard_for_full_access_only(cfg):
    Party = Model.get('party.party')
    as_user(cfg, 'marta')
    party = new_customer("Mario Rossi", fiscal_code=PERSON_CF)
    party.save()
    as_user(cfg, 'sara')
    with pytest.raises(AccessButtonError):
        Party.click([Party(party.id)], 'merge')
