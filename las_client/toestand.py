"""The one status a person reads for a zorgvraag: the same words on the page, in the overview,
in the JSON API (`toestand`, `toestand_tekst`) and in the command line output.

The stored `status` (concept / verzonden / verwijderd) says only whether the dossier was built;
whether the SWV could ever fetch it depends on the OSO calls that follow. A zorgvraag the TC
refused is therefore not "verzonden" to the school, even though its dossier is fixed.
"""
from __future__ import annotations

from dataclasses import dataclass

from oso_protocol.transport import faults

# Step names as the delivery records them in laatste_fout (zorgvragen.bezorg).
TC_STAPPEN = ("Opvragen aanleverpunten bij het Traffic Center",
              "Melden notificatie bij het Traffic Center")

# Codes that say "could not ask", not "was told no": these are not a refusal by anyone.
NIET_GEVRAAGD = {faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD, faults.INTERNE_FOUT}

# A retry can help: the peer was unreachable, or the reason can be fixed outside the LAS
# (a mandate, an activated aanleverpunt). An aanleverpunt that is no longer offered cannot. [choice]
GEEN_HERKANSING = {faults.ONBEKEND_AANLEVERPUNT, faults.VERSTREKKER_NIET_BEKEND}


@dataclass(frozen=True)
class Toestand:
    code: str          # concept, verwijderd, geweigerd, niet_afgeleverd, verzonden, opgehaald,
    #                    terugkoppeling_ontvangen
    tekst: str         # what the person reads, e.g. "geweigerd door OSO (GeenMandaat)"
    klasse: str        # badge colour: ok, warn, bad
    opnieuw: bool = False  # "Opnieuw versturen" makes sense

    @property
    def afgeleverd(self) -> bool:
        return self.code in ("verzonden", "opgehaald", "terugkoppeling_ontvangen")


def bepaal(status: str, *, notificatie_verstuurd: bool, opgehaald: bool, terugkoppeling: bool,
           fout: str | None, fout_code: str | None) -> Toestand:
    if status == "concept":
        return Toestand("concept", "concept", "warn")
    if status == "verwijderd":
        return Toestand("verwijderd", "verwijderd", "bad")
    if notificatie_verstuurd:
        if terugkoppeling:
            return Toestand("terugkoppeling_ontvangen", "terugkoppeling ontvangen", "ok")
        if opgehaald:
            return Toestand("opgehaald", "opgehaald door het samenwerkingsverband", "ok")
        return Toestand("verzonden", "verzonden", "ok")
    opnieuw = fout_code not in GEEN_HERKANSING
    if not fout_code:
        return Toestand("niet_afgeleverd", "nog niet afgeleverd", "warn", True)
    if fout_code in NIET_GEVRAAGD:
        return Toestand("niet_afgeleverd", f"niet afgeleverd ({fout_code})", "bad", opnieuw)
    door = "OSO" if (fout or "").startswith(TC_STAPPEN) else "het samenwerkingsverband"
    return Toestand("geweigerd", f"geweigerd door {door} ({fout_code})", "bad", opnieuw)


def van_rij(row, *, terugkoppeling: bool) -> Toestand:
    return bepaal(row["status"], notificatie_verstuurd=bool(row["notificatie_verstuurd"]),
                  opgehaald=bool(row["dossier_opgehaald"]), terugkoppeling=terugkoppeling,
                  fout=row["laatste_fout"], fout_code=row["laatste_fout_code"])
