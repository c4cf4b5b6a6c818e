"""Pre-flight of a conformance run: before any scenario, prove that the system under test can be
judged at all. A system that is down, answers HTML, or whose trigger does not work would
otherwise produce a long list of scenarios that could not be checked; now the run stops with
verdict `fout` and one reason, and nothing is counted.

What is checked, per external role:

- LAS: its SOAP endpoint answers a documentRequest with an unknown sessieId with a SOAP answer
  or a SOAP Fault (a conforming LAS refuses it after asking the TC; nothing is delivered, so the
  call is harmless). Then the trigger runs once for a valid zorgvraag (with toelichting) for pupil
  `po`, in the configuration file's folder as in every scenario, and the simulated TC must see its
  meldenNotificatie (a koppelsleutel).
- SWV: its SOAP endpoint answers a documentRequest (an operation of the LAS, which an SWV does
  not offer) with a SOAP answer or a SOAP Fault. A notificatie would make it fetch a dossier,
  so it is not used here; whether the SWV acts is what the scenarios check.
- TC: its SOAP endpoint answers an overzichtAanleverpunt for school 12AB (read-only).
"""
from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field

import pytest

from oso_protocol.transport import messages as m

from harness.conformance.config import ConformanceConfig
from harness.conformance.drivers.http import SoapProbe
from harness.conformance.environment import ConformanceEnv
from harness.evidence.run_info import redact_text

SIM_SWV = ("25PO", "0000000700025PO00931")


@dataclass
class Preflight:
    ok: bool = True
    checks: list[str] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict:
        return {"geslaagd": self.ok, "controles": self.checks, "reden": self.reason}


class _Stop(Exception):
    pass


def _soap_answers(probe: SoapProbe, role: str, url: str, message, pf: Preflight) -> None:
    """Any SOAP answer will do; no answer, HTML or garbage stops the run."""
    try:
        result = probe.call(role, url, message)
    except AssertionError as exc:  # DriverError: unreachable, timeout, not SOAP
        raise _Stop(f"het SOAP-endpoint van de {role.upper()} antwoordt niet bruikbaar: {exc}") from None
    what = f"SOAP Fault {result.fault.resultaat}" if result.fault else f"antwoord {result.resultaat}"
    pf.checks.append(f"{role.upper()}-endpoint {url} beantwoordt {message.OPERATION} ({what})")


def _las(env: ConformanceEnv, config: ConformanceConfig, pf: Preflight, *, trigger: bool) -> None:
    las = config.roles["las"]
    _soap_answers(env.probe, "las", las.soap_url, m.DocumentRequest(
        sessieId=str(uuid.uuid4()), bronBrin=las.brin, bronRouteringsKenmerk=las.routeringskenmerk,
        doelBrin=SIM_SWV[0], doelRouteringsKenmerk=SIM_SWV[1], koppelsleutel=str(uuid.uuid4()).upper()), pf)
    if not trigger:
        pf.checks.append("trigger niet gecontroleerd: geen leerling po of geen trigger (--onvolledig)")
        return
    try:
        pupil = env.las.pupil("po")
        sent = env.las.send(pupil, env.swv_aanleverpunt(pupil.brin))
    except pytest.skip.Exception as exc:
        raise _Stop(f"de LAS-trigger is niet te controleren: {exc.msg}") from None
    except Exception as exc:  # DriverError, NotVerified, a failing trigger command
        raise _Stop(f"de LAS-trigger werkt niet: {exc}") from None
    if not sent.sent or not sent.koppelsleutel:
        raise _Stop(f"de LAS-trigger voor leerling po leverde geen verzonden zorgvraag op: {sent.describe()}")
    pf.checks.append(f"LAS-trigger voor leerling po: meldenNotificatie bij de TC, koppelsleutel {sent.koppelsleutel}"
                     + (f" (de trigger meldde: {sent.trigger_melding})" if getattr(sent, "trigger_melding", None) else ""))


def _check(env: ConformanceEnv, config: ConformanceConfig, pf: Preflight, *, trigger: bool,
           timeout: float) -> None:
    roles = config.sut_roles
    if "las" in roles:
        try:
            env.start()
        except Exception as exc:
            raise _Stop(f"de gesimuleerde rollen starten niet: {exc}") from None
        _las(env, config, pf, trigger=trigger)
    if "swv" in roles:
        swv = config.roles["swv"]
        _soap_answers(env.probe, "swv", swv.soap_url, m.DocumentRequest(
            sessieId=str(uuid.uuid4()), bronBrin="12AB",
            bronRouteringsKenmerk="0000000700012AB00950", doelBrin=swv.brin or SIM_SWV[0],
            doelRouteringsKenmerk=swv.routeringskenmerk, koppelsleutel=str(uuid.uuid4()).upper()), pf)
    if "tc" in roles:
        tc = config.roles["tc"]
        _soap_answers(env.probe, "tc", tc.soap_url,
                      m.OverzichtAanleverpuntRequest(brin="12AB", doel=m.DOEL_SWV), pf)


def run(config: ConformanceConfig, *, trigger: bool = True, tls: str | None = None) -> Preflight:
    """Check every external role; `trigger=False` skips the trigger check (when the run goes on
    without pupil po or without a trigger, --onvolledig)."""
    pf = Preflight()
    if not config.sut_roles:
        return pf
    timeout = max(c.timeout for c in config.roles.values())
    with tempfile.TemporaryDirectory(prefix="oso-voorcontrole-", ignore_cleanup_errors=True) as tmp:
        # the simulated actors are started only to watch an external LAS act
        env = ConformanceEnv(config, workdir=tmp, tls=tls)
        try:
            _check(env, config, pf, trigger=trigger, timeout=timeout)
        except _Stop as stop:
            pf.ok, pf.reason = False, str(stop)
        finally:
            env.stop()
    # a line may quote the trigger or what it printed: its secrets stay out of every report
    pf.checks = [redact_text(line) for line in pf.checks]
    pf.reason = redact_text(pf.reason) if pf.reason else pf.reason
    return pf
