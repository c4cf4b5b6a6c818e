"""The catalogue of deliberate defects of our own LAS and SWV, and what should catch them.

Each defect breaks one rule in las_client/defects.py or swv_mock/defects.py. Run the actor as an
external system under test with it (`oso-sim serve las|swv ... --defect NAME`) and the
conformance suite must fail the scenarios listed here: that is the proof that the suite can fail.
Scenario names are the `Scenario:` and `Abstract Scenario:` titles in features/*.feature (Dutch
Gherkin), outlines with their <placeholders> as written. A defect with no scenarios is one the suite does not catch yet.

One name may exist for both roles (garble_terugkoppeling): a defect is known by role and name.
"""
from __future__ import annotations

from dataclasses import dataclass

LAS, SWV, TC = "las", "swv", "tc"

# scenario titles, once each, so a renamed scenario is one edit here
GELDIG = "Een <sector>-dossier met <blokken> gegevensblokken is geldig"
OPT_UIT = "Niet aangevinkte optionele blokken komen als OPT-UIT en afwezig aan (<sector>)"
VVE_AANGEVINKT = "Ook een aangevinkt VVE-blok komt niet in een VO-dossier"
VO_ZONDER_VVE = "Een VO-dossier bevat geen VVE"
PROFIELMATRIX = "Het dossier volgt de profielmatrix van <profiel>"
LAS_ACTIEVE_AANLEVERPUNTEN = "De LAS biedt alleen actieve SWV-aanleverpunten aan"
GEEN_SWV_MANDAAT = "Een school waarvan het SWV-systeem geen mandaat heeft kan niet verzenden"
GEEN_LAS_MANDAAT = "Een school waarvan het LAS geen mandaat heeft kan niet verzenden"
WIJZIGING_GEWEIGERD = "Elke wijziging van een verzonden zorgvraag wordt geweigerd (<veld>)"
MOMENTOPNAME = "Het SWV haalt de momentopname van het verzendmoment op"
NIEUWE_ZORGVRAAG = "Een nieuwe zorgvraag neemt de gewijzigde gegevens mee"
GEEN_PGN = "Het dossier bevat geen PGN van een leerling <soort>"
SWV_KEURT_BSN_AF = "Het SWV keurt een dossier met een BSN af"
SWV_SESSIE = "Het SWV haalt het dossier op met een sessie en meldt de sessie af"
ZONDER_SESSIE = "Een documentRequest zonder geldige sessie wordt geweigerd"
ANDERE_KOPPELSLEUTEL = "Een sessie voor een andere koppelsleutel wordt geweigerd"
NA_AFMELDING = "Na afmelding levert de LAS niet meer"
SESSIECONTROLE_STORING = "De LAS levert niet als de sessiecontrole niet lukt"
TERUGKOPPELING_BEREIKT_LAS = "De terugkoppeling bereikt de LAS"
LAS_WEIGERT_ONBEKENDE_TERUGKOPPELING = ("De LAS weigert een terugkoppeling met een onbekende"
                                        " koppelsleutel")
ZONDER_TOELICHTING = "Zonder toelichting kan een zorgvraag niet worden verzonden"
MET_TOELICHTING = "Met toelichting ontvangt het SWV de toelichting in het dossier"
VOLLEDIGE_UITWISSELING = "Zorgvraag, ophalen en terugkoppeling"
VERWIJDERD = "Een verwijderde zorgvraag verdwijnt uit het overzicht en is niet meer op te halen"
DOSSIER_ALLEEN_AAN_DOEL = "De LAS levert het dossier alleen aan het systeem van de sessie (<certificaat>)"
TERUGKOPPELING_ALLEEN_VAN_DOEL = "De LAS neemt een terugkoppeling alleen aan van het systeem van het doel"
TC_ACTIEVE_AANLEVERPUNTEN = "De TC biedt alleen actieve SWV-aanleverpunten aan"
TC_INACTIEF_DOEL = "meldenNotificatie naar een inactief aanleverpunt wordt geweigerd"
TC_CONTROLE_NA_AFMELDING = "sessiecontrole na afmelding geeft SessieReedsAfgemeld"
TC_CONTROLE_AFWIJKEND = "sessiecontrole met afwijkende gegevens geeft SessieAfwijkend"
TC_TERUGKOPPELING_VOOR_OPHALEN = "Een terugkoppeling voordat het dossier is opgehaald wordt geweigerd"
TC_TERUGKOPPELING_ONBEKEND = "Een terugkoppeling met een onbekende koppelsleutel wordt geweigerd"
TC_TERUGKOPPELING_ANDER_SWV = "Een terugkoppeling van een SWV dat de notificatie niet ontving wordt geweigerd"
EXTRA_BIJLAGEN = "Extra bijlagen komen aan in de bijlagedocumenten"
TERUGKOPPELING_MET_DOCUMENT = "Een terugkoppeling met een document"
SWV_WEIGERT_ONUITGEGEVEN = "Het SWV weigert een notificatie met een koppelsleutel die de TC niet uitgaf"
BEDIENDE_SESSIE_AFGEMELD = ("Een sessie waarmee de LAS al leverde en die is afgemeld levert niet"
                            " opnieuw")
VERZONNEN_SESSIE_NA_LEVERING = "Een verzonnen sessieId wordt ook na een geslaagde levering geweigerd"
LAS_TERUGKOPPELING_VOOR_OPHALEN = "De LAS weigert een terugkoppeling voordat het dossier is opgehaald"
ELK_BERICHT_EEN_KEER = "De LAS stuurt elk bericht van een zorgvraag precies één keer"
NOTIFICATIE_KOPPELSLEUTEL = "De notificatie noemt de koppelsleutel die de TC uitgaf"
BRON_IS_SCHOOL = "De LAS noemt de school van de leerling als bron (<sector>)"
SWV_ELK_BERICHT_EEN_KEER = "Het SWV haalt elk dossier één keer op, in de volgorde van OSO"
SWV_NEEMT_AAN = "Het SWV neemt <dossier> aan"
DUBBELE_NOTIFICATIE = "Dezelfde notificatie twee keer geeft één aanvraag en één keer ophalen"
LAS_WEIGERT = "De LAS weigert met <resultaat>"
SWV_KEURT_AF = "Het SWV keurt <inhoud> af"
VERLOPEN_SESSIE = "Na een verlopen sessie vraagt het SWV een nieuwe sessie aan"
TC_STORING = "Is de TC even niet bereikbaar, dan vraagt het SWV later opnieuw een sessie aan"
LAS_STORING = "Is de LAS even niet bereikbaar, dan haalt het SWV later één keer op"
ANDER_AANLEVERPUNT = "Het SWV weigert een koppelsleutel die de TC uitgaf voor een ander SWV-aanleverpunt"
NOTIFICATIE_VAN_SCHOOL = "Het SWV neemt een notificatie alleen aan van het systeem van de school"
BEDRIEGER = "Het SWV haalt niet op bij een LAS met <servercertificaat>"
TERUGKOPPELING_EERST_GEMELD = "Het SWV meldt de terugkoppeling bij de TC voordat het die naar de LAS stuurt"


@dataclass(frozen=True)
class Defect:
    naam: str
    rol: str                     # las | swv
    beschrijving: str            # one Dutch line, for the report
    scenarios: tuple[str, ...]   # the scenarios meant to fail with this defect
    tls: bool = False            # played over mutual TLS (the identity scenarios need it)

    @property
    def sleutel(self) -> str:
        return f"{self.rol}:{self.naam}"


def _d(rol: str, naam: str, beschrijving: str, *scenarios: str, tls: bool = False) -> Defect:
    return Defect(naam, rol, beschrijving, scenarios, tls)


CATALOGUS: tuple[Defect, ...] = (
    # --- LAS: PGN in het dossier ---
    _d(LAS, "leak_pgn", "Zet het BSN (anders het onderwijsnummer) van de leerling als <bsn> in het"
       " dossier.", GEEN_PGN,
       GELDIG),
    # the VO pupil of the default data has an onderwijsnummer too: its dossier fails validation
    _d(LAS, "leak_onderwijsnummer", "Zet het onderwijsnummer van de leerling als <onderwijsnummer>"
       " in het dossier.", GEEN_PGN, GELDIG),
    _d(LAS, "pgn_in_tekst", "Schrijft het BSN van de leerling in de omschrijving van de toelichting,"
       " een vrij tekstveld dat altijd meereist.", GEEN_PGN),
    _d(LAS, "pgn_in_bijlagenaam", "Zet het BSN van de leerling in de bestandsnaam van de toelichting"
       " in het dossier.", GEEN_PGN),
    _d(LAS, "pgn_in_bijlage", "Zet een regel met het BSN van de leerling in de PDF van de"
       " toelichting in het dossier.", GEEN_PGN),
    # --- LAS: toelichting onderwijsbehoeften ---
    _d(LAS, "send_without_toelichting", "Verstuurt een zorgvraag zonder toelichting in plaats van"
       " te weigeren.", ZONDER_TOELICHTING),
    _d(LAS, "drop_toelichting", "Verstuurt wel, maar laat de toelichting uit het dossier weg.",
       MET_TOELICHTING, GELDIG, EXTRA_BIJLAGEN),
    # --- LAS: onveranderlijk en momentopname ---
    _d(LAS, "change_after_send", "Een verzonden zorgvraag kan nog worden gewijzigd (PATCH wordt"
       " aanvaard en opgeslagen).", WIJZIGING_GEWEIGERD),
    _d(LAS, "live_dossier", "Levert bij documentRequest een dossier uit de huidige"
       " leerlinggegevens in plaats van de momentopname.", MOMENTOPNAME),
    _d(LAS, "stale_new_zorgvraag", "Een nieuwe zorgvraag voor dezelfde leerling hergebruikt de"
       " momentopname van de vorige.", NIEUWE_ZORGVRAAG,
       # the bijlagen scenario sends for a pupil that already had a zorgvraag in the run
       EXTRA_BIJLAGEN),
    _d(LAS, "serve_deleted", "Levert het dossier van een verwijderde zorgvraag nog bij"
       " documentRequest.", VERWIJDERD),
    # --- LAS: sessiecontrole ---
    _d(LAS, "skip_sessiecontrole", "Levert het dossier zonder de sessie bij de TC te controleren.",
       ZONDER_SESSIE, ANDERE_KOPPELSLEUTEL, NA_AFMELDING, SESSIECONTROLE_STORING,
       VOLLEDIGE_UITWISSELING, ELK_BERICHT_EEN_KEER, BEDIENDE_SESSIE_AFGEMELD, VERZONNEN_SESSIE_NA_LEVERING),
    _d(LAS, "ignore_sessie_afwijkend", "Behandelt het antwoord SessieAfwijkend van de"
       " sessiecontrole als geldig.", ANDERE_KOPPELSLEUTEL),
    _d(LAS, "serve_after_afmelding", "Behandelt het antwoord SessieReedsAfgemeld van de"
       " sessiecontrole als geldig.", NA_AFMELDING, BEDIENDE_SESSIE_AFGEMELD),
    _d(LAS, "fail_open", "Levert het dossier toch als de sessiecontrole niet lukt (TC"
       " onbereikbaar, HTTP 5xx, geen SOAP-antwoord).", SESSIECONTROLE_STORING),
    _d(LAS, "serve_served_session", "Onthoudt een sessie waarmee zij al leverde en levert daarmee"
       " opnieuw zonder sessiecontrole, ook na de afmelding.", BEDIENDE_SESSIE_AFGEMELD),
    _d(LAS, "any_session_after_fetch", "Levert een al opgehaald dossier bij elk sessieId: het"
       " antwoord SessieOnbekend van de sessiecontrole telt dan als geldig.",
       VERZONNEN_SESSIE_NA_LEVERING),
    _d(LAS, "double_sessiecontrole", "Controleert de sessie van elk documentRequest twee keer bij"
       " de TC.", ELK_BERICHT_EEN_KEER, BEDIENDE_SESSIE_AFGEMELD, VERZONNEN_SESSIE_NA_LEVERING),
    # --- LAS: terugkoppeling ontvangen ---
    _d(LAS, "drop_terugkoppeling", "Bevestigt een terugkoppeling (TerugkoppelingOntvangen) maar"
       " slaat hem niet op.", TERUGKOPPELING_BEREIKT_LAS, TERUGKOPPELING_MET_DOCUMENT),
    _d(LAS, "garble_terugkoppeling", "Slaat de terugkoppeling op met de toelichting afgekapt op 20"
       " tekens.", TERUGKOPPELING_BEREIKT_LAS, TERUGKOPPELING_MET_DOCUMENT),
    _d(LAS, "accept_unknown_terugkoppeling", "Aanvaardt een terugkoppeling voor een koppelsleutel"
       " die zij nooit verstuurde.", LAS_WEIGERT_ONBEKENDE_TERUGKOPPELING),
    _d(LAS, "terugkoppeling_before_fetch", "Aanvaardt een terugkoppeling voor een zorgvraag waarvan"
       " het dossier nog niet is opgehaald.", LAS_TERUGKOPPELING_VOOR_OPHALEN),
    # --- LAS: aanleverpunten en notificatie ---
    _d(LAS, "offer_inactive_aanleverpunt", "Biedt bij de aanleverpuntselectie ook inactieve"
       " aanleverpunten aan, uit een eigen lijst in plaats van het antwoord van de TC.",
       LAS_ACTIEVE_AANLEVERPUNTEN),
    _d(LAS, "report_sent_on_refusal", "Toont een zorgvraag als verstuurd (Notificatie verstuurd: Ja)"
       " terwijl de TC de meldenNotificatie weigerde.", GEEN_SWV_MANDAAT, GEEN_LAS_MANDAAT),
    _d(LAS, "skip_overzicht", "Verstuurt de notificatie zonder eerst overzichtAanleverpunt bij de"
       " TC te vragen.", VOLLEDIGE_UITWISSELING),
    # the second koppelsleutel is never notified, which the koppelsleutel check sees too
    _d(LAS, "melden_twice", "Vraagt voor elke zorgvraag twee keer een koppelsleutel bij de TC"
       " (meldenNotificatie) en gebruikt alleen de eerste.", ELK_BERICHT_EEN_KEER,
       NOTIFICATIE_KOPPELSLEUTEL),
    _d(LAS, "notify_twice", "Stuurt elke notificatie twee keer naar het SWV.",
       ELK_BERICHT_EEN_KEER),
    # the SWV refuses a key the TC never issued: every scenario in which the SWV fetches fails
    _d(LAS, "notify_wrong_koppelsleutel", "Noemt in de notificatie een zelfgemaakte koppelsleutel in"
       " plaats van die van de TC.", NOTIFICATIE_KOPPELSLEUTEL,
       ELK_BERICHT_EEN_KEER, GELDIG, OPT_UIT, VO_ZONDER_VVE, PROFIELMATRIX, NIEUWE_ZORGVRAAG, GEEN_PGN,
       MET_TOELICHTING, TERUGKOPPELING_BEREIKT_LAS, LAS_WEIGERT_ONBEKENDE_TERUGKOPPELING,
       VOLLEDIGE_UITWISSELING, EXTRA_BIJLAGEN, TERUGKOPPELING_MET_DOCUMENT),
    _d(LAS, "wrong_bron_school", "Noemt voor elke zorgvraag de eerste school van de LAS als bron"
       " (BRIN en LAS-aanleverpunt), ook voor een leerling van een andere school.", BRON_IS_SCHOOL),
    # --- LAS: inhoud van het dossier ---
    _d(LAS, "vve_in_vo", "Zet een aangevinkt VVE-blok in een VO-dossier (gedeclareerd OPTIONEEL,"
       " met gegevens).", VVE_AANGEVINKT),
    # optional in OSO, mandatory for a LAS that claims it ([sut] ondersteunt = ["extra_bijlagen"])
    _d(LAS, "drop_bijlagen", "Laat de extra bijlagen die de school toevoegde uit het dossier weg,"
       " terwijl de LAS extra bijlagen zegt te ondersteunen.", EXTRA_BIJLAGEN),
    _d(LAS, "optional_blocks_always", "Stuurt niet aangevinkte optionele gegevensblokken toch mee"
       " (gedeclareerd OPTIONEEL, met gegevens).", OPT_UIT),
    _d(LAS, "wrong_profile", "Declareert in metadata/overstap het verkeerde profiel (VO-dossier"
       " POSWV, PO-dossier VOSWV).", PROFIELMATRIX,
       GELDIG, EXTRA_BIJLAGEN),
    _d(LAS, "invalid_codelist", "Geeft een verplichte code in het dossier een waarde buiten de"
       " codelijst (geslacht 9).", GELDIG, EXTRA_BIJLAGEN),
    # --- SWV ---
    _d(SWV, "skip_afmelding", "Meldt de sessie nooit af bij de TC.",
       LAS_WEIGERT, TERUGKOPPELING_BEREIKT_LAS, DUBBELE_NOTIFICATIE, TERUGKOPPELING_MET_DOCUMENT,
       SWV_ELK_BERICHT_EEN_KEER, SWV_SESSIE, SWV_KEURT_AF, SWV_KEURT_BSN_AF,
       TERUGKOPPELING_EERST_GEMELD, SWV_NEEMT_AAN, SWV_WEIGERT_ONUITGEGEVEN, LAS_STORING, TC_STORING,
       VERLOPEN_SESSIE, VOLLEDIGE_UITWISSELING, ANDER_AANLEVERPUNT),
    _d(SWV, "skip_overdracht", "Vraagt het dossier bij de LAS op zonder sessie van de TC (een"
       " verzonnen sessieId).",
       LAS_WEIGERT, TERUGKOPPELING_BEREIKT_LAS, DUBBELE_NOTIFICATIE, TERUGKOPPELING_MET_DOCUMENT,
       SWV_ELK_BERICHT_EEN_KEER, SWV_SESSIE, SWV_KEURT_AF, SWV_KEURT_BSN_AF,
       TERUGKOPPELING_EERST_GEMELD, SWV_NEEMT_AAN, ANDER_AANLEVERPUNT, SWV_WEIGERT_ONUITGEGEVEN,
       LAS_STORING, TC_STORING, MET_TOELICHTING, VERLOPEN_SESSIE, VOLLEDIGE_UITWISSELING),
    _d(SWV, "overdracht_met_zoeksleutel", "Vraagt de sessie aan met een zoeksleutel in plaats van"
       " de koppelsleutel.",
       LAS_WEIGERT, TERUGKOPPELING_BEREIKT_LAS, DUBBELE_NOTIFICATIE, TERUGKOPPELING_MET_DOCUMENT,
       SWV_ELK_BERICHT_EEN_KEER, SWV_SESSIE, SWV_KEURT_AF, SWV_KEURT_BSN_AF,
       TERUGKOPPELING_EERST_GEMELD, SWV_NEEMT_AAN, SWV_WEIGERT_ONUITGEGEVEN, LAS_STORING, TC_STORING,
       MET_TOELICHTING, VERLOPEN_SESSIE, VOLLEDIGE_UITWISSELING, ANDER_AANLEVERPUNT),
    _d(SWV, "afmelding_fout_resultaat", "Meldt een goed opgehaald dossier af met DossierOngeldig in"
       " plaats van OverdrachtGeslaagd.",
       TERUGKOPPELING_BEREIKT_LAS, DUBBELE_NOTIFICATIE, TERUGKOPPELING_MET_DOCUMENT,
       SWV_ELK_BERICHT_EEN_KEER, SWV_SESSIE, SWV_KEURT_BSN_AF, TERUGKOPPELING_EERST_GEMELD,
       SWV_NEEMT_AAN, SWV_WEIGERT_ONUITGEGEVEN, LAS_STORING, TC_STORING, VERLOPEN_SESSIE,
       VOLLEDIGE_UITWISSELING, ANDER_AANLEVERPUNT),
    _d(SWV, "accept_pgn", "Keurt een dossier met een BSN goed en meldt het af met"
       " OverdrachtGeslaagd (slaat PaO.LL12 over).", SWV_KEURT_BSN_AF),
    _d(SWV, "skip_melden_terugkoppeling", "Stuurt de terugkoppeling naar de LAS zonder"
       " meldenTerugkoppeling bij de TC.",
       TERUGKOPPELING_BEREIKT_LAS, TERUGKOPPELING_MET_DOCUMENT, TERUGKOPPELING_EERST_GEMELD,
       VOLLEDIGE_UITWISSELING),
    _d(SWV, "garble_terugkoppeling", "Stuurt een andere status mee dan de gevraagde.",
       TERUGKOPPELING_BEREIKT_LAS, TERUGKOPPELING_MET_DOCUMENT),
    _d(SWV, "accept_unknown_koppelsleutel", "Neemt een notificatie aan voor een koppelsleutel die"
       " de TC nooit uitgaf.",
       ANDER_AANLEVERPUNT, SWV_WEIGERT_ONUITGEGEVEN),
    _d(SWV, "fetch_twice", "Haalt hetzelfde dossier twee keer op binnen zijn sessie.",
       SWV_ELK_BERICHT_EEN_KEER, DUBBELE_NOTIFICATIE, TC_STORING, LAS_STORING),
    _d(SWV, "fetch_on_every_notificatie", "Haalt het dossier opnieuw op bij elke herhaalde notificatie.",
       DUBBELE_NOTIFICATIE),
    _d(SWV, "succeed_on_refusal", "Meldt af met OverdrachtGeslaagd als de LAS de levering weigert.",
       LAS_WEIGERT),
    _d(SWV, "refusal_as_levering_geweigerd", "Meldt elke weigering van de LAS af als LeveringGeweigerd,"
       " niet met het resultaat van de LAS.", LAS_WEIGERT),
    _d(SWV, "accept_not_xml", "Bewaart bytes die geen XML zijn en meldt af met OverdrachtGeslaagd.",
       SWV_KEURT_AF),
    _d(SWV, "accept_schema_invalid", "Bewaart een dossier dat niet aan het schema voldoet, in een andere"
       " namespace of van een oudere versie, en meldt af met OverdrachtGeslaagd.", SWV_KEURT_AF),
    _d(SWV, "keep_pgn_dossier", "Meldt een dossier met een BSN af met DossierOngeldig, maar bewaart het.",
       SWV_KEURT_BSN_AF),
    _d(SWV, "no_new_session", "Geeft het op na SessieVerlopen van de LAS in plaats van een nieuwe sessie"
       " aan te vragen.", VERLOPEN_SESSIE),
    _d(SWV, "no_retry_las", "Meldt meteen af met BronNietBereikbaar als de LAS niet antwoordt en probeert"
       " het niet opnieuw.", LAS_STORING),
    _d(SWV, "no_retry_tc", "Weigert de notificatie als de TC niet antwoordt en probeert het niet opnieuw.",
       TC_STORING),
    _d(SWV, "accept_foreign_koppelsleutel", "Weigert bij de controle bij de TC alleen een onbekende"
       " koppelsleutel; een sleutel voor een ander SWV-aanleverpunt neemt het aan.", ANDER_AANLEVERPUNT),
    _d(SWV, "terugkoppeling_before_melden", "Stuurt de terugkoppeling eerst naar de LAS en meldt haar pas"
       " daarna bij de TC.", TERUGKOPPELING_EERST_GEMELD),
    _d(SWV, "reject_vo_profile", "Keurt een geldig VO-dossier (profiel VOSWV) af met DossierOngeldig.",
       SWV_NEEMT_AAN),
    _d(SWV, "small_message_limit", "Weigert een documentResponse boven 4 MiB, terwijl een bericht tot"
       " 16 MiB mag zijn.", SWV_NEEMT_AAN),
    # --- SWV: identiteit met certificaten (gespeeld over wederzijdse TLS) ---
    _d(SWV, "accept_any_caller", "Neemt een notificatie aan van elk systeem met een certificaat van de"
       " PKI, niet alleen van het systeem van de school.", NOTIFICATIE_VAN_SCHOOL, tls=True),
    _d(SWV, "skip_server_verification", "Controleert het servercertificaat van de LAS niet en stuurt"
       " zijn documentRequest met sessieId ook naar een LAS met een verlopen certificaat of van een"
       " onbekende CA.", BEDRIEGER, tls=True),
    _d(SWV, "late_skip_server_verification", "Controleert het servercertificaat van de LAS niet en"
       " stuurt zijn documentRequest met sessieId pas na 3 s naar een LAS met een verlopen certificaat"
       " of van een onbekende CA.", BEDRIEGER, tls=True),
    # --- LAS: identiteit met certificaten (gespeeld over wederzijdse TLS) ---
    _d(LAS, "ignore_caller_certificate", "Levert het dossier bij een geldige sessie zonder na te gaan"
       " of het certificaat van de beller bij het doel van de sessie hoort.", DOSSIER_ALLEEN_AAN_DOEL,
       tls=True),
    _d(LAS, "accept_foreign_terugkoppeling", "Neemt een terugkoppeling aan van elk systeem met een"
       " geldig certificaat, niet alleen van het doel.", TERUGKOPPELING_ALLEEN_VAN_DOEL, tls=True),
    _d(LAS, "no_client_certificate_check", "Vraagt geen clientcertificaat (TLS zonder wederzijdse"
       " controle) en controleert de beller niet.", DOSSIER_ALLEEN_AAN_DOEL,
       TERUGKOPPELING_ALLEEN_VAN_DOEL, tls=True),
    # --- TC (no vendor plays it: the simulated TC is broken in a self-test, oso_mock/defects.py) ---
    _d(TC, "offer_inactive", "Noemt bij overzichtAanleverpunt ook inactieve aanleverpunten.",
       TC_ACTIEVE_AANLEVERPUNTEN),
    _d(TC, "accept_inactive_doel", "Geeft een koppelsleutel uit voor een inactief SWV-aanleverpunt.",
       TC_INACTIEF_DOEL),
    _d(TC, "controle_na_afmelding", "Noemt een afgemelde sessie bij sessiecontrole nog valide.",
       TC_CONTROLE_NA_AFMELDING, NA_AFMELDING, BEDIENDE_SESSIE_AFGEMELD),
    _d(TC, "controle_negeert_afwijking", "Noemt een sessie valide ook als bron, doel of koppelsleutel"
       " afwijken.", TC_CONTROLE_AFWIJKEND, ANDERE_KOPPELSLEUTEL),
    _d(TC, "terugkoppeling_voor_ophalen", "Neemt meldenTerugkoppeling aan voordat het dossier is"
       " opgehaald.", TC_TERUGKOPPELING_VOOR_OPHALEN),
    _d(TC, "terugkoppeling_onbekende_koppelsleutel", "Neemt meldenTerugkoppeling aan voor een"
       " koppelsleutel die het nooit uitgaf.", TC_TERUGKOPPELING_ONBEKEND),
    _d(TC, "terugkoppeling_van_elk_swv", "Neemt meldenTerugkoppeling aan van een SWV-aanleverpunt"
       " dat de notificatie niet kreeg.", TC_TERUGKOPPELING_ANDER_SWV),
)

_BY_KEY = {d.sleutel: d for d in CATALOGUS}


class OnbekendDefect(ValueError):
    """A defect name this role does not know; the message is Dutch."""


def voor_rol(rol: str) -> tuple[Defect, ...]:
    return tuple(d for d in CATALOGUS if d.rol == rol)


def defect(rol: str, naam: str) -> Defect:
    try:
        return _BY_KEY[f"{rol}:{naam}"]
    except KeyError:
        raise OnbekendDefect(_onbekend(rol, [naam])) from None


def controleer(rol: str, namen) -> frozenset[str]:
    """The names as a set, or OnbekendDefect naming the unknown ones and the known ones."""
    namen = frozenset(namen or ())
    onbekend = sorted(n for n in namen if f"{rol}:{n}" not in _BY_KEY)
    if onbekend:
        raise OnbekendDefect(_onbekend(rol, onbekend))
    return namen


def _onbekend(rol: str, namen) -> str:
    bekend = [d.naam for d in voor_rol(rol)]
    if not bekend:
        return f"de rol {rol} kent geen defecten (--defect is er alleen voor las en swv)"
    return (f"onbekend defect voor {rol}: {', '.join(namen)}. Bekende defecten: "
            f"{', '.join(bekend)}")
