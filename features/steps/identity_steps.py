"""Steps about who may call whom: the harness calls with another system's certificate, a bad
one or none, and the system under test must not hand out pupil data or take foreign messages."""
from __future__ import annotations

import uuid

from pytest_bdd import parsers, then, when

from actor_kit import pki
from harness.conformance.drivers.http import NO_CERT, DriverError
from oso_protocol.transport import messages as m

from .swv_steps import _document_request, _terugkoppeling_to_las

# [choice] "another system" is the TC: a system the register knows, chained to the same CA,
# but not the doel of any session.
CERTIFICATES = {
    "het certificaat van een ander systeem": pki.TC_ID,
    "een certificaat met een OIN van geen enkel systeem": "slecht/verkeerde-oin",
    "een verlopen certificaat": "slecht/verlopen",
    "een certificaat van een onbekende CA": "slecht/andere-ca",
}


def _present(env, certificaat: str):
    if certificaat == "geen certificaat":
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


@when(parsers.re(r"de harnas het dossier bij de LAS opvraagt met die sessie en (?P<certificaat>.+)"))
def document_with_certificate(env, ctx, certificaat):
    present = _present(env, certificaat)
    _refused_connection(ctx, lambda: _document_request(env, ctx, ctx.koppelsleutel, ctx.session["sessieId"],
                                                       present=present))


@then("levert de LAS het dossier niet")
def las_does_not_deliver(ctx):
    if ctx.refused_connection:
        return
    r = ctx.soap
    assert not (r.ok and getattr(r.answer, "dossier", None)), \
        f"LAS leverde het dossier aan een beller zonder het certificaat van het doel: {r.describe()}"


@when("de harnas de terugkoppeling naar de LAS stuurt voor de koppelsleutel van de zorgvraag met het"
      " certificaat van een ander systeem")
def terugkoppeling_other_certificate(env, ctx):
    present = _present(env, "het certificaat van een ander systeem")
    _refused_connection(ctx, lambda: _terugkoppeling_to_las(env, ctx, ctx.koppelsleutel, present=present))


@then("neemt de LAS de terugkoppeling niet aan")
def las_does_not_accept(ctx):
    if ctx.refused_connection:
        return
    assert not ctx.soap.ok, f"LAS nam een terugkoppeling aan van een ander systeem dan het doel: {ctx.soap.describe()}"


@when("de harnas het SWV een notificatie stuurt met een koppelsleutel die de TC niet uitgaf")
def notify_unissued(env, ctx):
    brin, rk = ctx.peer_identity
    doel_rk = env.swv_aanleverpunt(brin)
    doel = env.tc.aanleverpunt(doel_rk)
    ctx.unissued = str(uuid.uuid4()).upper()
    ctx.soap = env.probe.call("swv", doel["url"], m.NotificatieRequest(
        bronBrin=brin, bronRouteringsKenmerk=rk, doelBrin=doel["brin"], doelRouteringsKenmerk=doel_rk,
        koppelsleutel=ctx.unissued))
