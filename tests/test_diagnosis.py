"""oso_protocol.diagnosis: every corpus file gives exactly its expected rule ids; correct messages
give none; hostile input gives one clear finding and no exception."""
from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from oso_protocol.diagnosis import RULES, diagnose
from oso_protocol.diagnosis.rules import render_markdown
from oso_protocol.transport import codec, encode
from oso_protocol.transport import messages as m

from dossier_samples import minimal_dossier

CORPUS_DIR = Path(__file__).with_name("fixtures") / "diagnose"
CORPUS = tomllib.loads((CORPUS_DIR / "corpus.toml").read_text(encoding="utf-8"))["entry"]

LAS_RK, SWV_RK = "0000000700012AB00950", "0000000700025PO00931"
KS = "19677A96-B737-402E-B3B8-24A3EEF32000"
SID = "9cebd89c-8953-416b-a2cb-ecee939f1775"


def test_corpus_is_complete():
    files = {p.name for p in CORPUS_DIR.glob("*.xml")}
    assert files == {e["file"] for e in CORPUS}
    wrong = [e for e in CORPUS if e["rules"] and e["rules"] != ["OSS.MSG07"]]
    assert len(wrong) >= 30
    # every rule of the table is exercised by the corpus, except the hostile-input one
    seen = {r for e in CORPUS for r in e["rules"]}
    assert set(RULES) - seen == {"OSS.MSG01"}


@pytest.mark.parametrize("entry", CORPUS, ids=[e["file"] for e in CORPUS])
def test_corpus_entry(entry):
    d = diagnose((CORPUS_DIR / entry["file"]).read_bytes())
    assert d.rules() == sorted(entry["rules"])
    assert d.kind == entry["kind"]
    assert d.operation == entry.get("operation")
    assert d.version_found == entry.get("version_found")
    assert d.correct == (not entry["rules"] or entry["rules"] == ["OSS.MSG07"])
    for f in d.findings:
        assert f.location.startswith("/")
        assert f.message and not re.search(r"\{[a-z_]+\}", f.message), f.message
    json.dumps(d.to_dict())  # a page or report can store it as is
    assert d.text()


def _correct_messages() -> list[m.Message]:
    terug = m.Terugkoppeling(status="Toegekend", datum="2024-05-01T10:00:00Z",
                             toelichting="TLV toegekend",
                             document=[m.Document("besluit.zip", "UEsDBA==", "Besluit")])
    return [
        m.OverzichtAanleverpuntRequest(brin="25PO", doel="SWV"),
        m.OverzichtAanleverpuntResponse([m.Aanleverpunt(SWV_RK, "25PO", "SWV PO", "SWV"),
                                         m.Aanleverpunt(LAS_RK, "12AB", "LAS", "OV", "00")]),
        m.MeldenNotificatieRequest("12AB", LAS_RK, "25PO", SWV_RK),
        m.MeldenNotificatieResponse(KS, "https://swv.example/oso"),
        m.NotificatieRequest("12AB", LAS_RK, "25PO", SWV_RK, KS),
        m.NotificatieResponse(),
        m.OverdrachtRequest("12AB", "25PO", SWV_RK, bronRouteringsKenmerk=LAS_RK, koppelsleutel=KS),
        m.OverdrachtResponse(SID, LAS_RK, "https://las.example/oso"),
        m.DocumentRequest(SID, "12AB", LAS_RK, "25PO", SWV_RK, KS),
        m.SessiecontroleRequest("12AB", LAS_RK, "25PO", SWV_RK, KS, "SWVaanvraag", SID),
        m.SessiecontroleResponse(sector="SWV"),
        m.AfmeldingRequest(SID, "12AB", LAS_RK, "25PO", SWV_RK, KS, "SWVaanvraag",
                           "OverdrachtGeslaagd"),
        m.AfmeldingResponse(),
        m.MeldenTerugkoppelingRequest("12AB", LAS_RK, "25PO", SWV_RK, KS),
        m.MeldenTerugkoppelingResponse("https://las.example/oso"),
        m.TerugkoppelingRequest("12AB", LAS_RK, "25PO", SWV_RK, KS, terug),
        m.TerugkoppelingResponse(),
    ]


@pytest.mark.parametrize("msg", _correct_messages(), ids=lambda x: x.ELEMENT)
def test_encoded_messages_diagnose_correct(msg):
    data = encode(msg, validate=True)
    d = diagnose(data)
    assert d.findings == [], d.text()
    assert d.correct and d.kind == "soap"
    assert d.operation == msg.OPERATION and d.element == msg.ELEMENT
    assert (d.version_found, d.version_expected) == ("20200910", "20200910")


def test_document_response_with_valid_dossier_is_correct():
    import base64
    dossier = etree.tostring(minimal_dossier(), xml_declaration=True, encoding="UTF-8")
    msg = m.DocumentResponse("DossierGeleverd", "2019.1", base64.b64encode(dossier).decode())
    d = diagnose(encode(msg, validate=True))
    assert d.findings == [], d.text()


# Rules that mean the project's own codec refuses the message (schema, envelope, namespace); the
# others (bron/doel swapped, doel OV, overdrachtsoort, PaO, dossierVersie ...) pass the schema and
# are refused, if at all, by the receiver's business checks.
SCHEMA_LEVEL = {"OSS.FLOW01", "OSS.MSG03", "OSS.MSG04", "OSS.MSG05", "OSS.MSG06", "OSS.VER01", "OSS.VER02",
                "OSS.FLD01", "OSS.FLD02", "OSS.FLD03", "OSS.FLD04", "OSS.FLD05", "OSS.VAL01",
                "OSS.VAL02", "OSS.VAL03", "OSS.VAL04", "OSS.VAL05", "OSS.DOC01", "OSS.DOC02"}


@pytest.mark.parametrize("entry", [e for e in CORPUS if e["kind"] == "soap"],
                         ids=lambda e: e["file"])
def test_diagnosis_agrees_with_the_codec(entry):
    """A schema-level finding is exactly what makes codec.decode refuse the message."""
    data = (CORPUS_DIR / entry["file"]).read_bytes()
    try:
        codec.decode(data)
        refused = False
    except Exception:  # noqa: BLE001 - OsoFault, also the received Fault
        refused = True
    if entry["rules"] == ["OSS.MSG07"]:
        assert refused  # a Fault is raised as a received OsoFault
        return
    expected = bool(SCHEMA_LEVEL & set(entry["rules"])) or any(
        # an overdrachtsoort outside the XSD enumeration is a schema error as well
        f.rule == "OSS.FLOW03" and f.found not in ("overstapdossier", "binnenBRIN")
        for f in diagnose(data).findings)
    assert refused == expected, entry["rules"]


@pytest.mark.parametrize("data, kind_word", [
    (b"", "leeg"),
    (b"   \n", "leeg"),
    (b"dit is geen XML", "goedgevormde"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "goedgevormde"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DTD"),
    (b"<a><b></a>", "goedgevormde"),
    (b"<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'>", "goedgevormde"),
])
def test_hostile_input_gives_one_finding(data, kind_word):
    d = diagnose(data)
    assert d.kind == "onbekend"
    assert [f.rule for f in d.findings] == ["OSS.MSG01"]
    assert kind_word in d.findings[0].message
    assert not d.correct


def test_twenty_megabytes_are_refused_unread():
    d = diagnose(b"<a>" + b"x" * (20 * 1024 * 1024) + b"</a>")
    assert [f.rule for f in d.findings] == ["OSS.MSG01"]
    assert "grens" in d.findings[0].message


def test_not_bytes_is_a_finding():
    d = diagnose("<a/>")  # type: ignore[arg-type]
    assert [f.rule for f in d.findings] == ["OSS.MSG01"]


def test_finding_dict_has_what_a_page_renders():
    d = diagnose((CORPUS_DIR / "vocab2018_notificatie.xml").read_bytes())
    out = d.to_dict()
    assert out["vocabulary"] == "20180404"
    assert out["version_found"] == "20180404" and out["version_expected"] == "20200910"
    ver02 = next(f for f in out["findings"] if f["rule"] == "OSS.VER02")
    assert set(ver02) == {"rule", "severity", "title", "location", "expected", "found", "message",
                          "variant"}
    assert ver02["location"] == "/Envelope/Body/notificatieRequest/bronAanleverpuntIndex"
    assert ver02["expected"] == "bronRouteringsKenmerk"
    assert ver02["message"].startswith("bronAanleverpuntIndex heet sinds 20200910 "
                                       "bronRouteringsKenmerk")


def test_docs_list_every_rule():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "diagnose.md").read_text(encoding="utf-8")
    assert render_markdown() in doc, "regenerate the table: python -m oso_protocol.diagnosis.rules"


_ENV = (b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        b'xmlns:oso="http://xml.kennisnet.nl/schemas/Overstapservice/20200910"><soapenv:Body>'
        b'<oso:notificatieRequest>%s</oso:notificatieRequest></soapenv:Body></soapenv:Envelope>')


def test_more_tags_than_the_codec_takes_is_one_finding():
    d = diagnose(_ENV % (b"<oso:x/>" * 60_000))
    assert [f.rule for f in d.findings] == ["OSS.MSG01"]
    assert "50000" in d.findings[0].message


def test_findings_are_capped():
    d = diagnose(_ENV % (b"<oso:onbekend>1</oso:onbekend>" * 20_000))
    assert len(d.findings) == 100
    assert not d.correct
