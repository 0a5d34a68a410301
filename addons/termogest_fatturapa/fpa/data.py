# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Plain data of one FatturaPA file (one header, one body).

The Tryton models fill these classes from an ``account.invoice``; the
builder (``fpa.builder``) turns them into the XML tree.  Nothing here knows
Tryton: the engine is tested and benchmarked on its own.

Amounts are ``Decimal`` as they are on the invoice; the builder formats
them (2 decimals for amounts, up to 8 for unit prices and quantities) and
never rounds a unit price to the currency (FATTURAPA.md §9, 00423).
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class Address:
    street: str                 # Indirizzo (street and number together)
    postal_code: str            # CAP: 5 digits in Italy
    city: str                   # Comune
    province: str | None = None  # Provincia: 2 letters, Italy only
    country: str = 'IT'         # Nazione: ISO 3166-1 alpha-2
    street_number: str | None = None  # NumeroCivico


@dataclass
class Party:
    "CedentePrestatore or CessionarioCommittente"
    # A company name, or a person's first and last name
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    vat_country: str | None = None  # IdFiscaleIVA/IdPaese
    vat_code: str | None = None     # IdFiscaleIVA/IdCodice (no country)
    fiscal_code: str | None = None  # CodiceFiscale
    address: Address | None = None
    # Seller only
    tax_regime: str | None = None   # RegimeFiscale: RF01...
    rea_office: str | None = None   # IscrizioneREA/Ufficio (province)
    rea_number: str | None = None
    share_capital: Decimal | None = None
    sole_member: str | None = None  # SU / SM
    liquidation: str | None = None  # LS / LN
    phone: str | None = None
    email: str | None = None


@dataclass
class Line:
    "DettaglioLinee"
    number: int
    description: str
    quantity: Decimal | None
    unit: str | None            # UnitaMisura
    unit_price: Decimal         # PrezzoUnitario, full precision
    total: Decimal              # PrezzoTotale
    rate: Decimal               # AliquotaIVA in percent: 22, 10, 4, 0
    nature: str | None = None   # Natura when rate is 0: N1...N7
    discount: Decimal | None = None  # ScontoMaggiorazione SC, percent
    code: tuple | None = None   # CodiceArticolo (type, value)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    admin_reference: str | None = None  # RiferimentoAmministrazione
    kind: str | None = None     # TipoCessionePrestazione: SC, PR, AB, AC
    # AltriDatiGestionali: (TipoDato, RiferimentoTesto) pairs
    other_data: list[tuple] = field(default_factory=list)


@dataclass
class Summary:
    "DatiRiepilogo: one per rate and nature"
    rate: Decimal
    taxable: Decimal            # ImponibileImporto
    tax: Decimal                # Imposta
    nature: str | None = None
    vat_due: str | None = 'I'   # EsigibilitaIVA: I, D, S (split payment)
    law_reference: str | None = None  # RiferimentoNormativo (with Natura)
    rounding: Decimal | None = None   # Arrotondamento


@dataclass
class Payment:
    "DettaglioPagamento"
    method: str                 # ModalitaPagamento: MP01 cash, MP05 bank...
    amount: Decimal
    due_date: datetime.date | None = None
    iban: str | None = None
    bank: str | None = None     # IstitutoFinanziario


@dataclass
class LinkedDocument:
    "DatiFattureCollegate (credit notes) or DatiOrdineAcquisto/Contratto"
    number: str
    date: datetime.date | None = None
    cup: str | None = None
    cig: str | None = None


@dataclass
class Invoice:
    "One FatturaElettronica: the header and one body"
    # Header
    transmitter_country: str    # IdTrasmittente/IdPaese
    transmitter_code: str       # IdTrasmittente/IdCodice
    progressive: str            # ProgressivoInvio: 1-5 of [A-Z0-9]
    format: str                 # FPR12 or FPA12 (root versione too)
    recipient_code: str         # CodiceDestinatario: 6 (PA) or 7 chars
    supplier: Party
    customer: Party
    # Body
    document_type: str          # TD01, TD04...
    currency: str               # EUR
    date: datetime.date
    number: str
    total: Decimal              # ImportoTotaleDocumento
    lines: list[Line]
    summaries: list[Summary]
    recipient_pec: str | None = None  # PECDestinatario
    transmitter_phone: str | None = None
    transmitter_email: str | None = None
    reasons: list[str] = field(default_factory=list)  # Causale (200 each)
    stamp_duty: Decimal | None = None  # DatiBollo: BolloVirtuale SI
    payment_terms: str | None = 'TP02'  # CondizioniPagamento
    payments: list[Payment] = field(default_factory=list)
    linked_invoices: list[LinkedDocument] = field(default_factory=list)
    purchase_orders: list[LinkedDocument] = field(default_factory=list)
    contracts: list[LinkedDocument] = field(default_factory=list)
    system: str | None = 'TermoGest'  # SistemaEmittente (<= 10 chars)
