"""Deliberate faults a conformance test can switch on to play a broken LAS (config DEFECTS).

Each one breaks exactly one rule, the way a vendor might get it slightly wrong, so a run of the
conformance suite against this LAS shows which scenario catches it. With DEFECTS empty nothing
here runs: every hook in the LAS is guarded by `active()` (or by an empty set).
The catalogue with descriptions and the scenarios meant to catch each one is harness/defects.py.
"""
from __future__ import annotations

import json

from lxml import etree

from actor_kit import defect_switch
from oso_protocol.dossier.categories import OPTIONEEL, PROFILE_MATRIX, gegevensblokken_for
from oso_protocol.dossier.model import Attachment
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.dossier.version import NS as DOSSIER_NS
from oso_protocol.transport import faults

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

DEFECTS = frozenset({
    LEAK_PGN, LEAK_ONDERWIJSNUMMER, PGN_IN_TEKST, PGN_IN_BIJLAGENAAM, PGN_IN_BIJLAGE,
    SEND_WITHOUT_TOELICHTING, DROP_TOELICHTING,
    CHANGE_AFTER_SEND, LIVE_DOSSIER, STALE_NEW_ZORGVRAAG, SERVE_DELETED,
    SKIP_SESSIECONTROLE, IGNORE_SESSIE_AFWIJKEND, SERVE_AFTER_AFMELDING, FAIL_OPEN,
    SERVE_SERVED_SESSION, ANY_SESSION_AFTER_FETCH, DOUBLE_SESSIECONTROLE,
    DROP_TERUGKOPPELING, GARBLE_TERUGKOPPELING, ACCEPT_UNKNOWN_TERUGKOPPELING,
    TERUGKOPPELING_BEFORE_FETCH,
    OFFER_INACTIVE_AANLEVERPUNT, REPORT_SENT_ON_REFUSAL, SKIP_OVERZICHT,
    MELDEN_TWICE, NOTIFY_TWICE, NOTIFY_WRONG_KOPPELSLEUTEL, WRONG_BRON_SCHOOL,
    VVE_IN_VO, DROP_BIJLAGEN, OPTIONAL_BLOCKS_ALWAYS, WRONG_PROFILE, INVALID_CODELIST,
    IGNORE_CALLER_CERTIFICATE, ACCEPT_FOREIGN_TERUGKOPPELING, NO_CLIENT_CERTIFICATE_CHECK,
})

GARBLE_LENGTE = 20


def check(defects) -> frozenset[str]:
    return defect_switch.check(defects, DEFECTS, "de LAS")


def active(defects, name: str) -> bool:
    return defect_switch.active(defects, DEFECTS, name)


def _pgn(leerling) -> str | None:
    return leerling.bsn or leerling.onderwijsnummer


def _q(name: str) -> str:
    return f"{{{DOSSIER_NS}}}{name}"


def _bytes(root) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


# --- before the build: what goes into the builder ------------------------------------------------

def toelichting(defects, bestand, leerling) -> Attachment:
    """The toelichting as the builder gets it. Without a file (send_without_toelichting) a
    stand-in is built and taken out again by apply_to_dossier."""
    if bestand is None:
        return Attachment(bestandsnaam="toelichting.pdf", content=b"-", mime="application/pdf")
    att = bestand.attachment()
    pgn = _pgn(leerling)
    if not pgn:
        return att
    if active(defects, PGN_IN_TEKST):
        att.omschrijving = f"Toelichting onderwijsbehoeften, leerling BSN {pgn}"
    if active(defects, PGN_IN_BIJLAGENAAM):
        stam, punt, ext = att.bestandsnaam.rpartition(".")
        att.bestandsnaam = f"{stam} {pgn}.{ext}" if punt else f"{att.bestandsnaam} {pgn}"
    if active(defects, PGN_IN_BIJLAGE):
        from oso_protocol.synthetic import pdf_bytes
        att.content = pdf_bytes("Toelichting onderwijsbehoeften",
                                ["Ondersteuningsbehoefte zoals door de school beschreven.",
                                 f"BSN van de leerling: {pgn}"])
    return att


def bijlagen(defects, attachments: list) -> list:
    """drop_bijlagen: the school attached them, the dossier goes without."""
    return [] if active(defects, DROP_BIJLAGEN) else attachments


def dossier_blokken(defects, profile: str, blokken: list[str]) -> list[str]:
    """optional_blocks_always: every block that is not VERBODEN goes in, ticked or not."""
    if active(defects, OPTIONAL_BLOCKS_ALWAYS):
        return [b["naam"] for b in gegevensblokken_for(profile) if b["state"] != "verboden"]
    return blokken


# --- after the build: the dossier bytes ----------------------------------------------------------

def apply_to_dossier(defects: frozenset[str], dossier: bytes, leerling, *, store=None,
                     leerling_id: int | None = None, profile: str | None = None,
                     blokken=(), met_toelichting: bool = True) -> bytes:
    if not defects:
        return dossier
    if active(defects, STALE_NEW_ZORGVRAAG) and store is not None:
        row = store.one("SELECT dossier FROM zorgvragen WHERE leerling_id = ? AND dossier IS NOT"
                        " NULL ORDER BY id DESC LIMIT 1", (leerling_id,))
        if row is not None:
            return bytes(row["dossier"])
    if active(defects, LEAK_PGN):
        if leerling.bsn:
            dossier = with_pgn(dossier, "bsn", leerling.bsn)
        elif leerling.onderwijsnummer:
            dossier = with_pgn(dossier, "onderwijsnummer", leerling.onderwijsnummer)
    if active(defects, LEAK_ONDERWIJSNUMMER) and leerling.onderwijsnummer:
        dossier = with_pgn(dossier, "onderwijsnummer", leerling.onderwijsnummer)
    root = etree.fromstring(dossier)
    changed = False
    if active(defects, DROP_TOELICHTING) or not met_toelichting:
        changed |= _drop_toelichting(root)
    if active(defects, VVE_IN_VO) and profile == "VOSWV" and "VVE" in (blokken or ()):
        changed |= _add_vve(root)
    if active(defects, WRONG_PROFILE):
        changed |= _swap_profile(root)
    if active(defects, INVALID_CODELIST):
        changed |= _bad_code(root)
    return _bytes(root) if changed else dossier


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


# --- serving and receiving -------------------------------------------------------------------------

def live_dossier(store, row) -> bytes:
    """live_dossier: the dossier built again from the pupil as the LAS holds it now."""
    from oso_protocol.dossier.builder import build_dossier

    from .leerlingen import get_school, load_leerling
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


def _sessie(message) -> tuple[str, str]:
    return (message.sessieId or "").upper(), (message.koppelsleutel or "").upper()


def sessiecontrole(defects, calls, message, *, bediend=frozenset(), store=None) -> None:
    """The sessiecontrole as this broken LAS does it: not at all, not for a session it served
    before (`bediend`), or with some refusals (or no answer) taken as a valid session."""
    if active(defects, SKIP_SESSIECONTROLE):
        return
    if active(defects, SERVE_SERVED_SESSION) and _sessie(message) in bediend:
        return
    try:
        calls.sessiecontrole(message)
        if active(defects, DOUBLE_SESSIECONTROLE):
            calls.sessiecontrole(message)
    except faults.OsoFault as fault:
        if not sessie_fout_genegeerd(defects, fault):
            if not (fault.resultaat == faults.SESSIE_ONBEKEND and store is not None
                    and active(defects, ANY_SESSION_AFTER_FETCH)
                    and _opgehaald(store, message.koppelsleutel)):
                raise


def _opgehaald(store, koppelsleutel: str) -> bool:
    row = store.one("SELECT dossier_opgehaald FROM zorgvragen WHERE koppelsleutel = ?",
                    (koppelsleutel,))
    return bool(row and row["dossier_opgehaald"])


def onthoud_bediend(defects, bediend: set, message) -> None:
    """serve_served_session: remember a session once its dossier went out."""
    if active(defects, SERVE_SERVED_SESSION):
        bediend.add(_sessie(message))


def sessie_fout_genegeerd(defects, fault) -> bool:
    """Whether this broken LAS serves the dossier in spite of the sessiecontrole's answer."""
    if not defects:
        return False
    if fault.resultaat == faults.SESSIE_AFWIJKEND:
        return active(defects, IGNORE_SESSIE_AFWIJKEND)
    if fault.resultaat == faults.SESSIE_REEDS_AFGEMELD:
        return active(defects, SERVE_AFTER_AFMELDING)
    if fault.resultaat in (faults.NIET_BEREIKBAAR, faults.ONGELDIG_ANTWOORD):
        return active(defects, FAIL_OPEN)
    return False


def garbled(tekst: str | None) -> str | None:
    return tekst[:GARBLE_LENGTE] if tekst else tekst


def markeer_verstuurd(store, zorgvraag_id: int) -> None:
    """report_sent_on_refusal: the overview says "Notificatie verstuurd: Ja" after a refusal."""
    with store.tx() as conn:
        conn.execute("UPDATE zorgvragen SET notificatie_verstuurd = 1 WHERE id = ?",
                     (zorgvraag_id,))


def aanleverpunt_zonder_overzicht(rk: str):
    """skip_overzicht: the aanleverpunt as the LAS guesses it, BRIN cut from the kenmerk."""
    from oso_protocol.transport.messages import DOEL_SWV, Aanleverpunt
    return Aanleverpunt(routeringsKenmerk=rk, brin=rk[-9:-5], naam=None, doel=DOEL_SWV)


def lokale_aanleverpunten(scenario, brin: str) -> list:
    """offer_inactive_aanleverpunt: the SWV aanleverpunten of a local copy of the register (the
    LAS's scenario file), the inactive ones included, instead of what the TC offers."""
    from oso_protocol.transport.messages import DOEL_SWV, Aanleverpunt

    from .app import _scenario
    register = (_scenario(scenario) if scenario is not None else {}).get("register") or {}
    out = []
    for ap in register.get("aanleverpunten") or []:
        if ap.get("doel") == DOEL_SWV and brin in (ap.get("scholen") or [brin]):
            out.append(Aanleverpunt(routeringsKenmerk=ap["routeringskenmerk"],
                                    brin=ap.get("brin"),
                                    naam=ap.get("naam"), doel=DOEL_SWV,
                                    actief=ap.get("actief", True)))
    return out



def notificatie_sleutel(defects, koppelsleutel: str) -> str:
    """notify_wrong_koppelsleutel: the notificatie names a key of its own making, not the TC's."""
    if active(defects, NOTIFY_WRONG_KOPPELSLEUTEL):
        import uuid
        return str(uuid.uuid4()).upper()
    return koppelsleutel


def meldingen(defects) -> int:
    """melden_twice: every zorgvraag asks the TC for a koppelsleutel twice (the first is used)."""
    return 2 if active(defects, MELDEN_TWICE) else 1


def notificaties(defects) -> int:
    """notify_twice: every notificatie goes out twice."""
    return 2 if active(defects, NOTIFY_TWICE) else 1


def bron_school(defects, store, school: dict) -> dict:
    """wrong_bron_school: the LAS's first school (BRIN and LAS aanleverpunt) stands as bron for
    every zorgvraag, as an installation set up for its main school would."""
    if not active(defects, WRONG_BRON_SCHOOL):
        return school
    from .leerlingen import school_row
    first = school_row(store.one("SELECT * FROM scholen ORDER BY brin LIMIT 1"))
    return {**school, "brin": first["brin"], "routeringskenmerk": first["routeringskenmerk"]}
