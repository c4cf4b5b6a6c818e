"""What a LAS can answer an SWV: the one definition of each LAS the harness plays towards an SWV
under test, well-behaved or not. The conformance scenarios (features/swv_*.feature) and the test
school (harness/testschool) both take their LAS from here, so the certification and the school a
vendor clicks through cannot drift apart.

Each behaviour names what the LAS serves on a documentRequest (a dossier, or a refusal), what it
does to the first request (answers as if the session expired, or is not reachable), and what a
correct SWV does then: the afmelding result it signs off with and whether it keeps the dossier.
"""
from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from oso_protocol.dossier import build_dossier
from oso_protocol.dossier.categories import PROFILE_MATRIX, OPTIONEEL
from oso_protocol.dossier.model import Attachment
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.dossier.version import GegevenssetVersion
from oso_protocol.synthetic import make_leerling, make_school
from oso_protocol.synthetic.pdf import pdf_bytes
from oso_protocol.transport import codec
from oso_protocol.transport.messages import OVERDRACHT_GESLAAGD

DOSSIER_ONGELDIG = "DossierOngeldig"
LEERLINGINFO_NIET_BESCHIKBAAR = "LeerlinginfoNietBeschikbaar"
LEERLINGINFO_NIET_OPVRAAGBAAR = "LeerlinginfoNietOpvraagbaar"
LEVERING_GEWEIGERD = "LeveringGeweigerd"
SESSIE_VERLOPEN = "SessieVerlopen"

# The first documentRequest of a zorgvraag, before the LAS answers as it normally does
EERST_VERLOPEN = "sessie-verlopen"      # the session it names is treated as expired, for good
EERST_ONBEREIKBAAR = "onbereikbaar"     # HTTP 503 with an HTML page, as a proxy before a LAS that is down

SOAP_LIMIT = codec.DEFAULT_MAX_BYTES     # docs/protocol-assumptions.md row 27

# [choice] a dossier of an older OSO vocabulary: gegevensset 2018.1, the release before 2019.1,
# in its own namespace (docs: oso-dossier.md, namespace history)
V2018_1 = GegevenssetVersion(name="2018.1", namespace="http://www.edustandaard.nl/oso_gegevensset/2018/dossier",
                             standaardversie="2018.1", validatieversie="2018.1.1")
ANDERE_NAMESPACE = GegevenssetVersion(name="2019.1", namespace="urn:voorbeeld:leerlingdossier",
                                      standaardversie="2019.1", validatieversie="2019.1.1")


@dataclass(frozen=True)
class LasBehaviour:
    naam: str                        # as written in the scenarios' Examples and the test school
    titel: str                       # Dutch, for the test school's listing
    afmelding: str                   # the result a correct SWV signs off with
    bewaard: bool                    # whether a correct SWV keeps the dossier
    fout: str | None = None          # the LAS refuses the documentRequest with this result code
    eerst: str | None = None         # what happens to the first documentRequest (EERST_*)
    profiel: str = "POSWV"

    @property
    def verwacht(self) -> str:
        """What a correct SWV does, in Dutch."""
        if self.fout:
            return f"meldt af met {self.afmelding} en bewaart geen dossier"
        if self.eerst == EERST_VERLOPEN:
            return f"vraagt een nieuwe sessie aan, haalt op en meldt af met {self.afmelding}"
        if self.eerst == EERST_ONBEREIKBAAR:
            return f"probeert het later opnieuw, haalt één keer op en meldt af met {self.afmelding}"
        if not self.bewaard:
            return f"keurt het af, meldt af met {self.afmelding} en bewaart het niet"
        return f"haalt het op en meldt af met {self.afmelding}"

    def dossier(self) -> bytes | None:
        """What the LAS serves (None for a refusal)."""
        return None if self.fout else _DOSSIERS[self.naam]()


def _toelichting() -> Attachment:
    return Attachment(bestandsnaam="Toelichting onderwijsbehoeften.pdf",
                      content=pdf_bytes("Toelichting onderwijsbehoeften", ["Ondersteuningsbehoefte lezen."]))


def _dossier(profile: str = "POSWV", blokken=(), bijlagen=(), version=None) -> bytes:
    seed = 7 if profile == "POSWV" else 8
    school = make_school(seed, profile)
    leerling = make_leerling(seed, profile, school=school, bsn=False, onderwijsnummer=False)
    extra = {"version": version} if version else {}
    return build_dossier(leerling, school, profile=profile, gegevensblokken=list(blokken),
                         toelichting=_toelichting(), bijlagen=list(bijlagen), **extra)


def _alle_blokken() -> bytes:
    blokken = [cat for cat, v in PROFILE_MATRIX["POSWV"].items() if v == OPTIONEEL]
    return _dossier(blokken=blokken)


def _schema_ongeldig() -> bytes:
    """A valid dossier with one element the schema does not know, right after metadata."""
    root = etree.fromstring(_dossier())
    ns = etree.QName(root).namespace
    root.insert(1, etree.Element(f"{{{ns}}}onbekendGegeven"))
    root[1].text = "niet in het schema"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


@lru_cache(maxsize=1)
def _tot_de_limiet() -> bytes:
    """Attachments as large as fit: the documentResponse carrying this dossier stays just under
    the documented 16 MiB of a SOAP message (the dossier is base64 inside the SOAP, and each
    attachment a base64 ZIP inside the dossier)."""
    marge = 256 * 1024
    grootte = int((SOAP_LIMIT - marge) * 9 / 16)    # two rounds of base64: 4/3 * 4/3
    stuk = grootte // 2
    bijlagen = []
    for n in (1, 2):
        data = pdf_bytes(f"Onderzoeksverslag {n}", ["Verslag van het onderzoek."])
        bijlagen.append(Attachment(bestandsnaam=f"Onderzoeksverslag {n}.pdf",
                                   content=data + b"\n%" + _noise(n, stuk - len(data) - 2)))
    return _dossier(bijlagen=bijlagen)


def _noise(seed: int, size: int) -> bytes:
    """Bytes a ZIP cannot shrink (so the size is what travels), the same in every run."""
    return random.Random(f"bijlage-{seed}").randbytes(size)


_DOSSIERS = {
    "een geldig dossier": _dossier,
    "een dossier met alle gegevensblokken": _alle_blokken,
    "een dossier van een VO-school": lambda: _dossier("VOSWV"),
    "een dossier met bijlagen tot de limiet": _tot_de_limiet,
    "bytes die geen XML zijn": lambda: b"%PDF-1.4\n% dit is geen dossier maar een PDF\n%%EOF\n",
    "een dossier in een andere namespace": lambda: _dossier(version=ANDERE_NAMESPACE),
    "een dossier dat niet aan het schema voldoet": _schema_ongeldig,
    "een dossier met een BSN": lambda: with_pgn(_dossier()),
    "een dossier van een oudere OSO-versie": lambda: _dossier(version=V2018_1),
    "een sessie die verlopen blijkt": _dossier,
    "een storing bij de eerste aanvraag": _dossier,
}


def _b(naam, titel, afmelding, bewaard, **kw) -> LasBehaviour:
    return LasBehaviour(naam, titel, afmelding, bewaard, **kw)


BEHAVIOURS: dict[str, LasBehaviour] = {b.naam: b for b in (
    _b("een geldig dossier", "Gewone zorgvraag", OVERDRACHT_GESLAAGD, True),
    _b("een dossier met alle gegevensblokken", "Alle optionele gegevensblokken", OVERDRACHT_GESLAAGD, True),
    _b("een dossier van een VO-school", "Leerling van een VO-school (profiel VOSWV)", OVERDRACHT_GESLAAGD,
       True, profiel="VOSWV"),
    _b("een dossier met bijlagen tot de limiet", "Bijlagen tot de limiet van 16 MiB per bericht",
       OVERDRACHT_GESLAAGD, True),
    _b("de weigering LeerlinginfoNietBeschikbaar", "De LAS heeft de leerling niet (meer)", LEERLINGINFO_NIET_BESCHIKBAAR,
       False, fout=LEERLINGINFO_NIET_BESCHIKBAAR),
    _b("de weigering LeerlinginfoNietOpvraagbaar", "De LAS mag de gegevens niet leveren", LEERLINGINFO_NIET_OPVRAAGBAAR,
       False, fout=LEERLINGINFO_NIET_OPVRAAGBAAR),
    _b("de weigering LeveringGeweigerd", "De LAS weigert de levering", LEVERING_GEWEIGERD, False, fout=LEVERING_GEWEIGERD),
    _b("bytes die geen XML zijn", "Geen XML maar een PDF", DOSSIER_ONGELDIG, False),
    _b("een dossier in een andere namespace", "Dossier in een andere namespace", DOSSIER_ONGELDIG, False),
    _b("een dossier dat niet aan het schema voldoet", "Dossier dat niet aan het schema voldoet",
       DOSSIER_ONGELDIG, False),
    # [choice] the one content finding an SWV must answer in the afmelding itself: a dossier it
    # may not keep (docs/protocol-assumptions.md row 11)
    _b("een dossier met een BSN", "Dossier met een BSN (regel PaO.LL12)", DOSSIER_ONGELDIG, False),
    _b("een dossier van een oudere OSO-versie", "Dossier van gegevensset 2018.1", DOSSIER_ONGELDIG, False),
    _b("een sessie die verlopen blijkt", "Sessie verlopen", OVERDRACHT_GESLAAGD, True, eerst=EERST_VERLOPEN),
    _b("een storing bij de eerste aanvraag", "De LAS is even niet bereikbaar", OVERDRACHT_GESLAAGD, True,
       eerst=EERST_ONBEREIKBAAR),
)}


def behaviour(naam: str) -> LasBehaviour:
    try:
        return BEHAVIOURS[naam]
    except KeyError:
        raise KeyError(f"onbekend LAS-gedrag {naam!r}; bekend: {', '.join(BEHAVIOURS)}") from None


def dossier_base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
