"""The LAS role. Simulated: its JSON API (docs/actors.md). External: the vendor's trigger (or a
person) makes it create and send a zorgvraag; the simulated TC shows what it did."""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from oso_protocol.synthetic import pdf_bytes

from .http import DriverError, JsonApi, b64
from .trigger import prompt_person, run_trigger

# Two numbers that pass the elfproef; used only in the LAS's own records, never in a dossier.
TEST_BSN = "123456782"
TEST_ONDERWIJSNUMMER = "101010107"

KIND_BRIN = {"po": "12AB", "vo": "56EF", "zonder_mandaat": "78GH",
             "met_bsn": "12AB", "met_onderwijsnummer": "34CD"}


@dataclass
class Pupil:
    kind: str
    ref: str               # the LAS's own id (simulated) or the vendor's reference (external)
    brin: str


@dataclass
class Sent:
    """What came of "Opslaan en verzenden"."""

    sent: bool
    zorgvraag_id: str | None = None
    koppelsleutel: str | None = None
    http_status: int | None = None
    fout: str | None = None
    zorgvraag: dict = field(default_factory=dict)

    def describe(self) -> str:
        if self.sent:
            return f"zorgvraag {self.zorgvraag_id} verzonden, koppelsleutel {self.koppelsleutel}"
        return f"niet verzonden (HTTP {self.http_status}): {self.fout}"


def toelichting_pdf(text: str = "Ondersteuningsbehoefte lezen en rekenen.") -> bytes:
    return pdf_bytes("Toelichting onderwijsbehoeften", [text])


class LasDriver:
    simulated = True

    def __init__(self, env, config, base_url: str):
        self.env = env
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.soap_url = self.base_url + config.soap_path

    def require_internal(self, what: str) -> None:
        """Skip when the check needs the LAS's inside view, which only our own LAS exposes."""
        if not self.simulated:
            pytest.skip(f"niet van toepassing op een externe LAS: {what} is LAS-intern en niet"
                        f" via OSO-berichten waar te nemen")


class SimulatedLas(LasDriver):
    def __init__(self, env, config, base_url: str):
        super().__init__(env, config, base_url)
        self.api = JsonApi("las", base_url, config.timeout)

    def school(self, brin: str) -> dict:
        for s in self.api.get("/api/scholen"):
            if s["brin"] == brin:
                return s
        raise DriverError(f"LAS kent school {brin} niet")

    def identity(self, brin: str) -> tuple[str, str]:
        return brin, self.school(brin)["routeringskenmerk"]

    def pupil(self, kind: str) -> Pupil:
        brin = KIND_BRIN[kind]
        used = self.env.used_pupils
        rows = [r for r in self.api.get(f"/api/leerlingen?brin={brin}") if str(r["id"]) not in used]
        if not rows:
            raise DriverError(f"LAS heeft geen ongebruikte leerling meer op school {brin}")
        ref = str(rows[0]["id"])
        used.add(ref)
        if kind == "met_bsn":
            self.api.patch(f"/api/leerlingen/{ref}", json={"bsn": TEST_BSN, "onderwijsnummer": None})
        elif kind == "met_onderwijsnummer":
            self.api.patch(f"/api/leerlingen/{ref}",
                           json={"bsn": None, "onderwijsnummer": TEST_ONDERWIJSNUMMER})
        return Pupil(kind, ref, brin)

    def record(self, pupil: Pupil) -> dict:
        return self.api.get(f"/api/leerlingen/{pupil.ref}")

    def send(self, pupil: Pupil, aanleverpunt: str, *, toelichting: bool = True,
             gegevensblokken: list[str] | None = None, omschrijving: str = "Zorgvraag",
             bijlagen: int = 0) -> Sent:
        body = {"omschrijving": omschrijving, "aandachtspunten": "Aandacht voor de leesontwikkeling.",
                "aanleverpunt": aanleverpunt, "verzenden": True,
                "gegevensblokken": gegevensblokken if gegevensblokken is not None
                else [b["naam"] for b in self.gegevensblokken(pupil) if b["state"] != "verboden"]}
        if toelichting:
            body["toelichting"] = {"bestandsnaam": "Toelichting onderwijsbehoeften.pdf",
                                   "inhoud_base64": b64(toelichting_pdf())}
        if bijlagen:
            body["bijlagen"] = [{"bestandsnaam": f"Bijlage {i + 1}.pdf",
                                 "inhoud_base64": b64(pdf_bytes(f"Bijlage {i + 1}", ["Verslag."]))}
                                for i in range(bijlagen)]
        answer = self.api.request("POST", f"/api/leerlingen/{pupil.ref}/zorgvragen", json=body)
        if not answer.ok:
            return Sent(False, http_status=answer.status, fout=answer.fout)
        zv = answer.body["zorgvraag"]
        sent = zv.get("notificatie_verstuurd") == "Ja"
        return Sent(sent, str(zv["id"]), zv.get("koppelsleutel"), answer.status,
                    None if sent else zv.get("laatste_fout"), zv)

    def gegevensblokken(self, pupil: Pupil) -> list[dict]:
        return self.api.get(f"/api/leerlingen/{pupil.ref}/gegevensblokken")

    def zorgvraag(self, zorgvraag_id: str) -> dict:
        return self.api.get(f"/api/zorgvragen/{zorgvraag_id}")

    def change_zorgvraag(self, zorgvraag_id: str, patch: dict):
        return self.api.request("PATCH", f"/api/zorgvragen/{zorgvraag_id}", json=patch)

    def change_pupil(self, pupil: Pupil, patch: dict) -> None:
        self.api.patch(f"/api/leerlingen/{pupil.ref}", json=patch)

    def delete_zorgvraag(self, zorgvraag_id: str) -> None:
        self.api.delete(f"/api/zorgvragen/{zorgvraag_id}")

    def overview(self, pupil: Pupil) -> list[dict]:
        return self.api.get(f"/api/leerlingen/{pupil.ref}/zorgvragen")

    def snapshot(self, zorgvraag_id: str) -> bytes:
        return self.api.raw("GET", f"/api/zorgvragen/{zorgvraag_id}/dossier")

    def aanleverpunten(self, brin: str) -> list[dict]:
        return self.api.get(f"/api/aanleverpunten?brin={brin}")


class ExternalLas(LasDriver):
    simulated = False

    def identity(self, brin: str) -> tuple[str, str]:
        return self.config.brin, self.config.routeringskenmerk

    def pupil(self, kind: str) -> Pupil:
        ref = self.config.leerlingen.get(kind) or (
            self.config.leerlingen.get("po") if kind in ("met_bsn", "met_onderwijsnummer") else None)
        if kind in ("met_bsn", "met_onderwijsnummer") and kind not in self.config.leerlingen:
            pytest.skip(f"geen leerling '{kind}' opgegeven in [las.leerlingen] van de configuratie")
        if ref is None:
            pytest.skip(f"geen leerling '{kind}' opgegeven in [las.leerlingen] van de configuratie")
        return Pupil(kind, ref, self.config.brin)

    def send(self, pupil: Pupil, aanleverpunt: str, *, toelichting: bool = True,
             gegevensblokken: list[str] | None = None, omschrijving: str = "Zorgvraag",
             bijlagen: int = 0) -> Sent:
        if bijlagen:
            pytest.skip("niet van toepassing op een externe LAS: het trigger-contract kent geen extra bijlagen")
        tc = self.env.tc
        known = {k["koppelsleutel"] for k in tc.koppelingen()}
        path = ""
        if toelichting:
            path = str(Path(self.env.workdir) / f"toelichting-{len(known)}-{time.time_ns()}.pdf")
            Path(path).write_bytes(toelichting_pdf())
        values = {"leerling": pupil.ref, "aanleverpunt": aanleverpunt, "toelichting": path,
                  "omschrijving": omschrijving, "brin": pupil.brin, "las_url": self.base_url,
                  "gegevensblokken": ",".join(gegevensblokken or [])}
        expect_refusal = not toelichting or pupil.kind == "zonder_mandaat" or self.env.expect_refusal
        if self.config.trigger:
            done = run_trigger("las", self.config.trigger, values, self.config.wait_seconds)
            if done.returncode != 0 and not expect_refusal:
                raise DriverError(f"LAS-trigger faalde (exit {done.returncode}):"
                                  f" {(done.stderr or done.stdout).strip()[:400]}")
            # The trigger returns once the LAS has acted; a short grace for asynchronous sends.
            wait = 3.0 if expect_refusal else self.config.wait_seconds
        else:
            prompt_person(
                f"Laat de LAS op {self.base_url} een zorgvraag {'ZONDER' if not toelichting else 'met'}"
                f" toelichting opslaan en verzenden voor leerling {pupil.ref} naar aanleverpunt"
                f" {aanleverpunt}" + (f", gegevensblokken: {values['gegevensblokken']}" if gegevensblokken
                                      is not None else "") +
                f". De harnas wacht {self.config.wait_seconds:.0f} s.")
            wait = self.config.wait_seconds
        k = tc.new_koppeling(self.config.routeringskenmerk, known, wait)
        if k is None:
            return Sent(False, fout=f"de TC ontving binnen {wait:.0f} s geen meldenNotificatie van"
                                    f" aanleverpunt {self.config.routeringskenmerk}")
        return Sent(True, None, k["koppelsleutel"], None, None, {})
