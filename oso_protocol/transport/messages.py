"""Typed OSO messages of the SWV flow (namespace .../Overstapservice/20200910).

One dataclass per SOAP body element. Field order is the element order on the wire (the message
XSD uses xs:sequence in the same order). `None` means "element absent"; a list field repeats its
element. Names marked [choice] in docs/protocol-assumptions.md were not visible in the public
documentation and were decided by this project.

Roles, fixed for every message whatever the wiki page calls them: bron = the LAS (the school, the
source of the dossier), doel = the SWV system (the target of the dossier). The feedback leg keeps
these names even though the terugkoppeling travels from doel to bron.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

NS_20200910 = "http://xml.kennisnet.nl/schemas/Overstapservice/20200910"
NS = NS_20200910

DOEL_SWV = "SWV"
DOEL_OV = "OV"
OVERDRACHTSOORT_SWV = "SWVaanvraag"

# resultaat values of successful calls
NOTIFICATIE_ONTVANGEN = "NotificatieOntvangen"
SESSIE_VALIDE = "SessieValide"                       # [choice] wiki text: "Sessie is valide"
OVERDRACHT_GESLAAGD = "OverdrachtGeslaagd"
AFMELDING_ONTVANGEN = "AfmeldingOntvangen"           # [choice]
TERUGKOPPELING_ONTVANGEN = "TerugkoppelingOntvangen"  # [choice]
DOSSIER_GELEVERD = "DossierGeleverd"                 # [choice]

# Afmelding results, best first. [choice] The official ranking table was not public.
AFMELDING_RESULTATEN = (
    "OverdrachtGeslaagd",
    "DossierOngeldig",
    "LeveringGeweigerd",
    "LeerlinginfoNietOpvraagbaar",
    "LeerlinginfoNietBeschikbaar",
    "BronNietBereikbaar",
)

# Terugkoppeling status values. [choice] The payload of terugkoppelingRequest was not public.
TERUGKOPPELING_STATUSSEN = (
    "Ontvangen",          # the SWV has the aanvraag
    "InBehandeling",      # being assessed
    "Aanvullen",          # the SWV needs more information from the school
    "Toegekend",          # e.g. TLV or arrangement granted
    "Afgewezen",
    "Afgerond",
)


class Message:
    """Base of every body element. `ELEMENT` is the local name in the OSO namespace."""

    ELEMENT: str = ""
    OPERATION: str = ""  # the WSDL operation this element belongs to

    def field_names(self) -> list[str]:
        return [f.name for f in fields(self)]


# --- nested types ------------------------------------------------------------------------------

@dataclass
class Aanleverpunt:
    """One entry of overzichtAanleverpuntResponse. [choice] fields beyond routeringsKenmerk."""

    routeringsKenmerk: str
    brin: str
    naam: str
    doel: str
    vestigingscode: str | None = None
    systeem: str | None = None
    actief: bool = True
    oin: str | None = None  # [choice] OIN of the system that holds the endpoint (the OSR knows it)


@dataclass
class Document:
    """An attachment, shaped like the gegevensset's document: base64 of a ZIP holding the file."""

    bestandsnaam: str
    bestandsinhoud: str
    omschrijving: str | None = None


@dataclass
class Terugkoppeling:
    """The feedback itself. [choice] the whole content model."""

    status: str
    datum: str                      # xs:dateTime, ISO 8601
    toelichting: str | None = None
    behandelaar: str | None = None
    document: list[Document] = field(default_factory=list)


# --- operations --------------------------------------------------------------------------------

@dataclass
class OverzichtAanleverpuntRequest(Message):
    ELEMENT = "overzichtAanleverpuntRequest"
    OPERATION = "overzichtAanleverpunt"
    brin: str | None = None
    doel: str | None = None
    routeringsKenmerk: str | None = None


@dataclass
class OverzichtAanleverpuntResponse(Message):
    ELEMENT = "overzichtAanleverpuntResponse"
    OPERATION = "overzichtAanleverpunt"
    aanleverpunt: list[Aanleverpunt] = field(default_factory=list)


@dataclass
class MeldenNotificatieRequest(Message):
    ELEMENT = "meldenNotificatieRequest"
    OPERATION = "meldenNotificatie"
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    doel: str = DOEL_SWV


@dataclass
class MeldenNotificatieResponse(Message):
    ELEMENT = "meldenNotificatieResponse"
    OPERATION = "meldenNotificatie"
    koppelsleutel: str
    url: str                         # [choice] the current endpoint URL of the SWV aanleverpunt


@dataclass
class NotificatieRequest(Message):
    ELEMENT = "notificatieRequest"
    OPERATION = "notificatie"
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    doel: str = DOEL_SWV


@dataclass
class NotificatieResponse(Message):
    ELEMENT = "notificatieResponse"
    OPERATION = "notificatie"
    resultaat: str = NOTIFICATIE_ONTVANGEN


@dataclass
class OverdrachtRequest(Message):
    ELEMENT = "overdrachtRequest"
    OPERATION = "overdracht"
    bronBrin: str
    doelBrin: str
    doelRouteringsKenmerk: str
    overdrachtsoort: str = OVERDRACHTSOORT_SWV
    bronRouteringsKenmerk: str | None = None
    zoeksleutel: str | None = None   # exactly one of zoeksleutel / koppelsleutel
    koppelsleutel: str | None = None


@dataclass
class OverdrachtResponse(Message):
    ELEMENT = "overdrachtResponse"
    OPERATION = "overdracht"
    sessieId: str
    bronRouteringsKenmerk: str       # [choice] the LAS aanleverpunt to query, with its URL
    url: str


@dataclass
class DocumentRequest(Message):
    ELEMENT = "documentRequest"
    OPERATION = "document"
    sessieId: str
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    overdrachtsoort: str = OVERDRACHTSOORT_SWV
    dossierVersie: str = "2019.1"    # [choice] the gegevensset version the SWV asks for


@dataclass
class DocumentResponse(Message):
    ELEMENT = "documentResponse"
    OPERATION = "document"
    resultaat: str
    dossierVersie: str
    dossier: str                     # [choice] base64 of the dossier XML bytes, byte-exact


@dataclass
class SessiecontroleRequest(Message):
    ELEMENT = "sessiecontroleRequest"
    OPERATION = "sessiecontrole"
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    overdrachtsoort: str
    sessieId: str


@dataclass
class SessiecontroleResponse(Message):
    ELEMENT = "sessiecontroleResponse"
    OPERATION = "sessiecontrole"
    resultaat: str = SESSIE_VALIDE
    sector: str | None = None        # [choice] PO / VO / SO / SWV


@dataclass
class AfmeldingRequest(Message):
    ELEMENT = "afmeldingRequest"
    OPERATION = "afmelding"
    sessieId: str
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    overdrachtsoort: str
    resultaat: str


@dataclass
class AfmeldingResponse(Message):
    ELEMENT = "afmeldingResponse"
    OPERATION = "afmelding"
    resultaat: str = AFMELDING_ONTVANGEN


@dataclass
class MeldenTerugkoppelingRequest(Message):
    ELEMENT = "meldenTerugkoppelingRequest"
    OPERATION = "meldenTerugkoppeling"
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    doel: str = DOEL_SWV


@dataclass
class MeldenTerugkoppelingResponse(Message):
    ELEMENT = "meldenTerugkoppelingResponse"
    OPERATION = "meldenTerugkoppeling"
    url: str                         # the endpoint URL of the LAS aanleverpunt


@dataclass
class TerugkoppelingRequest(Message):
    ELEMENT = "terugkoppelingRequest"
    OPERATION = "terugkoppeling"
    bronBrin: str
    bronRouteringsKenmerk: str
    doelBrin: str
    doelRouteringsKenmerk: str
    koppelsleutel: str
    terugkoppeling: Terugkoppeling


@dataclass
class TerugkoppelingResponse(Message):
    ELEMENT = "terugkoppelingResponse"
    OPERATION = "terugkoppeling"
    resultaat: str = TERUGKOPPELING_ONTVANGEN


MESSAGE_TYPES: tuple[type[Message], ...] = (
    OverzichtAanleverpuntRequest, OverzichtAanleverpuntResponse,
    MeldenNotificatieRequest, MeldenNotificatieResponse,
    NotificatieRequest, NotificatieResponse,
    OverdrachtRequest, OverdrachtResponse,
    DocumentRequest, DocumentResponse,
    SessiecontroleRequest, SessiecontroleResponse,
    AfmeldingRequest, AfmeldingResponse,
    MeldenTerugkoppelingRequest, MeldenTerugkoppelingResponse,
    TerugkoppelingRequest, TerugkoppelingResponse,
)
BY_ELEMENT: dict[str, type[Message]] = {m.ELEMENT: m for m in MESSAGE_TYPES}

# Which actor serves which operation.
TC_OPERATIONS = ("overzichtAanleverpunt", "meldenNotificatie", "overdracht", "sessiecontrole",
                 "afmelding", "meldenTerugkoppeling")
SWV_OPERATIONS = ("notificatie",)
LAS_OPERATIONS = ("document", "terugkoppeling")
