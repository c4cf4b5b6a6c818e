"""Deliberate faults a conformance test can switch on to play a broken LAS (config DEFECTS).

Each one breaks exactly one rule, the way a vendor might get it slightly wrong, so a run of the
conformance suite against this LAS shows which scenario catches it. A defect is a small class,
registered by name, whose methods replace named steps of the LAS (ZorgvraagSteps in zorgvragen,
ServingSteps in soap_handlers): the workflow calls every step through the policy that `policy()`
builds here, and with DEFECTS empty that policy is the reference LAS, nothing replaced.
The catalogue with descriptions and the scenarios meant to catch each one is harness/conformance/defects.py.
"""
from __future__ import annotations

import functools
import json
import uuid

from lxml import etree

from actor_kit import defect_switch
from oso_protocol.dossier.builder import build_dossier
from oso_protocol.dossier.categories import OPTIONEEL, PROFILE_MATRIX, gegevensblokken_for
from oso_protocol.dossier.model import Attachment
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.dossier.version import NS as DOSSIER_NS
from oso_protocol.transport import faults
from oso_protocol.transport.messages import DOEL_SWV, Aanleverpunt

from .leerlingen import get_school, load_leerling, school_row
from .scenario import load_scenario
from .soap_handlers import ServingSteps
from .zorgvragen import VERWIJDERD, ZorgvraagSteps

# the dossier carries a persoonsgebonden nummer
LEAK_PGN = "leak_pgn"                          # bsn element (or else onderwijsnummer)
LEAK_ONDERWIJSNUMMER = "leak_onderwijsnummer"  # onderwijsnummer element
PGN_IN_TEKST = "pgn_in_tekst"                  # BSN in the toelichting's omschrijving
PGN_IN_BIJLAGENAAM = "pgn_in_bijlagenaam"      # BSN in the toelichting's bestandsnaam
PGN_IN_BIJLAGE = "pgn_in_bijlage"              # BSN as a text line inside the toelichting PDF
# the toelichting onderwijsbehoeften
SEND_WITHOUT_TOELICHTING = "send_without_toelichting"
DROP_TOELICHTING = "drop_toelichting"
# immutability and the snapshot
CHANGE_AFTER_SEND = "change_after_send"
LIVE_DOSSIER = "live_dossier"
STALE_NEW_ZORGVRAAG = "stale_new_zorgvraag"
SERVE_DELETED = "serve_deleted"
# the sessiecontrole before serving documentRequest
SKIP_SESSIECONTROLE = "skip_sessiecontrole"
IGNORE_SESSIE_AFWIJKEND = "ignore_sessie_afwijkend"
SERVE_AFTER_AFMELDING = "serve_after_afmelding"
FAIL_OPEN = "fail_open"
SERVE_SERVED_SESSION = "serve_served_session"    # a session it served once is never checked again
ANY_SESSION_AFTER_FETCH = "any_session_after_fetch"  # SessieOnbekend ignored once fetched
DOUBLE_SESSIECONTROLE = "double_sessiecontrole"  # every session checked twice
# receiving the terugkoppeling
DROP_TERUGKOPPELING = "drop_terugkoppeling"
GARBLE_TERUGKOPPELING = "garble_terugkoppeling"
ACCEPT_UNKNOWN_TERUGKOPPELING = "accept_unknown_terugkoppeling"
TERUGKOPPELING_BEFORE_FETCH = "terugkoppeling_before_fetch"
# aanleverpunten and the notification
OFFER_INACTIVE_AANLEVERPUNT = "offer_inactive_aanleverpunt"
REPORT_SENT_ON_REFUSAL = "report_sent_on_refusal"
SKIP_OVERZICHT = "skip_overzicht"
MELDEN_TWICE = "melden_twice"                    # a second koppelsleutel asked and left unused
NOTIFY_TWICE = "notify_twice"
NOTIFY_WRONG_KOPPELSLEUTEL = "notify_wrong_koppelsleutel"
WRONG_BRON_SCHOOL = "wrong_bron_school"          # the LAS's first school named as bron
# the contents of the dossier
VVE_IN_VO = "vve_in_vo"
DROP_BIJLAGEN = "drop_bijlagen"                  # the extra bijlagen never reach the dossier
OPTIONAL_BLOCKS_ALWAYS = "optional_blocks_always"
WRONG_PROFILE = "wrong_profile"
INVALID_CODELIST = "invalid_codelist"
# identity under mutual TLS
IGNORE_CALLER_CERTIFICATE = "ignore_caller_certificate"        # no OIN check on documentRequest
ACCEPT_FOREIGN_TERUGKOPPELING = "accept_foreign_terugkoppeling"  # no OIN check on terugkoppeling
NO_CLIENT_CERTIFICATE_CHECK = "no_client_certificate_check"  # server asks no client cert, no OIN check

GARBLE_LENGTE = 20


class Policy(ZorgvraagSteps, ServingSteps):
    """Every named step of the LAS; `policy()` replaces the steps the chosen defects name."""

    def __init__(self, names: frozenset[str], config: dict):
        self.names = names
        self.config = config

    def rebuilt(self, names) -> Policy:
        return policy(names, self.config)


class Defect:
    """One deliberate fault. Each public method is named after the step of Policy it replaces
    and gets that step as it stood before (`inner`) first, to call or to leave out."""

    name: str

    def __init__(self, config: dict):
        self.config = config


# registration order is wrapping order: a later defect's step wraps an earlier one's, which
# fixes the order in which two defects on the same step act when both are on
REGISTRY: dict[str, type[Defect]] = {}


def _steps(cls: type[Defect]) -> tuple[str, ...]:
    """The public methods of a defect class and its bases below Defect."""
    bases = [k for k in cls.__mro__ if issubclass(k, Defect) and k is not Defect]
    return tuple(sorted({m for k in bases for m, v in vars(k).items()
                         if not m.startswith("_") and callable(v)}))


def defect(name: str):
    def register(cls: type[Defect]) -> type[Defect]:
        unknown = [m for m in _steps(cls) if not callable(getattr(Policy, m, None))]
        if unknown:  # a misspelt step would otherwise never run and the defect never show
            raise TypeError(f"{cls.__name__}: geen stap van de LAS: {unknown}")
        cls.name = name
        REGISTRY[name] = cls
        return cls
    return register


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "de LAS")


def policy(names=(), config: dict | None = None) -> Policy:
    """The LAS's steps with those of the named defects replaced; unknown names are refused."""
    names = check(names)
    config = config or {}
    out = Policy(names, config)
    for name, cls in REGISTRY.items():
        if name not in names:
            continue
        fault = cls(config)
        for step in _steps(cls):
            setattr(out, step, functools.partial(getattr(fault, step), getattr(out, step)))
    return out


def _pgn(leerling) -> str | None:
    return leerling.bsn or leerling.onderwijsnummer


def _q(name: str) -> str:
    return f"{{{DOSSIER_NS}}}{name}"


def _bytes(root) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def _edit(dossier: bytes, change) -> bytes:
    """The dossier with `change(root)` applied; the bytes untouched when it changed nothing."""
    root = etree.fromstring(dossier)
    return _bytes(root) if change(root) else dossier


# --- what goes into the builder ------------------------------------------------------------------

@defect(PGN_IN_TEKST)
class PgnInTekst(Defect):
    def toelichting(self, inner, invoer, leerling) -> Attachment:
        att = inner(invoer, leerling)
        if _pgn(leerling):
            att.omschrijving = f"Toelichting onderwijsbehoeften, leerling BSN {_pgn(leerling)}"
        return att


@defect(PGN_IN_BIJLAGENAAM)
class PgnInBijlagenaam(Defect):
    def toelichting(self, inner, invoer, leerling) -> Attachment:
        att = inner(invoer, leerling)
        pgn = _pgn(leerling)
        if pgn:
            stam, punt, ext = att.bestandsnaam.rpartition(".")
            att.bestandsnaam = f"{stam} {pgn}.{ext}" if punt else f"{att.bestandsnaam} {pgn}"
        return att


@defect(PGN_IN_BIJLAGE)
class PgnInBijlage(Defect):
    def toelichting(self, inner, invoer, leerling) -> Attachment:
        att = inner(invoer, leerling)
        pgn = _pgn(leerling)
        if pgn:
            from oso_protocol.synthetic import pdf_bytes
            att.content = pdf_bytes("Toelichting onderwijsbehoeften",
                                    ["Ondersteuningsbehoefte zoals door de school beschreven.",
                                     f"BSN van de leerling: {pgn}"])
        return att


@defect(DROP_BIJLAGEN)
class DropBijlagen(Defect):
    """The school attached them, the dossier goes without."""

    def bijlagen(self, inner, invoer) -> list:
        return []


@defect(OPTIONAL_BLOCKS_ALWAYS)
class OptionalBlocksAlways(Defect):
    """Every block that is not VERBODEN goes in, ticked or not."""

    def dossier_blokken(self, inner, profile, blokken) -> list[str]:
        return [b["naam"] for b in gegevensblokken_for(profile) if b["state"] != "verboden"]


# --- the snapshot: the dossier bytes after the build ---------------------------------------------

@defect(LEAK_PGN)
class LeakPgn(Defect):
    """The bsn element, or else the onderwijsnummer one."""

    def snapshot_for_delivery(self, inner, snap) -> bytes:
        dossier, leerling = inner(snap), snap.leerling
        if leerling.bsn:
            return with_pgn(dossier, "bsn", leerling.bsn)
        if leerling.onderwijsnummer:
            return with_pgn(dossier, "onderwijsnummer", leerling.onderwijsnummer)
        return dossier


@defect(LEAK_ONDERWIJSNUMMER)
class LeakOnderwijsnummer(Defect):
    def snapshot_for_delivery(self, inner, snap) -> bytes:
        dossier = inner(snap)
        if snap.leerling.onderwijsnummer:
            return with_pgn(dossier, "onderwijsnummer", snap.leerling.onderwijsnummer)
        return dossier


@defect(SEND_WITHOUT_TOELICHTING)
class SendWithoutToelichting(Defect):
    """Sent without the mandatory toelichting. The builder cannot go without one: it gets a
    stand-in, taken out of the dossier again afterwards."""

    def require_toelichting(self, inner, invoer) -> None:
        pass

    def toelichting(self, inner, invoer, leerling) -> Attachment:
        if invoer.toelichting is None:
            return Attachment(bestandsnaam="toelichting.pdf", content=b"-", mime="application/pdf")
        return inner(invoer, leerling)

    def snapshot_for_delivery(self, inner, snap) -> bytes:
        dossier = inner(snap)
        return _edit(dossier, _drop_toelichting) if snap.invoer.toelichting is None else dossier


@defect(DROP_TOELICHTING)
class DropToelichting(Defect):
    def snapshot_for_delivery(self, inner, snap) -> bytes:
        return _edit(inner(snap), _drop_toelichting)


@defect(VVE_IN_VO)
class VveInVo(Defect):
    """A VO school may tick VVE, and the dossier then carries it."""

    def refuse_forbidden_block(self, inner, profile, naam) -> None:
        pass

    def snapshot_for_delivery(self, inner, snap) -> bytes:
        dossier = inner(snap)
        if snap.school["profile"] == "VOSWV" and "VVE" in (snap.blokken or ()):
            return _edit(dossier, _add_vve)
        return dossier


@defect(WRONG_PROFILE)
class WrongProfile(Defect):
    def snapshot_for_delivery(self, inner, snap) -> bytes:
        return _edit(inner(snap), _swap_profile)


@defect(INVALID_CODELIST)
class InvalidCodelist(Defect):
    def snapshot_for_delivery(self, inner, snap) -> bytes:
        return _edit(inner(snap), _bad_code)


def _drop_toelichting(root) -> bool:
    el = root.find(".//" + _q("toelichting_onderwijsbehoeften"))
    if el is None:
        return False
    el.getparent().remove(el)
    return True


def _add_vve(root) -> bool:
    """A VVE block with data in the leerling, declared OPTIONEEL, as for a PO pupil."""
    leerling = root.find(".//" + _q("leerling"))
    anchor = leerling.find(_q("schoolloopbaanlijst")) if leerling is not None else None
    cat = root.find(f"./{_q('metadata')}/{_q('categorie_uitlevering')}/{_q('cat_vve')}")
    if anchor is None or cat is None:
        return False
    cat.text = OPTIONEEL
    for name, value in (("vanpeuterspeelzaal", "true"), ("naampeuterspeelzaal", "De Kikker")):
        el = etree.Element(_q(name))
        el.text = value
        anchor.addprevious(el)
    return True


def _swap_profile(root) -> bool:
    el = root.find(f"./{_q('metadata')}/{_q('overstap')}")
    if el is None or el.text not in PROFILE_MATRIX:
        return False
    el.text = {"POSWV": "VOSWV", "VOSWV": "POSWV"}[el.text]
    return True


def _bad_code(root) -> bool:
    """geslacht (code list 14: 0, 1, 2) gets 9: still an integer for the XSD, wrong for CL14."""
    el = root.find(".//" + _q("leerling") + "/" + _q("geslacht"))
    if el is None:  # no geslacht in the record: the overdrachtsoort (code list 29) is always there
        el = root.find(_q("overdrachtsoort"))
        el.text = "zorgdossier"
        return True
    el.text = "9"
    return True


# --- immutability --------------------------------------------------------------------------------

@defect(CHANGE_AFTER_SEND)
class ChangeAfterSend(Defect):
    def editable_after_send(self, inner) -> bool:
        return True


@defect(STALE_NEW_ZORGVRAAG)
class StaleNewZorgvraag(Defect):
    """A new zorgvraag for a pupil gets the dossier of the pupil's previous one."""

    def snapshot_for_delivery(self, inner, snap) -> bytes:
        row = snap.store.one("SELECT dossier FROM zorgvragen WHERE leerling_id = ? AND dossier IS"
                             " NOT NULL ORDER BY id DESC LIMIT 1", (snap.leerling_id,))
        return bytes(row["dossier"]) if row is not None else inner(snap)


@defect(LIVE_DOSSIER)
class LiveDossier(Defect):
    def dossier_to_serve(self, inner, store, row) -> bytes:
        return live_dossier(store, row)


@defect(SERVE_DELETED)
class ServeDeleted(Defect):
    def servable_statuses(self, inner) -> tuple[str, ...]:
        return (*inner(), VERWIJDERD)


def live_dossier(store, row) -> bytes:
    """live_dossier: the dossier built again from the pupil as the LAS holds it now."""
    leerling, brin = load_leerling(store, row["leerling_id"])
    school_obj, school = get_school(store, brin)
    files = store.query("SELECT * FROM bijlagen WHERE zorgvraag_id = ? ORDER BY id", (row["id"],))
    atts = [Attachment(bestandsnaam=f["bestandsnaam"], content=bytes(f["inhoud"]),
                       omschrijving=f["omschrijving"], mime=f["mime"]) for f in files]
    toel = [a for a, f in zip(atts, files) if f["soort"] == "toelichting"]
    return build_dossier(leerling, school_obj, profile=school["profile"],
                         gegevensblokken=json.loads(row["gegevensblokken"]),
                         toelichting=toel[-1] if toel else None,
                         bijlagen=[a for a, f in zip(atts, files) if f["soort"] == "bijlage"],
                         aandachtspunten=row["aandachtspunten"])


# --- the sessiecontrole before serving documentRequest -------------------------------------------

def _sessie(message) -> tuple[str, str]:
    return (message.sessieId or "").upper(), (message.koppelsleutel or "").upper()


class _Tolerates(Defect):
    """Takes the sessiecontrole's refusal (or missing answer) `codes` as a valid session."""

    codes: tuple[str, ...] = ()

    def check_session(self, inner, calls, message, store) -> None:
        try:
            inner(calls, message, store)
        except faults.OsoFault as fault:
            if fault.resultaat not in self.codes:
                raise


@defect(DOUBLE_SESSIECONTROLE)
class DoubleSessiecontrole(Defect):
    def check_session(self, inner, calls, message, store) -> None:
        inner(calls, message, store)
        inner(calls, message, store)


@defect(IGNORE_SESSIE_AFWIJKEND)
class IgnoreSessieAfwijkend(_Tolerates):
    codes = (faults.SESSIE_AFWIJKEND,)


@defect(SERVE_AFTER_AFMELDING)
class ServeAfterAfmelding(_Tolerates):
    codes = (faults.SESSIE_REEDS_AFGEMELD,)


@defect(FAIL_OPEN)
class FailOpen(_Tolerates):
    codes = (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD)


@defect(ANY_SESSION_AFTER_FETCH)
class AnySessionAfterFetch(Defect):
    """SessieOnbekend is ignored once the dossier has been fetched."""

    def check_session(self, inner, calls, message, store) -> None:
        try:
            inner(calls, message, store)
        except faults.OsoFault as fault:
            if not (fault.resultaat == faults.SESSIE_ONBEKEND
                    and _opgehaald(store, message.koppelsleutel)):
                raise


def _opgehaald(store, koppelsleutel: str) -> bool:
    row = store.one("SELECT dossier_opgehaald FROM zorgvragen WHERE koppelsleutel = ?",
                    (koppelsleutel,))
    return bool(row and row["dossier_opgehaald"])


@defect(SERVE_SERVED_SESSION)
class ServeServedSession(Defect):
    """A session whose dossier went out once is never checked at the TC again."""

    def __init__(self, config: dict):
        super().__init__(config)
        self.bediend: set[tuple[str, str]] = set()

    def check_session(self, inner, calls, message, store) -> None:
        if _sessie(message) not in self.bediend:
            inner(calls, message, store)

    def mark_fetched(self, inner, store, row, message) -> None:
        inner(store, row, message)
        self.bediend.add(_sessie(message))


@defect(SKIP_SESSIECONTROLE)
class SkipSessiecontrole(Defect):
    def check_session(self, inner, calls, message, store) -> None:
        pass


# --- receiving the terugkoppeling ----------------------------------------------------------------

@defect(GARBLE_TERUGKOPPELING)
class GarbleTerugkoppeling(Defect):
    """The toelichting is kept cut short."""

    def keep_terugkoppeling(self, inner, store, row, message) -> None:
        t = message.terugkoppeling
        t.toelichting = t.toelichting[:GARBLE_LENGTE] if t.toelichting else t.toelichting
        inner(store, row, message)


@defect(DROP_TERUGKOPPELING)
class DropTerugkoppeling(Defect):
    """Acknowledged, never kept."""

    def keep_terugkoppeling(self, inner, store, row, message) -> None:
        pass


@defect(ACCEPT_UNKNOWN_TERUGKOPPELING)
class AcceptUnknownTerugkoppeling(Defect):
    def unknown_koppelsleutel(self, inner, message) -> None:
        pass


@defect(TERUGKOPPELING_BEFORE_FETCH)
class TerugkoppelingBeforeFetch(Defect):
    def require_fetched(self, inner, row) -> None:
        pass


# --- aanleverpunten and the notification ---------------------------------------------------------

@defect(OFFER_INACTIVE_AANLEVERPUNT)
class OfferInactiveAanleverpunt(Defect):
    """The SWV aanleverpunten of a local copy of the register (the LAS's scenario file), the
    inactive ones included, instead of what the TC offers."""

    def offered_aanleverpunten(self, inner, calls, brin) -> list[Aanleverpunt]:
        scenario = self.config.get("SCENARIO", "")
        register = (load_scenario(scenario) if scenario is not None else {}).get("register") or {}
        return [Aanleverpunt(routeringsKenmerk=ap["routeringskenmerk"], brin=ap.get("brin"),
                             naam=ap.get("naam"), doel=DOEL_SWV, actief=ap.get("actief", True))
                for ap in register.get("aanleverpunten") or []
                if ap.get("doel") == DOEL_SWV and brin in (ap.get("scholen") or [brin])]


@defect(REPORT_SENT_ON_REFUSAL)
class ReportSentOnRefusal(Defect):
    """The overview says "Notificatie verstuurd: Ja" after a refusal."""

    def record_refusal(self, inner, store, zorgvraag_id, stap, fault) -> None:
        inner(store, zorgvraag_id, stap, fault)
        with store.tx() as conn:
            conn.execute("UPDATE zorgvragen SET notificatie_verstuurd = 1 WHERE id = ?",
                         (zorgvraag_id,))


@defect(SKIP_OVERZICHT)
class SkipOverzicht(Defect):
    """The aanleverpunt as the LAS guesses it, BRIN cut from the kenmerk, the TC never asked."""

    def check_aanleverpunt(self, inner, calls, brin, rk):
        return Aanleverpunt(routeringsKenmerk=rk, brin=rk[-9:-5], naam=None, doel=DOEL_SWV), None


@defect(MELDEN_TWICE)
class MeldenTwice(Defect):
    """Every zorgvraag asks the TC for a koppelsleutel twice; the first is used."""

    def ask_koppelsleutel(self, inner, calls, **route):
        answer = inner(calls, **route)
        inner(calls, **route)
        return answer


@defect(NOTIFY_WRONG_KOPPELSLEUTEL)
class NotifyWrongKoppelsleutel(Defect):
    """The notificatie names a key of the LAS's own making, not the TC's."""

    def notify(self, inner, calls, url, *, koppelsleutel, **route) -> None:
        inner(calls, url, koppelsleutel=str(uuid.uuid4()).upper(), **route)


@defect(NOTIFY_TWICE)
class NotifyTwice(Defect):
    def notify(self, inner, calls, url, **kwargs) -> None:
        inner(calls, url, **kwargs)
        inner(calls, url, **kwargs)


@defect(WRONG_BRON_SCHOOL)
class WrongBronSchool(Defect):
    """The LAS's first school (BRIN and LAS aanleverpunt) stands as bron for every zorgvraag, as
    an installation set up for its main school would."""

    def bron_school(self, inner, store, school) -> dict:
        first = school_row(store.one("SELECT * FROM scholen ORDER BY brin LIMIT 1"))
        return {**school, "brin": first["brin"], "routeringskenmerk": first["routeringskenmerk"]}


# --- identity under mutual TLS -------------------------------------------------------------------

@defect(IGNORE_CALLER_CERTIFICATE)
class IgnoreCallerCertificate(Defect):
    """No OIN check on documentRequest."""

    def check_document_caller(self, inner, calls, message) -> None:
        pass


@defect(ACCEPT_FOREIGN_TERUGKOPPELING)
class AcceptForeignTerugkoppeling(Defect):
    """No OIN check on terugkoppeling."""

    def check_terugkoppeling_caller(self, inner, calls, row) -> None:
        pass


@defect(NO_CLIENT_CERTIFICATE_CHECK)
class NoClientCertificateCheck(Defect):
    """No OIN check anywhere; that the server asks no client certificate is the server's part
    (harness/cli/serve.py)."""

    def check_document_caller(self, inner, calls, message) -> None:
        pass

    def check_terugkoppeling_caller(self, inner, calls, row) -> None:
        pass


DEFECTS = frozenset(REGISTRY)
