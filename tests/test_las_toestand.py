"""The one status a zorgvraag shows: what the school reads must match what happened at OSO."""
import pytest

from las_client.toestand import bepaal


def _t(status="verzonden", *, verstuurd=False, opgehaald=False, terug=False, fout=None, code=None):
    return bepaal(status, notificatie_verstuurd=verstuurd, opgehaald=opgehaald,
                  terugkoppeling=terug, fout=fout, fout_code=code)


def test_a_tc_refusal_is_not_verzonden_and_names_the_code():
    t = _t(fout="Melden notificatie bij het Traffic Center mislukt (GeenMandaat): ...",
           code="GeenMandaat")
    assert (t.code, t.tekst, t.klasse, t.opnieuw) == (
        "geweigerd", "geweigerd door OSO (GeenMandaat)", "bad", True)
    assert not t.afgeleverd


def test_a_refusal_by_the_swv_is_named_as_such():
    t = _t(fout="Versturen notificatie naar het samenwerkingsverband mislukt (KoppelsleutelOnbekend)",
           code="KoppelsleutelOnbekend")
    assert t.tekst == "geweigerd door het samenwerkingsverband (KoppelsleutelOnbekend)"


def test_unreachable_is_not_a_refusal_and_may_be_retried():
    t = _t(fout="Versturen notificatie naar het samenwerkingsverband mislukt (NietBereikbaar)",
           code="NietBereikbaar")
    assert (t.code, t.tekst, t.opnieuw) == ("niet_afgeleverd", "niet afgeleverd (NietBereikbaar)",
                                            True)


def test_an_aanleverpunt_no_longer_offered_offers_no_retry():
    t = _t(fout="Opvragen aanleverpunten bij het Traffic Center mislukt (OnbekendAanleverpunt)",
           code="OnbekendAanleverpunt")
    assert t.code == "geweigerd" and not t.opnieuw


@pytest.mark.parametrize("kw, code, tekst", [
    ({"verstuurd": True}, "verzonden", "verzonden"),
    ({"verstuurd": True, "opgehaald": True}, "opgehaald",
     "opgehaald door het samenwerkingsverband"),
    ({"verstuurd": True, "opgehaald": True, "terug": True}, "terugkoppeling_ontvangen",
     "terugkoppeling ontvangen"),
])
def test_delivered_states_progress(kw, code, tekst):
    t = _t(**kw)
    assert (t.code, t.tekst, t.klasse) == (code, tekst, "ok") and t.afgeleverd


def test_concept_and_verwijderd_keep_their_names():
    assert _t("concept").tekst == "concept"
    assert _t("verwijderd", verstuurd=True).tekst == "verwijderd"
