"""The flows of the test school: which pupil triggers what, and what a correct SWV does then.

A flow gets the school (runner.School) and plays the school's side through the LAS's JSON API.
Three flows need a moment the API does not offer and use the school's in-process handles
(the LAS's database and notificatie call, the TC's session lifetime): the zorgvraag must be
changed, deleted or its session shortened before the vendor's SWV fetches it, and that SWV
fetches whenever it likes.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Callable
from dataclasses import dataclass

from las_client import defects as las_defects
from oso_protocol.synthetic import pdf_bytes

GELEVERD = "DossierGeleverd"
GESLAAGD = "OverdrachtGeslaagd"
GROOT = 3 * 1024 * 1024    # bytes per large attachment: two of them stay under the SOAP limit


@dataclass(frozen=True)
class Flow:
    naam: str
    titel: str
    verwacht: str                       # what a correct SWV does, for the listing
    profiel: str = "PO"                 # which kind of school the pupil comes from
    aantal: int = 1                     # zorgvragen this flow sends
    pgn: bool = False                   # needs a pupil with a BSN or onderwijsnummer


def pdf(titel: str, regels: list[str], grootte: int = 0) -> dict:
    """A PDF attachment for the LAS API; `grootte` pads it (after %%EOF, as scanners do)."""
    data = pdf_bytes(titel, regels)
    if grootte > len(data):
        data += b"\n%" + os.urandom(grootte - len(data) - 2)
    return {"bestandsnaam": f"{titel}.pdf", "inhoud_base64": base64.b64encode(data).decode()}


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


def _grote_bijlagen(school, leerling, flow) -> list[dict]:
    bijlagen = [pdf(f"Onderzoeksverslag {n}", ["Verslag van het onderzoek."], GROOT)
                for n in (1, 2)]
    return [school.verstuur(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"],
                                                bijlagen=bijlagen))]


def _validatiefout(school, leerling, flow) -> list[dict]:
    with school.las_defect(las_defects.LEAK_PGN):
        return [school.verstuur(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))]


def _verwijderd(school, leerling, flow) -> list[dict]:
    zv = school.verstuur_later(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))
    school.las("DELETE", f"/api/zorgvragen/{zv['id']}")
    school.notificeer(zv)
    return [zv]


def _geweigerd(school, leerling, flow) -> list[dict]:
    zv = school.verstuur_later(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))
    # the LAS now holds this dossier for another aanleverpunt, so it refuses to deliver it
    school.herroute(zv, "0000000700099XX00999")
    school.notificeer(zv)
    return [zv]


def _verlopen_sessie(school, leerling, flow) -> list[dict]:
    with school.sessieduur(0.0):
        zv = school.verstuur(leerling, zorgvraag(flow.titel, leerling["aanleverpunt"]))
        school.wacht_op_document(zv["koppelsleutel"])
    return [zv]


def _tweede(school, leerling, flow) -> list[dict]:
    eerste = school.verstuur(leerling, zorgvraag(f"{flow.titel} (1)", leerling["aanleverpunt"]))
    school.wacht_af(eerste["koppelsleutel"])
    return [eerste, school.verstuur(leerling, zorgvraag(f"{flow.titel} (2)",
                                                        leerling["aanleverpunt"]))]


FLOWS: tuple[tuple[Flow, Callable], ...] = (
    (Flow("normaal", "Gewone zorgvraag",
          "haalt het dossier op en meldt af met OverdrachtGeslaagd"), _gewoon),
    (Flow("alle-gegevensblokken", "Alle optionele gegevensblokken",
          "haalt het dossier met elk optioneel blok op, OverdrachtGeslaagd"), _alle_blokken),
    (Flow("vo-profiel", "Leerling van een VO-school (profiel VOSWV)",
          "haalt het VO-dossier op, OverdrachtGeslaagd", profiel="VO"), _gewoon),
    (Flow("grote-bijlagen", "Twee bijlagen van elk 3 MB",
          "haalt het grote dossier op, OverdrachtGeslaagd"), _grote_bijlagen),
    # [choice] the validation error is a BSN in the dossier (rule PaO.LL12): the one finding an
    # SWV must answer in the afmelding itself (docs/protocol-assumptions.md row 11); other
    # findings go back to the school in a terugkoppeling, whenever the SWV sends one
    (Flow("validatiefout", "Dossier met een BSN (regel PaO.LL12)",
          "haalt het op, keurt het af en meldt af met DossierOngeldig", pgn=True), _validatiefout),
    (Flow("verwijderd", "Zorgvraag verwijderd voor het ophalen",
          "krijgt LeerlinginfoNietBeschikbaar van de LAS en toont dat"), _verwijderd),
    (Flow("levering-geweigerd", "De LAS weigert de levering",
          "krijgt LeveringGeweigerd van de LAS en toont dat"), _geweigerd),
    (Flow("verlopen-sessie", "Sessie verlopen",
          "krijgt SessieVerlopen van de LAS; opnieuw ophalen met een nieuwe sessie mag"),
     _verlopen_sessie),
    (Flow("tweede-zorgvraag", "Tweede zorgvraag voor dezelfde leerling",
          "haalt beide dossiers op (twee koppelsleutels), beide OverdrachtGeslaagd",
          aantal=2), _tweede),
)


def beoordeel(flow: Flow, stappen: list[dict]) -> str:
    """'zoals verwacht', 'wacht' (the SWV has not done it yet) or 'anders'."""
    if len(stappen) < flow.aantal:
        return "anders"
    uitkomsten = []
    for s in stappen:
        doc, afm = s.get("levering"), s.get("afmelding")
        if flow.naam == "verwijderd":
            uitkomsten.append(_fout(doc, "LeerlinginfoNietBeschikbaar"))
        elif flow.naam == "levering-geweigerd":
            uitkomsten.append(_fout(doc, "LeveringGeweigerd"))
        elif flow.naam == "verlopen-sessie":
            uitkomsten.append(_fout(doc, "SessieVerlopen"))
        elif flow.naam == "validatiefout":
            if doc is None or afm is None:
                uitkomsten.append("wacht")
            else:
                uitkomsten.append("zoals verwacht" if doc == GELEVERD and afm == "DossierOngeldig"
                                  else "anders")
        elif doc is None or afm is None:
            uitkomsten.append("wacht")
        else:
            uitkomsten.append("zoals verwacht" if doc == GELEVERD and afm == GESLAAGD else "anders")
    for u in ("anders", "wacht"):
        if u in uitkomsten:
            return u
    return "zoals verwacht"


def _fout(levering: str | None, code: str) -> str:
    if levering is None:
        return "wacht"
    return "zoals verwacht" if levering == code else "anders"
