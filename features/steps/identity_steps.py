"""Steps about who may call whom: the harness calls with another system's certificate, a bad
one or none, and the system under test must not hand out pupil data or take foreign messages."""
from __future__ import annotations

import uuid

from pytest_bdd import parsers, then, when

from actor_kit import pki
from harness.drivers.http import NO_CERT, DriverError
from oso_protocol.transport import messages as m

from .swv_steps import _document_request, _terugkoppeling_to_las

# [choice] "another system" is the TC: a system the register knows, chained to the same CA,
# but not the doel of any session.
CERTIFICATES = {
    "the certificate of another system": pki.TC_ID,
    "a certificate with an OIN of no system": "slecht/verkeerde-oin",
    "an expired certificate": "slecht/verlopen",
    "a certificate of an unknown CA": "slecht/andere-ca",
}


def _present(env, certificaat: str):
    if certificaat == "no certificate":
        return NO_CERT
    return env.certificate(CERTIFICATES[certificaat])


def _refused_connection(ctx, call) -> None:
    """Run a SOAP call of the harness; a connection the system refuses (TLS handshake, reset)
    is its answer too. Whether it answers at all is proven by the positive control after it."""
    ctx.refused_connection = None
    try:
        call()
    except DriverError as exc:
        ctx.soap, ctx.refused_connection = None, str(exc)


@when(parsers.re(r"the harness requests the dossier at the LAS with that session and (?P<certificaat>.+)$"))
def document_with_certificate(env, ctx, certificaat):
    present = _present(env, certificaat)
    _refused_connection(ctx, lambda: _document_request(env, ctx, ctx.koppelsleutel, ctx.session["sessieId"],
                                                       present=present))


@then("the LAS does not deliver the dossier")
def las_does_not_deliver(ctx):
    if ctx.refused_connection:
        return
    r = ctx.soap
    assert not (r.ok and getattr(r.answer, "dossier", None)), \
        f"LAS leverde het dossier aan een beller zonder het certificaat van het doel: {r.describe()}"


@when("the harness sends the terugkoppeling to the LAS for the koppelsleutel of the zorgvraag with the"
      " certificate of another system")
def terugkoppeling_other_certificate(env, ctx):
    present = _present(env, "the certificate of another system")
    _refused_connection(ctx, lambda: _terugkoppeling_to_las(env, ctx, ctx.koppelsleutel, present=present))


@then("the LAS does not accept the terugkoppeling")
def las_does_not_accept(ctx):
    if ctx.refused_connection:
        return
    assert not ctx.soap.ok, f"LAS nam een terugkoppeling aan van een ander systeem dan het doel: {ctx.soap.describe()}"


@when("the harness notifies the SWV of a koppelsleutel the TC did not issue")
def notify_unissued(env, ctx):
    brin, rk = ctx.peer_identity
    doel_rk = env.swv_aanleverpunt(brin)
    doel = env.tc.aanleverpunt(doel_rk)
    ctx.unissued = str(uuid.uuid4()).upper()
    ctx.soap = env.probe.call("swv", doel["url"], m.NotificatieRequest(
        bronBrin=brin, bronRouteringsKenmerk=rk, doelBrin=doel["brin"], doelRouteringsKenmerk=doel_rk,
        koppelsleutel=ctx.unissued))


@then("the SWV refuses the notificatie")
def swv_refuses_notificatie(ctx):
    r = ctx.soap
    assert not r.ok or r.resultaat != m.NOTIFICATIE_ONTVANGEN, \
        f"SWV nam een notificatie aan voor koppelsleutel {ctx.unissued}, die de TC nooit uitgaf: {r.describe()}"


@then("no documentRequest for it reached the LAS")
def no_document_for_unissued(env, ctx):
    rows = [r for r in env.probe.journal if r.get("operation") == "document" and r.get("side") == "server"
            and (r.get("koppelsleutel") or "").upper() == ctx.unissued]
    assert not rows, f"SWV vroeg een dossier op voor koppelsleutel {ctx.unissued}, die de TC nooit uitgaf"
