# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every account kind over RPC (proteus): what it can and cannot do."""
import pytest
from proteus import Model, Wizard

from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError
from trytond.model.modelview import AccessButtonError
from trytond.tests.test_tryton import drop_db
from trytond.tests.tools import activate_modules, set_user

from .tools import as_user, create_termogest_company, get_user, new_account


@pytest.fixture
def cfg():
    config = activate_modules('termogest_permessi', create_termogest_company)
    yield config
    drop_db()


def menu_names(config):
    Menu = Model.get('ir.ui.menu')
    return {m.complete_name for m in Menu.find([])}


def test_technician_reads_only_own_account(cfg):
    User = Model.get('res.user')
    giulia = get_user('giulia')
    luca = as_user(cfg, 'luca')
    assert [u.login for u in User.find([])] == ['rossiimpianti.luca']
    with pytest.raises(AccessError):
        User.read([giulia.id], ['login'], cfg.context)
    assert User.read([luca.id], ['login'], cfg.context)[0]['login'] == (
        'rossiimpianti.luca')


def test_technician_cannot_read_company_data(cfg):
    Company = Model.get('company.company')
    company, = Company.find([])
    as_user(cfg, 'luca')
    for field in ['vat_number', 'fiscal_code', 'rea_number', 'pec', 'phone']:
        with pytest.raises(AccessError):
            Company.read([company.id], [field], cfg.context)
    with pytest.raises(AccessError):
        Company.write([company.id], {'pec': 'x@pec.it'}, cfg.context)


def test_technician_cannot_use_administration(cfg):
    User = Model.get('res.user')
    Configuration = Model.get('termogest.configuration')
    Employee = Model.get('company.employee')
    as_user(cfg, 'luca')
    with pytest.raises(AccessError):
        User.create([{'login': 'nuovo', 'name': "Nuovo"}], cfg.context)
    with pytest.raises(AccessError):
        Configuration.write(
            [1], {'max_technician_accounts': 99}, cfg.context)
    with pytest.raises(AccessButtonError):
        User.reset_password([get_user('luca').id], cfg.context)
    andrea, = Employee.find([('party.name', '=', "Andrea Greco")])
    with pytest.raises(AccessButtonError):
        Employee.link_to_my_user([andrea.id], cfg.context)


def test_technician_sees_only_technician_menus(cfg):
    as_user(cfg, 'luca')
    names = menu_names(cfg)
    assert 'TermoGest / La mia scheda tecnico' in names
    assert not any('Amministrazione' in n for n in names)
    assert not any('Configurazione' in n for n in names)
    assert not any(n.startswith('Terzi') for n in names)


def test_secretary_without_admin_cannot_manage_users(cfg):
    User = Model.get('res.user')
    Company = Model.get('company.company')
    as_user(cfg, 'sara')
    names = menu_names(cfg)
    assert 'TermoGest / Configurazione / Tecnici' in names
    assert not any('Gestione Utenti' in n for n in names)
    assert not any('Gestione Dati Aziendali' in n for n in names)
    with pytest.raises(AccessError):
        User.create([{'login': 'nuovo', 'name': "Nuovo"}], cfg.context)
    with pytest.raises(AccessError):
        User.write([get_user('luca').id], {'active': False}, cfg.context)
    company, = Company.find([])
    # The office reads the company identity (documents need it) but
    # does not change it.
    assert Company.read([company.id], ['vat_number'], cfg.context)
    with pytest.raises(AccessError):
        Company.write([company.id], {'pec': 'x@pec.it'}, cfg.context)


def test_administrator_sees_every_administration_menu(cfg):
    as_user(cfg, 'giulia')
    names = menu_names(cfg)
    for name in [
            'TermoGest / Amministrazione / Gestione Utenti',
            'TermoGest / Amministrazione / Gestione Dati Aziendali',
            'TermoGest / Amministrazione / Configurazione TermoGest',
            'TermoGest / Configurazione / Tecnici']:
        assert name in names


def test_short_password_refused_in_italian(cfg):
    User = Model.get('res.user')
    as_user(cfg, 'giulia')
    user = new_account('mario', "Mario Verdi", 'technician')
    user.password = 'x' * 11
    with pytest.raises(UserError) as info:
        user.save()
    assert info.value.message == (
        'La password dell\'account "Mario Verdi" ha 11 caratteri: '
        'deve averne almeno 12. Scegli una password più lunga.')
    assert not User.find([('login', 'like', '%mario%')])
    user.password = 'x' * 12 + 'y'
    user.save()


def test_administrator_changes_password(cfg):
    User = Model.get('res.user')
    luca = get_user('luca')
    as_user(cfg, 'giulia')
    luca = User(luca.id)
    luca.password = 'Nuova-Password-2026'
    luca.save()
    with pytest.raises(UserError):
        luca.password = 'corta'
        luca.save()


def test_login_is_normalised_to_prefix(cfg):
    as_user(cfg, 'giulia')
    user = new_account('Mario Verdi', "Mario Verdi", 'secretary')
    user.save()
    assert user.login == 'rossiimpianti.marioverdi'
    user.login = 'Mario.Verdì'
    user.save()
    assert user.login == 'rossiimpianti.mario.verdi'
    user.login = 'rossiimpianti.mario@verdi'
    with pytest.raises(UserError) as info:
        user.save()
    assert 'rossiimpianti.mario@verdi' in info.value.message
    assert 'per esempio "rossiimpianti.mario"' in info.value.message


def test_account_slots_hold(cfg):
    User = Model.get('res.user')
    as_user(cfg, 'giulia')
    # 1 technician account in use out of 2.
    second = new_account('marco', "Marco Galli", 'technician')
    second.save()
    third = new_account('piero', "Piero Neri", 'technician')
    with pytest.raises(UserError) as info:
        third.save()
    assert info.value.message == (
        'Impossibile attivare l\'account "Piero Neri": il piano consente '
        '2 account tecnico e ne sono già in uso 2. Disattiva un altro '
        'account tecnico o aumenta il limite nella Configurazione '
        'TermoGest.')
    assert not User.find([('login', '=', 'rossiimpianti.piero')])
    # Deactivating frees a slot; reactivating the old one then fails.
    second.active = False
    second.save()
    third.save()
    second.active = True
    with pytest.raises(UserError):
        second.save()
    # The office slots are counted apart: 2 of 3 used.
    new_account('anna', "Anna Riva", 'secretary').save()
    Configuration = Model.get('termogest.configuration')
    configuration = Configuration(1)
    assert configuration.secretary_accounts == 3
    assert configuration.technician_accounts == 2


def test_section_checkbox_applies_at_next_request(cfg):
    User = Model.get('res.user')
    Configuration = Model.get('termogest.configuration')
    sara = get_user('sara')
    as_user(cfg, 'giulia')
    sara = User(sara.id)
    sara.access_admin = True
    sara.access_devices = True
    sara.save()
    assert sara.access_customers
    assert {'TermoGest Amministratore', 'TermoGest Apparecchi',
        'TermoGest Clienti'} <= {g.name for g in sara.groups}

    as_user(cfg, 'sara')
    Configuration.write([1], {'max_technician_accounts': 3}, cfg.context)

    as_user(cfg, 'giulia')
    sara = User(sara.id)
    sara.access_admin = False
    sara.save()
    as_user(cfg, 'sara')
    with pytest.raises(AccessError):
        Configuration.write([1], {'max_technician_accounts': 4}, cfg.context)


def test_sub_section_needs_customers(cfg):
    User = Model.get('res.user')
    sara = get_user('sara')
    as_user(cfg, 'giulia')
    sara = User(sara.id)
    sara.access_invoices = True
    sara.save()
    # In the form, unticking the registry unticks what needs it.
    sara.access_customers = False
    assert not sara.access_invoices
    sara.reload()
    # Over RPC the server refuses the inconsistent account.
    with pytest.raises(UserError) as info:
        User.write([sara.id], {'access_customers': False}, cfg.context)
    assert info.value.message == (
        'L\'account "Sara Conti" ha le sezioni della scheda cliente '
        'Fatture, che funzionano solo insieme a "Clienti": spunta anche '
        '"Clienti" oppure togli quelle sezioni.')
    sara.reload()
    assert sara.access_customers and sara.access_invoices


def test_role_sets_base_groups(cfg):
    User = Model.get('res.user')
    luca = get_user('luca')
    assert {g.name for g in luca.groups} == {'TermoGest Tecnico'}
    assert luca.technician.party.name == "Luca Ferri"
    set_user(1, cfg)
    luca = User(luca.id)
    luca.termogest_role = 'owner'
    luca.save()
    assert {g.name for g in luca.groups} == {
        'TermoGest Tecnico', 'TermoGest Segreteria'}


def test_secretary_links_technician_and_becomes_owner(cfg):
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    andrea, = Employee.find([('party.name', '=', "Andrea Greco")])
    sara = as_user(cfg, 'sara')
    Employee.link_to_my_user([andrea.id], cfg.context)
    set_user(1, cfg)
    sara = User(sara.id)
    assert sara.termogest_role == 'owner'
    assert sara.technician == andrea
    assert 'TermoGest Tecnico' in {g.name for g in sara.groups}
    # Nobody else can take the same technician.
    as_user(cfg, 'giulia')
    with pytest.raises(AccessButtonError):
        Employee.link_to_my_user([andrea.id], cfg.context)


def test_technician_without_login_is_allowed(cfg):
    Employee = Model.get('company.employee')
    andrea, = Employee.find([('party.name', '=', "Andrea Greco")])
    assert not andrea.users


def test_change_password_wizard_is_for_administrators(cfg):
    luca = get_user('luca')
    as_user(cfg, 'luca')
    with pytest.raises(AccessError):
        Wizard('termogest.user.password', [luca])

    as_user(cfg, 'giulia')
    wizard = Wizard('termogest.user.password', [luca])
    assert wizard.form.user == luca
    wizard.form.password = 'Nuova-Password-2026'
    wizard.form.confirmation = 'Nuova-Password-2027'
    with pytest.raises(UserError) as info:
        wizard.execute('change')
    assert info.value.message == (
        'Le due password digitate per l\'account "Luca Ferri" sono '
        'diverse: digita due volte la stessa password.')

    wizard = Wizard('termogest.user.password', [luca])
    wizard.form.password = wizard.form.confirmation = 'corta'
    with pytest.raises(UserError) as info:
        wizard.execute('change')
    assert 'deve averne almeno 12' in info.value.message

    wizard = Wizard('termogest.user.password', [luca])
    wizard.form.password = wizard.form.confirmation = 'Nuova-Password-2026'
    wizard.execute('change')
    assert wizard.state == 'end'


def test_my_technician_card_action_finds_own_card(cfg):
    "The action domain is evaluated by the client with its context"
    from trytond.pyson import PYSONDecoder
    ActWindow = Model.get('ir.action.act_window')
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    luca = as_user(cfg, 'luca')
    action, = ActWindow.find([('name', '=', "La mia scheda tecnico")])
    context = User.get_preferences(True, {})
    domain = PYSONDecoder(context).decode(action.pyson_domain)
    cards = Employee.find(domain)
    assert [c.party.name for c in cards] == ["Luca Ferri"]
    assert cards[0] == User(luca.id).employee


def test_account_works_as_one_technician(cfg):
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    andrea, = Employee.find([('party.name', '=', "Andrea Greco")])
    luca = get_user('luca')
    as_user(cfg, 'giulia')
    luca = User(luca.id)
    luca.technician = Employee(andrea.id)
    luca.save()
    assert luca.technician == andrea
    assert luca.employees == [andrea]
