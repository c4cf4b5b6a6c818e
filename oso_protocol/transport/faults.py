"""OSO result codes carried in SOAP Faults.

[choice] The public pages do not show how the Traffic Center refuses a call. We answer every
refusal with a SOAP 1.1 Fault (HTTP 500) whose detail holds <osoFout><resultaat>CODE</resultaat>
<omschrijving>Dutch text</omschrijving></osoFout> in the OSO namespace. Codes that appear in the
wiki keep their official spelling; the others are ours and listed in docs/protocol-assumptions.md.
"""
from __future__ import annotations

# Official codes (OSO wiki, sessiecontrole / transfer results)
SESSIE_AFWIJKEND = "SessieAfwijkend"
ONBEKEND_AANLEVERPUNT = "OnbekendAanleverpunt"
SESSIE_REEDS_AFGEMELD = "SessieReedsAfgemeld"
VERSTREKKER_NIET_BEKEND = "VerstrekkerNietBekend"
GEEN_RELATIE_MET_DOEL = "GeenRelatieMetDoel"
LEERLINGINFO_NIET_BESCHIKBAAR = "LeerlinginfoNietBeschikbaar"
LEERLINGINFO_NIET_OPVRAAGBAAR = "LeerlinginfoNietOpvraagbaar"
LEVERING_GEWEIGERD = "LeveringGeweigerd"

# Project codes [choice]
SESSIE_VERLOPEN = "SessieVerlopen"
SESSIE_ONBEKEND = "SessieOnbekend"
GEEN_MANDAAT = "GeenMandaat"
AANLEVERPUNT_INACTIEF = "AanleverpuntInactief"
ONJUIST_DOEL = "OnjuistDoel"
KOPPELSLEUTEL_ONBEKEND = "KoppelsleutelOnbekend"
KOPPELSLEUTEL_REEDS_GEBRUIKT = "KoppelsleutelReedsGebruikt"
DOSSIER_NIET_OPGEHAALD = "DossierNietOpgehaald"
ONJUISTE_OVERDRACHTSOORT = "OnjuisteOverdrachtsoort"
SLEUTEL_KEUZE_ONJUIST = "SleutelKeuzeOnjuist"
DOSSIERVERSIE_ONJUIST = "DossierversieOnjuist"
ONGELDIG_BERICHT = "OngeldigBericht"
BERICHT_TE_GROOT = "BerichtTeGroot"
ONBEKENDE_OPERATIE = "OnbekendeOperatie"
NIET_BEREIKBAAR = "NietBereikbaar"          # client side: the peer could not be reached
ONGELDIG_ANTWOORD = "OngeldigAntwoord"      # client side: the peer answered garbage
INTERNE_FOUT = "InterneFout"
# with mutual TLS: the caller's certificate (OIN) is not that of the system that may make this call
ONJUIST_CERTIFICAAT = "OnjuistCertificaat"

SERVER_SIDE = {INTERNE_FOUT}


class OsoFault(Exception):
    """A refusal with an OSO result code. Raised by handlers, carried as a SOAP Fault.

    faultcode is "Client" (the caller's fault) or "Server"; `received` is True when this fault
    was decoded from a peer's answer rather than raised locally.
    """

    def __init__(self, resultaat: str, omschrijving: str, *, faultcode: str | None = None,
                 received: bool = False):
        super().__init__(f"{resultaat}: {omschrijving}")
        self.resultaat = resultaat
        self.omschrijving = omschrijving
        self.faultcode = faultcode or ("Server" if resultaat in SERVER_SIDE else "Client")
        self.received = received

    def to_dict(self) -> dict:
        return {"resultaat": self.resultaat, "omschrijving": self.omschrijving,
                "faultcode": self.faultcode}
