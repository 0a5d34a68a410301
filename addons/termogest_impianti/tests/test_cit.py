# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Piemonte CIT import files: REE tipo 1 and libretto (cit.py)"""
import datetime as dt
import importlib.util
import sys
import unittest
from decimal import Decimal
from pathlib import Path

from lxml import etree


def _load_cit():
    "Import cit.py by path, whatever the install state of the module"
    name = 'termogest_impianti_cit'
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            name, Path(__file__).parents[1] / 'cit.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


cit = _load_cit()

SHARED_XSD = Path('/work/shared/regulation/piemonte_cit_xsd')
XSDS = {
    'allegato2': 'Import-AllegatoII-1.0.3.xsd',
    'libretto': 'Import-Libretto-1.0.0.xsd',
    }

# REGULATION.md section 7.6: a minimal valid tipo 1 file.
GOLDEN_REE1 = b'''<?xml version="1.0" encoding="UTF-8"?>
<MODII xmlns="NAMESPACE"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Richiesta>
    <datiManutentore>
      <siglaREA>TO</siglaREA>
      <numeroREA>1234567</numeroREA>
      <codiceFiscale>01234567890</codiceFiscale>
    </datiManutentore>
    <datiIntestazione>
      <codiceBollino>RP-12345</codiceBollino>
      <codiceCatasto>123456</codiceCatasto>
      <A_F_dataControllo>2025-10-15</A_F_dataControllo>
    </datiIntestazione>
    <datiAllegato>
      <datiIdentificativi>
        <A_A_potenzaTermicaNomTotMax>24.00</A_A_potenzaTermicaNomTotMax>
      </datiIdentificativi>
      <documentazioneTecnica>
        <A_B_flagDichiarazConf>true</A_B_flagDichiarazConf>
        <A_B_flagManutGen>true</A_B_flagManutGen>
        <A_B_flagLibrettoImp>true</A_B_flagLibrettoImp>
        <A_B_flagLibrettoComp>true</A_B_flagLibrettoComp>
      </documentazioneTecnica>
      <trattamentoAcqua>
        <A_C_flagTrattH2ONR>false</A_C_flagTrattH2ONR>
        <A_C_flagTrattAcsNR>true</A_C_flagTrattAcsNR>
      </trattamentoAcqua>
      <controlloImpianto>
        <A_D_flagInterno>1</A_D_flagInterno>
        <A_D_flagCanaleFumo>1</A_D_flagCanaleFumo>
        <A_D_flagEsterno>2</A_D_flagEsterno>
        <A_D_flagSistRegolaz>1</A_D_flagSistRegolaz>
        <A_D_flagAperture>1</A_D_flagAperture>
        <A_D_flagPerdite>2</A_D_flagPerdite>
        <A_D_flagDimensioni>1</A_D_flagDimensioni>
        <A_D_flagTenuta>1</A_D_flagTenuta>
      </controlloImpianto>
      <checkList>
        <A_F_flagValvole>false</A_F_flagValvole>
        <A_F_flagIsolamento>false</A_F_flagIsolamento>
        <A_F_flagSistTrattACS>false</A_F_flagSistTrattACS>
        <A_F_flagSistRegolaz>false</A_F_flagSistRegolaz>
        <A_F_osservazioni></A_F_osservazioni>
        <A_F_raccomandazioni></A_F_raccomandazioni>
        <A_F_prescrizioni></A_F_prescrizioni>
      </checkList>
      <datiTecnico>
        <A_F_flagFunzImp>true</A_F_flagFunzImp>
        <A_F_dataIntervento>2025-10-15</A_F_dataIntervento>
        <A_F_orarioArrivo>09:00</A_F_orarioArrivo>
        <A_F_orarioPartenza>10:15</A_F_orarioPartenza>
        <A_F_nomeTecnico>Mario</A_F_nomeTecnico>
        <A_F_cognomeTecnico>Rossi</A_F_cognomeTecnico>
        <A_F_firmaTecnico>Mario Rossi</A_F_firmaTecnico>
        <A_F_firmaResp>Anna Bianchi</A_F_firmaResp>
      </datiTecnico>
      <allegatoII>
        <rowAllegatoII>
          <A_E_numGT>1</A_E_numGT>
          <tabFumi>
            <rowFumi>
              <A_E_tempFumi>62.40</A_E_tempFumi>
              <A_E_tempAria>18.20</A_E_tempAria>
              <A_E_O2>4.10</A_E_O2>
              <A_E_CO2>9.30</A_E_CO2>
              <A_E_bacharach1 xsi:nil="true"/>
              <A_E_bacharach2 xsi:nil="true"/>
              <A_E_bacharach3 xsi:nil="true"/>
              <A_E_COcorretto>48.00</A_E_COcorretto>
              <A_E_rendimCombu>98.10</A_E_rendimCombu>
              <A_E_rendimentoLegge>91.76</A_E_rendimentoLegge>
              <A_E_nox>35.00</A_E_nox>
              <A_E_moduloTermico>1</A_E_moduloTermico>
              <A_E_portataCombu>m3/h</A_E_portataCombu>
              <A_E_valorePortata>2.54</A_E_valorePortata>
              <A_E_COfumiSecchi>38.00</A_E_COfumiSecchi>
              <A_E_rispettoIndBacharach>true</A_E_rispettoIndBacharach>
              <A_E_minimo>true</A_E_minimo>
            </rowFumi>
          </tabFumi>
          <controlloVerificaEnergetica>
            <A_E_potenzaFocolare>25.00</A_E_potenzaFocolare>
            <A_E_flagClimatizInv>true</A_E_flagClimatizInv>
            <A_E_flagProduzACS>true</A_E_flagProduzACS>
            <A_E_flagDispComando>1</A_E_flagDispComando>
            <A_E_flagDispSicu>1</A_E_flagDispSicu>
            <A_E_flagValvSicu>1</A_E_flagValvSicu>
            <A_E_flagScambiatore>1</A_E_flagScambiatore>
            <A_E_flagRiflusso>0</A_E_flagRiflusso>
            <A_E_flagRisultati>1</A_E_flagRisultati>
            <A_E_altroRifNormativo></A_E_altroRifNormativo>
            <A_E_flagEvacFumi>F</A_E_flagEvacFumi>
            <A_E_depressCanaleFumo xsi:nil="true"/>
          </controlloVerificaEnergetica>
        </rowAllegatoII>
      </allegatoII>
    </datiAllegato>
  </Richiesta>
</MODII>
'''.replace(b'NAMESPACE', (cit.NS % 'allegato2').encode())


def canonical(xml_bytes):
    "C14N of the document after removing blank text"
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(xml_bytes, parser)
    return etree.tostring(root, method='c14n')


def schemas(kind):
    "(label, XMLSchema) of the vendored copy and, if present, the shared"
    result = [('vendored', cit.cit_schema(XSDS[kind]))]
    if SHARED_XSD.is_dir():
        result.append(('shared', etree.XMLSchema(
                    etree.parse(str(SHARED_XSD / XSDS[kind])))))
    return result


def example_module(**values):
    "The module of the section 7.6 example (gas condensing boiler)"
    data = dict(module_number=1, flue_temp=Decimal('62.4'),
        air_temp=Decimal('18.2'), o2=Decimal('4.1'), co2=Decimal('9.3'),
        co_corrected=Decimal(48), reported_efficiency=Decimal('98.1'),
        legal_minimum=Decimal('91.76'), nox=Decimal(35),
        fuel_flow_unit='m3/h', fuel_flow=Decimal('2.54'),
        co_dry=Decimal(38), bacharach_ok=True, minimum_ok=True)
    data.update(values)
    return cit.Ree1Module(**data)


def example_generator(**values):
    data = dict(progressive=1, focolare_power=Decimal(25), heating=True,
        dhw=True, control_devices_ok='yes', safety_devices_ok='yes',
        safety_valve_ok='yes', exchanger_clean='yes', backflow='no',
        results_ok='yes', flue_draught='F', modules=[example_module()])
    data.update(values)
    return cit.Ree1Generator(**data)


def example_ree(**values):
    data = dict(catasto_code='123456', bollino_code='RP-12345',
        control_date=dt.date(2025, 10, 15),
        total_nominal_power=Decimal(24),
        doc_conformity=True, doc_generator_manuals=True,
        doc_libretto_present=True, doc_libretto_complete=True,
        water_treatment_not_required=False,
        dhw_treatment_not_required=True,
        room_ok='yes', flue_pipe_ok='yes', outdoor_ok='not_applicable',
        room_control_ok='yes', vents_free='yes',
        no_fuel_leaks='not_checkable', vents_size_ok='yes',
        gas_tight='yes',
        can_operate=True, intervention_date=dt.date(2025, 10, 15),
        arrival_time=dt.time(9, 0), departure_time='10:15',
        technician_first_name='Mario', technician_last_name='Rossi',
        technician_signature='Mario Rossi',
        responsible_signature='Anna Bianchi',
        generators=[example_generator()])
    data.update(values)
    return cit.Ree1(**data)


MAINTAINER = cit.Maintainer('TO', '1234567', '01234567890')


def example_gt(**values):
    data = dict(number=1, installation_date=dt.date(2015, 3, 1),
        manufacturer=123, model='Condens 24', serial='SN-0001', fuel=1,
        fluid=1, nominal_power=Decimal('24'), efficiency=Decimal('97.5'),
        group_type=1)
    data.update(values)
    return cit.LibrettoGT(**data)


def example_gf(**values):
    data = dict(number=1, installation_date=dt.date(2020, 6, 1),
        manufacturer=456, model='AirPump 8', serial='HP-77',
        external_source='air', refrigerant='R32', user_fluid='water',
        kind='electric_compression', circuits=1,
        eer=Decimal('3.1234'), cooling_power=Decimal('7.5'),
        cooling_input=Decimal('2.4'), cop=Decimal('4.05'),
        heating_power=Decimal('8'), heating_input=Decimal('1.98'))
    data.update(values)
    return cit.LibrettoGF(**data)


def example_libretto(**values):
    data = dict(intervention_date=dt.date(2025, 10, 15),
        intervention_type=4, single_unit=True, building_category='E.1',
        heated_volume=Decimal('350.5'),
        service_heating=True, heating_power=Decimal('24'),
        service_dhw=True, dhw_power=None,
        fluid_water=True, gen_combustion=True, gen_heat_pump=True,
        gt=[example_gt(),
            example_gt(number=2, model='Old 30', serial='OLD-1',
                installation_date=dt.date(1998, 1, 1),
                removal_date=dt.date(2015, 2, 28),
                nominal_power=Decimal('30'), efficiency=None),
            example_gt(number=2, model='Modula 2x35', serial='MOD-9',
                installation_date=dt.date(2015, 3, 1),
                nominal_power=Decimal('70'), group_type=None,
                flue_analyses=2)],
        gf=[example_gf()],
        regulation=cit.LibrettoRegulation(on_off=True,
            zone_control='on_off', thermostatic_valves=True),
        emission=cit.LibrettoEmission(radiators=True))
    data.update(values)
    return cit.Libretto(**data)


def xml_of(xml_bytes):
    return etree.fromstring(xml_bytes)


def find_all(root, tag, kind='allegato2'):
    return root.findall('.//{%s}%s' % (cit.NS % kind, tag))


class Ree1TestCase(unittest.TestCase):
    "REE tipo 1 (MODII)"

    def assert_valid_everywhere(self, xml_bytes, kind='allegato2'):
        self.assertEqual(cit.cit_errors(xml_bytes, kind), [])
        for label, schema in schemas(kind):
            with self.subTest(schema=label):
                schema.assertValid(etree.fromstring(xml_bytes))

    def assert_data_error(self, field, build):
        with self.assertRaises(cit.CitDataError) as context:
            build()
        self.assertEqual(context.exception.field, field)
        return context.exception

    def test_golden_example(self):
        "The section 7.6 example rebuilt from dataclasses"
        self.assert_valid_everywhere(GOLDEN_REE1)
        xml_bytes = cit.build_ree1(MAINTAINER, example_ree())
        self.assertTrue(xml_bytes.startswith(
                b'<?xml version="1.0" encoding="UTF-8"?>'))
        self.assert_valid_everywhere(xml_bytes)
        self.assertEqual(canonical(xml_bytes), canonical(GOLDEN_REE1))

    def test_root_has_default_namespace(self):
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree()))
        self.assertEqual(root.nsmap[None], cit.NS % 'allegato2')
        self.assertEqual(root.prefix, None)

    def test_gas_boiler_two_modules(self):
        "Modular gas boiler: one rowFumi per module, nil Bacharach"
        modules = [
            example_module(module_number=1),
            example_module(module_number=2, flue_temp=Decimal('58'),
                o2=Decimal('4.6'), fuel_flow=None, co_dry=None,
                bacharach_ok=None, minimum_ok=None),
            ]
        ree = example_ree(total_nominal_power=Decimal(70),
            generators=[example_generator(focolare_power=Decimal('72.5'),
                    flue_depression=Decimal('-12.5'), modules=modules)])
        xml_bytes = cit.build_ree1(MAINTAINER, ree)
        self.assert_valid_everywhere(xml_bytes)
        root = xml_of(xml_bytes)
        self.assertEqual(len(find_all(root, 'rowFumi')), 2)
        self.assertEqual([e.text for e in find_all(
                    root, 'A_E_moduloTermico')], ['1', '2'])
        nil = '{%s}nil' % cit.XSI
        self.assertEqual(len([e for e in find_all(root, 'A_E_bacharach1')
                    if e.get(nil) == 'true']), 2)
        self.assertEqual(
            find_all(root, 'A_E_valorePortata')[1].get(nil), 'true')
        self.assertEqual(len(find_all(root, 'A_E_minimo')), 1)
        self.assertEqual(
            find_all(root, 'A_E_depressCanaleFumo')[0].text, '-12.50')

    def test_gasoil_boiler_bacharach(self):
        "Gasoil boiler: three Bacharach readings, flow in Kg/h"
        module = example_module(bacharach1=Decimal(1),
            bacharach2=Decimal('0.5'), bacharach3=Decimal(1),
            fuel_flow_unit='Kg/h', fuel_flow=Decimal('2.1'),
            reported_efficiency=Decimal('93.4'),
            legal_minimum=Decimal('87.8'))
        ree = example_ree(generators=[example_generator(
                    flue_draught='N', dhw=False,
                    flue_depression=Decimal('8.4'), modules=[module])])
        xml_bytes = cit.build_ree1(MAINTAINER, ree)
        self.assert_valid_everywhere(xml_bytes)
        root = xml_of(xml_bytes)
        self.assertEqual([e.text for e in find_all(root, 'A_E_bacharach1')
                + find_all(root, 'A_E_bacharach2')
                + find_all(root, 'A_E_bacharach3')],
            ['1.00', '0.50', '1.00'])
        self.assertEqual(
            find_all(root, 'A_E_portataCombu')[0].text, 'Kg/h')
        self.assertEqual(find_all(root, 'A_E_flagEvacFumi')[0].text, 'N')

    def test_several_generators(self):
        ree = example_ree(generators=[
                example_generator(progressive=1),
                example_generator(progressive=2, heating=False)])
        root = xml_of(cit.build_ree1(MAINTAINER, ree))
        self.assertEqual([e.text for e in find_all(root, 'A_E_numGT')],
            ['1', '2'])

    def test_tristate_mapping(self):
        self.assertEqual(cit.TRISTATE, {'no': 0, 'yes': 1,
                'not_checkable': 2, 'not_applicable': 2})
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree(
                    gas_tight='no', outdoor_ok='not_applicable')))
        self.assertEqual(find_all(root, 'A_D_flagTenuta')[0].text, '0')
        self.assertEqual(find_all(root, 'A_D_flagEsterno')[0].text, '2')
        self.assert_data_error('gas_tight', lambda: cit.build_ree1(
                MAINTAINER, example_ree(gas_tight='SI')))

    def test_bollino_optional(self):
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree(
                    bollino_code=None)))
        self.assertEqual(find_all(root, 'codiceBollino'), [])

    def test_empty_times_and_texts(self):
        "Required strings are written empty, never omitted"
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree(
                    arrival_time=None, departure_time='',
                    responsible_signature='')))
        for tag in ['A_F_orarioArrivo', 'A_F_orarioPartenza',
                'A_F_firmaResp']:
            self.assertIn(find_all(root, tag)[0].text, (None, ''))

    def test_bad_time(self):
        self.assert_data_error('arrival_time', lambda: cit.build_ree1(
                MAINTAINER, example_ree(arrival_time='9.00')))

    def test_required_value_missing(self):
        self.assert_data_error('intervention_date', lambda: cit.build_ree1(
                MAINTAINER, example_ree(intervention_date=None)))
        self.assert_data_error('catasto_code', lambda: cit.build_ree1(
                MAINTAINER, example_ree(catasto_code='')))
        self.assert_data_error('generators', lambda: cit.build_ree1(
                MAINTAINER, example_ree(generators=[])))

    def test_duplicate_module_number(self):
        "CIT S105: A_E_moduloTermico is unique within a GT"
        generator = example_generator(modules=[
                example_module(), example_module()])
        error = self.assert_data_error('module_number',
            lambda: cit.build_ree1(
                MAINTAINER, example_ree(generators=[generator])))
        self.assertEqual(error.path[-1], ('module', 1))

    # Traps of REGULATION.md section 7.3

    def test_trap_missing_nil_element(self):
        "A required nillable element cannot be omitted"
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree()))
        element = find_all(root, 'A_E_bacharach1')[0]
        element.getparent().remove(element)
        errors = cit.cit_errors(etree.tostring(root), 'allegato2')
        self.assertTrue(errors)
        self.assertIn('rowFumi', errors[0])
        self.assertIn('A_E_bacharach', errors[0])

    def test_trap_fraction_digits_quantized(self):
        "Three fraction digits: the builder rounds half up to two"
        ree = example_ree(generators=[example_generator(modules=[
                        example_module(o2=Decimal('4.105'),
                            co2=9.305, flue_temp='62.444')])])
        xml_bytes = cit.build_ree1(MAINTAINER, ree)
        root = xml_of(xml_bytes)
        self.assertEqual(find_all(root, 'A_E_O2')[0].text, '4.11')
        self.assertEqual(find_all(root, 'A_E_CO2')[0].text, '9.31')
        self.assertEqual(find_all(root, 'A_E_tempFumi')[0].text, '62.44')
        # the same value written raw is refused by the schema
        find_all(root, 'A_E_O2')[0].text = '4.105'
        errors = cit.cit_errors(etree.tostring(root), 'allegato2')
        self.assertEqual(len(errors), 1)
        self.assertIn('A_E_O2', errors[0])
        self.assertIn('fractionDigits', errors[0])

    def test_trap_value_too_big(self):
        "Decimale32 holds at most 999.99: refuse, do not truncate"
        ree = example_ree(ref='ree-7', generators=[example_generator(
                    ref='gt-1', modules=[example_module(
                            module_number=2, ref='mod-2',
                            o2=Decimal('999.996'))])])
        error = self.assert_data_error('o2',
            lambda: cit.build_ree1(MAINTAINER, ree))
        self.assertIsInstance(error, ValueError)
        self.assertEqual(error.value, Decimal('999.996'))
        self.assertEqual(error.element, 'A_E_O2')
        self.assertEqual(error.path, (('ree', '123456'),
                ('generator', 1), ('module', 2)))
        self.assertEqual(error.ref, 'mod-2')
        self.assertIn('too big', error.message)
        # 999.99 itself fits
        cit.build_ree1(MAINTAINER, example_ree(generators=[
                    example_generator(modules=[
                            example_module(o2=Decimal('999.99'))])]))
        self.assert_data_error('total_nominal_power',
            lambda: cit.build_ree1(MAINTAINER, example_ree(
                    total_nominal_power=Decimal('1000000'))))
        error = self.assert_data_error('flue_depression',
            lambda: cit.build_ree1(MAINTAINER, example_ree(generators=[
                        example_generator(ref='gt-1',
                            flue_depression=Decimal('-100000'))])))
        self.assertEqual(error.ref, 'gt-1')

    def test_trap_text_too_long(self):
        "Note1000 / Note500: refuse, do not truncate"
        error = self.assert_data_error('observations',
            lambda: cit.build_ree1(MAINTAINER, example_ree(
                    observations='x' * 1001)))
        self.assertEqual(error.element, 'A_F_osservazioni')
        cit.build_ree1(MAINTAINER, example_ree(observations='x' * 1000))
        self.assert_data_error('other_standard',
            lambda: cit.build_ree1(MAINTAINER, example_ree(generators=[
                        example_generator(other_standard='y' * 501)])))

    def test_trap_wrong_root(self):
        "A bare Richiesta validates against the XSD: cit_errors refuses it"
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree()))
        request = etree.tostring(root[0])
        self.assertTrue(cit.cit_schema(XSDS['allegato2']).validate(
                etree.fromstring(request)))
        errors = cit.cit_errors(request, 'allegato2')
        self.assertEqual(len(errors), 1)
        self.assertIn('MODII', errors[0])
        with self.assertRaises(cit.CitValidationError):
            cit.check(request, 'allegato2')

    def test_trap_wrong_namespace(self):
        xml_bytes = cit.build_ree1(MAINTAINER, example_ree()).replace(
            b'allegato2/data', b'allegato3/data')
        self.assertTrue(cit.cit_errors(xml_bytes, 'allegato2'))

    def test_trap_wrong_order(self):
        "In rowFumi, A_E_moduloTermico comes after A_E_nox"
        root = xml_of(cit.build_ree1(MAINTAINER, example_ree()))
        module = find_all(root, 'A_E_moduloTermico')[0]
        row = module.getparent()
        row.remove(module)
        row.insert(0, module)
        errors = cit.cit_errors(etree.tostring(root), 'allegato2')
        self.assertTrue(errors)
        self.assertIn('A_E_moduloTermico', errors[0])

    def test_trap_kg_h(self):
        "Enumerations are case-sensitive: 'kg/h' is not 'Kg/h'"
        error = self.assert_data_error('fuel_flow_unit',
            lambda: cit.build_ree1(MAINTAINER, example_ree(generators=[
                        example_generator(modules=[example_module(
                                    fuel_flow_unit='kg/h')])])))
        self.assertEqual(error.element, 'A_E_portataCombu')
        xml_bytes = cit.build_ree1(MAINTAINER, example_ree()).replace(
            b'>m3/h<', b'>kg/h<')
        errors = cit.cit_errors(xml_bytes, 'allegato2')
        self.assertTrue(errors)
        self.assertIn('A_E_portataCombu', errors[0])

    def test_trap_flue_draught(self):
        self.assert_data_error('flue_draught',
            lambda: cit.build_ree1(MAINTAINER, example_ree(generators=[
                        example_generator(flue_draught='f')])))

    def test_invalid_character(self):
        self.assert_data_error('observations',
            lambda: cit.build_ree1(MAINTAINER, example_ree(
                    observations='a\x00b')))

    def test_not_well_formed(self):
        errors = cit.cit_errors(b'<MODII', 'allegato2')
        self.assertEqual(len(errors), 1)


class LibrettoTestCase(unittest.TestCase):
    "Libretto di impianto (libretto)"

    def assert_valid_everywhere(self, xml_bytes):
        self.assertEqual(cit.cit_errors(xml_bytes, 'libretto'), [])
        for label, schema in schemas('libretto'):
            with self.subTest(schema=label):
                schema.assertValid(etree.fromstring(xml_bytes))

    def assert_data_error(self, field, **values):
        with self.assertRaises(cit.CitDataError) as context:
            cit.build_libretto(example_libretto(**values))
        self.assertEqual(context.exception.field, field)
        return context.exception

    def test_two_gt_one_gf(self):
        "2 GT slots (one with a replaced generator) + 1 GF validate"
        xml_bytes = cit.build_libretto(example_libretto())
        self.assert_valid_everywhere(xml_bytes)
        root = xml_of(xml_bytes)

        def find(tag):
            return find_all(root, tag, 'libretto')

        self.assertEqual(etree.QName(root).localname, 'libretto')
        self.assertEqual([e.text for e in find('L4_1numero')], ['1', '2'])
        self.assertEqual(len(find('L4_1gruppoTermico')), 2)
        replaced, = find('L4_1gruppoTermicoSostituito')
        self.assertEqual(replaced[2].text, '123')
        self.assertEqual(replaced[3].text, 'Old 30')
        self.assertEqual([e.text for e in find('L4_1numeroAnalisiFumi')],
            ['2'])
        self.assertEqual(len(find('L4_4GF')), 1)
        self.assertEqual(find('L4_4raffEER')[0].text, '3.1234')
        self.assertEqual(find('L1_3servizioACS')[0].get(
                '{%s}nil' % cit.XSI), 'true')

    def test_all_parts(self):
        "Every supported scheda and component type validates"
        libretto = example_libretto(
            cooled_volume=Decimal('120'), service_cooling=True,
            cooling_power=Decimal('7.5'), service_other='piscina',
            fluid_other='glicole', gen_chiller=True,
            gen_district_heating=True, gen_district_cooling=True,
            gen_cogeneration=True, gen_other='caldaia a legna',
            solar_area=Decimal('4.2'), integration_other='stufa',
            integration_other_power=Decimal('6'),
            integration_heating=True, integration_dhw=True,
            integration_for_other='piscina',
            water=cit.LibrettoWater(water_content=Decimal('0.125'),
                hardness=Decimal('25'), heating_none=False,
                heating_filtration=True, heating_softening=True,
                heating_softened_hardness=Decimal('12'),
                heating_chemical=True, frost_none=False,
                frost_glycol='propylene',
                frost_glycol_percent=Decimal('30'), frost_ph=Decimal('7'),
                dhw_filtration=True, dhw_softening=True),
            br=[cit.LibrettoBR(number=1, gt_number=2,
                    installation_date=dt.date(2015, 3, 1),
                    manufacturer=10, model='B1', serial='S1',
                    kind='ad aria soffiata', fuel=2,
                    max_input=Decimal('40'), min_input=Decimal('12'))],
            rc=[cit.LibrettoRC(number=1, gt_number=1,
                    installation_date=dt.date(2015, 3, 1),
                    manufacturer=11, model='R1', serial='S2',
                    nominal_power=Decimal('3'))],
            gf=[example_gf(kind='absorption_flame', flame_fuel=1),
                example_gf(number=2, kind=None, external_source=None,
                    user_fluid=None, refrigerant='')],
            sc=[cit.LibrettoSC(number=1,
                    installation_date=dt.date(2010, 1, 1),
                    manufacturer=12, model='X', serial='Y',
                    nominal_power=Decimal('100'))],
            cg=[cit.LibrettoCG(number=1,
                    installation_date=dt.date(2018, 1, 1),
                    manufacturer=13, model='Micro', serial='Z',
                    kind='motore endotermico', fuel=1,
                    thermal_power=Decimal('12.5'),
                    electric_power=Decimal('5.5'),
                    water_out_min=Decimal('70'),
                    water_out_max=Decimal('85.5'),
                    flue_upstream_max=Decimal('450'))],
            cs=[cit.LibrettoCS(number=1,
                    installation_date=dt.date(2019, 5, 1),
                    manufacturer=14, collectors=2,
                    aperture_area=Decimal('4.2'))],
            ag=[cit.LibrettoAG(number=1,
                    installation_date=dt.date(2019, 5, 1),
                    manufacturer=15, model='Stufa', serial='P-1',
                    kind='termocamino', nominal_power=Decimal('6'))],
            regulation=cit.LibrettoRegulation(curve_integrated=True,
                other=True, other_description='cronotermostato',
                zone_control='proportional', two_way_valves=True,
                notes='note', remote_reading=True,
                remote_description='GSM', metering=True,
                metering_heating=True, metering_direct=False,
                metering_replaced_date=dt.date(2024, 1, 1)),
            distribution=cit.LibrettoDistribution(distribution_type=1,
                insulation_absent=False, notes='colonne coibentate'),
            emission=cit.LibrettoEmission(radiators=True, fan_coils=True,
                other='scaldasalviette'))
        xml_bytes = cit.build_libretto(libretto)
        self.assert_valid_everywhere(xml_bytes)
        root = xml_of(xml_bytes)
        self.assertEqual(
            find_all(root, 'L4_2GtCollegato', 'libretto')[0].text, '2')
        self.assertEqual(find_all(
                root, 'L4_4combustibileAssorbimentoFiammaDiretta',
                'libretto')[0].text, '1')

    def test_minimal(self):
        "Only what the XSD requires: scheda 1, 4, 5 and 7"
        libretto = cit.Libretto(intervention_date=dt.date(2025, 1, 1),
            intervention_type=1, service_heating=True)
        self.assert_valid_everywhere(cit.build_libretto(libretto))

    def test_metering_no(self):
        xml_bytes = cit.build_libretto(example_libretto(
                regulation=cit.LibrettoRegulation(metering=False)))
        self.assert_valid_everywhere(xml_bytes)

    def test_at_least_one_service(self):
        self.assert_data_error('service_heating', service_heating=False,
            service_dhw=False)

    def test_model_too_long(self):
        error = self.assert_data_error('model', gt=[
                example_gt(model='m' * 301, ref=42)])
        self.assertEqual(error.path, (('libretto', None), ('gt', 1)))
        self.assertEqual(error.ref, 42)
        self.assertEqual(error.element, 'L4_1modello')

    def test_serial_too_long(self):
        self.assert_data_error('serial', gt=[example_gt(serial='s' * 31)])

    def test_manufacturer_code_range(self):
        self.assert_data_error('manufacturer', gt=[
                example_gt(manufacturer=5000)])
        self.assert_data_error('fuel', gt=[example_gt(fuel=0)])

    def test_power_too_big(self):
        self.assert_data_error('nominal_power', gt=[
                example_gt(nominal_power=Decimal('1000000'))])

    def test_efficiency_bounds(self):
        self.assert_data_error('efficiency', gt=[
                example_gt(efficiency=Decimal('120.01'))])

    def test_group_type_xor_flue_analyses(self):
        self.assert_data_error('group_type', gt=[
                example_gt(group_type=None)])
        self.assert_data_error('group_type', gt=[
                example_gt(flue_analyses=2)])

    def test_replaced_needs_removal_date(self):
        error = self.assert_data_error('removal_date', gt=[
                example_gt(installation_date=dt.date(2000, 1, 1),
                    ref='old'),
                example_gt()])
        self.assertEqual(error.ref, 'old')

    def test_cogenerator_temperature_digits(self):
        "gradiCentigradiType allows 3 significant digits only"
        cg = dict(number=1, installation_date=dt.date(2018, 1, 1),
            manufacturer=13, thermal_power=Decimal(12),
            electric_power=Decimal(5))
        self.assert_data_error('water_out_max', cg=[cit.LibrettoCG(
                    water_out_max=Decimal('85.25'), **cg)])

    def test_building_category(self):
        self.assert_data_error('building_category', building_category='E1')

    def test_hardness_bound(self):
        self.assert_data_error('hardness', water=cit.LibrettoWater(
                hardness=Decimal('99.5')))

    def test_wrong_root(self):
        root = xml_of(cit.build_libretto(example_libretto()))
        errors = cit.cit_errors(etree.tostring(root[0]), 'libretto')
        self.assertEqual(len(errors), 1)
        self.assertIn('libretto', errors[0])


class FilesTestCase(unittest.TestCase):
    "File names, the CIT_FILES table and the vendored schemas"

    def test_file_names(self):
        date = dt.date(2025, 10, 15)
        self.assertEqual(cit.file_name('allegato2', '123456', date),
            'allegatoII_123456_20251015.xml')
        self.assertEqual(cit.file_name('libretto', '123456', date),
            'libretto_123456_20251015.xml')
        self.assertEqual(cit.file_name('allegato3', 'AB 12/3', date),
            'allegatoIII_AB-12-3_20251015.xml')

    def test_all_schemas_compile(self):
        for kind, (root, xsd, prefix) in cit.CIT_FILES.items():
            with self.subTest(kind=kind):
                self.assertTrue((cit.SCHEMA_DIR / xsd).is_file())
                cit.cit_schema(xsd)
                self.assertTrue(prefix.endswith('_'))

    def test_vendored_copy_identical(self):
        if not SHARED_XSD.is_dir():
            self.skipTest('shared regulation folder absent')
        for _, xsd, _ in cit.CIT_FILES.values():
            with self.subTest(xsd=xsd):
                self.assertEqual((cit.SCHEMA_DIR / xsd).read_bytes(),
                    (SHARED_XSD / xsd).read_bytes())

    def test_vendored_readme(self):
        readme = (cit.SCHEMA_DIR / 'README.md').read_text()
        self.assertIn('6cc6e0359fe1e728adcaba9ca894065bd521affb', readme)
        self.assertIn('EUPL-1.2', readme)
