"""The LAS's JSON API (docs/actors.md): thin routes over leerlingen and zorgvragen."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from actor_kit.messagelog import MessageLog
from actor_kit.store import Store
from oso_protocol.dossier.categories import gegevensblokken_for
from oso_protocol.transport.faults import OsoFault

from . import leerlingen
from .errors import LasError
from .oso_calls import OsoCalls
from .ui_uploads import MAX_BESTAND, te_groot
from .zorgvragen import Zorgvragen, aanleverpunt_label

# a JSON body carries at most a toelichting and a few attachments, each at most MAX_BESTAND
# once decoded; base64 makes them a third larger
MAX_BODY_BYTES = 8 * MAX_BESTAND


def _body() -> dict:
    data = request.get_json(silent=True)
    if data is None:
        raise LasError(400, "Verwacht een JSON-body.", "OngeldigeInvoer")
    return data


def _decoded_size(b64) -> int:
    if not isinstance(b64, str):
        return 0
    chars = len(b64) - sum(b64.count(c) for c in " \t\r\n")
    return chars * 3 // 4 - min(2, len(b64.rstrip()) - len(b64.rstrip().rstrip("=")))


def _check_files(files) -> None:
    """The form's limit per file, before the domain decodes anything."""
    for f in files:
        if isinstance(f, dict) and _decoded_size(f.get("inhoud_base64")) > MAX_BESTAND:
            raise LasError(413, te_groot(f.get("bestandsnaam") or "bestand"), "BestandTeGroot")


def _zorgvraag_body(data) -> dict:
    if isinstance(data, dict):
        bijlagen = data.get("bijlagen")
        _check_files([data.get("toelichting"), *(bijlagen if isinstance(bijlagen, list) else [])])
    return data


def api_blueprint(store: Store, messagelog: MessageLog, zorgvragen: Zorgvragen,
                  calls: OsoCalls) -> Blueprint:
    bp = Blueprint("las_api", __name__, url_prefix="/api")

    @bp.errorhandler(LasError)
    def las_error(exc: LasError):
        return jsonify(exc.to_dict()), exc.status

    @bp.before_request
    def _body_limit():
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise LasError(413, f"De body is groter dan {MAX_BODY_BYTES // (1024 * 1024)} MB.",
                           "BestandTeGroot")
        request.max_content_length = MAX_BODY_BYTES  # also for a body without Content-Length

    @bp.get("/health")
    def health():
        return jsonify({"actor": "las", "ok": True})

    @bp.get("/berichten")
    def berichten():
        try:
            after = int(request.args.get("after_id", 0))
        except ValueError:
            raise LasError(400, "after_id moet een getal zijn.", "OngeldigeInvoer") from None
        return jsonify({"berichten": messagelog.entries(
            koppelsleutel=request.args.get("koppelsleutel") or None, after_id=after,
            with_xml=request.args.get("xml", "0") == "1")})

    @bp.get("/berichten/<int:entry_id>")
    def bericht(entry_id: int):
        row = messagelog.get(entry_id)
        if row is None:
            raise LasError(404, f"Bericht {entry_id} is niet bekend.", "OnbekendBericht")
        return jsonify(row)

    @bp.get("/scholen")
    def scholen():
        return jsonify(leerlingen.list_scholen(store))

    @bp.get("/leerlingen")
    def leerlingen_lijst():
        return jsonify(leerlingen.list_leerlingen(store, request.args.get("brin") or None))

    @bp.post("/leerlingen")
    def leerling_nieuw():
        return jsonify({"id": leerlingen.add_leerling(store, _body())}), 201

    @bp.get("/leerlingen/<int:leerling_id>")
    def leerling(leerling_id: int):
        return jsonify(leerlingen.get_leerling(store, leerling_id))

    @bp.patch("/leerlingen/<int:leerling_id>")
    def leerling_wijzig(leerling_id: int):
        return jsonify(leerlingen.patch_leerling(store, leerling_id, _body()))

    @bp.get("/leerlingen/<int:leerling_id>/gegevensblokken")
    def gegevensblokken(leerling_id: int):
        _, brin = leerlingen.load_leerling(store, leerling_id)
        _, school = leerlingen.get_school(store, brin)
        return jsonify(gegevensblokken_for(school["profile"]))

    @bp.get("/aanleverpunten")
    def aanleverpunten():
        brin = request.args.get("brin")
        if not brin:
            raise LasError(400, "Geef de brin van de school op (?brin=).", "OngeldigeInvoer")
        try:
            offered = zorgvragen.policy.offered_aanleverpunten(calls, brin)
        except OsoFault as fault:
            raise LasError(502, f"Het Traffic Center gaf geen aanleverpunten ({fault.resultaat}):"
                                f" {fault.omschrijving}", fault.resultaat) from None
        return jsonify([{"routeringskenmerk": ap.routeringsKenmerk, "brin": ap.brin,
                         "naam": ap.naam, "doel": ap.doel, "label": aanleverpunt_label(ap)}
                        for ap in offered])

    @bp.get("/leerlingen/<int:leerling_id>/zorgvragen")
    def overzicht(leerling_id: int):
        return jsonify(zorgvragen.overzicht(leerling_id))

    @bp.post("/leerlingen/<int:leerling_id>/zorgvragen")
    def zorgvraag_nieuw(leerling_id: int):
        return jsonify({"zorgvraag": zorgvragen.maak(leerling_id, _zorgvraag_body(_body()))}), 201

    @bp.get("/zorgvragen")
    def zorgvraag_op_koppelsleutel():
        koppelsleutel = request.args.get("koppelsleutel")
        if not koppelsleutel:
            raise LasError(400, "Geef ?koppelsleutel= op.", "OngeldigVerzoek")
        return jsonify(zorgvragen.by_koppelsleutel(koppelsleutel))

    @bp.get("/zorgvragen/<int:zorgvraag_id>")
    def zorgvraag(zorgvraag_id: int):
        return jsonify(zorgvragen.get(zorgvraag_id))

    @bp.patch("/zorgvragen/<int:zorgvraag_id>")
    def zorgvraag_wijzig(zorgvraag_id: int):
        return jsonify(zorgvragen.wijzig(zorgvraag_id,
                                         _zorgvraag_body(request.get_json(silent=True))))

    @bp.post("/zorgvragen/<int:zorgvraag_id>/bijlagen")
    def zorgvraag_bijlage(zorgvraag_id: int):
        body = request.get_json(silent=True)
        _check_files([body])
        return jsonify(zorgvragen.voeg_bijlage_toe(zorgvraag_id, body)), 201

    @bp.post("/zorgvragen/<int:zorgvraag_id>/verzenden")
    def zorgvraag_verzend(zorgvraag_id: int):
        return jsonify({"zorgvraag": zorgvragen.verzend(zorgvraag_id)})

    @bp.delete("/zorgvragen/<int:zorgvraag_id>")
    def zorgvraag_verwijder(zorgvraag_id: int):
        return jsonify(zorgvragen.verwijder(zorgvraag_id))

    @bp.get("/zorgvragen/<int:zorgvraag_id>/dossier")
    def zorgvraag_dossier(zorgvraag_id: int):
        return Response(zorgvragen.dossier(zorgvraag_id),
                        content_type="application/xml; charset=utf-8")

    return bp
