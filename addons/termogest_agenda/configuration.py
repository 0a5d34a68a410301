# This file is part of TermoGest.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

PRIVACY_NOTICE = (
    "Informativa ai sensi dell'art. 13 del Regolamento (UE) 2016/679 (GDPR): "
    "i dati personali raccolti con il presente rapporto sono trattati dal "
    "centro assistenza, titolare del trattamento, per eseguire "
    "l'intervento richiesto, adempiere agli obblighi di legge (libretto di "
    "impianto, rapporti di efficienza energetica, catasto regionale degli "
    "impianti termici, obblighi fiscali) e gestire le successive "
    "manutenzioni. Il conferimento è necessario per eseguire l'intervento. "
    "I dati sono conservati per il tempo richiesto dalla legge e possono "
    "essere comunicati agli enti competenti per i controlli. "
    "L'interessato può esercitare i diritti degli articoli 15-22 del GDPR "
    "scrivendo al titolare.")


class Configuration(metaclass=PoolMeta):
    __name__ = 'termogest.impianti.configuration'

    call_sequence = fields.Many2One(
        'ir.sequence', "Call Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_agenda', 'sequence_type_call'))])
    intervention_sequence = fields.Many2One(
        'ir.sequence', "Intervention Sequence", required=True,
        domain=[('sequence_type', '=', Id(
                    'termogest_agenda', 'sequence_type_intervention'))])
    privacy_notice = fields.Text(
        "Privacy Notice",
        help="The text the customer accepts when signing a report.")
    privacy_required = fields.Boolean(
        "Privacy Acceptance Required",
        help="A report cannot be signed without accepting the privacy "
        "notice.")

    @classmethod
    def fill_numbers(cls, vlist, field, sequence):
        # A configuration saved before this module lacks its sequences
        pool = Pool()
        Sequence = pool.get('ir.sequence')
        config = cls(1)
        if getattr(config, sequence, None) is None:
            default = getattr(cls, 'default_%s' % sequence)()
            vlist = [v.copy() for v in vlist]
            for values in vlist:
                if not values.get(field):
                    values[field] = Sequence(default).get()
            return vlist
        return super().fill_numbers(vlist, field, sequence)

    @classmethod
    def default_call_sequence(cls):
        return cls._default_sequence('sequence_call', 'termogest_agenda')

    @classmethod
    def default_intervention_sequence(cls):
        return cls._default_sequence(
            'sequence_intervention', 'termogest_agenda')

    @classmethod
    def default_privacy_notice(cls):
        return PRIVACY_NOTICE

    @classmethod
    def default_privacy_required(cls):
        return True
