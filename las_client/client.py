"""A small Python API over the LAS's JSON API, for shells, scripts and the harness.

    las = LasClient("http://127.0.0.1:5001")
    ll = las.leerlingen(brin="12AB")[0]
    ap = las.aanleverpunten("12AB")[0]
    zv = las.maak_zorgvraag(ll["id"], "Lezen blijft achter", ap["routeringskenmerk"], "toelichting.pdf")
"""
from __future__ import annotations

import base64
import os
from pathlib import Path

import requests

from actor_kit.http_session import Session


class LasClientError(Exception):
    """The LAS refused (status 4xx/5xx with {"fout", "code"}) or could not be reached (status None)."""

    def __init__(self, status: int | None, fout: str, code: str | None = None):
        super().__init__(f"{code}: {fout}" if code else fout)
        self.status = status
        self.fout = fout
        self.code = code

    @property
    def unreachable(self) -> bool:
        return self.status is None


def _bestand(value, default_naam: str) -> dict:
    """A file for the API from a path, bytes, or (bestandsnaam, bytes[, omschrijving])."""
    omschrijving = None
    if isinstance(value, tuple):
        naam, inhoud, *rest = value
        omschrijving = rest[0] if rest else None
    elif isinstance(value, (bytes, bytearray)):
        naam, inhoud = default_naam, bytes(value)
    else:
        path = Path(os.fspath(value))
        naam, inhoud = path.name, path.read_bytes()
    out = {"bestandsnaam": naam, "inhoud_base64": base64.b64encode(inhoud).decode("ascii")}
    if omschrijving:
        out["omschrijving"] = omschrijving
    return out


class LasClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or Session()

    def _call(self, method: str, path: str, **kwargs):
        try:
            resp = self.session.request(method, self.base_url + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise LasClientError(None, f"De LAS op {self.base_url} is niet bereikbaar"
                                       f" ({type(exc).__name__}).") from None
        if resp.status_code >= 400:
            try:
                data = resp.json()
            except ValueError:
                data = {}
            raise LasClientError(resp.status_code,
                                 data.get("fout") or f"HTTP {resp.status_code}", data.get("code"))
        if resp.headers.get("Content-Type", "").startswith("application/json"):
            return resp.json()
        return resp.content

    # --- pupils and schools ---

    def scholen(self) -> list[dict]:
        return self._call("GET", "/api/scholen")

    def leerlingen(self, brin: str | None = None) -> list[dict]:
        return self._call("GET", "/api/leerlingen", params={"brin": brin} if brin else None)

    def leerling(self, leerling_id: int) -> dict:
        return self._call("GET", f"/api/leerlingen/{leerling_id}")

    def wijzig_leerling(self, leerling_id: int, **fields) -> dict:
        return self._call("PATCH", f"/api/leerlingen/{leerling_id}", json=fields)

    def gegevensblokken(self, leerling_id: int) -> list[dict]:
        return self._call("GET", f"/api/leerlingen/{leerling_id}/gegevensblokken")

    def aanleverpunten(self, brin: str) -> list[dict]:
        return self._call("GET", "/api/aanleverpunten", params={"brin": brin})

    # --- zorgvragen ---

    def maak_zorgvraag(self, leerling_id: int, omschrijving: str, aanleverpunt: str | None,
                       toelichting_path_or_bytes, gegevensblokken: list[str] | None = None,
                       bijlagen=(), aandachtspunten: str | None = None,
                       verzenden: bool = True) -> dict:
        body = {"omschrijving": omschrijving, "aanleverpunt": aanleverpunt,
                "aandachtspunten": aandachtspunten, "verzenden": verzenden,
                "gegevensblokken": list(gegevensblokken or []),
                "bijlagen": [_bestand(b, f"bijlage-{i + 1}.pdf") for i, b in enumerate(bijlagen)]}
        if toelichting_path_or_bytes is not None:
            body["toelichting"] = _bestand(toelichting_path_or_bytes,
                                           "Toelichting onderwijsbehoeften.pdf")
        return self._call("POST", f"/api/leerlingen/{leerling_id}/zorgvragen", json=body)["zorgvraag"]

    def zorgvraag(self, zorgvraag_id: int) -> dict:
        return self._call("GET", f"/api/zorgvragen/{zorgvraag_id}")

    def zorgvraag_op_koppelsleutel(self, koppelsleutel: str) -> dict:
        return self._call("GET", "/api/zorgvragen", params={"koppelsleutel": koppelsleutel})

    def wijzig_zorgvraag(self, zorgvraag_id: int, **fields) -> dict:
        if "toelichting" in fields and fields["toelichting"] is not None:
            fields["toelichting"] = _bestand(fields["toelichting"], "Toelichting onderwijsbehoeften.pdf")
        return self._call("PATCH", f"/api/zorgvragen/{zorgvraag_id}", json=fields)

    def dossier(self, zorgvraag_id: int) -> bytes:
        return self._call("GET", f"/api/zorgvragen/{zorgvraag_id}/dossier")

    def overzicht(self, leerling_id: int) -> list[dict]:
        return self._call("GET", f"/api/leerlingen/{leerling_id}/zorgvragen")

    def verzend(self, zorgvraag_id: int) -> dict:
        return self._call("POST", f"/api/zorgvragen/{zorgvraag_id}/verzenden")["zorgvraag"]

    def verwijder(self, zorgvraag_id: int) -> dict:
        return self._call("DELETE", f"/api/zorgvragen/{zorgvraag_id}")
