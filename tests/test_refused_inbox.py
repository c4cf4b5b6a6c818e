"""The inbox of refused calls (actor_kit.inbox): every refusal at the endpoint and every business
Fault lands with its diagnosis, in each of the three actors; the Fault names the OSO version
found and expected."""
from __future__ import annotations

from pathlib import Path

import pytest

from actor_kit.inbox import RefusedInbox
from actor_kit.store import Store
from oso_protocol.diagnosis import diagnose
from oso_protocol.transport import codec
from oso_protocol.transport.faults import OsoFault

import las_support
import swv_support
import tc_support

CORPUS = Path(__file__).parent / "fixtures" / "diagnose"
XML = {"Content-Type": codec.CONTENT_TYPE}

# corpus file -> (result code of the refusal, rule ids of the diagnosis)
KINDS = {
    "ns_20180404_notificatie.xml": ("OngeldigBericht", {"OSS.VER01"}),
    "soap12_envelope.xml": ("OngeldigBericht", {"OSS.MSG03"}),
    "wsse_mustunderstand.xml": ("OngeldigBericht", {"OSS.MSG04"}),
    "unknown_operation.xml": ("OnbekendeOperatie", {"OSS.MSG06"}),
    "typo_field_koppelsleutel.xml": ("OngeldigBericht", {"OSS.FLD02"}),
}


def _app(actor, tmp_path, **extra):
    if actor == "las":
        return las_support.make_app(tmp_path / "las.sqlite", **extra)
    if actor == "swv":
        return swv_support.make_app(tmp_path, **extra)
    return tc_support.make_app(tmp_path, **extra)


@pytest.fixture(params=["las", "tc", "swv"])
def actor(request, tmp_path):
    app = _app(request.param, tmp_path, MAX_BYTES=64 * 1024)
    yield app
    app.extensions["oso_sim_close"]()


def _post(client, name: str):
    return client.post("/oso", data=(CORPUS / name).read_bytes(), headers=XML)


def test_each_kind_of_refusal_lands_in_the_inbox_with_its_rules(actor):
    client = actor.test_client()
    for name in KINDS:
        assert _post(client, name).status_code == codec.HTTP_STATUS_FAULT
    assert client.post("/oso", data=b"<a/>", headers={"Content-Type": "text/plain"}).status_code == 415
    assert client.post("/oso", data=b"<" + b"x" * (70 * 1024) + b"/>", headers=XML).status_code == 500

    entries = client.get("/api/inbox").get_json()
    assert len(entries) == len(KINDS) + 2
    # newest first: too large, Content-Type, then the corpus files in reverse order
    too_large, wrong_type, *corpus = entries
    assert too_large["resultaat"] == "BerichtTeGroot" and too_large["findings"][0]["rule"] == "OSS.MSG01"
    assert wrong_type["resultaat"] == "OngeldigBericht" and wrong_type["http_status"] == 415
    for entry, (name, (code, rules)) in zip(corpus, reversed(KINDS.items())):
        assert entry["resultaat"] == code, name
        assert {f["rule"] for f in entry["findings"]} == rules, name
        assert entry["stage"] == "endpoint"
        assert entry["version_expected"] == "20200910"
        assert all({"expected", "found", "message", "location"} <= set(f) for f in entry["findings"])
    old = corpus[-1]
    assert old["operation"] == "notificatie"
    assert (old["version_found"], old["version_expected"]) == ("20180404", "20200910")
    typo = corpus[0]
    assert typo["operation"] == "afmelding"
    assert (typo["findings"][0]["expected"], typo["findings"][0]["found"]) == ("koppelsleutel", "koppelSleutel")

    one = client.get(f"/api/inbox/{old['id']}").get_json()
    assert "20180404" in one["xml"] and one["findings"] == old["findings"]
    missing = client.get("/api/inbox/999999")
    assert missing.status_code == 404 and missing.get_json()["code"] == "Onbekend"


def test_the_inbox_page_shows_the_explanation_and_the_diff_in_dutch(actor):
    client = actor.test_client()
    _post(client, "typo_field_koppelsleutel.xml")
    page = client.get("/inbox").get_data(as_text=True)
    assert "Geweigerde aanroepen" in page
    assert 'href="/inbox"' in page  # the navigation links to it
    assert "OSS.FLD02" in page and "bedoeld is waarschijnlijk" in page
    assert "Verwacht" in page and "Gevonden" in page and "koppelSleutel" in page
    entry = client.get("/api/inbox").get_json()[0]
    detail = client.get(f"/inbox/{entry['id']}")
    assert detail.status_code == 200 and "Ontvangen bericht" in detail.get_data(as_text=True)
    assert client.get("/inbox/999999").status_code == 404


def test_a_business_fault_lands_in_the_inbox(tmp_path):
    app = tc_support.make_app(tmp_path)
    client = app.test_client()
    tc_support.refused(client, tc_support.melden(swv_rk="0000000700099XX00999"), "OnbekendAanleverpunt")
    entry = client.get("/api/inbox").get_json()[0]
    assert entry["stage"] == "verwerking"
    assert entry["resultaat"] == "OnbekendAanleverpunt"
    assert entry["operation"] == "meldenNotificatie" and entry["element"] == "meldenNotificatieRequest"
    assert entry["version_found"] == "20200910"
    app.extensions["oso_sim_close"]()


def test_the_fault_names_both_versions_and_keeps_the_code(tmp_path):
    app = tc_support.make_app(tmp_path)
    client = app.test_client()
    with pytest.raises(OsoFault) as info:
        codec.decode(_post(client, "ns_20180404_notificatie.xml").data)
    assert info.value.resultaat == "OngeldigBericht"
    text = info.value.omschrijving
    assert text.startswith("OSO-berichtversie 20180404 gevonden, 20200910 verwacht")
    assert "heeft namespace" in text  # the codec's own line is still there

    with pytest.raises(OsoFault) as info:
        codec.decode(_post(client, "vocab2018_notificatie.xml").data)
    assert "aanleverpuntIndex heet sinds 20200910 bronRouteringsKenmerk".lower() in info.value.omschrijving.lower()

    with pytest.raises(OsoFault) as info:
        codec.decode(_post(client, "ns_eld_melden.xml").data)
    assert "20170601 gevonden, 20200910 verwacht" in info.value.omschrijving
    assert "xml.eld.nl" in info.value.omschrijving
    # a message of the right version keeps its plain text
    with pytest.raises(OsoFault) as info:
        codec.decode(_post(client, "typo_field_koppelsleutel.xml").data)
    assert "gevonden" not in info.value.omschrijving.split(":")[0]
    app.extensions["oso_sim_close"]()


def test_the_inbox_keeps_only_the_last_entries(tmp_path):
    inbox = RefusedInbox(Store(tmp_path / "x.sqlite", ""), max_entries=3)
    d = diagnose((CORPUS / "soap12_envelope.xml").read_bytes())
    for i in range(5):
        inbox.record(stage="endpoint", fault=OsoFault("OngeldigBericht", f"nr {i}"), diagnosis=d,
                     peer=None, data=b"<x/>", http_status=500)
    assert [e["omschrijving"] for e in inbox.entries()] == ["nr 4", "nr 3", "nr 2"]


def test_pupil_numbers_are_masked_in_the_inbox(tmp_path):
    inbox = RefusedInbox(Store(tmp_path / "x.sqlite", ""))
    d = diagnose(b"<bsn>123456782</bsn>")
    inbox.record(stage="endpoint", fault=OsoFault("OngeldigBericht", "bsn 123456782"), diagnosis=d,
                 peer=None, data=b"<bsn>123456782</bsn>", http_status=500)
    entry = inbox.get(inbox.entries()[0]["id"])
    assert "123456782" not in str(entry)


@pytest.mark.browser
def test_inbox_page_in_the_browser(tmp_path, page):
    from actor_kit.server import ServerThread
    from browser_support import screenshot

    app = tc_support.make_app(tmp_path)
    client = app.test_client()
    for name in ("vocab2018_notificatie.xml", "typo_field_koppelsleutel.xml", "soap12_envelope.xml"):
        _post(client, name)
    with ServerThread(app) as server:
        page.goto(server.url + "/")
        page.get_by_role("link", name="Geweigerde aanroepen").click()
        page.wait_for_url("**/inbox")
        assert page.locator("table.inbox tbody tr").count() == 3
        assert page.get_by_text("20180404 gevonden,").first.is_visible()
        shot = screenshot(page, "tc-geweigerde-aanroepen")
    assert shot.exists()
    app.extensions["oso_sim_close"]()
