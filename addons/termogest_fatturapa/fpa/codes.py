# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""FatturaPA 1.2.3 code lists (FATTURAPA.md §3).

Descriptions are those of the XSD enumerations, in Italian.  A test
compares the codes with the enumerations of the official schema.
"""

TIPO_DOCUMENTO = {
    'TD01': "Fattura",
    'TD02': "Acconto / anticipo su fattura",
    'TD03': "Acconto / anticipo su parcella",
    'TD04': "Nota di credito",
    'TD05': "Nota di debito",
    'TD06': "Parcella",
    'TD16': "Integrazione fattura reverse charge interno",
    'TD17': "Integrazione/autofattura per acquisto servizi dall'estero",
    'TD18': "Integrazione per acquisto di beni intracomunitari",
    'TD19': ("Integrazione/autofattura per acquisto di beni "
        "ex art.17 c.2 DPR 633/72"),
    'TD20': ("Autofattura per regolarizzazione e integrazione delle fatture "
        "(ex art. 6 c.9-bis d.lgs. 471/97 o art.46 c.5 D.L. 331/93)"),
    'TD21': "Autofattura per splafonamento",
    'TD22': "Estrazione beni da Deposito IVA",
    'TD23': "Estrazione beni da Deposito IVA con versamento dell'IVA",
    'TD24': ("Fattura differita di cui all'art.21, comma 4, terzo periodo "
        "lett. a) DPR 633/72"),
    'TD25': ("Fattura differita di cui all'art.21, comma 4, terzo periodo "
        "lett. b) DPR 633/72"),
    'TD26': ("Cessione di beni ammortizzabili e per passaggi interni "
        "(ex art.36 DPR 633/72)"),
    'TD27': "Fattura per autoconsumo o per cessioni gratuite senza rivalsa",
    'TD28': "Acquisti da San Marino con IVA (fattura cartacea)",
    'TD29': ("Comunicazione per omessa o irregolare fatturazione da parte "
        "del cedente/prestatore italiano (art. 6, comma 8, D.Lgs. 471/97)"),
    }

# The generic N2, N3 and N6 are still in the XSD but SdI rejects them
# (00445): they are kept apart so that nobody can select them.
NATURA = {
    'N1': "Escluse ex art. 15 DPR 633/72",
    'N2.1': ("Non soggette ad IVA ai sensi degli artt. da 7 a 7-septies "
        "del DPR 633/72"),
    'N2.2': "Non soggette - altri casi",
    'N3.1': "Non imponibili - esportazioni",
    'N3.2': "Non imponibili - cessioni intracomunitarie",
    'N3.3': "Non imponibili - cessioni verso San Marino",
    'N3.4': ("Non imponibili - operazioni assimilate alle cessioni "
        "all'esportazione"),
    'N3.5': "Non imponibili - a seguito di dichiarazioni d'intento",
    'N3.6': ("Non imponibili - altre operazioni che non concorrono alla "
        "formazione del plafond"),
    'N4': "Esenti",
    'N5': "Regime del margine / IVA non esposta in fattura",
    'N6.1': ("Inversione contabile - cessione di rottami e altri materiali "
        "di recupero"),
    'N6.2': ("Inversione contabile - cessione di oro e argento "
        "(L. 7/2000) e oreficeria usata ad OPO"),
    'N6.3': "Inversione contabile - subappalto nel settore edile",
    'N6.4': "Inversione contabile - cessione di fabbricati",
    'N6.5': "Inversione contabile - cessione di telefoni cellulari",
    'N6.6': "Inversione contabile - cessione di prodotti elettronici",
    'N6.7': ("Inversione contabile - prestazioni comparto edile e settori "
        "connessi"),
    'N6.8': "Inversione contabile - operazioni settore energetico",
    'N6.9': "Inversione contabile - altri casi",
    'N7': ("IVA assolta in altro stato UE (telecomunicazioni, "
        "tele-radiodiffusione, servizi elettronici ex art. 7-octies e "
        "74-sexies DPR 633/72)"),
    }
NATURA_GENERIC = {
    'N2': "Non soggette (non più ammesso)",
    'N3': "Non imponibili (non più ammesso)",
    'N6': "Inversione contabile (non più ammesso)",
    }

REGIME_FISCALE = {
    'RF01': "Regime ordinario",
    'RF02': "Regime dei contribuenti minimi (art. 1, c.96-117, L. 244/2007)",
    'RF04': ("Agricoltura e attività connesse e pesca "
        "(artt. 34 e 34-bis DPR 633/72)"),
    'RF05': "Vendita sali e tabacchi (art. 74, c.1, DPR 633/72)",
    'RF06': "Commercio dei fiammiferi (art. 74, c.1, DPR 633/72)",
    'RF07': "Editoria (art. 74, c.1, DPR 633/72)",
    'RF08': ("Gestione di servizi di telefonia pubblica "
        "(art. 74, c.1, DPR 633/72)"),
    'RF09': ("Rivendita di documenti di trasporto pubblico e di sosta "
        "(art. 74, c.1, DPR 633/72)"),
    'RF10': ("Intrattenimenti, giochi e altre attività di cui alla tariffa "
        "allegata al DPR 640/72 (art. 74, c.6, DPR 633/72)"),
    'RF11': "Agenzie di viaggi e turismo (art. 74-ter DPR 633/72)",
    'RF12': "Agriturismo (art. 5, c.2, L. 413/1991)",
    'RF13': "Vendite a domicilio (art. 25-bis, c.6, DPR 600/73)",
    'RF14': ("Rivendita di beni usati, di oggetti d'arte, d'antiquariato o "
        "da collezione (art. 36 DL 41/1995)"),
    'RF15': ("Agenzie di vendite all'asta di oggetti d'arte, antiquariato o "
        "da collezione (art. 40-bis DL 41/1995)"),
    'RF16': "IVA per cassa P.A. (art. 6, c.5, DPR 633/72)",
    'RF17': "IVA per cassa (art. 32-bis DL 83/2012)",
    'RF18': "Altro",
    'RF19': "Regime forfettario",
    'RF20': ("Regime transfrontaliero di Franchigia IVA "
        "(Direttiva UE 2020/285)"),
    }

MODALITA_PAGAMENTO = {
    'MP01': "contanti",
    'MP02': "assegno",
    'MP03': "assegno circolare",
    'MP04': "contanti presso Tesoreria",
    'MP05': "bonifico",
    'MP06': "vaglia cambiario",
    'MP07': "bollettino bancario",
    'MP08': "carta di pagamento",
    'MP09': "RID",
    'MP10': "RID utenze",
    'MP11': "RID veloce",
    'MP12': "RIBA",
    'MP13': "MAV",
    'MP14': "quietanza erario",
    'MP15': "giroconto su conti di contabilità speciale",
    'MP16': "domiciliazione bancaria",
    'MP17': "domiciliazione postale",
    'MP18': "bollettino di c/c postale",
    'MP19': "SEPA Direct Debit",
    'MP20': "SEPA Direct Debit CORE",
    'MP21': "SEPA Direct Debit B2B",
    'MP22': "Trattenuta su somme già riscosse",
    'MP23': "PagoPA",
    }

CONDIZIONI_PAGAMENTO = {
    'TP01': "pagamento a rate",
    'TP02': "pagamento completo",
    'TP03': "anticipo",
    }

ESIGIBILITA_IVA = {
    'I': "esigibilità immediata",
    'D': "esigibilità differita",
    'S': "scissione dei pagamenti",
    }


def selection(codes):
    "Return the (code, 'code - description') list of a Selection field"
    return [(code, '%s - %s' % (code, description))
        for code, description in codes.items()]
