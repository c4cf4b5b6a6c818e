"""The zorgvraag lifecycle: concept, "Opslaan en verzenden", delivery, retry, removal, overview.

A zorgvraag is immutable from the moment it is sent: the dossier is built then, stored as bytes,
and served byte for byte to the SWV later, whatever happens to the pupil afterwards. Sending and
notifying are separate: the zorgvraag is stored as verzonden first, and the OSO calls that follow
(meldenNotificatie, notificatie) only move the "Notificatie verstuurd" flag. A failed call leaves
a zorgvraag that is consistent and can be retried.

No OSO call is ever made while a transaction is open (see oso_calls).

The named steps a conformance run may want to see done wrong (which blocks may go, whether the
toelichting is required, what goes into the snapshot, how the TC is asked) are methods of
ZorgvraagSteps, the reference behaviour; the service only ever calls them through `policy`.
"""
from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import mimetypes
import threading
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata

from actor_kit.store import Store
from oso_protocol.dossier.builder import BuilderError, build_dossier
from oso_protocol.dossier.categories import GEGEVENSBLOKKEN, gegevensblokken_for
from oso_protocol.dossier.model import Attachment
from oso_protocol.transport import faults
from oso_protocol.transport.faults import OsoFault
from oso_protocol.transport.messages import Aanleverpunt

from .errors import LasError
from .leerlingen import get_school, leerling_brin, load_leerling, school_info
from .oso_calls import OsoCalls
from .toestand import van_rij


@functools.cache
def pakketversie() -> str:
    """The version the dossier names as pakketversie, as the builder finds it; read once, since
    looking it up in the installed package's metadata costs more than building the dossier."""
    try:
        return metadata.version("oso-sim")
    except metadata.PackageNotFoundError:
        return "0.0.0"


log = logging.getLogger(__name__)

CONCEPT, VERZONDEN, VERWIJDERD = "concept", "verzonden", "verwijderd"

TOELICHTING_VERPLICHT = ("De bijlage Toelichting onderwijsbehoeften is verplicht en nodig om de"
                         " aanvraag te kunnen verzenden.")
OMSCHRIJVING_VERPLICHT = "Vul een korte omschrijving van de zorgvraag in."
AANLEVERPUNT_VERPLICHT = ("Kies onder Aanleverpuntselectie het samenwerkingsverband waar de"
                         " zorgvraag naartoe wordt verstuurd.")
ONVERANDERLIJK = ("Een verzonden zorgvraag kan niet meer worden gewijzigd."
                  " Maak een nieuwe zorgvraag aan.")

# Result codes of the JSON API that are not OSO result codes. [choice]
ONVOLLEDIG = "ZorgvraagOnvolledig"
ONGELDIGE_INVOER = "OngeldigeInvoer"
NIET_TE_WIJZIGEN = "ZorgvraagVerzonden"
VERWIJDERD_CODE = "ZorgvraagVerwijderd"
DOSSIER_NIET_TE_MAKEN = "DossierNietTeMaken"

_PATCHABLE = {"omschrijving", "aandachtspunten", "aanleverpunt", "gegevensblokken", "toelichting",
              "bijlagen"}


def now_local() -> str:
    # local time with offset: the overview shows the school's calendar date
    return datetime.now().astimezone().isoformat(timespec="seconds")


def dd_mm_jjjj(iso: str | None) -> str | None:
    return datetime.fromisoformat(iso).strftime("%d-%m-%Y") if iso else None


def ja_nee(flag) -> str:
    return "Ja" if flag else "Nee"


def aanleverpunt_label(ap: Aanleverpunt) -> str:
    # shaped like the ParnasSys "Routeringskenmerkselectie" line: "950: 1455 0000007000145500950 naam"
    return f"{ap.routeringsKenmerk[-3:]}: {ap.brin} {ap.routeringsKenmerk} {ap.naam}"


def aanleverpunt_nummer(rk: str | None) -> str:
    """The short number ParnasSys shows in the Deelnameaanleverpunt column: the routeringskenmerk's
    last three digits, as in the Routeringskenmerkselectie line, without leading zeros."""
    if not rk:
        return ""
    tail = rk[-3:]
    return str(int(tail)) if tail.isdigit() else rk


def toelichting_met_vraag(invoer: Invoer) -> Attachment:
    """The toelichting document as it travels: its omschrijving carries the zorgvraag's korte
    omschrijving, the school's question, which has no element of its own in gegevensset 2019.1.
    [choice] (docs/protocol-assumptions.md)"""
    att = invoer.toelichting.attachment()
    if invoer.omschrijving:
        att.omschrijving = invoer.omschrijving
    return att


# --- input parsing -----------------------------------------------------------------------------

@dataclass
class Bestand:
    bestandsnaam: str
    inhoud: bytes
    omschrijving: str | None = None

    @property
    def mime(self) -> str:
        return mimetypes.guess_type(self.bestandsnaam)[0] or "application/octet-stream"

    def attachment(self) -> Attachment:
        return Attachment(bestandsnaam=self.bestandsnaam, content=self.inhoud,
                          omschrijving=self.omschrijving, mime=self.mime)


def parse_bestand(value, wat: str) -> Bestand | None:
    """A file as the API carries it: {"bestandsnaam", "inhoud_base64", "omschrijving"?}."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LasError(400, f"{wat}: verwacht een object met bestandsnaam en inhoud_base64.",
                       ONGELDIGE_INVOER)
    naam = (value.get("bestandsnaam") or "").strip()
    try:
        inhoud = base64.b64decode(value.get("inhoud_base64") or "", validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise LasError(400, f"{wat}: inhoud_base64 is geen geldige base64.",
                       ONGELDIGE_INVOER) from None
    if not inhoud:
        return None  # an empty file is no file: the send check reports it as missing
    if not naam:
        raise LasError(400, f"{wat}: de bestandsnaam ontbreekt.", ONGELDIGE_INVOER)
    return Bestand(naam, inhoud, value.get("omschrijving"))


def _text(value, wat: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LasError(400, f"{wat} moet tekst zijn.", ONGELDIGE_INVOER)
    return value.strip() or None


@dataclass
class Invoer:
    """What the user filled in on the zorgvraag screen."""

    omschrijving: str | None = None
    aandachtspunten: str | None = None
    aanleverpunt: str | None = None
    gegevensblokken: list[str] | None = None
    toelichting: Bestand | None = None
    bijlagen: list[Bestand] = field(default_factory=list)

    @classmethod
    def parse(cls, payload: dict, *, partial: bool = False) -> "Invoer":
        if not isinstance(payload, dict):
            raise LasError(400, "Verwacht een JSON-object.", ONGELDIGE_INVOER)
        if partial:
            unknown = set(payload) - _PATCHABLE
            if unknown:
                raise LasError(400, f"Deze velden kunnen niet worden gewijzigd: "
                                    f"{', '.join(sorted(unknown))}.", ONGELDIGE_INVOER)
        blokken = payload.get("gegevensblokken")
        if blokken is not None and (not isinstance(blokken, list)
                                    or not all(isinstance(b, str) for b in blokken)):
            raise LasError(400, "gegevensblokken moet een lijst met namen zijn.", ONGELDIGE_INVOER)
        bijlagen = payload.get("bijlagen") or []
        if not isinstance(bijlagen, list):
            raise LasError(400, "bijlagen moet een lijst zijn.", ONGELDIGE_INVOER)
        parsed = [parse_bestand(b, f"Bijlage {i + 1}") for i, b in enumerate(bijlagen)]
        return cls(
            omschrijving=_text(payload.get("omschrijving"), "omschrijving"),
            aandachtspunten=_text(payload.get("aandachtspunten"), "aandachtspunten"),
            aanleverpunt=_text(payload.get("aanleverpunt"), "aanleverpunt"),
            gegevensblokken=blokken,
            toelichting=parse_bestand(payload.get("toelichting"), "Toelichting onderwijsbehoeften"),
            bijlagen=[b for b in parsed if b is not None],
        )


def normalise_blokken(profile: str, gekozen: list[str] | None,
                      policy: ZorgvraagSteps | None = None) -> list[str]:
    """The chosen blocks plus every VERPLICHT one, in screen order; VERBODEN ones are refused."""
    policy = policy or ZorgvraagSteps()
    states = {b["naam"]: b["state"] for b in gegevensblokken_for(profile)}
    lower = {n.lower(): n for n in states}
    chosen = set()
    for naam in gekozen or []:
        echte = lower.get(naam.strip().lower())
        if echte is None:
            raise LasError(400, f"Onbekend gegevensblok {naam!r}. Kies uit: "
                                f"{', '.join(GEGEVENSBLOKKEN)}.", ONGELDIGE_INVOER)
        if states[echte] == "verboden":
            policy.refuse_forbidden_block(profile, echte)
        chosen.add(echte)
    chosen |= {n for n, s in states.items() if s == "verplicht"}
    return [n for n in GEGEVENSBLOKKEN if n in chosen]


# --- the named steps ---------------------------------------------------------------------------

@dataclass
class Snapshot:
    """What the dossier of one send is made from."""

    store: Store
    leerling_id: int
    leerling: object
    school_obj: object
    school: dict
    invoer: Invoer
    blokken: list[str]
    pakketnaam: str


def noteer_fout(store: Store, zorgvraag_id: int, stap: str, fault: OsoFault) -> None:
    tekst = f"{stap} mislukt ({fault.resultaat}): {fault.omschrijving}"
    with store.tx() as conn:
        conn.execute("UPDATE zorgvragen SET laatste_fout = ?, laatste_fout_code = ?"
                     " WHERE id = ?", (tekst, fault.resultaat, zorgvraag_id))


class ZorgvraagSteps:
    """The steps of the zorgvraag lifecycle as the reference LAS takes them.

    A step may be replaced on an instance by one that does it differently (a conformance run
    plays a broken LAS that way), so the service calls each through the instance.
    """

    names: frozenset[str] = frozenset()

    def rebuilt(self, names) -> "ZorgvraagSteps":
        """The same policy with other steps replaced by name; the reference steps replace none."""
        if frozenset(names or ()):
            raise ValueError(f"deze LAS kent geen andere stappen: {sorted(names)}")
        return self

    # --- choosing and checking what goes out ---

    def refuse_forbidden_block(self, profile: str, naam: str) -> None:
        raise LasError(422, f"Het gegevensblok {naam} mag voor profiel {profile} niet worden"
                            f" meegestuurd.", "GegevensblokVerboden")

    def editable_after_send(self) -> bool:
        return False

    def require_toelichting(self, invoer: Invoer) -> None:
        if not invoer.toelichting:
            raise LasError(422, TOELICHTING_VERPLICHT, ONVOLLEDIG)

    def offered_aanleverpunten(self, calls: OsoCalls, brin: str) -> list[Aanleverpunt]:
        """The aanleverpunten the school may choose from: what the TC offers now."""
        return calls.aanleverpunten(brin)

    def check_aanleverpunt(self, calls: OsoCalls, brin: str,
                           rk: str) -> tuple[Aanleverpunt | None, OsoFault | None]:
        """The chosen aanleverpunt as the TC offers it for the school.

        A definite "not offered" refuses the send (422). When the TC cannot be asked, the
        zorgvraag is still sent and the check is repeated before meldenNotificatie. [choice]
        """
        try:
            offered = calls.aanleverpunten(brin)
        except OsoFault as fault:
            return None, fault
        for ap in offered:
            if ap.routeringsKenmerk == rk:
                return ap, None
        raise LasError(422, f"Het aanleverpunt {rk} wordt door OSO niet (meer) aangeboden voor"
                            f" school {brin}. Kies een ander aanleverpunt.",
                       faults.ONBEKEND_AANLEVERPUNT)

    # --- the snapshot: the dossier built once, at the send ---

    def dossier_blokken(self, profile: str, blokken: list[str]) -> list[str]:
        return blokken

    def toelichting(self, invoer: Invoer, leerling) -> Attachment:
        return toelichting_met_vraag(invoer)

    def bijlagen(self, invoer: Invoer) -> list[Attachment]:
        return [b.attachment() for b in invoer.bijlagen]

    def snapshot_for_delivery(self, snap: Snapshot) -> bytes:
        """The dossier bytes stored at the send and served unchanged ever after."""
        profile = snap.school["profile"]
        return build_dossier(
            snap.leerling, snap.school_obj, profile=profile,
            gegevensblokken=self.dossier_blokken(profile, snap.blokken),
            toelichting=self.toelichting(snap.invoer, snap.leerling),
            bijlagen=self.bijlagen(snap.invoer),
            aandachtspunten=snap.invoer.aandachtspunten, pakketnaam=snap.pakketnaam,
            pakketversie=pakketversie())

    def bron_school(self, store: Store, school: dict) -> dict:
        """The school (BRIN, LAS aanleverpunt) that stands as bron of the zorgvraag."""
        return school

    # --- delivery ---

    def ask_koppelsleutel(self, calls: OsoCalls, **route):
        return calls.melden_notificatie(**route)

    def notify(self, calls: OsoCalls, url: str, *, koppelsleutel: str, **route) -> None:
        calls.notificatie(url, koppelsleutel=koppelsleutel, **route)

    def record_refusal(self, store: Store, zorgvraag_id: int, stap: str, fault: OsoFault) -> None:
        """A delivery step the TC or SWV refused: the zorgvraag shows why, still not notified."""
        noteer_fout(store, zorgvraag_id, stap, fault)


# --- the service -------------------------------------------------------------------------------

class Zorgvragen:
    def __init__(self, store: Store, calls: OsoCalls, *, pakketnaam: str = "oso-sim LAS",
                 policy: ZorgvraagSteps | None = None):
        self.store = store
        self.calls = calls
        self.pakketnaam = pakketnaam
        self.policy = policy or ZorgvraagSteps()
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def defects(self) -> frozenset[str]:
        """The names under which the policy replaces steps (config DEFECTS); the trainer
        (harness/trainer/scenarios.py) sets them for a moment, so the policy is rebuilt."""
        return self.policy.names

    @defects.setter
    def defects(self, names) -> None:
        self.policy = self.policy.rebuilt(names)

    def _lock(self, zorgvraag_id: int) -> threading.Lock:
        # one delivery at a time per zorgvraag, so two retries never ask two koppelsleutels
        with self._locks_guard:
            return self._locks.setdefault(zorgvraag_id, threading.Lock())

    # --- reading ---

    def _row(self, zorgvraag_id: int):
        row = self.store.one("SELECT * FROM zorgvragen WHERE id = ?", (zorgvraag_id,))
        if row is None:
            raise LasError(404, f"Zorgvraag {zorgvraag_id} is niet bekend.", "OnbekendeZorgvraag")
        return row

    def get(self, zorgvraag_id: int) -> dict:
        return self._to_dict(self._row(zorgvraag_id))

    def by_koppelsleutel(self, koppelsleutel: str) -> dict:
        """The zorgvraag the TC issued `koppelsleutel` for; a deleted one is not found."""
        row = self.store.one("SELECT * FROM zorgvragen WHERE upper(koppelsleutel) = upper(?)"
                             " AND status != ?", (koppelsleutel.strip(), VERWIJDERD))
        if row is None:
            raise LasError(404, f"Geen zorgvraag met koppelsleutel {koppelsleutel}.",
                           "OnbekendeZorgvraag")
        return self._to_dict(row)

    def _to_dict(self, row) -> dict:
        bijlagen = self.store.query(
            "SELECT id, soort, bestandsnaam, omschrijving FROM bijlagen WHERE zorgvraag_id = ?"
            " ORDER BY soort DESC, id", (row["id"],))
        terug = self.store.query(
            "SELECT * FROM terugkoppelingen WHERE zorgvraag_id = ? ORDER BY id", (row["id"],))
        return {
            "id": row["id"],
            "leerling_id": row["leerling_id"],
            "omschrijving": row["omschrijving"],
            "aandachtspunten": row["aandachtspunten"],
            "aanleverpunt": row["aanleverpunt"],
            "aanleverpunt_brin": row["aanleverpunt_brin"],
            "aanleverpunt_naam": row["aanleverpunt_naam"],
            "deelnameaanleverpunt": row["aanleverpunt_naam"] or row["aanleverpunt"],
            "gegevensblokken": json.loads(row["gegevensblokken"]),
            "status": row["status"],
            "gemaakt_op": row["gemaakt_op"],
            "verzonden_op": row["verzonden_op"],
            "verwijderd_op": row["verwijderd_op"],
            "koppelsleutel": row["koppelsleutel"],
            "notificatie_verstuurd": ja_nee(row["notificatie_verstuurd"]),
            "terugkoppeling_ontvangen": ja_nee(terug),
            "dossier_opgehaald": bool(row["dossier_opgehaald"]),
            "laatste_fout": row["laatste_fout"],
            "laatste_fout_code": row["laatste_fout_code"],
            "bijlagen": [{"id": b["id"], "bestandsnaam": b["bestandsnaam"], "soort": b["soort"],
                          "omschrijving": b["omschrijving"]} for b in bijlagen],
            "terugkoppelingen": [terugkoppeling_dict(t) for t in terug],
            # aandachtspunten travel only in the Overstapadvies block: say when they stay behind
            "aandachtspunten_meegestuurd": bool(row["aandachtspunten"]) and "Overstapadvies"
            in json.loads(row["gegevensblokken"]),
            **_toestand(row, bool(terug)),
        }

    def overzicht(self, leerling_id: int) -> list[dict]:
        leerling_brin(self.store, leerling_id)  # 404 for an unknown pupil
        rows = self.store.query(
            "SELECT z.*, (SELECT COUNT(*) FROM terugkoppelingen t WHERE t.zorgvraag_id = z.id)"
            " AS n_terug FROM zorgvragen z WHERE leerling_id = ? AND status != ? ORDER BY id",
            (leerling_id, VERWIJDERD))
        return [{
            "id": r["id"],
            "omschrijving": r["omschrijving"],
            "gemaakt_op": dd_mm_jjjj(r["gemaakt_op"]),
            "deelnameaanleverpunt": r["aanleverpunt_naam"] or r["aanleverpunt"] or "",
            "deelnameaanleverpunt_nummer": aanleverpunt_nummer(r["aanleverpunt"]),
            "notificatie_verstuurd": ja_nee(r["notificatie_verstuurd"]),
            "terugkoppeling_ontvangen": ja_nee(r["n_terug"]),
            "status": r["status"],
            "koppelsleutel": r["koppelsleutel"],
            **_toestand(r, bool(r["n_terug"])),
        } for r in rows]

    def bestand(self, zorgvraag_id: int, bijlage_id: int) -> tuple[str, str, bytes]:
        """(bestandsnaam, mime, inhoud) of one attachment the school added to the zorgvraag."""
        row = self.store.one("SELECT bestandsnaam, mime, inhoud FROM bijlagen"
                             " WHERE id = ? AND zorgvraag_id = ?", (bijlage_id, zorgvraag_id))
        if row is None:
            raise LasError(404, f"Bijlage {bijlage_id} hoort niet bij zorgvraag {zorgvraag_id}.",
                           "OnbekendeBijlage")
        return (row["bestandsnaam"], row["mime"] or "application/octet-stream",
                bytes(row["inhoud"]))

    def dossier(self, zorgvraag_id: int) -> bytes:
        row = self._row(zorgvraag_id)
        if row["dossier"] is None:
            raise LasError(404, "Deze zorgvraag is nog niet verzonden; er is nog geen dossier.",
                           "GeenDossier")
        return bytes(row["dossier"])

    # --- creating and changing ---

    def maak(self, leerling_id: int, payload: dict) -> dict:
        leerling_brin(self.store, leerling_id)  # 404 for an unknown pupil, before the input
        invoer = Invoer.parse(payload)
        verzenden = payload.get("verzenden", True)
        if not isinstance(verzenden, bool):
            raise LasError(400, "verzenden moet true of false zijn.", ONGELDIGE_INVOER)
        if verzenden:
            return self._verzend_nieuw(leerling_id, invoer)
        brin = leerling_brin(self.store, leerling_id)
        school = school_info(self.store, brin)
        blokken = normalise_blokken(school["profile"], invoer.gegevensblokken, self.policy)
        with self.store.tx() as conn:
            zid = self._insert(conn, leerling_id, invoer, blokken, status=CONCEPT)
        return self.get(zid)

    def _insert(self, conn, leerling_id: int, invoer: Invoer, blokken: list[str], *, status: str,
                ap: Aanleverpunt | None = None, school: dict | None = None,
                dossier: bytes | None = None) -> int:
        cur = conn.execute(
            "INSERT INTO zorgvragen (leerling_id, omschrijving, aandachtspunten, aanleverpunt,"
            " aanleverpunt_brin, aanleverpunt_naam, gegevensblokken, status, gemaakt_op,"
            " verzonden_op, bron_brin, bron_routeringskenmerk, dossier)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (leerling_id, invoer.omschrijving or "", invoer.aandachtspunten, invoer.aanleverpunt,
             ap.brin if ap else None, ap.naam if ap else None, json.dumps(blokken), status,
             now_local(), now_local() if status == VERZONDEN else None,
             school["brin"] if school else None,
             school["routeringskenmerk"] if school else None, dossier))
        zid = cur.lastrowid
        if invoer.toelichting:
            self._add_bestand(conn, zid, invoer.toelichting, "toelichting")
        for b in invoer.bijlagen:
            self._add_bestand(conn, zid, b, "bijlage")
        return zid

    @staticmethod
    def _add_bestand(conn, zid: int, b: Bestand, soort: str) -> None:
        if soort == "toelichting":  # one toelichting per zorgvraag: a new file replaces it
            conn.execute("DELETE FROM bijlagen WHERE zorgvraag_id = ? AND soort = 'toelichting'",
                         (zid,))
        conn.execute("INSERT INTO bijlagen (zorgvraag_id, soort, bestandsnaam, omschrijving, mime,"
                     " inhoud) VALUES (?,?,?,?,?,?)",
                     (zid, soort, b.bestandsnaam, b.omschrijving, b.mime, b.inhoud))

    def _concept_row(self, conn, zorgvraag_id: int):
        row = conn.execute("SELECT * FROM zorgvragen WHERE id = ?", (zorgvraag_id,)).fetchone()
        if row is None:
            raise LasError(404, f"Zorgvraag {zorgvraag_id} is niet bekend.", "OnbekendeZorgvraag")
        if row["status"] == VERZONDEN and not self.policy.editable_after_send():
            raise LasError(409, ONVERANDERLIJK, NIET_TE_WIJZIGEN)
        if row["status"] == VERWIJDERD:
            raise LasError(409, "Deze zorgvraag is verwijderd.", VERWIJDERD_CODE)
        return row

    def wijzig(self, zorgvraag_id: int, payload: dict) -> dict:
        row = self._row(zorgvraag_id)
        # before parsing: the answer must not depend on the body
        if row["status"] == VERZONDEN and not self.policy.editable_after_send():
            raise LasError(409, ONVERANDERLIJK, NIET_TE_WIJZIGEN)
        invoer = Invoer.parse(payload, partial=True)
        brin = leerling_brin(self.store, row["leerling_id"])
        school = school_info(self.store, brin)
        blokken = (normalise_blokken(school["profile"], invoer.gegevensblokken, self.policy)
                   if "gegevensblokken" in payload else None)
        with self.store.tx() as conn:
            self._concept_row(conn, zorgvraag_id)
            sets, params = [], []
            for veld in ("omschrijving", "aandachtspunten", "aanleverpunt"):
                if veld in payload:
                    value = getattr(invoer, veld)
                    sets.append(f"{veld} = ?")
                    params.append(value if value is not None or veld != "omschrijving" else "")
            if "aanleverpunt" in payload:  # a new choice must be checked at the TC again
                sets += ["aanleverpunt_brin = NULL", "aanleverpunt_naam = NULL"]
            if blokken is not None:
                sets.append("gegevensblokken = ?")
                params.append(json.dumps(blokken))
            if sets:
                conn.execute(f"UPDATE zorgvragen SET {', '.join(sets)} WHERE id = ?",
                             (*params, zorgvraag_id))
            if invoer.toelichting:
                self._add_bestand(conn, zorgvraag_id, invoer.toelichting, "toelichting")
            for b in invoer.bijlagen:
                self._add_bestand(conn, zorgvraag_id, b, "bijlage")
        return self.get(zorgvraag_id)

    def voeg_bijlage_toe(self, zorgvraag_id: int, payload: dict) -> dict:
        row = self._row(zorgvraag_id)
        if row["status"] == VERZONDEN:
            raise LasError(409, ONVERANDERLIJK, NIET_TE_WIJZIGEN)
        soort = (payload or {}).get("soort", "bijlage") if isinstance(payload, dict) else None
        if soort not in ("bijlage", "toelichting"):
            raise LasError(400, "soort moet bijlage of toelichting zijn.", ONGELDIGE_INVOER)
        bestand = parse_bestand(payload, "Bijlage")
        if bestand is None:
            raise LasError(400, "De bijlage is leeg.", ONGELDIGE_INVOER)
        with self.store.tx() as conn:
            self._concept_row(conn, zorgvraag_id)
            self._add_bestand(conn, zorgvraag_id, bestand, soort)
        return self.get(zorgvraag_id)

    def verwijder(self, zorgvraag_id: int) -> dict:
        with self.store.tx() as conn:
            row = conn.execute("SELECT status FROM zorgvragen WHERE id = ?",
                               (zorgvraag_id,)).fetchone()
            if row is None:
                raise LasError(404, f"Zorgvraag {zorgvraag_id} is niet bekend.",
                               "OnbekendeZorgvraag")
            # [choice] removing twice is not an error: the outcome is the same
            if row["status"] != VERWIJDERD:
                conn.execute("UPDATE zorgvragen SET status = ?, status_voor_verwijderen = ?,"
                             " verwijderd_op = ? WHERE id = ?",
                             (VERWIJDERD, row["status"], now_local(), zorgvraag_id))
        return self.get(zorgvraag_id)

    # --- "Opslaan en verzenden" ---

    def _controleer_compleet(self, invoer: Invoer) -> None:
        if not invoer.omschrijving:
            raise LasError(422, OMSCHRIJVING_VERPLICHT, ONVOLLEDIG)
        if not invoer.aanleverpunt:
            raise LasError(422, AANLEVERPUNT_VERPLICHT, ONVOLLEDIG)
        self.policy.require_toelichting(invoer)

    def _controleer_aanleverpunt(self, brin: str, rk: str) -> tuple[Aanleverpunt | None, OsoFault | None]:
        return self.policy.check_aanleverpunt(self.calls, brin, rk)

    def _bouw(self, leerling_id: int, invoer: Invoer, blokken: list[str]) -> tuple[bytes, dict]:
        leerling, brin = load_leerling(self.store, leerling_id)
        school_obj, school = get_school(self.store, brin)
        try:
            dossier = self.policy.snapshot_for_delivery(Snapshot(
                store=self.store, leerling_id=leerling_id, leerling=leerling,
                school_obj=school_obj, school=school, invoer=invoer, blokken=blokken,
                pakketnaam=self.pakketnaam))
        except BuilderError as exc:
            raise LasError(422, f"Het dossier kan niet worden gemaakt: {exc}",
                           DOSSIER_NIET_TE_MAKEN) from None
        return dossier, self.policy.bron_school(self.store, school)

    def _verzend_nieuw(self, leerling_id: int, invoer: Invoer) -> dict:
        self._controleer_compleet(invoer)
        brin = leerling_brin(self.store, leerling_id)
        school = school_info(self.store, brin)
        blokken = normalise_blokken(school["profile"], invoer.gegevensblokken, self.policy)
        ap, fout = self._controleer_aanleverpunt(brin, invoer.aanleverpunt)
        dossier, school = self._bouw(leerling_id, invoer, blokken)
        with self.store.tx() as conn:
            zid = self._insert(conn, leerling_id, invoer, blokken, status=VERZONDEN, ap=ap,
                               school=school, dossier=dossier)
        if fout is not None:
            self._noteer_fout(zid, "Opvragen aanleverpunten bij het Traffic Center", fout)
        return self.bezorg(zid)

    def verzend(self, zorgvraag_id: int) -> dict:
        """POST .../verzenden: send a concept, or retry the notification of a sent zorgvraag."""
        row = self._row(zorgvraag_id)
        if row["status"] == VERWIJDERD:
            raise LasError(409, "Deze zorgvraag is verwijderd en kan niet worden verzonden.",
                           VERWIJDERD_CODE)
        if row["status"] == VERZONDEN:
            return self.bezorg(zorgvraag_id)
        invoer = self._invoer_van_concept(row)
        self._controleer_compleet(invoer)
        brin = leerling_brin(self.store, row["leerling_id"])
        school = school_info(self.store, brin)
        blokken = normalise_blokken(school["profile"], invoer.gegevensblokken, self.policy)
        ap, fout = self._controleer_aanleverpunt(brin, invoer.aanleverpunt)
        dossier, school = self._bouw(row["leerling_id"], invoer, blokken)
        with self.store.tx() as conn:
            cur = conn.execute(
                "UPDATE zorgvragen SET status = ?, verzonden_op = ?, gegevensblokken = ?,"
                " aanleverpunt_brin = ?, aanleverpunt_naam = ?, bron_brin = ?,"
                " bron_routeringskenmerk = ?, dossier = ? WHERE id = ? AND status = ?",
                (VERZONDEN, now_local(), json.dumps(blokken), ap.brin if ap else None,
                 ap.naam if ap else None, school["brin"], school["routeringskenmerk"], dossier,
                 zorgvraag_id, CONCEPT))
            if cur.rowcount != 1:  # changed under our feet (sent or removed by another request)
                raise LasError(409, "De zorgvraag is intussen gewijzigd; probeer het opnieuw.",
                               NIET_TE_WIJZIGEN)
        if fout is not None:
            self._noteer_fout(zorgvraag_id, "Opvragen aanleverpunten bij het Traffic Center", fout)
        return self.bezorg(zorgvraag_id)

    def _invoer_van_concept(self, row) -> Invoer:
        files = self.store.query("SELECT * FROM bijlagen WHERE zorgvraag_id = ? ORDER BY id",
                                 (row["id"],))
        toelichting = [Bestand(f["bestandsnaam"], bytes(f["inhoud"]), f["omschrijving"])
                       for f in files if f["soort"] == "toelichting"]
        return Invoer(
            omschrijving=row["omschrijving"] or None,
            aandachtspunten=row["aandachtspunten"],
            aanleverpunt=row["aanleverpunt"],
            gegevensblokken=json.loads(row["gegevensblokken"]),
            toelichting=toelichting[-1] if toelichting else None,
            bijlagen=[Bestand(f["bestandsnaam"], bytes(f["inhoud"]), f["omschrijving"])
                      for f in files if f["soort"] == "bijlage"],
        )

    # --- delivery: meldenNotificatie + notificatie ---

    def _noteer_fout(self, zorgvraag_id: int, stap: str, fault: OsoFault) -> None:
        noteer_fout(self.store, zorgvraag_id, stap, fault)

    def bezorg(self, zorgvraag_id: int) -> dict:
        """Make sure the SWV has been notified of a sent zorgvraag; each step runs at most once
        successfully, so a retry continues where the previous attempt stopped."""
        with self._lock(zorgvraag_id):
            row = self._row(zorgvraag_id)
            if row["status"] != VERZONDEN or row["notificatie_verstuurd"]:
                return self._to_dict(row)
            stap = "Opvragen aanleverpunten bij het Traffic Center"
            try:
                doel_brin = row["aanleverpunt_brin"]
                if not doel_brin:
                    ap, fout = self._controleer_aanleverpunt(row["bron_brin"], row["aanleverpunt"])
                    if fout is not None:
                        raise fout
                    doel_brin = ap.brin
                    with self.store.tx() as conn:
                        conn.execute("UPDATE zorgvragen SET aanleverpunt_brin = ?,"
                                     " aanleverpunt_naam = ? WHERE id = ?",
                                     (ap.brin, ap.naam, zorgvraag_id))
                koppelsleutel, url = row["koppelsleutel"], row["swv_url"]
                if not koppelsleutel:
                    stap = "Melden notificatie bij het Traffic Center"
                    answer = self.policy.ask_koppelsleutel(
                        self.calls, bron_brin=row["bron_brin"],
                        bron_rk=row["bron_routeringskenmerk"], doel_brin=doel_brin,
                        doel_rk=row["aanleverpunt"])
                    koppelsleutel, url = answer.koppelsleutel, answer.url
                    # stored before notifying: a retry must reuse this key, not ask a new one
                    with self.store.tx() as conn:
                        conn.execute("UPDATE zorgvragen SET koppelsleutel = ?, swv_url = ?"
                                     " WHERE id = ?", (koppelsleutel, url, zorgvraag_id))
                stap = "Versturen notificatie naar het samenwerkingsverband"
                self.policy.notify(
                    self.calls, url, bron_brin=row["bron_brin"],
                    bron_rk=row["bron_routeringskenmerk"], doel_brin=doel_brin,
                    doel_rk=row["aanleverpunt"], koppelsleutel=koppelsleutel)
            except LasError as exc:  # the aanleverpunt is no longer offered
                self._noteer_fout(zorgvraag_id, stap,
                                  OsoFault(exc.code or faults.ONBEKEND_AANLEVERPUNT, exc.fout))
            except OsoFault as fault:
                self.policy.record_refusal(self.store, zorgvraag_id, stap, fault)
            except Exception as exc:  # a bug of ours must not leave the user without a state
                log.exception("delivery of zorgvraag %s failed", zorgvraag_id)
                self._noteer_fout(zorgvraag_id, stap,
                                  OsoFault(faults.INTERNE_FOUT, f"Interne fout: {type(exc).__name__}"))
            else:
                with self.store.tx() as conn:
                    conn.execute("UPDATE zorgvragen SET notificatie_verstuurd = 1,"
                                 " laatste_fout = NULL, laatste_fout_code = NULL WHERE id = ?",
                                 (zorgvraag_id,))
            return self.get(zorgvraag_id)


def _toestand(row, terugkoppeling: bool) -> dict:
    t = van_rij(row, terugkoppeling=terugkoppeling)
    return {"toestand": t.code, "toestand_tekst": t.tekst, "toestand_klasse": t.klasse,
            "opnieuw_versturen": t.opnieuw}


def terugkoppeling_dict(t) -> dict:
    return {"id": t["id"], "ontvangen_op": t["ontvangen_op"], "status": t["status"],
            "datum": t["datum"], "toelichting": t["toelichting"], "behandelaar": t["behandelaar"],
            "documenten": json.loads(t["documenten"]),
            "bron_brin": t["bron_brin"], "bron_routeringskenmerk": t["bron_routeringskenmerk"],
            "doel_brin": t["doel_brin"], "doel_routeringskenmerk": t["doel_routeringskenmerk"]}
