# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A month of agenda for the demo (termogest_agenda)

demo_data.py calls create_agenda(company) once the demo plants exist
(demo_impianti.create_plants).  Everything is placed around the server
date, so that the demo looks alive whenever it is built: about 60 calls
received in the last 30 days, about 120 appointments of the four demo
technicians from 25 days ago to 10 days ahead (working days, 8:00-18:00
Europe/Rome, never two at once for the same technician, three to five
today for everyone), the intervention reports of the past appointments
(most done, part of them signed by the customer, a few still draft, a few
without appointment), the spare parts they use and the secretaries'
post-it notes.

The data is drawn from random.Random(SEED) over the demo plants read from
the database: the same records on every run of the same day (only the
times of the calls of the last hours follow the clock).  The signatures
are dated when the technician left.  Nothing is done when the agenda
holds a call or an appointment already; the products are created once,
by code.

    python scripts/demo_agenda.py <database>

fills a database on its own (the demo customers and plants must exist).
"""
import datetime
import io
import math
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from demo_impianti import INSTRUMENTS

SEED = 2026
BATCH = 50
# demo_data.TECHNICIANS with how busy each is (the owner less)
TECHNICIANS = [
    ("Paolo Rossi", [0, 0, 1, 1, 2]),
    ("Luca Ferri", [0, 1, 1, 2, 2, 2]),
    ("Marco Galli", [0, 1, 1, 2, 2, 2]),
    ("Andrea Greco", [0, 1, 1, 2, 2, 2]),
    ]
SECRETARIES = ['rossiimpianti.giulia', 'rossiimpianti.sara']
OWNER = 'rossiimpianti.paolo'
FIRST_DAY, LAST_DAY = -25, 10
CALL_DAYS = 30
CALLS = 60
OTHER_CALLS_MIN = 18

# Spare parts and services: (code, name, unit XML id, type, list price)
PRODUCTS = [
    ('RIC-GUA', "Guarnizione", 'uom_unit', 'goods', '4.50'),
    ('RIC-TCP', "Termocoppia", 'uom_unit', 'goods', '24.00'),
    ('RIC-SCH', "Scheda elettronica", 'uom_unit', 'goods', '285.00'),
    ('RIC-VE8', "Vaso di espansione 8 l", 'uom_unit', 'goods', '48.00'),
    ('RIC-KMC', "Kit manutenzione caldaia", 'uom_unit', 'goods', '35.00'),
    ('RIC-ELE', "Elettrodo di accensione e rilevazione", 'uom_unit',
        'goods', '28.00'),
    ('RIC-NTC', "Sonda NTC", 'uom_unit', 'goods', '22.00'),
    ('RIC-CIR', "Circolatore elettronico", 'uom_unit', 'goods', '175.00'),
    ('RIC-VSI', "Valvola di sicurezza 3 bar", 'uom_unit', 'goods', '16.00'),
    ('RIC-SCA', "Scambiatore sanitario a piastre", 'uom_unit', 'goods',
        '118.00'),
    ('RIC-SIF', "Sifone scarico condensa", 'uom_unit', 'goods', '14.00'),
    ('RIC-VGS', "Valvola gas", 'uom_unit', 'goods', '195.00'),
    ('RIC-DEF', "Filtro defangatore magnetico", 'uom_unit', 'goods',
        '98.00'),
    ('RIC-FUM', "Kit scarico fumi coassiale 60/100", 'uom_unit', 'goods',
        '68.00'),
    ('RIC-CRN', "Cronotermostato WiFi", 'uom_unit', 'goods', '129.00'),
    ('RIC-R32', "Gas refrigerante R32", 'uom_kilogram', 'goods', '65.00'),
    ('RIC-TRA', "Tubo rame coibentato 1/4\" - 3/8\"", 'uom_meter', 'goods',
        '14.50'),
    ('RIC-SAN', "Igienizzante per climatizzatori", 'uom_unit', 'goods',
        '12.00'),
    ('SRV-USC', "Diritto di chiamata", 'uom_unit', 'service', '40.00'),
    ('SRV-MAN', "Manodopera tecnico", 'uom_hour', 'service', '42.00'),
    ]

# Repairs: (device group, reason, priorities, call notes, minutes, works)
# with works (work done, parts [(code, quantity)], outcome, outcome notes)
BOILER_REPAIRS = [
    ('boiler', "Caldaia in blocco, non parte", ['high', 'high', 'urgent'], [
            "Display con codice di errore F28; il cliente ha già provato "
            "a riarmare due volte.",
            "Senza riscaldamento da ieri sera, in casa ci sono bambini "
            "piccoli.",
            "La caldaia si blocca dopo pochi minuti di funzionamento.",
            ], 90, [
            ("Blocco per mancata rilevazione di fiamma: elettrodo di "
                "rilevazione usurato e incrostato. Sostituito l'elettrodo, "
                "puliti bruciatore e ugelli, verificata la pressione del "
                "gas in ingresso (20 mbar). Caldaia provata in "
                "riscaldamento e sanitario: funzionamento regolare.",
                [('RIC-ELE', 1), ('RIC-GUA', 1), ('SRV-USC', 1)],
                'resolved', "Caldaia funzionante."),
            ("Scheda elettronica guasta (relè del bruciatore bruciato dopo "
                "un temporale). Sostituita la scheda e reimpostati i "
                "parametri di installazione; prova di funzionamento "
                "regolare.",
                [('RIC-SCH', 1), ('SRV-USC', 1)],
                'resolved', "Consigliato uno scaricatore di sovratensione "
                "sulla linea della caldaia."),
            ("Sonda NTC di mandata interrotta: la caldaia andava in blocco "
                "per sovratemperatura. Sostituita la sonda, sfiatato il "
                "circuito, verificata la modulazione del bruciatore.",
                [('RIC-NTC', 1), ('SRV-USC', 1)],
                'resolved', "Caldaia funzionante."),
            ("Valvola gas difettosa, non apre in accensione. Non "
                "disponibile sul furgone: ordinata al ricambista, caldaia "
                "lasciata ferma e messa in sicurezza.",
                [('SRV-USC', 1)],
                'follow_up', "Ricambio ordinato: ripassare appena arriva "
                "(2-3 giorni lavorativi)."),
            ]),
    ('boiler', "Perdita d'acqua sotto la caldaia", ['high', 'normal'], [
            "Gocciola dal raccordo in basso, la pressione scende sotto "
            "1 bar.",
            "Il cliente ha trovato una pozza sotto la caldaia stamattina.",
            ], 90, [
            ("Perdita dalla valvola di sicurezza per vaso di espansione "
                "scarico. Sostituiti vaso di espansione 8 l e valvola di "
                "sicurezza 3 bar, ripristinata la pressione dell'impianto a "
                "1,3 bar. Nessuna altra perdita.",
                [('RIC-VE8', 1), ('RIC-VSI', 1), ('RIC-GUA', 2)],
                'resolved', "Caldaia funzionante, pressione stabile."),
            ("Perdita dal raccordo di mandata sotto la caldaia: "
                "guarnizione deteriorata. Sostituite le guarnizioni dei "
                "raccordi, ripristinata la pressione a 1,2 bar.",
                [('RIC-GUA', 3), ('SRV-USC', 1)],
                'resolved', "Nessuna perdita dopo un'ora di "
                "funzionamento."),
            ("Scambiatore primario forato: perdita interna al mantello. "
                "Caldaia di oltre 15 anni: la riparazione non conviene.",
                [('SRV-USC', 1)],
                'quote', "Preparare il preventivo di sostituzione con una "
                "caldaia a condensazione."),
            ]),
    ('boiler', "Manca l'acqua calda sanitaria", ['high', 'normal'], [
            "Il riscaldamento funziona, l'acqua calda esce tiepida.",
            "Acqua calda a intermittenza, soprattutto la sera.",
            ], 90, [
            ("Scambiatore sanitario a piastre ostruito dal calcare. "
                "Sostituito lo scambiatore con le guarnizioni, verificato "
                "il flussostato sanitario. Acqua calda a 48 °C.",
                [('RIC-SCA', 1), ('RIC-GUA', 2), ('SRV-USC', 1)],
                'resolved', "Consigliato un dosatore di polifosfati "
                "sull'ingresso acqua fredda."),
            ("Flussostato sanitario bloccato dal calcare: smontato e "
                "pulito, pulito il filtro dell'acqua fredda. Prova di "
                "prelievo regolare.",
                [('RIC-GUA', 1), ('SRV-USC', 1)],
                'resolved', "Funzionamento sanitario regolare."),
            ]),
    ('boiler', "Pressione dell'impianto che scende continuamente",
        ['normal'], [
            "Deve ricaricare l'impianto ogni due o tre giorni.",
            ], 60, [
            ("Vaso di espansione scarico (0,2 bar): ricaricato a 1,0 bar "
                "con il compressore. Nessuna perdita visibile in caldaia; "
                "ripristinata la pressione a 1,3 bar.",
                [('SRV-USC', 1)],
                'follow_up', "Se la pressione scende ancora, verificare "
                "le tubazioni sotto traccia."),
            ("Vaso di espansione con membrana rotta: sostituito il vaso "
                "di espansione 8 l, caricato e ripristinata la pressione.",
                [('RIC-VE8', 1), ('RIC-GUA', 2), ('SRV-USC', 1)],
                'resolved', "Pressione stabile."),
            ]),
    ('boiler', "Caldaia rumorosa all'accensione", ['normal', 'low'], [
            "Fischia e batte quando parte il riscaldamento.",
            ], 60, [
            ("Circolatore rumoroso con cuscinetti usurati: sostituito con "
                "circolatore elettronico ad alta efficienza, sfiatato "
                "l'impianto.",
                [('RIC-CIR', 1), ('RIC-GUA', 2), ('SRV-USC', 1)],
                'resolved', "Caldaia silenziosa."),
            ("Aria nel circuito e filtro di ritorno intasato: pulito il "
                "filtro, sfiatati caldaia e radiatori.",
                [('SRV-USC', 1)],
                'resolved', "Consigliato un filtro defangatore magnetico."),
            ]),
    ('boiler', "Termostato ambiente non comanda la caldaia", ['normal'], [
            "Il cronotermostato è acceso ma la caldaia non parte.",
            ], 60, [
            ("Cronotermostato guasto (relè non commuta). Sostituito con "
                "cronotermostato WiFi, configurata l'app sul telefono "
                "del cliente.",
                [('RIC-CRN', 1), ('SRV-USC', 1)],
                'resolved', "Spiegato al cliente l'uso dell'app."),
            ("Batterie del cronotermostato esaurite e contatto ossidato: "
                "sostituite le batterie, pulito il morsetto in caldaia.",
                [('SRV-USC', 1)],
                'resolved', "Funzionamento regolare."),
            ]),
    ('gas', "Odore di gas vicino alla caldaia", ['urgent'], [
            "Consigliato di chiudere il rubinetto del gas e di aerare i "
            "locali; non usare interruttori.",
            ], 60, [
            ("Prova di tenuta dell'impianto gas con manometro e "
                "cercafughe: perdita sul raccordo del rubinetto gas sotto "
                "la caldaia. Sostituita la guarnizione, ripetuta la prova "
                "di tenuta con esito positivo.",
                [('RIC-GUA', 2), ('SRV-USC', 1)],
                'resolved', "Impianto gas a tenuta."),
            ]),
    ('old_boiler', "La fiammella pilota si spegne", ['high', 'normal'], [
            "Caldaia vecchia, si spegne dopo qualche minuto.",
            ], 60, [
            ("Termocoppia difettosa: sostituita, puliti ugello pilota e "
                "bruciatore. Caldaia riaccesa.",
                [('RIC-TCP', 1), ('SRV-USC', 1)],
                'resolved', "Caldaia oltre i 20 anni: consigliata la "
                "sostituzione."),
            ]),
    ('central', "Radiatori freddi ai piani alti", ['high', 'normal'], [
            "Segnalazione dell'amministratore: i condomini del quarto e "
            "quinto piano lamentano freddo.",
            ], 120, [
            ("Aria nelle colonne montanti e defangatore intasato in "
                "centrale termica. Pulito il defangatore, sfiatate le "
                "colonne, verificata la prevalenza della pompa di "
                "circolazione e la curva climatica.",
                [],
                'resolved', "Temperature di mandata regolari a tutti i "
                "piani."),
            ("Sonda esterna guasta: la centrale lavorava a temperatura "
                "minima. Sostituita la sonda, verificata la "
                "regolazione climatica.",
                [('RIC-NTC', 1)],
                'resolved', "Impianto regolare."),
            ]),
    ]
# Less frequent breakdowns
RARE_REPAIRS = {
    "Odore di gas vicino alla caldaia": 0.3,
    "Radiatori freddi ai piani alti": 0.5,
    "La fiammella pilota si spegne": 0.4,
    }
HEAT_PUMP_REPAIRS = [
    ('heat_pump', "Pompa di calore in allarme, unità esterna ferma",
        ['high'], [
            "Sul comando remoto compare un codice di allarme.",
            ], 120, [
            ("Allarme di alta pressione per filtro a Y intasato e portata "
                "d'acqua insufficiente. Pulito il filtro, sfiatato il "
                "circuito, ripristinata la pressione a 1,5 bar. Unità "
                "ripartita, COP regolare.",
                [('SRV-USC', 1)],
                'resolved', "Consigliato un defangatore magnetico."),
            ("Sonda di temperatura dello scambiatore guasta: sostituita, "
                "resettato l'allarme e verificato il funzionamento.",
                [('RIC-NTC', 1), ('SRV-USC', 1)],
                'resolved', "Pompa di calore funzionante."),
            ]),
    ('heat_pump', "Pompa di calore non scalda abbastanza",
        ['normal'], [
            "In casa non si superano i 18 °C.",
            ], 90, [
            ("Curva climatica troppo bassa e resistenza integrativa "
                "disabilitata: regolati i parametri, mandata a 45 °C con "
                "-2 °C esterni. Pulita la batteria dell'unità esterna.",
                [],
                'resolved', "Ripassare in caso di temperature sotto zero "
                "persistenti."),
            ]),
    ]
AIR_REPAIRS = [
    ('air_conditioner', "Condizionatore non raffresca", ['normal', 'high'], [
            "Esce aria a temperatura ambiente.",
            "Lo split interno fa ghiaccio sulla batteria.",
            ], 90, [
            ("Carica di refrigerante insufficiente per una microperdita "
                "sulla cartella dell'unità esterna. Rifatta la cartella, "
                "prova di tenuta in azoto, vuoto e ricarica di R32. "
                "Temperatura di mandata 9 °C.",
                [('RIC-R32', 0.45), ('SRV-USC', 1)],
                'resolved', "Climatizzatore funzionante; aggiornato il "
                "registro F-gas."),
            ("Condensatore della ventola esterna guasto: l'unità andava "
                "in protezione. Ordinato il ricambio.",
                [('SRV-USC', 1)],
                'follow_up', "Ripassare per la sostituzione del "
                "condensatore."),
            ]),
    ('air_conditioner', "Climatizzatore perde acqua dallo split interno",
        ['normal', 'low'], [
            "Gocciola sul pavimento della camera.",
            ], 60, [
            ("Scarico della condensa ostruito: pulito e igienizzato lo "
                "scarico, sostituito il sifone, verificata la pendenza del "
                "tubo.",
                [('RIC-SIF', 1), ('RIC-SAN', 1), ('SRV-USC', 1)],
                'resolved', "Nessuna perdita."),
            ]),
    ('air_conditioner', "Cattivo odore quando si accende il climatizzatore",
        ['low'], [
            "Chiede una sanificazione.",
            ], 60, [
            ("Sanificazione dello split: lavaggio dei filtri, "
                "igienizzazione di batteria e ventola tangenziale, pulizia "
                "della bacinella della condensa.",
                [('RIC-SAN', 2)],
                'resolved', "Consigliata la sanificazione annuale."),
            ]),
    ]
INSTALLATIONS = [
    ('air', "Installazione climatizzatore (preventivo accettato)",
        "Preventivo n. {quote} accettato; acconto del 30% ricevuto. "
        "Unità interna in camera, unità esterna sul balcone.", 240,
        "Installato climatizzatore Daikin Perfera FTXM35R in camera da "
        "letto: staffaggio dell'unità esterna sul balcone, tubazioni in "
        "rame coibentate, scarico condensa, vuoto e prova di tenuta, "
        "collegamento elettrico. Registrata l'apparecchiatura sulla banca "
        "dati F-gas.",
        [('RIC-TRA', 5), ('RIC-SIF', 1)]),
    ('boiler', "Sostituzione caldaia (preventivo accettato)",
        "Preventivo n. {quote} accettato. Vecchia caldaia da smaltire; "
        "pratica di detrazione fiscale a carico del cliente.", 240,
        "Sostituita la vecchia caldaia con caldaia a condensazione: "
        "lavaggio dell'impianto, filtro defangatore sul ritorno, nuovo "
        "scarico fumi coassiale, neutralizzatore di condensa. Smaltita la "
        "vecchia caldaia. Prima accensione da fissare.",
        [('RIC-FUM', 1), ('RIC-DEF', 1), ('RIC-VSI', 1)]),
    ('boiler', "Installazione cronotermostato WiFi",
        "Vuole comandare il riscaldamento dallo smartphone.", 120,
        "Installato cronotermostato WiFi al posto del termostato "
        "esistente, cablaggio verso la caldaia, configurata l'app e la "
        "programmazione settimanale con il cliente.",
        [('RIC-CRN', 1)]),
    ]
MAINTENANCE_WORK = {
    'boiler': (
        "Manutenzione ordinaria {device}: pulizia del bruciatore e dello "
        "scambiatore, pulizia del sifone della condensa, controllo degli "
        "elettrodi, verifica del vaso di espansione ({vessel} bar) e della "
        "pressione dell'impianto ({pressure} bar), prova dei dispositivi "
        "di sicurezza e della tenuta del circuito gas. Analisi di "
        "combustione di controllo: CO {co} ppm, rendimento {efficiency}%. "
        "Aggiornato il libretto di impianto."),
    'heat_pump': (
        "Manutenzione ordinaria {device}: controllo delle pressioni del "
        "circuito frigorifero, pulizia della batteria dell'unità esterna e "
        "del filtro a Y, verifica del vaso di espansione e della pressione "
        "({pressure} bar), controllo dei parametri e della curva "
        "climatica, prova della resistenza integrativa. Nessuna perdita "
        "di refrigerante. Aggiornato il libretto di impianto."),
    'air_conditioner': (
        "Manutenzione {device}: lavaggio e igienizzazione dei filtri, "
        "della batteria e della ventola dell'unità interna, pulizia dello "
        "scarico della condensa, controllo dell'unità esterna, verifica "
        "degli assorbimenti elettrici e della temperatura di mandata "
        "({supply} °C). Nessuna perdita di refrigerante."),
    'other': (
        "Controllo generale {device}: verifica del funzionamento, dei "
        "collegamenti e dei dispositivi di sicurezza."),
    }
# (weight, outcome, outcome notes)
MAINTENANCE_OUTCOMES = [
    (5, 'resolved', "Impianto funzionante. Prossima manutenzione tra 12 "
        "mesi."),
    (4, 'resolved', "Tutto regolare."),
    (4, 'resolved', "Impianto funzionante; libretto aggiornato."),
    (1, 'quote', "Vaso di espansione da sostituire a breve: preparare il "
        "preventivo."),
    (1, 'follow_up', "Consigliato il lavaggio dell'impianto: il cliente ci "
        "pensa."),
    ]
CHECK_WORK = {
    'heat_pump': (
        "Controllo di efficienza energetica (DPR 74/2013) su {device}: "
        "verifica delle pressioni e delle temperature del circuito "
        "frigorifero, controllo delle perdite di refrigerante, misura "
        "degli assorbimenti, verifica dei dispositivi di sicurezza. "
        "Valori nella norma; da completare il rapporto di efficienza."),
    'combustion': (
        "Controllo di efficienza energetica (DPR 74/2013) su {device}: "
        "analisi dei fumi con {instrument}, rendimento di combustione "
        "{efficiency}%, CO corretto {co} ppm, tiraggio e ventilazione del "
        "locale regolari. Da completare il rapporto di efficienza e "
        "trasmettere al CIT."),
    }
STARTUP_WORK = (
    "Prima accensione {device}: verificati i collegamenti idraulici ed "
    "elettrici, lo scarico fumi e la tenuta del circuito gas; taratura "
    "della valvola gas e analisi di combustione (CO {co} ppm). Spiegato "
    "al cliente l'uso della caldaia e del cronotermostato. Compilato il "
    "libretto di impianto e attivata la garanzia del costruttore.")
STARTUP_HEAT_PUMP_WORK = (
    "Prima accensione {device}: verificati i collegamenti idraulici ed "
    "elettrici, le pressioni del circuito frigorifero e la portata "
    "d'acqua; impostati la curva climatica e il programma dell'acqua "
    "calda sanitaria. Compilato il libretto di impianto e attivata la "
    "garanzia del costruttore.")
PLUMBERS = [
    "Idraulica Bertola s.n.c.", "Termoidraulica Gallo Franco",
    "Idrotecnica Canavese", "Impianti Ferrua Giorgio",
    ]
CANCELLED_APPOINTMENTS = [
    "Annullato: il cliente non era in casa, non risponde al telefono.",
    "Annullato su richiesta del cliente: da riprogrammare.",
    "Annullato: il cliente ha chiesto di spostare alla prossima "
    "settimana.",
    "Annullato: tecnico fermo per guasto al furgone.",
    ]
# Calls without appointment: (reason, priority, channel, notes, state)
OTHER_CALLS = {
    'new': [
        ("Richiesta preventivo sostituzione caldaia", 'low', 'email',
            "Vuole valutare una caldaia a condensazione o una pompa di "
            "calore ibrida; chiede anche le detrazioni fiscali."),
        ("Manutenzione annuale da programmare", 'low', 'phone',
            "Preferisce il mattino presto, prima delle 9."),
        ("Richiesta sopralluogo per climatizzazione", 'low', 'ticket',
            "Tre camere e soggiorno: chiede un preventivo per un "
            "trial split."),
        ],
    'to_schedule': [
        ("Manutenzione annuale da programmare", 'normal', 'phone',
            "Disponibile il martedì e il giovedì pomeriggio."),
        ("Controllo fumi e bollino da fare", 'normal', 'email',
            "Ha ricevuto il promemoria della scadenza del bollino."),
        ("Richiesta preventivo per pompa di calore", 'low', 'counter',
            "Passato in ufficio: villetta di 140 m² con radiatori, "
            "caldaia a gasolio del 1998."),
        ("Manutenzione annuale da programmare", 'low', 'ticket',
            "Chiede di essere avvisato il giorno prima."),
        ],
    'done': [
        ("Richiesta copia del rapporto di intervento", 'low', 'email',
            "Inviato per e-mail il PDF del rapporto firmato."),
        ("Caldaia in blocco, non parte", 'high', 'phone',
            "Risolto al telefono: pressione a 0,4 bar, guidato il cliente "
            "nel ricaricare l'impianto a 1,2 bar e nel riarmo."),
        ("Informazioni sul contratto di manutenzione", 'low', 'counter',
            "Spiegate le condizioni del contratto annuale; consegnato il "
            "modulo da firmare."),
        ],
    'cancelled': [
        ("Caldaia in blocco, non parte", 'high', 'phone',
            "Richiamato dal cliente: la caldaia è ripartita dopo il "
            "riarmo, non serve l'uscita."),
        ("Manutenzione annuale da programmare", 'low', 'phone',
            "Il cliente ha venduto l'appartamento: disdetta."),
        ("Perdita d'acqua sotto la caldaia", 'high', 'ticket',
            "Chiamata doppia: già registrata al telefono dal "
            "condomino."),
        ("Condizionatore non raffresca", 'normal', 'email',
            "Si è rivolto all'installatore, il climatizzatore è ancora in "
            "garanzia."),
        ],
    }
# Secretary notes: (text, colour, reminder in days from today or None,
# hour, party kind or None, done)
NOTES = [
    ("Richiamare {party} per confermare l'appuntamento di domani.",
        'yellow', -1, 16, 'appointment', False),
    ("Ordinare 2 vasi di espansione 8 l e 5 kit manutenzione caldaia da "
        "Idrotermica Torinese; chiedere la consegna entro venerdì.",
        'orange', -2, 9, None, False),
    ("Sollecitare il pagamento della fattura di ottobre a {party}.",
        'pink', -3, 10, 'attention', False),
    ("Preparare il preventivo di sostituzione della caldaia di {party}: "
        "le misure sono nella cartellina sulla scrivania di Marco.",
        'blue', 2, 9, 'quote', False),
    ("Rinnovo dell'assicurazione del furgone Doblò EF 482 KT: scade a "
        "fine mese.", 'green', 6, 9, None, False),
    ("Controllare sul portale CIT i rapporti di efficienza della "
        "settimana da trasmettere.", 'blue', 1, 11, None, False),
    ("Comunicare allo Studio Amministrazioni Ferrero le date della "
        "manutenzione delle centrali termiche.", 'yellow', 3, 10,
        'condominium', False),
    ("Andrea al corso di aggiornamento F-gas il {course}: non fissare "
        "appuntamenti per lui.", 'orange', 8, 9, None, False),
    ("Chiamare il fornitore per il reso del circolatore difettoso "
        "(DDT 1187).", 'pink', 1, 15, None, False),
    ("Inviare a {party} il rapporto di intervento firmato via PEC.",
        'green', -1, 12, 'signed', False),
    ("{party} vuole spostare la manutenzione al sabato mattina: "
        "richiamare dopo le 18.", 'yellow', 2, 18, 'to_schedule', False),
    ("Ritirare le scarpe antinfortunistiche nuove per i tecnici.",
        'green', None, None, None, False),
    ("Preparare le lettere di rinnovo dei contratti di manutenzione in "
        "scadenza il mese prossimo.", 'blue', 5, 9, None, False),
    ("Ricordare a Luca il modulo di prima accensione per {party}.",
        'yellow', -4, 8, 'startup', True),
    ("Aggiornare il listino ricambi con i nuovi prezzi dei fornitori.",
        'orange', None, None, None, True),
    ("{party} chiede un preventivo per un climatizzatore in camera da "
        "letto: richiamare.", 'pink', 4, 17, 'any', False),
    ]
SIGNER_NAMES = [
    "Bruno Ferraris", "Elena Martini", "Giorgio Bosio", "Paola Ghione",
    "Walter Actis", "Roberta Chiarle",
    ]


def easter(year):
    "Easter Sunday (anonymous Gregorian algorithm)"
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def is_working_day(date):
    "Monday to Friday, not an Italian holiday nor San Giovanni (Torino)"
    if date.weekday() >= 5:
        return False
    if (date.month, date.day) in {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2),
            (6, 24), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}:
        return False
    return date != easter(date.year) + datetime.timedelta(days=1)


def comma(value, digits=1):
    return ('%.*f' % (digits, value)).replace('.', ',')


def device_name(device):
    return "%s %s" % (device['brand'] or '', device['model'] or '')


def make_signature(rng, width=360, height=120):
    "A scribbled signature as a small PNG"
    from PIL import Image, ImageDraw
    image = Image.new('L', (width, height), 255)
    draw = ImageDraw.Draw(image)
    x, base = 18 + rng.randint(0, 20), 62 + rng.randint(-6, 6)
    for word in range(rng.choice([2, 2, 3])):
        letters = rng.randint(4, 8)
        step = rng.uniform(9, 14)
        loop = rng.uniform(5, 9)
        tall = rng.uniform(14, 26)
        points = []
        # a capital: a tall loop
        for i in range(24):
            t = i / 23 * 2 * math.pi
            points.append((x + 8 * math.sin(t), base - tall * (
                        1 - math.cos(t)) / 2))
        for i in range(letters * 12):
            t = i / 12
            phase = 2 * math.pi * t
            height_ = loop * (1.9 if rng.random() < 0.08 else 1)
            points.append((
                    x + 10 + step * t - 5 * math.sin(phase),
                    base - height_ * (1 - math.cos(phase)) / 2
                    + 1.5 * math.sin(t)))
        draw.line(points, fill=20, width=2, joint='curve')
        x = points[-1][0] + rng.uniform(14, 26)
        if x > width - 60:
            break
    # the flourish under the name
    y = base + 14 + rng.uniform(-3, 3)
    draw.line([(20 + rng.uniform(0, 15), y + rng.uniform(-2, 2)),
            ((20 + x) / 2, y + rng.uniform(2, 8)),
            (min(x, width - 10), y - rng.uniform(4, 10))],
        fill=20, width=2, joint='curve')
    buffer = io.BytesIO()
    image.save(buffer, format='PNG', optimize=True)
    return buffer.getvalue()


class Day:
    "The free time of a technician on a day, in minutes from midnight"

    def __init__(self, rng):
        self.rng = rng
        self.cursor = 8 * 60 + rng.choice([0, 0, 0, 15, 30])
        self.count = 0

    def place(self, duration):
        start = self.cursor
        if start < 14 * 60 and start + duration > 13 * 60:
            # lunch break
            start = 14 * 60
        if start + duration > 18 * 60:
            return None
        self.cursor = start + duration + self.rng.choice([15, 30, 30, 45])
        self.count += 1
        return start


class Generator:
    "Makes the calls, appointments, interventions and notes as dicts"

    def __init__(self, plants, employees, today, now, tz, seed=SEED):
        self.rng = random.Random(seed)
        self.plants = plants
        self.employees = employees
        self.today = today
        # naive UTC, as the server stores datetimes
        self.now = now
        self.tz = tz
        self.used = set()
        self.appointments = []
        self.calls = []
        self.interventions = []
        self.notes = []
        self.quotes = 0
        # Andrea Greco's training day, with no appointment
        self.course = today + datetime.timedelta(days=8)
        while not is_working_day(self.course):
            self.course += datetime.timedelta(days=1)
        month = today.month
        if month in {6, 7, 8}:
            self.season = {'air': 1, 'heating': 0.3}
        elif month in {5, 9}:
            self.season = {'air': 0.5, 'heating': 0.5}
        else:
            self.season = {'air': 0.12, 'heating': 1}

    # Time
    def utc(self, date, minutes):
        local = datetime.datetime.combine(
            date, datetime.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(datetime.timezone.utc).replace(tzinfo=None)

    def local(self, value):
        return value.replace(tzinfo=datetime.timezone.utc).astimezone(
            self.tz)

    def days(self):
        "Working days of the agenda, today always (3-5 appointments each)"
        for offset in range(FIRST_DAY, LAST_DAY + 1):
            date = self.today + datetime.timedelta(days=offset)
            if offset == 0 or is_working_day(date):
                yield offset, date

    # Plants
    def allowed(self, plant, technician):
        return (not plant['technicians']
            or technician in plant['technicians'])

    def free(self, technician, test):
        return [p for p in self.plants if p['id'] not in self.used
            and self.allowed(p, technician) and test(p)]

    def nearest(self, candidates, key, date):
        "One of the candidates whose key date is nearest to date"
        if not candidates:
            return None
        candidates.sort(key=lambda c: (abs((key(c) - date).days), c[0]['id']))
        return self.rng.choice(candidates[:6])

    # Jobs
    def maintenance(self, technician, date):
        candidates = []
        for plant in self.free(technician, lambda p: not p['no_maintenance']):
            for device in plant['devices']:
                due = device['next_maintenance_date']
                if due and device['group'] in {
                        'boiler', 'heat_pump', 'air_conditioner'}:
                    candidates.append((plant, device))
        choice = self.nearest(
            candidates, lambda c: c[1]['next_maintenance_date'], date)
        if not choice:
            return None
        plant, device = choice
        group, due = device['group'], device['next_maintenance_date']
        devices = [d for d in plant['devices'] if d['group'] == group]
        duration = {'boiler': 60, 'heat_pump': 90,
            'air_conditioner': 60}[group]
        if len(devices) > 1:
            duration += 30 * (len(devices) - 1)
        rng = self.rng
        texts = []
        for device in devices:
            template = MAINTENANCE_WORK.get(group, MAINTENANCE_WORK['other'])
            texts.append(template.format(
                    device=device_name(device),
                    vessel=comma(rng.uniform(0.8, 1.1)),
                    pressure=comma(rng.uniform(1.1, 1.6)),
                    co=rng.randint(12, 95),
                    efficiency=comma(rng.uniform(91.5, 98.2)),
                    supply=rng.randint(8, 12)))
        lines = []
        if group == 'boiler':
            if rng.random() < 0.6:
                lines.append(('RIC-KMC', len(devices)))
            if rng.random() < 0.3:
                lines.append(('RIC-GUA', 1))
        elif group == 'air_conditioner':
            lines.append(('RIC-SAN', 1))
        _, outcome, notes = rng.choices(MAINTENANCE_OUTCOMES,
            [o[0] for o in MAINTENANCE_OUTCOMES])[0]
        description = "Manutenzione ordinaria annuale: %s." % ', '.join(
            device_name(d) for d in devices)
        return {
            'kind': 'maintenance',
            'plant': plant,
            'devices': devices,
            'duration': duration,
            'description': description,
            'work': ('\n'.join(texts), lines, outcome, notes),
            'call_rate': 0.1,
            'due': due,
            }

    def efficiency_check(self, technician, date):
        candidates = []
        for plant in self.free(technician, lambda p: True):
            for device in plant['devices']:
                if device['next_efficiency_check_date'] and device[
                        'group'] in {'boiler', 'heat_pump'}:
                    candidates.append((plant, device))
        choice = self.nearest(
            candidates, lambda c: c[1]['next_efficiency_check_date'], date)
        if not choice:
            return None
        plant, device = choice
        devices = [d for d in plant['devices']
            if d['next_efficiency_check_date'] and d['group'] in {
                'boiler', 'heat_pump'}]
        rng = self.rng
        texts = []
        for device in devices:
            template = CHECK_WORK['heat_pump' if device['group'] == 'heat_pump'
                else 'combustion']
            texts.append(template.format(
                    device=device_name(device),
                    instrument=INSTRUMENTS.get(technician, "analizzatore"),
                    efficiency=comma(rng.uniform(90.5, 97.8)),
                    co=rng.randint(10, 110)))
        return {
            'kind': 'efficiency_check',
            'plant': plant,
            'devices': devices,
            'duration': 60 + 30 * len(devices),
            'description': "Controllo di efficienza energetica e analisi "
            "dei fumi (bollino): %s." % ', '.join(
                device_name(d) for d in devices),
            'work': ('\n'.join(texts), [], 'resolved',
                "Rapporto di efficienza da completare e trasmettere."),
            'call_rate': 0.15,
            'call_reason': "Controllo fumi e bollino da fare",
            }

    def repair(self, technician, date):
        rng = self.rng
        catalogue = []
        for repair in BOILER_REPAIRS + HEAT_PUMP_REPAIRS:
            catalogue.append((self.season['heating']
                    * RARE_REPAIRS.get(repair[1], 1), repair))
        for repair in AIR_REPAIRS:
            catalogue.append((self.season['air'], repair))
        weights = [w for w, _ in catalogue]
        for _ in range(10):
            _, repair = rng.choices(catalogue, weights)[0]
            group, reason, priorities, notes, duration, works = repair

            def test(plant):
                return any(self.fits(d, group, plant)
                    for d in plant['devices'])
            plants = self.free(technician, test)
            if plants:
                break
        else:
            return None
        plant = rng.choice(plants)
        device = rng.choice([d for d in plant['devices']
                if self.fits(d, group, plant)])
        text, lines, outcome, outcome_notes = rng.choice(works)
        priority = rng.choice(priorities)
        call_notes = rng.choice(notes)
        return {
            'kind': 'repair',
            'plant': plant,
            'devices': [device],
            'duration': duration,
            'description': '\n'.join([reason, call_notes]),
            'work': (text, lines, outcome, outcome_notes),
            'call_rate': 1,
            'call_reason': reason,
            'call_notes': call_notes,
            'priority': priority,
            }

    def fits(self, device, group, plant):
        if group == 'gas':
            return device['group'] == 'boiler' and device['gas']
        elif group == 'old_boiler':
            return (device['group'] == 'boiler'
                and device['installation_date']
                and device['installation_date'].year < 2008)
        elif group == 'central':
            return device['group'] == 'boiler' and plant['central']
        elif group == 'boiler':
            return device['group'] == 'boiler' and not plant['central']
        return device['group'] == group

    def first_startup(self, technician, date):
        since = self.today - datetime.timedelta(days=3 * 365)
        candidates = []
        for plant in self.free(technician, lambda p: not p['central']):
            for device in plant['devices']:
                if (device['group'] in {'boiler', 'heat_pump'}
                        and device['installation_date']
                        and device['installation_date'] >= since):
                    candidates.append((plant, device))
        if not candidates:
            return None
        plant, device = self.rng.choice(candidates)
        template = (STARTUP_HEAT_PUMP_WORK if device['group'] == 'heat_pump'
            else STARTUP_WORK)
        plumber = self.rng.choice(PLUMBERS)
        return {
            'kind': 'first_startup',
            'plant': plant,
            'devices': [device],
            'duration': 90,
            'description': "Prima accensione %s" % device_name(device),
            'work': (template.format(device=device_name(device),
                    co=self.rng.randint(8, 40)), [], 'resolved',
                "Garanzia attivata; prima manutenzione tra 12 mesi."),
            'call_rate': 0.7,
            'call_reason': "Prima accensione nuovo generatore",
            'call_notes': "Installato da %s; dichiarazione di conformità "
            "(DM 37/08) disponibile in cantiere." % plumber,
            'contact_name': plumber,
            'priority': 'normal',
            }

    def installation(self, technician, date):
        rng = self.rng
        group, reason, notes, duration, work, lines = rng.choice(
            INSTALLATIONS)
        if group == 'air':
            def test(plant):
                return not plant['central']
        else:
            def test(plant):
                return not plant['central'] and any(
                    d['group'] == 'boiler' for d in plant['devices'])
        plants = self.free(technician, test)
        if not plants:
            return None
        plant = rng.choice(plants)
        self.quotes += 1
        quote = '%d/%s' % (40 + self.quotes * 7, self.today.strftime('%y'))
        notes = notes.format(quote=quote)
        return {
            'kind': 'installation',
            'plant': plant,
            'devices': [],
            'duration': duration,
            'description': '\n'.join([reason, notes]),
            'work': (work, lines, 'resolved', "Lavoro completato; "
                "consegnata la documentazione al cliente."),
            'call_rate': 0.5,
            'call_reason': reason,
            'call_notes': notes,
            'priority': 'normal',
            }

    def job(self, technician, date, day):
        rng = self.rng
        kinds = [('maintenance', 52), ('repair', 25),
            ('efficiency_check', 12), ('first_startup', 4)]
        if day.count == 0:
            kinds.append(('installation', 6))
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        for kind in [kind, 'maintenance', 'repair']:
            job = getattr(self, kind)(technician, date)
            if job:
                return job

    # The agenda
    def build_appointments(self):
        rng = self.rng
        for offset, date in self.days():
            for technician, counts in TECHNICIANS:
                if technician not in self.employees or (
                        technician == "Andrea Greco"
                        and date == self.course):
                    continue
                day = Day(rng)
                if offset == 0:
                    count = rng.randint(3, 5)
                elif offset < 0:
                    count = rng.choice(counts)
                elif offset <= 3:
                    count = rng.choice([0, 1, 1, 2])
                else:
                    count = rng.choice([0, 0, 1, 1])
                for _ in range(count):
                    job = self.job(technician, date, day)
                    start = job and day.place(job['duration'])
                    if start is None:
                        continue
                    self.used.add(job['plant']['id'])
                    job.update({
                            'technician': technician,
                            'date': date,
                            'offset': offset,
                            'start': self.utc(date, start),
                            'end': self.utc(date, start + job['duration']),
                            'minutes': start,
                            'state': 'planned',
                            })
                    self.appointments.append(job)
                # an urgent job without appointment, now and then
                if offset < -1 and rng.random() < 0.04:
                    job = self.repair(technician, date)
                    start = job and day.place(job['duration'])
                    if start is not None:
                        self.used.add(job['plant']['id'])
                        job.update({
                                'technician': technician,
                                'date': date,
                                'minutes': start,
                                })
                        self.interventions.append(
                            self.intervention(job, 'done', None))
        self.states()

    def states(self):
        rng = self.rng
        past = [a for a in self.appointments if a['offset'] < 0]
        last_days = sorted({a['date'] for a in past})[-2:]
        recent = [a for a in past if a['date'] in last_days]
        for appointment in rng.sample(recent, min(4, len(recent))):
            appointment['state'] = 'draft'
        future = [a for a in self.appointments if a['offset'] > 0]
        for appointment in (
                rng.sample([a for a in past if a['state'] != 'draft'
                        and a['kind'] != 'installation'], 4)
                + rng.sample(future, min(2, len(future)))):
            appointment['state'] = 'cancelled'
            appointment['description'] += '\n' + rng.choice(
                CANCELLED_APPOINTMENTS)
        for appointment in self.appointments:
            offset = appointment['offset']
            if appointment['state'] != 'planned':
                continue
            elif offset < 0:
                appointment['state'] = 'done'
            elif offset == 0:
                appointment['state'] = (
                    'confirmed' if rng.random() < 0.85 else 'planned')
            elif offset <= 3:
                appointment['state'] = (
                    'confirmed' if rng.random() < 0.6 else 'planned')
        for appointment in self.appointments:
            state = appointment['state']
            if state in {'done', 'draft'}:
                intervention = self.intervention(
                    appointment, 'done' if state == 'done' else 'draft',
                    appointment)
                self.interventions.append(intervention)
                appointment['confirmed'] = True
            elif state == 'cancelled':
                appointment['confirmed'] = rng.random() < 0.5
            else:
                appointment['confirmed'] = state == 'confirmed'
        done = [i for i in self.interventions if i['state'] == 'done']
        for intervention in rng.sample(done, len(done) * 9 // 20):
            intervention['signed'] = True
        draft = [i for i in self.interventions if i['state'] == 'draft']
        if len(draft) > 1:
            draft[0]['signed'] = True
            # not written yet
            draft[-1]['description'] = ''

    def intervention(self, job, state, appointment):
        rng = self.rng
        text, lines, outcome, outcome_notes = job['work']
        start = job['minutes']
        end = start + job['duration'] + rng.choice([-15, 0, 0, 15, 30])
        end = max(end, start + 30)
        hours = Decimal(max(1, round((end - start) / 30))) / 2
        if appointment is None:
            text = ("Intervento urgente in giornata, senza appuntamento. "
                + text)
        return {
            'appointment': appointment,
            'job': job,
            'technician': job['technician'],
            'plant': job['plant'],
            'devices': job['devices'],
            'kind': job['kind'],
            'date': job['date'],
            'start_time': datetime.time(start // 60, start % 60),
            'end_time': datetime.time(end // 60, end % 60),
            'travel_time': datetime.timedelta(
                minutes=rng.choice([10, 15, 20, 25, 30, 40, 45])),
            'description': text,
            'lines': lines,
            'labour_hours': hours,
            'outcome': outcome,
            'outcome_notes': outcome_notes,
            'state': state,
            'signed': False,
            }

    def received(self, date, minutes, priority, channel):
        "When the call of an appointment at date and minutes came in"
        rng = self.rng
        lag = {
            'urgent': [0], 'high': [0, 0, 1, 1, 2],
            'normal': [1, 2, 3, 4, 5, 7], 'low': [4, 6, 8, 10, 14, 18],
            }[priority]
        days = rng.choice(lag)
        if days == 0:
            at = minutes - rng.randint(60, 180)
            if at < 7 * 60 + 45:
                days, at = 1, rng.randint(16 * 60, 18 * 60)
        else:
            at = rng.randint(8 * 60 + 15, 18 * 60 + 15)
        return self.clamp(
            self.utc(date - datetime.timedelta(days=days), at), channel)

    def clamp(self, value, channel):
        """Within the last CALL_DAYS days, before now and, on the phone or
        at the counter, in office hours"""
        rng = self.rng
        first = self.today - datetime.timedelta(days=CALL_DAYS - 1)
        if value < self.utc(first, 8 * 60):
            value = self.utc(first + datetime.timedelta(
                    days=rng.randint(0, 3)), rng.randint(8 * 60, 18 * 60))
        if value > self.now - datetime.timedelta(minutes=15):
            value = (self.now - datetime.timedelta(
                    minutes=rng.randint(15, 60 * 24 * 3))).replace(second=0)
        if channel not in {'phone', 'counter'}:
            return value
        local = self.local(value)
        day, minutes = local.date(), local.hour * 60 + local.minute
        if is_working_day(day) and 8 * 60 <= minutes <= 18 * 60 + 30:
            return value
        elif is_working_day(day) and minutes > 18 * 60 + 30:
            return self.utc(day, rng.randint(14 * 60, 18 * 60 + 30))
        day -= datetime.timedelta(days=1)
        while not is_working_day(day):
            day -= datetime.timedelta(days=1)
        return self.utc(day, rng.randint(9 * 60, 18 * 60 + 30))

    def channel(self, plant, priority):
        rng = self.rng
        if priority == 'urgent':
            return 'phone'
        if plant['subject_type'] in {'company', 'condominium',
                'public_administration'}:
            return rng.choice(['phone', 'email', 'email', 'ticket'])
        return rng.choices(['phone', 'email', 'ticket', 'counter'],
            [60, 15, 15, 10])[0]

    def contact(self, call, plant):
        rng = self.rng
        if plant['subject_type'] == 'condominium':
            call['contact_name'] = "Studio Amministrazioni Ferrero"
            call['contact_phone'] = '+39 011 5683412'
        elif rng.random() < 0.3:
            call['contact_phone'] = plant['mobile'] or plant['phone']

    def build_calls(self):
        rng = self.rng
        receivers = ['giulia'] * 5 + ['sara'] * 4 + ['paolo']
        linked = [a for a in self.appointments
            if rng.random() < a['call_rate']]
        # room for the calls without appointment: the optional ones go
        # first (a repair may be booked by the technician on the spot)
        while len(linked) > CALLS - OTHER_CALLS_MIN:
            optional = [a for a in linked if a['call_rate'] < 1] or linked
            victim = rng.choice(optional)
            linked = [a for a in linked if a is not victim]
        for appointment in linked:
            plant = appointment['plant']
            devices = appointment['devices']
            priority = appointment.get('priority') or rng.choice(
                ['low', 'normal', 'normal'])
            channel = self.channel(plant, priority)
            call = {
                'plant': plant,
                'device': devices[0] if len(devices) == 1 else None,
                'priority': priority,
                'channel': channel,
                'reason': appointment.get('call_reason')
                or "Manutenzione annuale da programmare",
                'notes': appointment.get('call_notes'),
                'contact_name': appointment.get('contact_name'),
                'received_at': self.received(appointment['date'],
                    appointment['minutes'], priority, channel),
                'receiver': rng.choice(receivers),
                'source': 'manual',
                'appointment': appointment,
                }
            if appointment['kind'] == 'maintenance' and rng.random() < 0.5:
                # from the list of the maintenance due
                due = appointment['due']
                call.update({
                        'reason': "Manutenzione dell'impianto %s in "
                        "scadenza dal %s" % (plant['rec_name'],
                            due.strftime('%d/%m/%Y')),
                        'notes': '\n'.join("%s: manutenzione in scadenza "
                            "il %s" % (d['rec_name'],
                                d['next_maintenance_date'].strftime(
                                    '%d/%m/%Y'))
                            for d in devices),
                        'requested_date': due,
                        'source': 'maintenance_due',
                        'channel': 'phone',
                        'received_at': self.clamp(
                            call['received_at'], 'phone'),
                        'state': 'to_schedule',
                        })
            elif appointment['kind'] == 'maintenance':
                call['notes'] = rng.choice([
                        "Chiede di essere avvisato mezz'ora prima.",
                        "Preferisce il mattino.",
                        None])
            if appointment['state'] == 'cancelled':
                call['final'] = rng.choice(['to_schedule', 'cancelled'])
                if call['final'] == 'cancelled':
                    call['cancel_note'] = (
                        "Il cliente ha annullato la richiesta.")
            self.contact(call, plant)
            appointment['call'] = call
            self.calls.append(call)
        # The calls without appointment
        missing = CALLS - len(self.calls)
        states = ['new', 'to_schedule', 'new', 'cancelled', 'to_schedule',
            'done', 'new', 'to_schedule', 'cancelled', 'done']
        counters = {s: 0 for s in OTHER_CALLS}
        for i in range(missing):
            state = states[i % len(states)]
            catalogue = OTHER_CALLS[state]
            reason, priority, channel, notes = None, None, None, None
            if state == 'new' and counters[state] % 2 == 0:
                # a fresh breakdown waiting for the office
                repairs = [r for r in BOILER_REPAIRS
                    if r[0] in {'boiler', 'old_boiler'}]
                if self.season['air'] > 0.5:
                    repairs = AIR_REPAIRS
                group, reason, priorities, notes, _, _ = rng.choice(repairs)
                priority, notes = rng.choice(priorities), rng.choice(notes)
            else:
                reason, priority, channel, notes = catalogue[
                    counters[state] // (2 if state == 'new' else 1)
                    % len(catalogue)]
                group = None
            counters[state] += 1

            def test(plant):
                return any(self.fits(d, group, plant)
                    for d in plant['devices']) if group else True
            plants = [p for p in self.plants
                if p['id'] not in self.used and test(p)]
            plant = rng.choice(plants)
            self.used.add(plant['id'])
            channel = channel or self.channel(plant, priority)
            if state == 'new':
                back = rng.randint(10, 60 * 40)
            elif state == 'to_schedule':
                back = rng.randint(60 * 24 * 2, 60 * 24 * 25)
            else:
                back = rng.randint(60 * 24, 60 * 24 * 28)
            received = self.clamp(
                self.now - datetime.timedelta(minutes=back), channel)
            devices = [d for d in plant['devices']
                if not group or self.fits(d, group, plant)]
            call = {
                'plant': plant,
                'device': devices[0] if group and devices else None,
                'priority': priority,
                'channel': channel,
                'reason': reason,
                'notes': notes,
                'received_at': received,
                'receiver': rng.choice(receivers),
                'source': 'manual',
                'appointment': None,
                'final': state,
                }
            if state == 'to_schedule':
                call['requested_date'] = self.today + datetime.timedelta(
                    days=rng.randint(3, 20))
            self.contact(call, plant)
            self.calls.append(call)
        self.calls.sort(key=lambda c: c['received_at'])

    def build_notes(self):
        rng = self.rng
        parties = {
            'appointment': [a['plant'] for a in self.appointments
                if a['offset'] == 0],
            'attention': [p for p in self.plants
                if p['attention'] and 'agament' in (p['attention_reason']
                    or '')],
            'quote': [i['plant'] for i in self.interventions
                if i['outcome'] == 'quote'] or [p for p in self.plants
                if any(self.fits(d, 'old_boiler', p) for d in p['devices'])],
            'condominium': [],
            'signed': [i['plant'] for i in self.interventions
                if i['signed']],
            'to_schedule': [c['plant'] for c in self.calls
                if c.get('final') == 'to_schedule'],
            'startup': [a['plant'] for a in self.appointments
                if a['kind'] == 'first_startup'],
            'any': self.plants,
            }
        for i, (text, colour, days, hour, kind, done) in enumerate(NOTES):
            plant = None
            if kind:
                choices = parties[kind] or parties['any']
                plant = rng.choice(choices) if kind != 'condominium' else None
            reminder = None
            if days is not None:
                reminder = self.utc(
                    self.today + datetime.timedelta(days=days), hour * 60)
            self.notes.append({
                    'text': text.format(
                        party=plant['party_name'] if plant else '',
                        course=self.course.strftime('%d/%m')).replace(
                        '..', '.'),
                    'colour': colour,
                    'reminder': reminder,
                    'user': SECRETARIES[1 if i % 3 == 2 else 0],
                    'plant': plant,
                    'done': done,
                    })

    def build(self):
        self.build_appointments()
        self.build_calls()
        self.build_notes()
        return self


# Database
def _create(Model, vlist, context):
    ids = []
    for i in range(0, len(vlist), BATCH):
        ids += Model.create(vlist[i:i + BATCH], context)
    return ids


def create_products(company):
    "The spare parts and services, the missing ones only: code -> values"
    from proteus import Model
    Template = Model.get('product.template')
    Product = Model.get('product.product')
    ModelData = Model.get('ir.model.data')
    context = Template._config.context
    units = {u: ModelData.get_id('product', u, context)
        for u in {p[2] for p in PRODUCTS}}
    existing = {t['code'] for t in Template.search_read(
            [('code', 'in', [p[0] for p in PRODUCTS])], 0, None, None,
            ['code'], dict(context, active_test=False))}
    vlist = []
    for code, name, unit, type_, price in PRODUCTS:
        if code in existing:
            continue
        price = Decimal(price)
        values = {
            'code': code,
            'name': name,
            'type': type_,
            'default_uom': units[unit],
            'list_price': price,
            'products': [('create', [{
                            'cost_price': (price * Decimal('0.55')).quantize(
                                Decimal('0.01')),
                            } if type_ == 'goods' else {}])],
            }
        vlist.append(values)
    if vlist:
        _create(Template, vlist, context)
    return {p['template.']['code']: {
            'id': p['id'], 'name': p['template.']['name'],
            'unit': p['template.']['default_uom'],
            'price': p['template.']['list_price']}
        for p in Product.search_read(
            [('template.code', 'in', [p[0] for p in PRODUCTS])],
            0, None, None, ['template.code', 'template.name',
                'template.default_uom', 'template.list_price'], context)}


def _read_plants(company):
    "The active plants of the active customers with their devices"
    from proteus import Model
    Plant = Model.get('termogest.plant')
    Device = Model.get('termogest.device')
    Party = Model.get('party.party')
    context = Plant._config.context
    parties = {p['id']: p for p in Party.search_read(
            [('internal', '=', False)], 0, None, [('id', 'ASC')],
            ['name', 'subject_type', 'attention', 'attention_reason',
                'no_maintenance', 'phone', 'mobile'], context)}
    plants = []
    by_id = {}
    for plant in Plant.search_read(
            [('company', '=', company.id)], 0, None, [('id', 'ASC')],
            ['rec_name', 'party', 'address', 'authorized_technicians'],
            context):
        party = parties.get(plant['party'])
        if not party:
            continue
        plant = {
            'id': plant['id'],
            'rec_name': plant['rec_name'],
            'party': party['id'],
            'party_name': party['name'],
            'subject_type': party['subject_type'],
            'attention': party['attention'],
            'attention_reason': party['attention_reason'],
            'no_maintenance': party['no_maintenance'],
            'phone': party['phone'],
            'mobile': party['mobile'],
            'address': plant['address'],
            'technician_ids': plant['authorized_technicians'],
            'devices': [],
            }
        plants.append(plant)
        by_id[plant['id']] = plant
    groups = {'boiler': 'boiler', 'heat_pump': 'heat_pump',
        'air_conditioner': 'air_conditioner'}
    for device in Device.search_read(
            [('plant', 'in', list(by_id)), ('removal_date', '=', None)],
            0, None, [('id', 'ASC')],
            ['rec_name', 'plant', 'kind', 'brand', 'model', 'fuel.code',
                'installation_date', 'next_maintenance_date',
                'next_efficiency_check_date'], context):
        fuel = (device.get('fuel.') or {}).get('code')
        device['group'] = groups.get(device['kind'], 'other')
        device['gas'] = fuel in {'natural_gas', 'lpg'}
        by_id[device['plant']]['devices'].append(device)
    for plant in plants:
        plant['central'] = len([d for d in plant['devices']
                if d['group'] == 'boiler']) > 1
    return [p for p in plants if p['devices']]


def _backdate_signatures(config, signed):
    """Date the signatures {intervention id: naive UTC datetime} when the
    technician left, not when the demo was built, and seal them again"""
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    if not signed:
        return
    with Transaction().start(config.database_name, config.user,
            context=config.context) as transaction:
        Intervention = Pool().get('termogest.intervention')
        with transaction.set_context(_termogest_signing=True):
            for intervention in Intervention.browse(list(signed)):
                when = signed[intervention.id]
                Intervention.write([intervention], {
                        'signed_at': when,
                        'privacy_accepted_at': when,
                        })
            for intervention in Intervention.browse(list(signed)):
                Intervention.write([intervention], {
                        'signature_hash': intervention.content_digest(),
                        })
        transaction.commit()


def create_agenda(company):
    """Create the demo agenda of the demo technicians

    Nothing is done when termogest_agenda is not activated, when the demo
    plants are missing or when the agenda holds a call or an appointment
    already.  Return the number of appointments created.
    """
    from proteus import Model
    from proteus.config import get_config
    Module = Model.get('ir.module')
    if not Module.find([
                ('name', '=', 'termogest_agenda'),
                ('state', '=', 'activated'),
                ]):
        print("termogest_agenda non è attivo: nessuna agenda demo "
            "(ricreare il database con make demo RESET=1).")
        return 0
    Call = Model.get('termogest.call')
    Appointment = Model.get('termogest.appointment')
    Intervention = Model.get('termogest.intervention')
    Note = Model.get('termogest.secretary.note')
    Employee = Model.get('company.employee')
    User = Model.get('res.user')
    Date = Model.get('ir.date')
    context = Call._config.context
    inactive = dict(context, active_test=False)
    if (Call.search([], 0, 1, None, inactive)
            or Appointment.search([], 0, 1, None, inactive)):
        return 0
    start = time.monotonic()
    plants = _read_plants(company)
    if not plants:
        print("Impianti demo assenti: nessuna agenda demo.")
        return 0
    employees = {e['party.']['name']: e['id'] for e in Employee.search_read(
            [('company', '=', company.id)], 0, None, None,
            ['party.name'], context)}
    names = {v: k for k, v in employees.items()}
    for plant in plants:
        plant['technicians'] = {names[i] for i in plant['technician_ids']
            if i in names}
    users = {u['login'].split('.')[-1]: u['id'] for u in User.search_read(
            [('login', 'in', SECRETARIES + [OWNER])], 0, None, None,
            ['login'], context)}
    tz = ZoneInfo(company.timezone or 'Europe/Rome')
    today = Date.today(context)
    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    data = Generator(plants, employees, today, now, tz).build()
    products = create_products(company)

    # Calls
    vlist = []
    for call in data.calls:
        plant = call['plant']
        values = {
            'company': company.id,
            'party': plant['party'],
            'plant': plant['id'],
            'device': call['device']['id'] if call['device'] else None,
            'channel': call['channel'],
            'priority': call['priority'],
            'reason': call['reason'],
            'notes': call['notes'],
            'contact_name': call.get('contact_name'),
            'contact_phone': call.get('contact_phone'),
            'received_at': call['received_at'],
            'requested_date': call.get('requested_date'),
            'received_by': users.get(call['receiver']),
            'source': call['source'],
            'state': call.get('state', 'new'),
            }
        vlist.append({k: v for k, v in values.items() if v is not None})
    for call, id_ in zip(data.calls, _create(Call, vlist, context)):
        call['id'] = id_

    # Appointments: the attention cards would ask for a confirmation
    config = get_config()
    skip_warning, config.skip_warning = config.skip_warning, True
    try:
        vlist = []
        appointments = sorted(data.appointments, key=lambda a: a['start'])
        for appointment in appointments:
            plant = appointment['plant']
            call = appointment.get('call')
            values = {
                'company': company.id,
                'technician': employees[appointment['technician']],
                'start': appointment['start'],
                'end': appointment['end'],
                'kind': appointment['kind'],
                'party': plant['party'],
                'plant': plant['id'],
                'address': plant['address'],
                'devices': [('add', [d['id']
                            for d in appointment['devices']])],
                'description': appointment['description'],
                }
            if call:
                values['call'] = call['id']
            vlist.append(values)
        for appointment, id_ in zip(appointments, _create(
                    Appointment, vlist, context)):
            appointment['id'] = id_
    finally:
        config.skip_warning = skip_warning
    Appointment.confirm([a['id'] for a in appointments
            if a['confirmed']], context)

    # Interventions, numbered by date
    interventions = sorted(data.interventions,
        key=lambda i: (i['date'], i['start_time']))
    vlist = []
    for intervention in interventions:
        plant = intervention['plant']
        appointment = intervention['appointment']
        lines = []
        for code, quantity in intervention['lines']:
            product = products[code]
            lines.append({
                    'product': product['id'],
                    'description': product['name'],
                    'quantity': quantity,
                    'unit': product['unit'],
                    'unit_price': product['price'],
                    })
        values = {
            'company': company.id,
            'appointment': appointment['id'] if appointment else None,
            'technician': employees[intervention['technician']],
            'party': plant['party'],
            'plant': plant['id'],
            'devices': [('add', [d['id'] for d in intervention['devices']])],
            'kind': intervention['kind'],
            'date': intervention['date'],
            'start_time': intervention['start_time'],
            'end_time': intervention['end_time'],
            'travel_time': intervention['travel_time'],
            'description': intervention['description'],
            'labour_hours': intervention['labour_hours'],
            'lines': [('create', lines)],
            }
        if intervention['description']:
            values.update({
                    'outcome': intervention['outcome'],
                    'outcome_notes': intervention['outcome_notes'],
                    })
        vlist.append(values)
    for intervention, id_ in zip(interventions, _create(
                Intervention, vlist, context)):
        intervention['id'] = id_
    # The customer signs on the technician's phone, then the report is
    # closed
    rng = random.Random(SEED)
    signed = {}
    for intervention in interventions:
        if not intervention['signed']:
            continue
        plant = intervention['plant']
        if plant['subject_type'] == 'person':
            signer = plant['party_name']
        else:
            signer = rng.choice(SIGNER_NAMES)
        Intervention.apply_signature([intervention['id']],
            make_signature(rng), signer, True, context)
        signed[intervention['id']] = data.utc(intervention['date'],
            intervention['end_time'].hour * 60
            + intervention['end_time'].minute)
    _backdate_signatures(get_config(), signed)
    Intervention.do([i['id'] for i in interventions
            if i['state'] == 'done'], context)

    # Cancellations and the office's work on the calls
    Appointment.cancel([a['id'] for a in appointments
            if a['state'] == 'cancelled'], context)
    states = {c['id']: c['state'] for c in Call.search_read(
            [('id', 'in', [c['id'] for c in data.calls])], 0, None, None,
            ['state'], context)}
    for state, method in [('to_schedule', Call.to_schedule),
            ('done', Call.done), ('cancelled', Call.cancel)]:
        ids = [c['id'] for c in data.calls if c.get('final') == state
            and states[c['id']] != state]
        for call in data.calls:
            if call['id'] in ids and call.get('cancel_note'):
                Call.write([call['id']], {'notes': '\n'.join(filter(None, [
                                call['notes'], call['cancel_note']]))},
                    context)
        if ids:
            method(ids, context)

    # Secretary notes
    vlist = []
    for note in data.notes:
        values = {
            'text': note['text'],
            'colour': note['colour'],
            'reminder': note['reminder'],
            'user': users.get(note['user'].split('.')[-1]),
            'party': note['plant']['party'] if note['plant'] else None,
            'done': note['done'],
            }
        vlist.append({k: v for k, v in values.items() if v is not None})
    _create(Note, vlist, context)

    states = {}
    for call in Call.search_read([], 0, None, None, ['state'], context):
        states[call['state']] = states.get(call['state'], 0) + 1
    print("Agenda demo: %d chiamate (%s), %d appuntamenti, %d interventi "
        "(%d firmati), %d note create in %.1f s." % (
            len(data.calls), ', '.join('%s %d' % i
                for i in sorted(states.items())),
            len(appointments), len(interventions),
            len([i for i in interventions if i['signed']]),
            len(data.notes), time.monotonic() - start))
    return len(appointments)


if __name__ == '__main__':
    import sys

    from demo_data import connect
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    connect(sys.argv[1])
    from proteus import Model
    company, = Model.get('company.company').find([])
    create_agenda(company)
