"""The LAS role, one interface whether it is simulated or a vendor's system.

Simulated: our LAS's JSON API (docs/actors.md). External: the vendor's trigger commands (or a
person) make it act, and the simulated TC and SWV show what it did. Steps only call the methods of
`LasDriver`; where a driver cannot do what a step needs, it ends the scenario niet geverifieerd
(harness.conformance.outcomes), never with a weaker check.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.conformance.outcomes import NotVerified
from harness.conformance.zorgvraag_view import contract_view
from oso_protocol.synthetic import pdf_bytes

from harness.conformance.drivers.http import DriverError, RoleDriver, b64
from harness.conformance.drivers.trigger import EXIT_DONE, crashed, output, prompt_person, refused, run_trigger, tail

# Two numbers that pass the elfproef; used only in the LAS's own records, never in a dossier.
TEST_BSN = "123456782"
TEST_ONDERWIJSNUMMER = "101010108"

KIND_BRIN = {"po": "12AB", "vo": "56EF", "met_bsn": "12AB", "met_onderwijsnummer": "34CD"}
AANDACHTSPUNTEN = "Aandacht voor de leesontwikkeling."

@dataclass
class Pupil:
    kind: str
    ref: str               # the LAS's own id (simulated) or the vendor's reference (external)
    brin: str
    pgn: tuple[str, ...] = ()   # BSN / onderwijsnummer the LAS keeps for this pupil, when known


@dataclass
class Sent:
    """What came of "Opslaan en verzenden"."""

    sent: bool                     # the TC issued a koppelsleutel for it
    zorgvraag_id: str | None = None
    koppelsleutel: str | None = None
    http_status: int | None = None
    fout: str | None = None
    zorgvraag: dict = field(default_factory=dict)
    refused: bool = False          # the LAS itself said no, with a reason (fout)
    claimed: bool | None = None    # the LAS said it was sent (None: not told)
    # What a trigger said that did not report success although the TC issued the koppelsleutel
    # (e.g. the SWV refused the notificatie): sent all the same, and later steps can show it.
    trigger_melding: str | None = None

    def describe(self) -> str:
        if self.sent:
            return f"zorgvraag verzonden, koppelsleutel {self.koppelsleutel}" + (
                f" (de trigger meldde: {self.trigger_melding})" if self.trigger_melding else "")
        if self.refused:
            return f"door de LAS geweigerd: {self.fout}"
        return f"niet verzonden: {self.fout}"


@dataclass
class Change:
    accepted: bool
    reason: str = ""


def toelichting_pdf(text: str = "Ondersteuningsbehoefte lezen en rekenen.", token: str = "") -> bytes:
    """`token`: marks the file as this scenario's, so a LAS that keeps (or deduplicates) files
    from an earlier run cannot pass one of those for it."""
    return pdf_bytes("Toelichting onderwijsbehoeften", [text] + ([f"Kenmerk {token}."] if token else []))


class LasDriver(RoleDriver):
    """What every scenario may ask of the LAS under test (or of ours playing it)."""

    # Every method below is implemented by both drivers; a step may call any of them.
    def identity(self, brin: str) -> tuple[str, str]:
        """(BRIN, LAS routeringskenmerk) of school `brin` in this LAS."""
        raise NotImplementedError

    def pupil(self, kind: str) -> Pupil:
        raise NotImplementedError

    def send(self, pupil: Pupil, aanleverpunt: str, *, toelichting: bool = True,
             gegevensblokken: list[str] | None = None, omschrijving: str = "Zorgvraag",
             bijlagen: int = 0) -> Sent:
        """"Opslaan en verzenden" as the school does it."""
        raise NotImplementedError

    def change_pupil(self, pupil: Pupil, achternaam: str) -> None:
        raise NotImplementedError

    def change_zorgvraag(self, sent: Sent, veld: str, waarde) -> Change:
        """Try to change a sent zorgvraag; the LAS must refuse."""
        raise NotImplementedError

    def delete_zorgvraag(self, sent: Sent) -> None:
        raise NotImplementedError

    def view(self, koppelsleutel: str) -> dict:
        """The LAS's view of a zorgvraag in the shape of trigger_toon_zorgvraag."""
        raise NotImplementedError

    def aanleverpunten(self, brin: str) -> list[str]:
        """The SWV aanleverpunten the LAS offers school `brin`."""
        raise NotImplementedError


class SimulatedLas(LasDriver):
    def __init__(self, env, config, base_url: str):
        super().__init__(env, config, base_url)
        self.api = env.json_api("las", base_url, config.timeout)

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
        record = self.api.get(f"/api/leerlingen/{ref}")
        pgn = tuple(n for n in (record.get("bsn"), record.get("onderwijsnummer")) if n)
        return Pupil(kind, ref, brin, pgn)

    def send(self, pupil: Pupil, aanleverpunt: str, *, toelichting: bool = True,
             gegevensblokken: list[str] | None = None, omschrijving: str = "Zorgvraag",
             bijlagen: int = 0) -> Sent:
        body = {"omschrijving": omschrijving, "aandachtspunten": AANDACHTSPUNTEN,
                "aanleverpunt": aanleverpunt, "verzenden": True,
                "gegevensblokken": gegevensblokken if gegevensblokken is not None
                else [b["naam"] for b in self.api.get(f"/api/leerlingen/{pupil.ref}/gegevensblokken")
                      if b["state"] != "verboden"]}
        if toelichting:
            body["toelichting"] = {"bestandsnaam": "Toelichting onderwijsbehoeften.pdf",
                                   "inhoud_base64": b64(toelichting_pdf(token=self.env.run_token))}
        if bijlagen:
            body["bijlagen"] = [{"bestandsnaam": name, "inhoud_base64": b64(data)}
                                for name, data in bijlage_files(bijlagen, self.env.run_token)]
        answer = self.api.request("POST", f"/api/leerlingen/{pupil.ref}/zorgvragen", json=body)
        if answer.status is None:
            raise NotVerified(f"LAS niet bereikbaar: {answer.fout}")
        if not answer.ok:
            return Sent(False, http_status=answer.status, fout=answer.fout, refused=True, claimed=False)
        zv = answer.body["zorgvraag"]
        claimed = zv.get("notificatie_verstuurd") == "Ja"
        k = zv.get("koppelsleutel")
        issued = bool(k and self.env.tc.koppeling(k))
        return Sent(issued, str(zv["id"]), k if issued else None, answer.status,
                    None if claimed else zv.get("laatste_fout"), zv,
                    refused=not claimed, claimed=claimed)

    def change_pupil(self, pupil: Pupil, achternaam: str) -> None:
        self.api.patch(f"/api/leerlingen/{pupil.ref}", json={"achternaam": achternaam})

    def change_zorgvraag(self, sent: Sent, veld: str, waarde) -> Change:
        if veld == "toelichting":
            waarde = {"bestandsnaam": "Andere toelichting.pdf", "inhoud_base64": b64(Path(waarde).read_bytes())}
        answer = self.api.request("PATCH", f"/api/zorgvragen/{sent.zorgvraag_id}", json={veld: waarde})
        if answer.status is None:
            raise NotVerified(f"LAS niet bereikbaar: {answer.fout}")
        return Change(answer.ok, "" if answer.ok else f"HTTP {answer.status}: {answer.fout}")

    def delete_zorgvraag(self, sent: Sent) -> None:
        self.api.delete(f"/api/zorgvragen/{sent.zorgvraag_id}")

    def view(self, koppelsleutel: str) -> dict:
        answer = self.api.request("GET", f"/api/zorgvragen?koppelsleutel={koppelsleutel}")
        if answer.status == 404:
            return contract_view(None, koppelsleutel)
        if not answer.ok:
            raise NotVerified(f"LAS toonde de zorgvraag niet: {answer.fout}")
        return contract_view(answer.body, koppelsleutel)

    def aanleverpunten(self, brin: str) -> list[str]:
        return [a["routeringskenmerk"] for a in self.api.get(f"/api/aanleverpunten?brin={brin}")]


class ExternalLas(LasDriver):
    simulated = False

    def identity(self, brin: str) -> tuple[str, str]:
        rk = self.config.routeringskenmerk_of(brin)
        return (brin, rk) if rk else (self.config.brin, self.config.routeringskenmerk)

    def pupil(self, kind: str) -> Pupil:
        ref = self.config.leerling(kind)
        if ref is None:
            raise NotVerified(f"geen leerling '{kind}' in [las.leerlingen] van de configuratie")
        return Pupil(kind, str(ref.ref), ref.brin, tuple(ref.pgn))

    # -- triggers ------------------------------------------------------------------------------

    def _run(self, key: str, values: dict, doing: str):
        """Run trigger `key`, or ask a person when the role is handmatig. Returns the finished
        process, or None when a person was asked."""
        template = getattr(self.config, key, None)
        if template:
            return run_trigger("las", template, values, self.config.wait_seconds,
                               cwd=getattr(self.config, "folder", None), key=key)
        if getattr(self.config, "handmatig", False) or key == "trigger":
            prompt_person(f"{doing} (LAS op {self.base_url}). De harnas wacht"
                          f" {self.config.wait_seconds:.0f} s.")
            return None
        raise NotVerified(f"[las] {key} ontbreekt in de configuratie")

    @staticmethod
    def _done(key: str, done) -> None:
        """A trigger that must have done its work: a refusal by the LAS, too, leaves the scenario
        unable to go on."""
        if done is not None and refused("las", key, done):
            raise NotVerified(f"[las] {key}: de LAS weigerde: {output(done) or '(geen reden)'}")

    def send(self, pupil: Pupil, aanleverpunt: str, *, toelichting: bool = True,
             gegevensblokken: list[str] | None = None, omschrijving: str = "Zorgvraag",
             bijlagen: int = 0) -> Sent:
        tc = self.env.tc
        known = {k["koppelsleutel"] for k in tc.koppelingen()}
        since = tc.last_message_id()
        stamp = f"{len(known)}-{time.time_ns()}"
        # absolute: the trigger runs in the configuration's folder, not in ours
        workdir = Path(self.env.workdir).resolve()
        path = ""
        if toelichting:
            path = str(workdir / f"toelichting-{stamp}.pdf")
            Path(path).write_bytes(toelichting_pdf(token=self.env.run_token))
        paths = []
        for name, data in bijlage_files(bijlagen, self.env.run_token):
            folder = workdir / f"bijlagen-{stamp}"
            folder.mkdir(exist_ok=True)
            paths.append(str(folder / name))
            Path(paths[-1]).write_bytes(data)
        values = {"leerling": pupil.ref, "aanleverpunt": aanleverpunt, "toelichting": path,
                  "omschrijving": omschrijving, "brin": pupil.brin, "las_url": self.base_url,
                  "aandachtspunten": AANDACHTSPUNTEN,
                  "gegevensblokken": ",".join(gegevensblokken or []), "bijlagen": ",".join(paths)}
        done = self._run("trigger", values,
                         f"Laat de school een zorgvraag {'ZONDER' if not toelichting else 'met'} toelichting"
                         f" opslaan en verzenden voor leerling {pupil.ref} naar aanleverpunt {aanleverpunt}"
                         + (f", gegevensblokken: {values['gegevensblokken']}" if gegevensblokken is not None else ""))
        bron_rk = self.identity(pupil.brin)[1]
        claimed = None if done is None else done.returncode == EXIT_DONE and not crashed(done)
        # The TC is the witness of sending: a koppelsleutel it issued to this LAS means the
        # zorgvraag left the school, whatever the trigger said afterwards. A trigger that reported
        # success gets the whole wait; after any other exit the LAS has already acted, so one look.
        wait = self.config.wait_seconds if done is None or done.returncode == EXIT_DONE else 0
        k = tc.new_koppeling(bron_rk, known, wait, since)
        if k is not None:
            melding = None
            if done is not None and not claimed:
                said = tail(done.stderr, done.stdout)
                melding = f"exit {done.returncode}" + (f": {said}" if said else "")
            return Sent(True, None, k["koppelsleutel"], claimed=claimed, trigger_melding=melding)
        if done is not None and refused("las", "trigger", done):
            return Sent(False, fout=output(done) or "(geen reden)", refused=True, claimed=False)
        melding = tc.refused_melding(since)
        why = (f"de TC weigerde de meldenNotificatie ({melding['outcome']})" if melding else
               f"de TC gaf binnen {self.config.wait_seconds:.0f} s geen koppelsleutel aan aanleverpunt {bron_rk}")
        return Sent(False, fout=why, claimed=claimed)

    def change_pupil(self, pupil: Pupil, achternaam: str) -> None:
        done = self._run("trigger_wijzig_leerling", {"leerling": pupil.ref, "achternaam": achternaam},
                         f"Wijzig de achternaam van leerling {pupil.ref} in {achternaam!r}")
        self._done("trigger_wijzig_leerling", done)

    def change_zorgvraag(self, sent: Sent, veld: str, waarde) -> Change:
        text = ",".join(waarde) if isinstance(waarde, list) else str(waarde)
        done = self._run("trigger_wijzig_zorgvraag",
                         {"koppelsleutel": sent.koppelsleutel, "veld": veld, "waarde": text},
                         f"Probeer {veld} van de verzonden zorgvraag {sent.koppelsleutel} te wijzigen")
        if done is None:
            raise NotVerified("een persoon kan niet aan de harnas melden of de LAS de wijziging weigerde")
        if not refused("las", "trigger_wijzig_zorgvraag", done):
            return Change(True)
        return Change(False, output(done) or "(geen reden)")

    def delete_zorgvraag(self, sent: Sent) -> None:
        done = self._run("trigger_verwijder_zorgvraag", {"koppelsleutel": sent.koppelsleutel},
                         f"Verwijder de zorgvraag met koppelsleutel {sent.koppelsleutel}")
        self._done("trigger_verwijder_zorgvraag", done)

    def _json(self, key: str, values: dict, doing: str):
        done = self._run(key, values, doing)
        if done is None:
            raise NotVerified(f"{key}: een persoon kan de harnas geen JSON geven")
        self._done(key, done)
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise NotVerified(f"{key} gaf geen JSON: {done.stdout.strip()[:200]!r}") from None

    def view(self, koppelsleutel: str) -> dict:
        data = self._json("trigger_toon_zorgvraag", {"koppelsleutel": koppelsleutel},
                          f"Toon zorgvraag {koppelsleutel}")
        if not isinstance(data, dict) or "gevonden" not in data:
            raise NotVerified(f"trigger_toon_zorgvraag gaf niet de afgesproken vorm: {str(data)[:200]}")
        return data

    def aanleverpunten(self, brin: str) -> list[str]:
        data = self._json("trigger_aanleverpunten", {"brin": brin},
                          f"Toon de aanleverpuntselectie van school {brin}")
        if not isinstance(data, list):
            raise NotVerified(f"trigger_aanleverpunten gaf geen lijst: {str(data)[:200]}")
        return [a if isinstance(a, str) else a.get("routeringskenmerk") for a in data]


def bijlage_files(n: int, token: str = "") -> list[tuple[str, bytes]]:
    """The extra bijlagen a scenario sends; `token` makes their contents this scenario's own."""
    return [(f"Bijlage {i + 1}.pdf", pdf_bytes(f"Bijlage {i + 1}", ["Verslag."] + ([f"Kenmerk {token}."] if token else [])))
            for i in range(n)]
