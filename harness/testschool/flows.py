"""The flows of the test school: which LAS behaviour each one plays, and how what the vendor's
SWV did is judged.

Every flow names a behaviour of harness/conformance/las_behaviours.py, the definition the conformance
scenarios play too, and takes its title, its expectation and the afmelding a correct SWV gives
from it: the school and the certification cannot drift apart.

Two kinds of flow:
- the school's real LAS sends the zorgvraag (what a LAS does on its own: an ordinary dossier, all
  optional blocks, a VO pupil, a zorgvraag deleted before the SWV fetches it, a second zorgvraag);
- a harness LAS (harness.conformance.peers.CraftedLas) serves what the real LAS cannot produce (not XML,
  another namespace, a BSN, an expired session, …), from a LAS aanleverpunt of its own in the
  school's TC register, exactly as the scenarios play it.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass

from oso_protocol.synthetic import pdf_bytes
from oso_protocol.transport.messages import DOSSIER_GELEVERD, OVERDRACHT_GESLAAGD

from harness.conformance import las_behaviours
from harness.conformance.las_behaviours import LasBehaviour
from harness.conformance.outcomes import GESLAAGD, MISLUKT, NIET_GEVERIFIEERD, RANK


@dataclass(frozen=True)
class Flow:
    naam: str                           # the flow's id in the listing
    gedrag: str                         # LasBehaviour.naam
    situatie: str = ""                  # what the school does besides, after the title
    profiel: str = "PO"                 # which kind of school the pupil comes from
    aantal: int = 1                     # zorgvragen this flow sends
    harnas: bool = False                # played by a harness LAS, not the school's real LAS

    @property
    def behaviour(self) -> LasBehaviour:
        return las_behaviours.behaviour(self.gedrag)

    @property
    def titel(self) -> str:
        return f"{self.behaviour.titel} ({self.situatie})" if self.situatie else self.behaviour.titel

    @property
    def verwacht(self) -> str:
        tekst = self.behaviour.verwacht
        return f"{tekst}, voor elk van de {self.aantal} zorgvragen" if self.aantal > 1 else tekst

    @property
    def afmelding(self) -> str:
        return self.behaviour.afmelding


def pdf(titel: str, regels: list[str]) -> dict:
    """A PDF attachment for the LAS API."""
    return {"bestandsnaam": f"{titel}.pdf",
            "inhoud_base64": base64.b64encode(pdf_bytes(titel, regels)).decode()}


def zorgvraag(titel: str, rk: str, **extra) -> dict:
    return {"omschrijving": titel, "aanleverpunt": rk, "verzenden": True,
            "aandachtspunten": "Graag aandacht voor de leesontwikkeling.",
            "toelichting": pdf("Toelichting onderwijsbehoeften",
                               [titel, "Ondersteuningsbehoefte lezen en rekenen."]), **extra}


# -- what each flow does on the school's side ---------------------------------------------------

def _gewoon(school, leerling, flow) -> list[dict]:
    return [school.verstuur(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))]


def _alle_blokken(school, leerling, flow) -> list[dict]:
    blokken = [b["naam"] for b in school.las("GET", f"/api/leerlingen/{leerling['id']}/gegevensblokken")
               if b["state"] == "optioneel"]
    return [school.verstuur(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"],
                                                gegevensblokken=blokken))]


def _verwijderd(school, leerling, flow) -> list[dict]:
    zv = school.verstuur_later(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))
    school.las("DELETE", f"/api/zorgvragen/{zv['id']}")
    school.notificeer(zv)
    return [zv]


def _tweede(school, leerling, flow) -> list[dict]:
    eerste = school.verstuur(leerling, zorgvraag(f"{flow.titel} (1)", leerling["aanleverpunt"]))
    school.wacht_af(eerste["koppelsleutel"])
    return [eerste, school.verstuur(leerling, zorgvraag(f"{flow.titel} (2)",
                                                        leerling["aanleverpunt"]))]


def _harnas_las(school, leerling, flow) -> list[dict]:
    return [school.via_harnas_las(flow)]


def _harnas(naam: str, gedrag: str) -> tuple[Flow, Callable]:
    return Flow(naam, gedrag, harnas=True), _harnas_las


FLOWS: tuple[tuple[Flow, Callable], ...] = (
    (Flow("normaal", "een geldig dossier"), _gewoon),
    (Flow("alle-gegevensblokken", "een dossier met alle gegevensblokken"), _alle_blokken),
    (Flow("vo-profiel", "een dossier van een VO-school", profiel="VO"), _gewoon),
    _harnas("bijlagen-tot-de-limiet", "een dossier met bijlagen tot de limiet"),
    _harnas("geen-xml", "bytes die geen XML zijn"),
    _harnas("andere-namespace", "een dossier in een andere namespace"),
    _harnas("schema-ongeldig", "een dossier dat niet aan het schema voldoet"),
    _harnas("oudere-versie", "een dossier van een oudere OSO-versie"),
    _harnas("validatiefout", "een dossier met een BSN"),
    (Flow("verwijderd", "de weigering LeerlinginfoNietBeschikbaar",
          situatie="zorgvraag verwijderd voor het ophalen"), _verwijderd),
    _harnas("niet-opvraagbaar", "de weigering LeerlinginfoNietOpvraagbaar"),
    _harnas("levering-geweigerd", "de weigering LeveringGeweigerd"),
    _harnas("verlopen-sessie", "een sessie die verlopen blijkt"),
    _harnas("las-onbereikbaar", "een storing bij de eerste aanvraag"),
    (Flow("tweede-zorgvraag", "een geldig dossier", situatie="twee keer voor dezelfde leerling",
          aantal=2), _tweede),
)


# -- judging what the vendor's SWV did -----------------------------------------------------------

def oordeel(flow: Flow, stappen: list[dict]) -> tuple[str, str]:
    """(outcome, why in Dutch): geslaagd, mislukt, or niet geverifieerd while the SWV has not
    signed off yet."""
    if len(stappen) < flow.aantal:
        return NIET_GEVERIFIEERD, "de school verstuurde niet elke zorgvraag"
    uitkomst, waarom = GESLAAGD, ""
    for stap in stappen:
        u, w = _oordeel_stap(flow.behaviour, stap)
        if RANK[u] > RANK[uitkomst]:
            uitkomst, waarom = u, w
    return uitkomst, waarom


def beoordeel(flow: Flow, stappen: list[dict]) -> str:
    return oordeel(flow, stappen)[0]


def _oordeel_stap(b: LasBehaviour, stap: dict) -> tuple[str, str]:
    afmeldingen = stap.get("afmeldingen") or []
    leveringen = stap.get("leveringen") or []
    if b.afmelding != OVERDRACHT_GESLAAGD and OVERDRACHT_GESLAAGD in afmeldingen:
        return MISLUKT, f"het SWV meldde af met {OVERDRACHT_GESLAAGD}, verwacht {b.afmelding}"
    if not afmeldingen:
        return NIET_GEVERIFIEERD, ("het SWV heeft het dossier nog niet opgevraagd" if not leveringen
                                   else "het SWV heeft nog niet afgemeld")
    if b.fout and b.fout not in leveringen:
        return MISLUKT, f"het SWV meldde af zonder dat de LAS met {b.fout} weigerde"
    if not b.fout and DOSSIER_GELEVERD not in leveringen:
        return MISLUKT, "het SWV meldde af zonder het dossier op te halen"
    if afmeldingen[-1] != b.afmelding:
        return MISLUKT, f"het SWV meldde af met {afmeldingen[-1]}, verwacht {b.afmelding}"
    return GESLAAGD, ""
