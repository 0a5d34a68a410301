# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Piemonte CIT (Catasto Impianti Termici) import files.

Pure Python (no trytond): builds the bulk-import XML of the REE tipo 1
(``MODII``, Import-AllegatoII-1.0.3.xsd) and of the libretto di impianto
(``libretto``, Import-Libretto-1.0.0.xsd) from the dataclasses below, and
validates any CIT import file against the vendored, unmodified XSDs of the
``xsd`` folder (EUPL-1.2, see ``xsd/README.md``).

Values that do not fit the XSD are never truncated: the builders raise
`CitDataError` naming the dataclass field, the section and the caller's
``ref``.  Messages are short English strings for developers; the Tryton
layer translates them for users.
"""
import datetime as dt
import re
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from lxml import etree

__all__ = [
    'CIT_FILES', 'NS', 'SCHEMA_DIR', 'TRISTATE',
    'CitDataError', 'CitValidationError',
    'cit_schema', 'cit_errors', 'check', 'file_name',
    'Maintainer', 'Ree1', 'Ree1Generator', 'Ree1Module', 'build_ree1',
    'Libretto', 'LibrettoWater', 'LibrettoGT', 'LibrettoBR', 'LibrettoRC',
    'LibrettoGF', 'LibrettoSC', 'LibrettoCG', 'LibrettoCS', 'LibrettoAG',
    'LibrettoRegulation', 'LibrettoDistribution', 'LibrettoEmission',
    'build_libretto',
    ]

SCHEMA_DIR = Path(__file__).parent / 'xsd'
NS = 'http://www.csi.it/sigit/sigitwebn/xml/importmassivo/%s/data'
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
XSI_NIL = '{%s}nil' % XSI
CIT_FILES = {   # kind: (root, xsd, file-name prefix)
    'libretto': ('libretto', 'Import-Libretto-1.0.0.xsd', 'libretto_'),
    'allegato2': ('MODII', 'Import-AllegatoII-1.0.3.xsd', 'allegatoII_'),
    'allegato3': ('MODIII', 'Import-AllegatoIII-1.0.3.xsd', 'allegatoIII_'),
    'allegato4': ('MODIV', 'Import-AllegatoIV-1.0.2.xsd', 'allegatoIV_'),
    'allegato5': ('MODV', 'Import-AllegatoV-1.0.2.xsd', 'allegatoV_'),
    'manutenzionegt': (
        'MANUTENZIONE', 'Import-ManutenzioneGT-1.0.0.xsd', 'manutGT_'),
    'manutenzionegf': (
        'MANUTENZIONE', 'Import-ManutenzioneGF-1.0.0.xsd', 'manutGF_'),
    'manutenzionesc': (
        'MANUTENZIONE', 'Import-ManutenzioneSC-1.0.0.xsd', 'manutSC_'),
    'manutenzionecg': (
        'MANUTENZIONE', 'Import-ManutenzioneCG-1.0.0.xsd', 'manutCG_'),
    }

# Internal tri-state answer -> Piemonte Valori012 (0 NO, 1 SI, 2 NC).
# Piemonte has no "non applicabile": it is sent as 2 (non controllabile).
TRISTATE = {
    'no': 0,
    'yes': 1,
    'not_checkable': 2,
    'not_applicable': 2,
    }


class CitDataError(ValueError):
    """A value does not fit the CIT format.

    field: name of the dataclass attribute (e.g. 'o2')
    value: the offending value
    message: short English reason (translate in the Tryton layer)
    path: ((section, identifier), ...) from the outer to the inner record,
        e.g. (('generator', 1), ('module', 2)); identifiers are the CIT
        progressives (generator/slot number, module number)
    element: XSD element name (e.g. 'A_E_O2')
    ref: ``ref`` of the innermost dataclass on the path that has one
        (an opaque handle set by the caller, e.g. a Tryton record id)
    """

    def __init__(self, field, value, message, path=(), element=None,
            ref=None):
        super().__init__(field, value, message)
        self.field = field
        self.value = value
        self.message = message
        self.path = tuple(path)
        self.element = element
        self.ref = ref

    def __str__(self):
        where = ' / '.join(
            '%s %s' % (s, i) if i is not None else s for s, i in self.path)
        return '%s%s=%r: %s' % (
            where + ': ' if where else '', self.field, self.value,
            self.message)


class CitValidationError(ValueError):
    "The XML does not validate; errors is a list of readable strings"

    def __init__(self, errors):
        super().__init__('\n'.join(errors))
        self.errors = list(errors)


# Validation ---------------------------------------------------------------

def _parser():
    return etree.XMLParser(resolve_entities=False, no_network=True)


@lru_cache(maxsize=None)
def cit_schema(xsd_name):
    "The compiled XMLSchema of a vendored XSD (xsd_name: file name)"
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / xsd_name), _parser()))


def _readable(tree, path):
    nodes = tree.xpath(path) if path else []
    if not nodes:
        return path or '?'
    node = nodes[0]
    names = [etree.QName(n).localname
        for n in reversed(list(node.iterancestors()))]
    return '/'.join(names + [etree.QName(node).localname])


def cit_errors(xml_bytes, kind):
    """Return a list of readable errors; an empty list means valid.

    kind: a key of CIT_FILES ('allegato2', 'libretto', ...)."""
    root_name, xsd_name, _ = CIT_FILES[kind]
    try:
        root = etree.fromstring(xml_bytes, _parser())
    except etree.XMLSyntaxError as exception:
        return ['not well-formed XML: %s' % exception]
    expected = etree.QName(NS % kind, root_name)
    if etree.QName(root) != expected:
        return ['root element must be %s, not %s' % (
                expected, etree.QName(root))]
    schema = cit_schema(xsd_name)
    tree = root.getroottree()
    if schema.validate(tree):
        return []
    return ['%s (line %s): %s' % (_readable(tree, e.path), e.line, e.message)
        for e in schema.error_log]


def check(xml_bytes, kind):
    "Raise CitValidationError if xml_bytes is not a valid file of kind"
    errors = cit_errors(xml_bytes, kind)
    if errors:
        raise CitValidationError(errors)


def file_name(kind, catasto_code, date):
    """File name for the CIT upload: the CIT routes a file by its prefix.

    e.g. file_name('allegato2', '123456', date(2025, 10, 15))
    -> 'allegatoII_123456_20251015.xml'"""
    prefix = CIT_FILES[kind][2]
    code = re.sub(r'[^A-Za-z0-9-]+', '-', str(catasto_code)).strip('-')
    return '%s%s_%s.xml' % (prefix, code or 'impianto',
        date.strftime('%Y%m%d'))


# Input dataclasses: REE tipo 1 (Allegato II) -------------------------------

@dataclass
class Maintainer:
    "datiManutentore: the maintenance company sending the REE"
    rea_office: str     # siglaREA: province of the REA register, e.g. 'TO'
    rea_number: str     # numeroREA: REA number
    fiscal_code: str    # codiceFiscale: company codice fiscale / P.IVA


@dataclass(kw_only=True)
class Ree1Module:
    "rowFumi: one combustion analysis per modulo termico"
    module_number: int              # A_E_moduloTermico, unique in the GT
    flue_temp: Decimal              # A_E_tempFumi, degC (<= 9999.99)
    air_temp: Decimal               # A_E_tempAria, comburent air, degC
    o2: Decimal                     # A_E_O2, % vol (<= 999.99)
    co2: Decimal                    # A_E_CO2, % vol
    co_corrected: Decimal           # A_E_COcorretto, ppm, undiluted dry
    reported_efficiency: Decimal    # A_E_rendimCombu, %: measured + 2
    legal_minimum: Decimal          # A_E_rendimentoLegge, % (DPR 74/2013)
    nox: Decimal                    # A_E_nox, mg/kWh
    fuel_flow_unit: str             # A_E_portataCombu: 'm3/h' or 'Kg/h'
    fuel_flow: Decimal = None       # A_E_valorePortata, in fuel_flow_unit
    co_dry: Decimal = None          # A_E_COfumiSecchi, ppm
    # A_E_bacharach1..3: Bacharach index, liquid fuels only (None: nil)
    bacharach1: Decimal = None
    bacharach2: Decimal = None
    bacharach3: Decimal = None
    bacharach_ok: bool = None       # A_E_rispettoIndBacharach (None: omit)
    minimum_ok: bool = None         # A_E_minimo: efficiency >= minimum
    ref: object = None              # caller's handle, returned in errors


@dataclass(kw_only=True)
class Ree1Generator:
    "rowAllegatoII: section E for one gruppo termico"
    progressive: int                # A_E_numGT: GT number of the libretto
    focolare_power: Decimal         # A_E_potenzaFocolare, kW
    heating: bool                   # A_E_flagClimatizInv: space heating
    dhw: bool                       # A_E_flagProduzACS: hot water
    # Tri-states: 'yes' / 'no' / 'not_checkable' / 'not_applicable'
    control_devices_ok: str         # A_E_flagDispComando
    safety_devices_ok: str          # A_E_flagDispSicu: not tampered
    safety_valve_ok: str            # A_E_flagValvSicu: free discharge
    exchanger_clean: str            # A_E_flagScambiatore: flue side
    backflow: str                   # A_E_flagRiflusso ('yes' = defect)
    results_ok: str                 # A_E_flagRisultati: UNI 10389-1
    flue_draught: str               # A_E_flagEvacFumi: 'F' forced, 'N'
    flue_depression: Decimal = None  # A_E_depressCanaleFumo, Pa (nil)
    other_standard: str = ''        # A_E_altroRifNormativo (<= 500)
    modules: list = field(default_factory=list)     # [Ree1Module]
    ref: object = None


@dataclass(kw_only=True)
class Ree1:
    "MODII: REE tipo 1 (gruppi termici) of one plant"
    # Header (datiIntestazione)
    catasto_code: str               # codiceCatasto: plant code on the CIT
    control_date: dt.date           # A_F_dataControllo
    bollino_code: str = None        # codiceBollino (optional)
    # A. A_A_potenzaTermicaNomTotMax: total nominal power, kW
    total_nominal_power: Decimal
    # B. documentazione tecnica (bool)
    doc_conformity: bool            # A_B_flagDichiarazConf
    doc_generator_manuals: bool     # A_B_flagManutGen: use/maint. manuals
    doc_libretto_present: bool      # A_B_flagLibrettoImp
    doc_libretto_complete: bool     # A_B_flagLibrettoComp
    # C. trattamento acqua: treatment "non richiesto" (bool)
    water_treatment_not_required: bool      # A_C_flagTrattH2ONR
    dhw_treatment_not_required: bool        # A_C_flagTrattAcsNR
    # D. controllo impianto, tri-states (see TRISTATE)
    room_ok: str                    # A_D_flagInterno: indoor room fit
    flue_pipe_ok: str               # A_D_flagCanaleFumo: flue and drains
    outdoor_ok: str                 # A_D_flagEsterno: outdoor install.
    room_control_ok: str            # A_D_flagSistRegolaz: room temp.
    vents_free: str                 # A_D_flagAperture: vents unobstructed
    no_fuel_leaks: str              # A_D_flagPerdite: no liquid leaks
    vents_size_ok: str              # A_D_flagDimensioni: vents size
    gas_tight: str                  # A_D_flagTenuta: internal gas line
    # F. check-list: improvements suggested (bool) and texts (<= 1000)
    suggest_thermostatic_valves: bool = False   # A_F_flagValvole
    suggest_insulation: bool = False            # A_F_flagIsolamento
    suggest_water_treatment: bool = False       # A_F_flagSistTrattACS
    suggest_regulation: bool = False            # A_F_flagSistRegolaz
    observations: str = ''          # A_F_osservazioni
    recommendations: str = ''       # A_F_raccomandazioni
    prescriptions: str = ''         # A_F_prescrizioni
    # F. datiTecnico
    can_operate: bool               # A_F_flagFunzImp: plant may operate
    intervention_date: dt.date      # A_F_dataIntervento
    arrival_time: object = None     # A_F_orarioArrivo: time or 'HH:MM'
    departure_time: object = None   # A_F_orarioPartenza
    technician_first_name: str      # A_F_nomeTecnico
    technician_last_name: str       # A_F_cognomeTecnico
    technician_signature: str = ''  # A_F_firmaTecnico
    responsible_signature: str = ''     # A_F_firmaResp
    generators: list = field(default_factory=list)  # [Ree1Generator]
    ref: object = None


# Input dataclasses: libretto ----------------------------------------------
# Coded values: fabbricante 1-4999 (CIT web service getMarcaCIT),
# combustibile / fuel 1-99 (getCombustibileCIT), fluido 1-99 (getFluidoCIT).
# The CIT lists are not published: the caller keeps the mapping table.
# Components sharing a `number` are one slot: the last installed is the
# current one, the earlier ones are written as "...Sostituito" and need
# their removal_date.

@dataclass(kw_only=True)
class _Component:
    number: int                     # L4_xnumero: slot number (GT1 -> 1)
    installation_date: dt.date      # L4_xdataInstallazione
    removal_date: dt.date = None    # L4_xdataDismissione
    manufacturer: int               # L4_xfabbricante, CIT code 1-4999
    ref: object = None


@dataclass(kw_only=True)
class _Identified(_Component):
    model: str = ''                 # L4_xmodello (<= 300 characters)
    serial: str = ''                # L4_xmatricola (<= 30 characters)


@dataclass(kw_only=True)
class LibrettoGT(_Identified):
    "Scheda 4.1, gruppo termico (L4_1)"
    fuel: int                       # L4_1combustibile, CIT code 1-99
    fluid: int                      # L4_1fluido: heat carrier, CIT code
    nominal_power: Decimal          # L4_1potenza: useful nominal power kW
    efficiency: Decimal = None      # L4_1rendimento: useful eff. % 0-120
    # Exactly one of group_type / flue_analyses:
    group_type: int = None          # L4_1tipoGruppoTermico: 1 singolo,
    #                                 2 tubo/nastro radiante, 3 aria calda
    flue_analyses: int = None       # L4_1numeroAnalisiFumi: modular
    #                                 group, number of modules 1-99


@dataclass(kw_only=True)
class LibrettoBR(_Identified):
    "Scheda 4.2, bruciatore (L4_2)"
    gt_number: int                  # L4_2GtCollegato: slot of its GT
    max_input: Decimal              # L4_2portataMaxNominale, kW
    min_input: Decimal = None       # L4_2portataMinNominale, kW
    kind: str = ''                  # L4_2tipologia (<= 100)
    fuel: int = None                # L4_2combustibile, CIT code


@dataclass(kw_only=True)
class LibrettoRC(_Identified):
    "Scheda 4.3, recuperatore / condensatore lato fumi (L4_3)"
    gt_number: int                  # L4_3GtCollegato: slot of its GT
    nominal_power: Decimal          # L4_3potenzaNominaleTotale, kW


@dataclass(kw_only=True)
class LibrettoGF(_Identified):
    "Scheda 4.4, macchina frigorifera / pompa di calore (L4_4)"
    circuits: int                   # L4_4numCircuiti 1-999
    cooling_power: Decimal          # L4_4raffPotenzaNominale kW (required:
    #                                 0 for a heating-only heat pump)
    cooling_input: Decimal = None   # L4_4raffPotenzaAssNominale, kW
    eer: Decimal = None             # L4_4raffEER (4 decimals)
    heating_power: Decimal = None   # L4_4riscPotenzaNominale, kW
    heating_input: Decimal = None   # L4_4riscPotenzaAssNominale, kW
    cop: Decimal = None             # L4_4riscCOP (4 decimals)
    external_source: str = None     # 'air' / 'water': L4_4sorgenteExt*
    user_fluid: str = None          # 'air' / 'water': L4_4fluidoUtenze*
    refrigerant: str = ''           # L4_4fluidoFrigorigeno, e.g. 'R410A'
    # 'absorption_recovery' (L4_4assorbimentoPerRecupero),
    # 'absorption_flame' (L4_4combustibileAssorbimentoFiammaDiretta, with
    # flame_fuel), 'electric_compression' (L4_4compressioneMotoreElettrico)
    kind: str = None
    flame_fuel: int = None          # CIT fuel code for 'absorption_flame'


@dataclass(kw_only=True)
class LibrettoSC(_Identified):
    "Scheda 4.5, scambiatore della sottostazione (L4_5)"
    nominal_power: Decimal          # L4_5potenzaNominaleTotale, kW


@dataclass(kw_only=True)
class LibrettoCG(_Identified):
    "Scheda 4.6, cogeneratore / trigeneratore (L4_6)"
    thermal_power: Decimal          # L4_6potenzaTermicaNominale, kW
    electric_power: Decimal         # L4_6potenzaElettricaNominale, kW
    kind: str = ''                  # L4_6tipologia (<= 100)
    fuel: int = None                # L4_6alimentazione, CIT fuel code
    # Design limits, degC; the XSD allows only 3 significant digits
    # (gradiCentigradiType, e.g. 85.5 or 120, not 85.25)
    water_out_min: Decimal = None   # L4_6tempAcquaUscitaMin
    water_out_max: Decimal = None   # L4_6tempAcquaUscitaMax
    water_in_min: Decimal = None    # L4_6tempAcquaIngressoMin
    water_in_max: Decimal = None    # L4_6tempAcquaIngressoMax
    engine_water_min: Decimal = None    # L4_6tempAcquaMotoreMin
    engine_water_max: Decimal = None    # L4_6tempAcquaMotoreMax
    flue_downstream_min: Decimal = None     # L4_6tempFumiValleMin
    flue_downstream_max: Decimal = None     # L4_6tempFumiValleMax
    flue_upstream_min: Decimal = None   # L4_6tempFumiMonteMin
    flue_upstream_max: Decimal = None   # L4_6tempFumiMonteMax
    co_min: Decimal = None          # L4_6emissioniCOMin (same XSD type)
    co_max: Decimal = None          # L4_6emissioniCOMax


@dataclass(kw_only=True)
class LibrettoCS(_Component):
    "Scheda 4.7, campo solare termico (L4_7): no model nor serial"
    aperture_area: Decimal          # L4_7supTotaleApertura, m2
    collectors: int = None          # L4_7collettori: number, 1-99999


@dataclass(kw_only=True)
class LibrettoAG(_Identified):
    "Scheda 4.8, altro generatore (L4_8)"
    nominal_power: Decimal          # L4_8potenzaNominaleTotale, kW
    kind: str = ''                  # L4_8tipologia (<= 100)


@dataclass(kw_only=True)
class LibrettoWater:
    "Scheda 2.1-2.4, trattamento dell'acqua (L2); 2.5 not supported"
    water_content: Decimal = None   # L2_1contenutoAcqua, m3 (3 decimals)
    hardness: Decimal = None        # L2_2durezzaAcqua, degF (<= 99)
    # Heating circuit (L2_3); bool None: omit
    heating_none: bool = None       # L2_3trattAcquaAssente
    heating_filtration: bool = None     # L2_3trattAcquaFiltrazione
    heating_softening: bool = False     # L2_3trattamentoAcquaAddolcimento
    heating_softened_hardness: Decimal = None   # its value, degF (nil)
    heating_chemical: bool = None   # L2_3trattAcquaChimico
    frost_none: bool = None         # L2_3trattAcquaGeloAssente
    frost_glycol: str = None        # 'ethylene' / 'propylene'
    frost_glycol_percent: Decimal = None    # percento, 0-100
    frost_ph: Decimal = None        # ph, <= 14
    # Hot water (L2_4)
    dhw_none: bool = None           # L2_4trattAcquaAcsAssente
    dhw_filtration: bool = None     # L2_4trattAcquaAcsFiltrazione
    dhw_softening: bool = False     # L2_4trattamentoAcquaAcsAddolcimento
    dhw_softened_hardness: Decimal = None   # degF (nil)
    dhw_chemical: bool = None       # L2_4trattAcquaAcsChimico


@dataclass(kw_only=True)
class LibrettoRegulation:
    "Scheda 5 (L5); the component lists 5.1 SR / VR are not supported"
    # 5.1 regolazione primaria, bool None: omit
    on_off: bool = None             # L5_1flagRegolazioneOnOff
    curve_integrated: bool = None   # L5_1flagRegolazioneCurvaIntegrata
    curve_independent: bool = None  # L5_1flagRegolazioneCurvaIndipendente
    regulation_valves: bool = None  # L5_1flagValvoleRegolazione
    multistep: bool = None          # L5_1flagSistemaRegolazioneMultigradino
    inverter: bool = None           # L5_1flagSistemaRegolazioneInverter
    other: bool = None              # L5_1flagAltroSistemaRegolazione
    other_description: str = ''     # L5_1descrizioneAltro... (<= 5000)
    # 5.2: 'on_off' / 'proportional' / 'enthalpy' / 'flow' / None
    zone_control: str = None
    thermostatic_valves: bool = False   # L5_2valvoleTermostatichePresenti
    two_way_valves: bool = False    # L5_2valvole2ViePresenti
    three_way_valves: bool = False  # L5_2valvole3ViePresenti
    notes: str = ''                 # L5_2note (<= 5000)
    # 5.3 telelettura / telegestione
    remote_reading: bool = False    # L5_3teleletturaPresenti
    remote_management: bool = False    # L5_3telegestionePresenti
    remote_description: str = ''    # L5_3descSistemaPrimaInstall (<= 1000)
    remote_replaced_date: dt.date = None    # L5_3dataSostituzione
    remote_replaced_description: str = ''   # L5_3descSistemaSost
    # 5.4 contabilizzazione: None omit, True UIContabilizzateSI, False NO
    metering: bool = None
    metering_heating: bool = False  # L5_4riscaldamento
    metering_cooling: bool = False  # L5_4raffrescamento
    metering_dhw: bool = False      # L5_4acs
    metering_direct: bool = None    # L5_4tipoSistemaDiretto (False: indir.)
    metering_description: str = ''     # L5_4descSistemaPrimaInstall
    metering_replaced_date: dt.date = None  # L5_4dataSostituzione
    metering_replaced_description: str = ''     # L5_4descSistemaSost


@dataclass(kw_only=True)
class LibrettoDistribution:
    "Scheda 6.1-6.2 (L6); vasi di espansione and pompe not supported"
    # L6_1tipoDistribuzione: 1 verticale a colonne montanti, 2 orizzontale
    # a zone, 3 canali d'aria; or other (text): at most one of the two
    distribution_type: int = None
    distribution_other: str = ''    # L6_1distribuzioneAltro (<= 100)
    insulation_absent: bool = None  # L6_2coibentazioneAssente
    notes: str = ''                 # L6_2note (<= 1000)


@dataclass(kw_only=True)
class LibrettoEmission:
    "Scheda 7, sistemi di emissione (L7_1)"
    radiators: bool = False         # L7_1radiatori
    convectors: bool = False        # L7_1termoconvettori
    fan_coils: bool = False         # L7_1ventilconvettori
    radiant_panels: bool = False    # L7_1panelliRadianti
    air_vents: bool = False         # L7_1bocchette
    radiant_strips: bool = False    # L7_1strisceRadianti
    chilled_beams: bool = False     # L7_1traviFredde
    other: str = ''                 # L7_1altro (<= 100)


@dataclass(kw_only=True)
class Libretto:
    """libretto/libretto_catasto of one plant.

    The file carries no plant code, address or comune: the CIT imports it
    on the page of an already selected plant.  Schede 1.6, 3, 11-13 are
    not in the file; 8, 9, 10, 14 are not supported here."""
    # 1.1 tipologia intervento
    intervention_date: dt.date      # L1_1dataIntervento
    intervention_type: int          # L1_1tipoIntervento: 1 nuova
    #   installazione, 2 ristrutturazione, 3 sostituzione generatore,
    #   4 compilazione libretto impianto esistente
    # 1.2 edificio
    single_unit: bool = None        # L1_2flagUnitaImmSingle
    building_category: str = None   # L1_2categoria 'E.1' ... 'E.8'
    heated_volume: Decimal = None   # L1_2volLordoRisc, m3
    cooled_volume: Decimal = None   # L1_2volLordoRaffr, m3
    # 1.3 impianto destinato a (at least one); power in kW, None: nil
    service_dhw: bool = False       # L1_3servizioACS
    dhw_power: Decimal = None
    service_heating: bool = False   # L1_3servizioClimaInv
    heating_power: Decimal = None
    service_cooling: bool = False   # L1_3servizioClimaEst
    cooling_power: Decimal = None
    service_other: str = ''         # L1_3servizioAltro (<= 100)
    # 1.4 fluido vettore
    fluid_water: bool = False       # L1_4fluidoAcqua
    fluid_air: bool = False         # L1_4fluidoAria
    fluid_other: str = ''           # L1_4fluidoAltro (<= 100)
    # 1.5 tipologia generatori
    gen_combustion: bool = False    # L1_5tipoGeneratore
    gen_heat_pump: bool = False     # L1_5tipoPompa
    gen_chiller: bool = False       # L1_5tipoFrigo
    gen_district_heating: bool = False  # L1_5tipoTelerisc
    gen_district_cooling: bool = False  # L1_5tipoTeleraff
    gen_cogeneration: bool = False  # L1_5tipoCogen
    gen_other: str = ''             # L1_5tipoAltro (<= 100)
    # 1.5 integrazione
    solar_area: Decimal = None      # L1_5tipoIntegrazionePannelli, m2
    integration_other: str = ''     # L1_5tipoIntegrazioneAltro/descrizione
    integration_other_power: Decimal = None     # .../decimale, kW
    integration_heating: bool = False   # L1_5tipoPerClimaInv
    integration_cooling: bool = False   # L1_5tipoPerClimaEst
    integration_dhw: bool = False   # L1_5tipoPerACS
    integration_for_other: str = ''     # L1_5tipoPerAltro (<= 100)
    water: LibrettoWater = None     # scheda 2 (optional)
    # Scheda 4: flat lists, grouped by `number` (see _Component)
    gt: list = field(default_factory=list)  # [LibrettoGT]
    br: list = field(default_factory=list)  # [LibrettoBR]
    rc: list = field(default_factory=list)  # [LibrettoRC]
    gf: list = field(default_factory=list)  # [LibrettoGF]
    sc: list = field(default_factory=list)  # [LibrettoSC]
    cg: list = field(default_factory=list)  # [LibrettoCG]
    cs: list = field(default_factory=list)  # [LibrettoCS]
    ag: list = field(default_factory=list)  # [LibrettoAG]
    regulation: LibrettoRegulation = field(
        default_factory=LibrettoRegulation)     # scheda 5 (required)
    distribution: LibrettoDistribution = None   # scheda 6 (optional)
    emission: LibrettoEmission = field(
        default_factory=LibrettoEmission)   # scheda 7 (required)
    ref: object = None


# Writer -------------------------------------------------------------------

# Modes of an element: REQUIRED (None is an error; for texts None is
# written empty), MANDATORY (text that must not be empty), NILLABLE (None
# is written xsi:nil="true"), OPTIONAL (None or '' is omitted).
REQUIRED, MANDATORY, NILLABLE, OPTIONAL = range(4)

# total: totalDigits, places: fractionDigits, low/high: inclusive bounds.
# high None: only the XSD value-space rule (significant digits <= total).
_Num = namedtuple('_Num', ['total', 'places', 'low', 'high'])


def _num(total, places, low=None, high=None, bound=True):
    if high is None and bound:
        high = Decimal(10) ** (total - places) - Decimal(1).scaleb(-places)
    if low is None and high is not None:
        low = -high
    return _Num(total, places, low, high)


# REE types (Decimale32 <= 999.99 ... Decimale72 <= 9999999.99)
D32, D42, D52, D62, D72 = (_num(t, 2) for t in (5, 6, 7, 8, 9))
# Libretto types
DEC = _num(11, 2)                           # decimaleType
DEC4_2 = _num(4, 2, high=Decimal('99.00'))
DEC6_2 = _num(6, 2)
DEC7_2 = _num(7, 2)
DEC8_2 = _num(8, 2)
DEC8_3 = _num(8, 3)
DEC9_4 = _num(9, 4)
PERCENT = _num(4, 2, low=Decimal(0), high=Decimal(100))
PH = _num(4, 2, high=Decimal('14.00'))
EFFICIENCY = _num(5, 2, low=Decimal(0), high=Decimal(120))
CELSIUS = _num(3, 2, bound=False)           # gradiCentigradiType

_TIME = re.compile(r'^([01][0-9]|2[0-3]):[0-5][0-9]$')


def _significant_digits(value):
    sign, digits, exponent = value.normalize().as_tuple()
    if not any(digits):
        return 1
    if exponent >= 0:
        return len(digits) + exponent
    return max(len(digits), -exponent)


class _Writer:
    "Build elements in one namespace, tracking where we are for errors"

    def __init__(self, kind):
        self.ns = NS % kind
        self.path = []
        self.refs = []

    @contextmanager
    def section(self, name, identifier=None, obj=None):
        self.path.append((name, identifier))
        self.refs.append(getattr(obj, 'ref', None))
        try:
            yield
        finally:
            self.path.pop()
            self.refs.pop()

    def error(self, field, value, message, element=None):
        ref = next((r for r in reversed(self.refs) if r is not None), None)
        return CitDataError(field, value, message, path=self.path,
            element=element, ref=ref)

    def root(self, tag):
        return etree.Element(self.tag(tag), nsmap={None: self.ns, 'xsi': XSI})

    def tag(self, tag):
        return '{%s}%s' % (self.ns, tag)

    def sub(self, parent, tag, text=None):
        element = etree.SubElement(parent, self.tag(tag))
        if text is not None:
            element.text = text
        return element

    def _empty(self, parent, tag, obj, field, value, mode):
        "Handle a None value; return True if nothing more is to be done"
        if mode == OPTIONAL:
            return True
        if mode == NILLABLE:
            self.sub(parent, tag).set(XSI_NIL, 'true')
            return True
        raise self.error(field, value, 'required', tag)

    def dec(self, parent, tag, obj, field, spec, mode=REQUIRED,
            value=None):
        if value is None:
            value = getattr(obj, field)
        if value is None:
            self._empty(parent, tag, obj, field, value, mode)
            return
        self.sub(parent, tag, self.format_decimal(tag, field, value, spec))

    def format_decimal(self, tag, field, value, spec):
        if isinstance(value, bool):
            raise self.error(field, value, 'not a number', tag)
        try:
            number = Decimal(str(value) if isinstance(value, float)
                else value)
        except (InvalidOperation, TypeError, ValueError):
            raise self.error(field, value, 'not a number', tag)
        if not number.is_finite():
            raise self.error(field, value, 'not a number', tag)
        number = number.quantize(
            Decimal(1).scaleb(-spec.places), rounding=ROUND_HALF_UP)
        number += 0     # no negative zero
        if spec.high is not None and number > spec.high:
            raise self.error(
                field, value, 'too big (max %s)' % spec.high, tag)
        if spec.low is not None and number < spec.low:
            raise self.error(
                field, value, 'too small (min %s)' % spec.low, tag)
        if _significant_digits(number) > spec.total:
            raise self.error(field, value,
                'too many digits (max %s)' % spec.total, tag)
        return '{:f}'.format(number)

    def integer(self, parent, tag, obj, field, low=None, high=None,
            mode=REQUIRED, value=None):
        if value is None:
            value = getattr(obj, field)
        if value is None:
            self._empty(parent, tag, obj, field, value, mode)
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, value, 'not an integer', tag)
        if low is not None and value < low:
            raise self.error(field, value, 'too small (min %s)' % low, tag)
        if high is not None and value > high:
            raise self.error(field, value, 'too big (max %s)' % high, tag)
        self.sub(parent, tag, str(value))

    def text(self, parent, tag, obj, field, max_length=None,
            mode=REQUIRED):
        value = getattr(obj, field)
        if value is None or value == '':
            if mode == MANDATORY:
                raise self.error(field, value, 'required', tag)
            if mode == REQUIRED:
                self.sub(parent, tag, '')
            else:
                self._empty(parent, tag, obj, field, value, mode)
            return
        if not isinstance(value, str):
            raise self.error(field, value, 'not a text', tag)
        if max_length is not None and len(value) > max_length:
            raise self.error(field, value,
                'too long (%s > %s characters)' % (len(value), max_length),
                tag)
        element = self.sub(parent, tag)
        try:
            element.text = value
        except ValueError:
            parent.remove(element)
            raise self.error(field, value, 'invalid character', tag)

    def boolean(self, parent, tag, obj, field, mode=REQUIRED, value=None):
        if value is None:
            value = getattr(obj, field)
        if value is None:
            self._empty(parent, tag, obj, field, value, mode)
            return
        if not isinstance(value, bool):
            raise self.error(field, value, 'not a boolean', tag)
        self.sub(parent, tag, 'true' if value else 'false')

    def date(self, parent, tag, obj, field, mode=REQUIRED):
        value = getattr(obj, field)
        if value is None:
            self._empty(parent, tag, obj, field, value, mode)
            return
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise self.error(field, value, 'not a date', tag)
        self.sub(parent, tag, value.isoformat())

    def time(self, parent, tag, obj, field):
        "A required free string, written HH:MM or empty"
        value = getattr(obj, field)
        if value is None or value == '':
            text = ''
        elif isinstance(value, (dt.time, dt.datetime)):
            text = value.strftime('%H:%M')
        elif isinstance(value, str) and _TIME.match(value):
            text = value
        else:
            raise self.error(field, value, 'not a time HH:MM', tag)
        self.sub(parent, tag, text)

    def choice(self, parent, tag, obj, field, allowed):
        value = getattr(obj, field)
        if value not in allowed:
            raise self.error(field, value,
                'not one of %s' % ', '.join(map(repr, allowed)), tag)
        self.sub(parent, tag, value)

    def tristate(self, parent, tag, obj, field):
        value = getattr(obj, field)
        if value not in TRISTATE:
            raise self.error(field, value,
                'not one of %s' % ', '.join(map(repr, TRISTATE)), tag)
        self.sub(parent, tag, str(TRISTATE[value]))


def _serialize(root, kind):
    data = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding='UTF-8', xml_declaration=False, pretty_print=True)
    check(data, kind)
    return data


def _unique(writer, items, attribute, section):
    seen = set()
    for item in items:
        value = getattr(item, attribute)
        if value in seen:
            with writer.section(section, value, item):
                raise writer.error(attribute, value, 'duplicate')
        seen.add(value)


# REE tipo 1 ---------------------------------------------------------------

def build_ree1(maintainer, ree):
    "Return the MODII file (bytes) of one REE tipo 1; see Ree1"
    w = _Writer('allegato2')
    root = w.root('MODII')
    request = w.sub(root, 'Richiesta')
    with w.section('ree', ree.catasto_code, ree):
        with w.section('maintainer', None, maintainer):
            node = w.sub(request, 'datiManutentore')
            w.text(node, 'siglaREA', maintainer, 'rea_office',
                mode=MANDATORY)
            w.text(node, 'numeroREA', maintainer, 'rea_number',
                mode=MANDATORY)
            w.text(node, 'codiceFiscale', maintainer, 'fiscal_code',
                mode=MANDATORY)
        node = w.sub(request, 'datiIntestazione')
        w.text(node, 'codiceBollino', ree, 'bollino_code', mode=OPTIONAL)
        w.text(node, 'codiceCatasto', ree, 'catasto_code', mode=MANDATORY)
        w.date(node, 'A_F_dataControllo', ree, 'control_date')
        data = w.sub(request, 'datiAllegato')
        _ree1_sections(w, data, ree)
        _ree1_generators(w, data, ree)
    return _serialize(root, 'allegato2')


def _ree1_sections(w, data, ree):
    node = w.sub(data, 'datiIdentificativi')
    w.dec(node, 'A_A_potenzaTermicaNomTotMax', ree, 'total_nominal_power',
        D62)
    node = w.sub(data, 'documentazioneTecnica')
    for tag, name in [
            ('A_B_flagDichiarazConf', 'doc_conformity'),
            ('A_B_flagManutGen', 'doc_generator_manuals'),
            ('A_B_flagLibrettoImp', 'doc_libretto_present'),
            ('A_B_flagLibrettoComp', 'doc_libretto_complete'),
            ]:
        w.boolean(node, tag, ree, name)
    node = w.sub(data, 'trattamentoAcqua')
    w.boolean(node, 'A_C_flagTrattH2ONR', ree, 'water_treatment_not_required')
    w.boolean(node, 'A_C_flagTrattAcsNR', ree, 'dhw_treatment_not_required')
    node = w.sub(data, 'controlloImpianto')
    for tag, name in [
            ('A_D_flagInterno', 'room_ok'),
            ('A_D_flagCanaleFumo', 'flue_pipe_ok'),
            ('A_D_flagEsterno', 'outdoor_ok'),
            ('A_D_flagSistRegolaz', 'room_control_ok'),
            ('A_D_flagAperture', 'vents_free'),
            ('A_D_flagPerdite', 'no_fuel_leaks'),
            ('A_D_flagDimensioni', 'vents_size_ok'),
            ('A_D_flagTenuta', 'gas_tight'),
            ]:
        w.tristate(node, tag, ree, name)
    node = w.sub(data, 'checkList')
    for tag, name in [
            ('A_F_flagValvole', 'suggest_thermostatic_valves'),
            ('A_F_flagIsolamento', 'suggest_insulation'),
            ('A_F_flagSistTrattACS', 'suggest_water_treatment'),
            ('A_F_flagSistRegolaz', 'suggest_regulation'),
            ]:
        w.boolean(node, tag, ree, name)
    w.text(node, 'A_F_osservazioni', ree, 'observations', 1000)
    w.text(node, 'A_F_raccomandazioni', ree, 'recommendations', 1000)
    w.text(node, 'A_F_prescrizioni', ree, 'prescriptions', 1000)
    node = w.sub(data, 'datiTecnico')
    w.boolean(node, 'A_F_flagFunzImp', ree, 'can_operate')
    w.date(node, 'A_F_dataIntervento', ree, 'intervention_date')
    w.time(node, 'A_F_orarioArrivo', ree, 'arrival_time')
    w.time(node, 'A_F_orarioPartenza', ree, 'departure_time')
    w.text(node, 'A_F_nomeTecnico', ree, 'technician_first_name',
        mode=MANDATORY)
    w.text(node, 'A_F_cognomeTecnico', ree, 'technician_last_name',
        mode=MANDATORY)
    w.text(node, 'A_F_firmaTecnico', ree, 'technician_signature')
    w.text(node, 'A_F_firmaResp', ree, 'responsible_signature')


def _ree1_generators(w, data, ree):
    if not ree.generators:
        raise w.error('generators', ree.generators, 'required')
    _unique(w, ree.generators, 'progressive', 'generator')
    node = w.sub(data, 'allegatoII')
    for generator in ree.generators:
        with w.section('generator', generator.progressive, generator):
            row = w.sub(node, 'rowAllegatoII')
            w.integer(row, 'A_E_numGT', generator, 'progressive', low=1)
            if not generator.modules:
                raise w.error('modules', generator.modules, 'required')
            _unique(w, generator.modules, 'module_number', 'module')
            table = w.sub(row, 'tabFumi')
            for module in generator.modules:
                with w.section('module', module.module_number, module):
                    _ree1_module(w, w.sub(table, 'rowFumi'), module)
            _ree1_checks(w, w.sub(row, 'controlloVerificaEnergetica'),
                generator)


def _ree1_module(w, row, module):
    w.dec(row, 'A_E_tempFumi', module, 'flue_temp', D42)
    w.dec(row, 'A_E_tempAria', module, 'air_temp', D42)
    w.dec(row, 'A_E_O2', module, 'o2', D32)
    w.dec(row, 'A_E_CO2', module, 'co2', D32)
    for i in (1, 2, 3):
        w.dec(row, 'A_E_bacharach%s' % i, module, 'bacharach%s' % i, D42,
            mode=NILLABLE)
    w.dec(row, 'A_E_COcorretto', module, 'co_corrected', D72)
    w.dec(row, 'A_E_rendimCombu', module, 'reported_efficiency', D32)
    w.dec(row, 'A_E_rendimentoLegge', module, 'legal_minimum', D32)
    w.dec(row, 'A_E_nox', module, 'nox', D72)
    w.integer(row, 'A_E_moduloTermico', module, 'module_number', low=1)
    w.choice(row, 'A_E_portataCombu', module, 'fuel_flow_unit',
        ('m3/h', 'Kg/h'))
    w.dec(row, 'A_E_valorePortata', module, 'fuel_flow', D42,
        mode=NILLABLE)
    w.dec(row, 'A_E_COfumiSecchi', module, 'co_dry', D42, mode=NILLABLE)
    w.boolean(row, 'A_E_rispettoIndBacharach', module, 'bacharach_ok',
        mode=OPTIONAL)
    w.boolean(row, 'A_E_minimo', module, 'minimum_ok', mode=OPTIONAL)


def _ree1_checks(w, node, generator):
    w.dec(node, 'A_E_potenzaFocolare', generator, 'focolare_power', D62)
    w.boolean(node, 'A_E_flagClimatizInv', generator, 'heating')
    w.boolean(node, 'A_E_flagProduzACS', generator, 'dhw')
    for tag, name in [
            ('A_E_flagDispComando', 'control_devices_ok'),
            ('A_E_flagDispSicu', 'safety_devices_ok'),
            ('A_E_flagValvSicu', 'safety_valve_ok'),
            ('A_E_flagScambiatore', 'exchanger_clean'),
            ('A_E_flagRiflusso', 'backflow'),
            ('A_E_flagRisultati', 'results_ok'),
            ]:
        w.tristate(node, tag, generator, name)
    w.text(node, 'A_E_altroRifNormativo', generator, 'other_standard', 500)
    w.choice(node, 'A_E_flagEvacFumi', generator, 'flue_draught',
        ('F', 'N'))
    w.dec(node, 'A_E_depressCanaleFumo', generator, 'flue_depression', D52,
        mode=NILLABLE)


# Libretto -----------------------------------------------------------------

def build_libretto(libretto):
    "Return the libretto file (bytes) of one plant; see Libretto"
    w = _Writer('libretto')
    root = w.root('libretto')
    node = w.sub(root, 'libretto_catasto')
    with w.section('libretto', None, libretto):
        with w.section('scheda', '1'):
            _libretto_1(w, w.sub(node, 'L1_schedaIdentificativa'),
                libretto)
        if libretto.water is not None:
            with w.section('scheda', '2', libretto.water):
                _libretto_2(w, w.sub(node, 'L2_trattamentoAcqua'),
                    libretto.water)
        _libretto_4(w, w.sub(node, 'L4_generatori'), libretto)
        with w.section('scheda', '5', libretto.regulation):
            _libretto_5(w, w.sub(
                    node, 'L5_sistemiRegolazioneContabilizzazione'),
                libretto.regulation)
        if libretto.distribution is not None:
            with w.section('scheda', '6', libretto.distribution):
                _libretto_6(w, w.sub(node, 'L6_sistemiDistribuzione'),
                    libretto.distribution)
        with w.section('scheda', '7', libretto.emission):
            _libretto_7(w, w.sub(node, 'L7_sistemiEmissione'),
                libretto.emission)
    return _serialize(root, 'libretto')


_CATEGORIES = tuple('E.%s' % i for i in range(1, 9))


def _libretto_1(w, node, lib):
    w.date(node, 'L1_1dataIntervento', lib, 'intervention_date')
    w.integer(node, 'L1_1tipoIntervento', lib, 'intervention_type', 1, 4)
    w.boolean(node, 'L1_2flagUnitaImmSingle', lib, 'single_unit',
        mode=OPTIONAL)
    if lib.building_category is not None:
        w.choice(node, 'L1_2categoria', lib, 'building_category',
            _CATEGORIES)
    w.dec(node, 'L1_2volLordoRisc', lib, 'heated_volume', DEC,
        mode=OPTIONAL)
    w.dec(node, 'L1_2volLordoRaffr', lib, 'cooled_volume', DEC,
        mode=OPTIONAL)
    services = [
        ('L1_3servizioACS', 'service_dhw', 'dhw_power'),
        ('L1_3servizioClimaInv', 'service_heating', 'heating_power'),
        ('L1_3servizioClimaEst', 'service_cooling', 'cooling_power'),
        ]
    if not (any(getattr(lib, s) for _, s, _ in services)
            or lib.service_other):
        raise w.error('service_heating', False,
            'at least one service required', 'L1_3servizioClimaInv')
    for tag, service, power in services:
        if getattr(lib, service):
            w.dec(node, tag, lib, power, DEC, mode=NILLABLE)
    w.text(node, 'L1_3servizioAltro', lib, 'service_other', 100,
        mode=OPTIONAL)
    w.boolean(node, 'L1_4fluidoAcqua', lib, 'fluid_water')
    w.boolean(node, 'L1_4fluidoAria', lib, 'fluid_air')
    w.text(node, 'L1_4fluidoAltro', lib, 'fluid_other', 100, mode=OPTIONAL)
    for tag, name in [
            ('L1_5tipoGeneratore', 'gen_combustion'),
            ('L1_5tipoPompa', 'gen_heat_pump'),
            ('L1_5tipoFrigo', 'gen_chiller'),
            ('L1_5tipoTelerisc', 'gen_district_heating'),
            ('L1_5tipoTeleraff', 'gen_district_cooling'),
            ('L1_5tipoCogen', 'gen_cogeneration'),
            ]:
        w.boolean(node, tag, lib, name)
    w.text(node, 'L1_5tipoAltro', lib, 'gen_other', 100, mode=OPTIONAL)
    w.dec(node, 'L1_5tipoIntegrazionePannelli', lib, 'solar_area', DEC6_2,
        mode=OPTIONAL)
    if lib.integration_other or lib.integration_other_power is not None:
        other = w.sub(node, 'L1_5tipoIntegrazioneAltro')
        other = w.sub(other, 'descrizioneDecimaleType')
        w.text(other, 'descrizione', lib, 'integration_other', 100,
            mode=OPTIONAL)
        w.dec(other, 'decimale', lib, 'integration_other_power', DEC,
            mode=OPTIONAL)
    w.boolean(node, 'L1_5tipoPerClimaInv', lib, 'integration_heating')
    w.boolean(node, 'L1_5tipoPerClimaEst', lib, 'integration_cooling')
    w.boolean(node, 'L1_5tipoPerACS', lib, 'integration_dhw')
    w.text(node, 'L1_5tipoPerAltro', lib, 'integration_for_other', 100,
        mode=OPTIONAL)


def _libretto_2(w, node, water):
    w.dec(node, 'L2_1contenutoAcqua', water, 'water_content', DEC8_3,
        mode=OPTIONAL)
    w.dec(node, 'L2_2durezzaAcqua', water, 'hardness', DEC4_2,
        mode=OPTIONAL)
    w.boolean(node, 'L2_3trattAcquaAssente', water, 'heating_none',
        mode=OPTIONAL)
    w.boolean(node, 'L2_3trattAcquaFiltrazione', water, 'heating_filtration',
        mode=OPTIONAL)
    if water.heating_softening:
        w.dec(node, 'L2_3trattamentoAcquaAddolcimento', water,
            'heating_softened_hardness', DEC4_2, mode=NILLABLE)
    w.boolean(node, 'L2_3trattAcquaChimico', water, 'heating_chemical',
        mode=OPTIONAL)
    w.boolean(node, 'L2_3trattAcquaGeloAssente', water, 'frost_none',
        mode=OPTIONAL)
    glycols = {
        'ethylene': 'L2_3trattAcquaGeloEtilenico',
        'propylene': 'L2_3trattAcquaGeloPropilenico',
        }
    if water.frost_glycol is not None:
        if water.frost_glycol not in glycols:
            raise w.error('frost_glycol', water.frost_glycol,
                'not one of %s' % ', '.join(map(repr, glycols)))
        glycol = w.sub(w.sub(node, glycols[water.frost_glycol]),
            'percentoDecimaleType')
        w.dec(glycol, 'percento', water, 'frost_glycol_percent', PERCENT,
            mode=OPTIONAL)
        w.dec(glycol, 'ph', water, 'frost_ph', PH, mode=OPTIONAL)
    w.boolean(node, 'L2_4trattAcquaAcsAssente', water, 'dhw_none',
        mode=OPTIONAL)
    w.boolean(node, 'L2_4trattAcquaAcsFiltrazione', water, 'dhw_filtration',
        mode=OPTIONAL)
    if water.dhw_softening:
        w.dec(node, 'L2_4trattamentoAcquaAcsAddolcimento', water,
            'dhw_softened_hardness', DEC4_2, mode=NILLABLE)
    w.boolean(node, 'L2_4trattAcquaAcsChimico', water, 'dhw_chemical',
        mode=OPTIONAL)


def _libretto_4(w, node, lib):
    # (attribute, wrapper, prefix, component element, body writer)
    kinds = [
        ('gt', 'L4_1GT', 'L4_1', 'gruppoTermico', _gt),
        ('br', 'L4_2BR', 'L4_2', 'bruciatore', _br),
        ('rc', 'L4_3RC', 'L4_3', 'recuperatore', _rc),
        ('gf', 'L4_4GF', 'L4_4', 'gruppoFrigo', _gf),
        ('sc', 'L4_5SC', 'L4_5', 'scambiatore', _sc),
        ('cg', 'L4_6CG', 'L4_6', 'cogeneratore', _cg),
        ('cs', 'L4_7CS', 'L4_7', 'campoSolareTermico', _cs),
        ('ag', 'L4_8AG', 'L4_8', 'altroGeneratore', _ag),
        ]
    for attribute, wrapper, prefix, name, body in kinds:
        for number, items in _slots(w, attribute, getattr(lib, attribute)):
            *replaced, current = items
            slot = w.sub(node, wrapper)
            with w.section(attribute, number, current):
                w.integer(slot, prefix + 'numero', current, 'number', low=1)
                if attribute in {'br', 'rc'}:
                    w.integer(slot, prefix + 'GtCollegato', current,
                        'gt_number', low=1)
                _component(w, w.sub(slot, prefix + name), prefix, current,
                    body, False)
            for old in replaced:
                with w.section(attribute, number, old):
                    _component(w, w.sub(slot, prefix + name + 'Sostituito'),
                        prefix, old, body, True)


def _slots(w, attribute, components):
    "Group by number; within a slot by installation date, current last"
    slots = {}
    for component in components:
        with w.section(attribute, component.number, component):
            if component.installation_date is None:
                raise w.error('installation_date', None, 'required')
        slots.setdefault(component.number, []).append(component)
    for number in sorted(slots, key=lambda n: (n is None, n)):
        yield number, sorted(slots[number],
            key=lambda c: _as_date(c.installation_date))


def _as_date(value):
    return value.date() if isinstance(value, dt.datetime) else value


def _component(w, node, prefix, component, body, replaced):
    w.date(node, prefix + 'dataInstallazione', component,
        'installation_date')
    w.date(node, prefix + 'dataDismissione', component, 'removal_date',
        mode=REQUIRED if replaced else OPTIONAL)
    w.integer(node, prefix + 'fabbricante', component, 'manufacturer', 1, 4999)
    if isinstance(component, _Identified):
        w.text(node, prefix + 'modello', component, 'model', 300)
        w.text(node, prefix + 'matricola', component, 'serial', 30)
    body(w, node, component)


def _gt(w, node, gt):
    w.integer(node, 'L4_1combustibile', gt, 'fuel', 1, 99)
    w.integer(node, 'L4_1fluido', gt, 'fluid', 1, 99)
    w.dec(node, 'L4_1potenza', gt, 'nominal_power', DEC8_2)
    w.dec(node, 'L4_1rendimento', gt, 'efficiency', EFFICIENCY,
        mode=NILLABLE)
    if (gt.group_type is None) == (gt.flue_analyses is None):
        raise w.error('group_type', gt.group_type,
            'give either group_type or flue_analyses', 'L4_1tipoGruppoTermico')
    w.integer(node, 'L4_1tipoGruppoTermico', gt, 'group_type', 1, 3,
        mode=OPTIONAL)
    w.integer(node, 'L4_1numeroAnalisiFumi', gt, 'flue_analyses', 1, 99,
        mode=OPTIONAL)


def _br(w, node, br):
    w.text(node, 'L4_2tipologia', br, 'kind', 100, mode=OPTIONAL)
    w.integer(node, 'L4_2combustibile', br, 'fuel', 1, 99, mode=OPTIONAL)
    w.dec(node, 'L4_2portataMaxNominale', br, 'max_input', DEC8_2)
    w.dec(node, 'L4_2portataMinNominale', br, 'min_input', DEC8_2,
        mode=OPTIONAL)


def _rc(w, node, rc):
    w.dec(node, 'L4_3potenzaNominaleTotale', rc, 'nominal_power', DEC8_2)


_GF_KIND = {
    'absorption_recovery': 'L4_4assorbimentoPerRecupero',
    'absorption_flame': 'L4_4combustibileAssorbimentoFiammaDiretta',
    'electric_compression': 'L4_4compressioneMotoreElettrico',
    }


def _air_water(w, node, gf, field, tags):
    value = getattr(gf, field)
    if value is None:
        return
    if value not in tags:
        raise w.error(field, value, "not one of 'air', 'water'", tags['air'])
    w.sub(node, tags[value], 'true')


def _gf(w, node, gf):
    _air_water(w, node, gf, 'external_source', {
            'air': 'L4_4sorgenteExtAria', 'water': 'L4_4sorgenteExtAcqua'})
    w.text(node, 'L4_4fluidoFrigorigeno', gf, 'refrigerant', 100,
        mode=OPTIONAL)
    _air_water(w, node, gf, 'user_fluid', {
            'air': 'L4_4fluidoUtenzeAria', 'water': 'L4_4fluidoUtenzeAcqua'})
    if gf.kind is not None:
        if gf.kind not in _GF_KIND:
            raise w.error('kind', gf.kind,
                'not one of %s' % ', '.join(map(repr, _GF_KIND)))
        tag = _GF_KIND[gf.kind]
        if gf.kind == 'absorption_flame':
            w.integer(node, tag, gf, 'flame_fuel', 1, 99)
        else:
            w.sub(node, tag, 'true')
    w.integer(node, 'L4_4numCircuiti', gf, 'circuits', 1, 999)
    w.dec(node, 'L4_4raffEER', gf, 'eer', DEC9_4, mode=OPTIONAL)
    w.dec(node, 'L4_4raffPotenzaNominale', gf, 'cooling_power', DEC8_2)
    w.dec(node, 'L4_4raffPotenzaAssNominale', gf, 'cooling_input', DEC8_2,
        mode=OPTIONAL)
    w.dec(node, 'L4_4riscCOP', gf, 'cop', DEC9_4, mode=OPTIONAL)
    w.dec(node, 'L4_4riscPotenzaNominale', gf, 'heating_power', DEC8_2,
        mode=OPTIONAL)
    w.dec(node, 'L4_4riscPotenzaAssNominale', gf, 'heating_input', DEC8_2,
        mode=OPTIONAL)


def _sc(w, node, sc):
    w.dec(node, 'L4_5potenzaNominaleTotale', sc, 'nominal_power', DEC8_2)


_CG_TEMPERATURES = [
    ('L4_6tempAcquaUscitaMin', 'water_out_min'),
    ('L4_6tempAcquaUscitaMax', 'water_out_max'),
    ('L4_6tempAcquaIngressoMin', 'water_in_min'),
    ('L4_6tempAcquaIngressoMax', 'water_in_max'),
    ('L4_6tempAcquaMotoreMin', 'engine_water_min'),
    ('L4_6tempAcquaMotoreMax', 'engine_water_max'),
    ('L4_6tempFumiValleMin', 'flue_downstream_min'),
    ('L4_6tempFumiValleMax', 'flue_downstream_max'),
    ('L4_6tempFumiMonteMin', 'flue_upstream_min'),
    ('L4_6tempFumiMonteMax', 'flue_upstream_max'),
    ('L4_6emissioniCOMin', 'co_min'),
    ('L4_6emissioniCOMax', 'co_max'),
    ]


def _cg(w, node, cg):
    w.text(node, 'L4_6tipologia', cg, 'kind', 100, mode=OPTIONAL)
    w.integer(node, 'L4_6alimentazione', cg, 'fuel', 1, 99, mode=OPTIONAL)
    w.dec(node, 'L4_6potenzaTermicaNominale', cg, 'thermal_power', DEC8_2)
    w.dec(node, 'L4_6potenzaElettricaNominale', cg, 'electric_power',
        DEC8_2)
    for tag, name in _CG_TEMPERATURES:
        w.dec(node, tag, cg, name, CELSIUS, mode=OPTIONAL)


def _cs(w, node, cs):
    w.integer(node, 'L4_7collettori', cs, 'collectors', 1, 99999,
        mode=OPTIONAL)
    w.dec(node, 'L4_7supTotaleApertura', cs, 'aperture_area', DEC7_2)


def _ag(w, node, ag):
    w.text(node, 'L4_8tipologia', ag, 'kind', 100, mode=OPTIONAL)
    w.dec(node, 'L4_8potenzaNominaleTotale', ag, 'nominal_power', DEC8_2)


_ZONE_CONTROL = {
    'on_off': 'L5_2termostatoControlloOnOff',
    'proportional': 'L5_2termostatoControlloProporzionale',
    'enthalpy': 'L5_2controlloEntalpico',
    'flow': 'L5_2controlloPortata',
    }


def _libretto_5(w, node, reg):
    for tag, name in [
            ('L5_1flagRegolazioneOnOff', 'on_off'),
            ('L5_1flagRegolazioneCurvaIntegrata', 'curve_integrated'),
            ('L5_1flagRegolazioneCurvaIndipendente', 'curve_independent'),
            ('L5_1flagValvoleRegolazione', 'regulation_valves'),
            ('L5_1flagSistemaRegolazioneMultigradino', 'multistep'),
            ('L5_1flagSistemaRegolazioneInverter', 'inverter'),
            ('L5_1flagAltroSistemaRegolazione', 'other'),
            ]:
        w.boolean(node, tag, reg, name, mode=OPTIONAL)
    w.text(node, 'L5_1descrizioneAltroSistemaRegolazione', reg,
        'other_description', 5000, mode=OPTIONAL)
    if reg.zone_control is not None:
        if reg.zone_control not in _ZONE_CONTROL:
            raise w.error('zone_control', reg.zone_control,
                'not one of %s' % ', '.join(map(repr, _ZONE_CONTROL)))
        w.sub(node, _ZONE_CONTROL[reg.zone_control], 'true')
    w.boolean(node, 'L5_2valvoleTermostatichePresenti', reg,
        'thermostatic_valves')
    w.boolean(node, 'L5_2valvole2ViePresenti', reg, 'two_way_valves')
    w.boolean(node, 'L5_2valvole3ViePresenti', reg, 'three_way_valves')
    w.text(node, 'L5_2note', reg, 'notes', 5000, mode=OPTIONAL)
    w.boolean(node, 'L5_3teleletturaPresenti', reg, 'remote_reading')
    w.boolean(node, 'L5_3telegestionePresenti', reg, 'remote_management')
    w.text(node, 'L5_3descSistemaPrimaInstall', reg, 'remote_description',
        1000, mode=OPTIONAL)
    w.date(node, 'L5_3dataSostituzione', reg, 'remote_replaced_date',
        mode=OPTIONAL)
    w.text(node, 'L5_3descSistemaSost', reg, 'remote_replaced_description',
        1000, mode=OPTIONAL)
    if reg.metering is True:
        metering = w.sub(node, 'L5_4UIContabilizzateSI')
        w.sub(metering, 'L5_4flag', 'true')
        w.boolean(metering, 'L5_4riscaldamento', reg, 'metering_heating')
        w.boolean(metering, 'L5_4raffrescamento', reg, 'metering_cooling')
        w.boolean(metering, 'L5_4acs', reg, 'metering_dhw')
    elif reg.metering is False:
        w.sub(node, 'L5_4UIContabilizzateNO', 'true')
    elif reg.metering is not None:
        raise w.error('metering', reg.metering, 'not a boolean')
    w.boolean(node, 'L5_4tipoSistemaDiretto', reg, 'metering_direct',
        mode=OPTIONAL)
    w.text(node, 'L5_4descSistemaPrimaInstall', reg, 'metering_description',
        1000, mode=OPTIONAL)
    w.date(node, 'L5_4dataSostituzione', reg, 'metering_replaced_date',
        mode=OPTIONAL)
    w.text(node, 'L5_4descSistemaSost', reg,
        'metering_replaced_description', 1000, mode=OPTIONAL)


def _libretto_6(w, node, dist):
    if dist.distribution_type is not None and dist.distribution_other:
        raise w.error('distribution_other', dist.distribution_other,
            'give either distribution_type or distribution_other',
            'L6_1distribuzioneAltro')
    w.integer(node, 'L6_1tipoDistribuzione', dist, 'distribution_type', 1, 3,
        mode=OPTIONAL)
    w.text(node, 'L6_1distribuzioneAltro', dist, 'distribution_other', 100,
        mode=OPTIONAL)
    w.boolean(node, 'L6_2coibentazioneAssente', dist, 'insulation_absent',
        mode=OPTIONAL)
    w.text(node, 'L6_2note', dist, 'notes', 1000, mode=OPTIONAL)


def _libretto_7(w, node, emission):
    for tag, name in [
            ('L7_1radiatori', 'radiators'),
            ('L7_1termoconvettori', 'convectors'),
            ('L7_1ventilconvettori', 'fan_coils'),
            ('L7_1panelliRadianti', 'radiant_panels'),
            ('L7_1bocchette', 'air_vents'),
            ('L7_1strisceRadianti', 'radiant_strips'),
            ('L7_1traviFredde', 'chilled_beams'),
            ]:
        w.boolean(node, tag, emission, name)
    w.text(node, 'L7_1altro', emission, 'other', 100, mode=OPTIONAL)
