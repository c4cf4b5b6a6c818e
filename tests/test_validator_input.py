"""validate(): hostile and broken input is refused with one clear finding, never an exception;
a dossier of the wrong kind stops early; a real dossier gets all three layers."""
from __future__ import annotations

import copy
import os
import random
import socket
import time
import tracemalloc
from pathlib import Path

import pytest
from lxml import etree

from dossier_samples import EXAMPLE_NAMES, EXAMPLES, NS, insert_leerling_child, leerling, minimal_dossier, q
from oso_protocol.dossier import Finding, Report, validate
from oso_protocol.dossier.findings import FOUT, LAYER_PROJECT, LAYER_STANDARD, LAYER_XSD
from oso_protocol.xmlsafe import DEFAULT_MAX_BYTES

MB = 1024 * 1024


def dossier_bytes(profile: str = "POSWV", root=None) -> bytes:
    root = minimal_dossier(profile) if root is None else root
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def assert_unreadable(report: Report, *words: str) -> Finding:
    assert isinstance(report, Report)
    assert report.readable is False and report.valid is False
    [f] = report.findings
    assert (f.rule, f.layer, f.severity, f.location) == ("OSS.XML01", LAYER_PROJECT, FOUT, "/")
    assert f.message.startswith("Het dossier is geen leesbaar XML-document.")
    for w in words:
        assert w.lower() in f.message.lower(), f.message
    return f


# --- a good dossier, every way it can be handed over ----------------------------------------------

def test_valid_dossier_as_bytes_str_and_path(tmp_path):
    data = dossier_bytes()
    path = tmp_path / "dossier.xml"
    path.write_bytes(data)
    for source in (data, bytearray(data), memoryview(data), str(path), path):
        r = validate(source)
        assert r.readable and r.valid, r.findings
        assert r.findings == [] and r.profile == "POSWV"
    assert validate(data).source is None
    assert validate(path).source == str(path)


def test_profile_comes_from_metadata_overstap():
    assert validate(dossier_bytes("VOSWV")).profile == "VOSWV"
    root = minimal_dossier()
    root.find(q("metadata")).find(q("overstap")).text = "POVO"
    r = validate(dossier_bytes(root=root))
    assert r.profile is None and "PaO.SO02" in r.rules()


def test_report_dict_has_the_documented_shape(tmp_path):
    path = tmp_path / "d.xml"
    path.write_bytes(dossier_bytes(root=_with_bsn()))
    d = validate(path).to_dict()
    assert list(d) == ["file", "valid", "profile", "findings"]
    assert d["file"] == str(path) and d["valid"] is False and d["profile"] == "POSWV"
    assert all(list(f) == ["rule", "layer", "severity", "location", "message"] for f in d["findings"])


@pytest.mark.interop
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_official_examples_are_valid(name):
    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip("reference examples not available")
    r = validate(path)
    assert r.valid, [f for f in r.findings if f.severity == FOUT]
    assert r.profile == name.split("_")[2]
    # their truncated ZIP attachments are worth a warning, nothing more
    assert r.rules() <= {"OSS.ATT03"}


# --- the BSN case: the XSD allows it, the standard layer does not ---------------------------------

def _with_bsn():
    root = minimal_dossier()
    insert_leerling_child(root, "bsn", "123456782", before="leerlingid")
    return root


def test_bsn_is_pao_ll12_in_the_standard_layer():
    r = validate(dossier_bytes(root=_with_bsn()))
    assert r.readable and not r.valid
    assert [(f.rule, f.layer, f.location) for f in r.findings] == [
        ("PaO.LL12", LAYER_STANDARD, "/dossier[1]/huidigeschool[1]/leerling[1]")]
    assert "BSN" in r.findings[0].message


def test_bsn_out_of_place_is_reported_by_both_layers():
    root = minimal_dossier()
    leerling(root).append(etree.Element(q("bsn")))
    leerling(root)[-1].text = "123456782"
    r = validate(dossier_bytes(root=root))
    assert {(f.rule, f.layer) for f in r.findings} == {("XSD", LAYER_XSD), ("PaO.LL12", LAYER_STANDARD)}
    [x] = r.by_layer(LAYER_XSD)
    assert x.location == "/dossier[1]/huidigeschool[1]/leerling[1]/bsn[1]"


def test_all_layers_run_even_when_the_schema_fails():
    root = _with_bsn()
    root.find(q("metadata")).find(q("datum")).text = "morgen"
    doc = leerling(root).find(q("onderwijsondersteuning")).find(q("toelichting_onderwijsbehoeften"))
    doc.find(q("document")).find(q("bestandsinhoud")).text = "geen base64 !"
    r = validate(dossier_bytes(root=root))
    assert {f.layer for f in r.findings} == {LAYER_XSD, LAYER_STANDARD, LAYER_PROJECT}
    assert {"XSD", "PaO.LL12", "OSS.ATT01"} <= r.rules()


# --- not well-formed, not UTF-8, empty ------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"<dossier>", b"<a><b></a>", b"no xml at all", b"<?xml version='1.0'?>", b"<a>&undefined;</a>",
    b"\x00\x01\x02\x03", b"<a/><b/>",
], ids=["open", "mismatch", "text", "only-declaration", "undefined-entity", "binary", "two-roots"])
def test_malformed_xml(data):
    assert_unreadable(validate(data))


def test_truncated_dossiers_and_random_bytes_never_raise():
    data = dossier_bytes()
    rng = random.Random(4)
    for cut in sorted(rng.sample(range(1, len(data) - 12), 60)):
        assert_unreadable(validate(data[:cut]))
    for _ in range(60):
        junk = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400)))
        r = validate(junk)
        assert isinstance(r, Report) and not r.valid


def test_deep_nesting_is_refused_not_recursed():
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    started = time.perf_counter()
    assert_unreadable(validate(data))
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("data", [b"", b"   \n\t  ", b"\n"], ids=["empty", "whitespace", "newline"])
def test_empty_input(data, tmp_path):
    assert_unreadable(validate(data), "leeg")
    path = tmp_path / "leeg.xml"
    path.write_bytes(data)
    r = validate(path)
    assert_unreadable(r, "leeg")
    assert r.source == str(path)


def test_latin1_bytes_in_a_document_that_says_utf8():
    data = dossier_bytes().replace(b"<achternaam>Berg", "<achternaam>Berg-Zoë".encode("latin-1"), 1)
    assert b"\xeb" in data and data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert_unreadable(validate(data), "UTF-8")
    # without a declaration XML means UTF-8 too
    assert_unreadable(validate(data.split(b"?>", 1)[1]), "UTF-8")


def test_a_document_honestly_declared_latin1_is_readable():
    text = dossier_bytes().decode("utf-8").replace("<achternaam>Berg", "<achternaam>Berg-Zoë", 1)
    data = text.replace("encoding='UTF-8'", "encoding='ISO-8859-1'").encode("latin-1")
    r = validate(data)
    assert r.readable and r.valid, r.findings


def test_xml_given_as_text_instead_of_bytes_or_path():
    assert_unreadable(validate(dossier_bytes().decode("utf-8")), "bytes", "pad")


def test_missing_file_and_directory(tmp_path):
    f = assert_unreadable(validate(tmp_path / "bestaat-niet.xml"), "niet te lezen")
    assert "bestaat-niet.xml" in f.message
    assert_unreadable(validate(tmp_path), "niet te lezen")


# --- DTDs, entities, external resources -------------------------------------------------------------

def _listener():
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.setblocking(False)
    return srv, srv.getsockname()[1]


def _connections(srv) -> int:
    n = 0
    while True:
        try:
            conn, _ = srv.accept()
        except BlockingIOError:
            return n
        conn.close()
        n += 1


def _dossier_with_doctype(doctype: str, entity_ref: str) -> bytes:
    body = dossier_bytes().decode("utf-8").split("?>", 1)[1]
    body = body.replace("<pakketnaam>Test</pakketnaam>", f"<pakketnaam>{entity_ref}</pakketnaam>", 1)
    return (f"<?xml version='1.0' encoding='UTF-8'?>\n{doctype}\n{body}").encode("utf-8")


def test_xxe_to_a_local_file_is_refused_and_nothing_leaks(tmp_path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM-1234567890", encoding="utf-8")
    data = _dossier_with_doctype(f'<!DOCTYPE dossier [<!ENTITY xxe SYSTEM "file://{secret}">]>', "&xxe;")
    r = validate(data)
    assert_unreadable(r, "DTD")
    assert "GEHEIM" not in repr(r.to_dict())


@pytest.mark.parametrize("kind", ["general", "parameter", "external-dtd", "xinclude"])
def test_no_network_access_is_attempted(kind):
    srv, port = _listener()
    url = f"http://127.0.0.1:{port}/evil"
    try:
        if kind == "general":
            data = _dossier_with_doctype(f'<!DOCTYPE dossier [<!ENTITY xxe SYSTEM "{url}">]>', "&xxe;")
        elif kind == "parameter":
            data = _dossier_with_doctype(f'<!DOCTYPE dossier [<!ENTITY % ext SYSTEM "{url}.dtd"> %ext;]>', "Test")
        elif kind == "external-dtd":
            data = _dossier_with_doctype(f'<!DOCTYPE dossier SYSTEM "{url}.dtd">', "Test")
        else:
            # No DOCTYPE at all: an XInclude must stay an (unknown) element, never be fetched.
            data = dossier_bytes().replace(
                b"<pakketnaam>Test</pakketnaam>",
                f'<pakketnaam>Test</pakketnaam><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                f'href="{url}" parse="text"/>'.encode(), 1)
        r = validate(data)
        time.sleep(0.05)  # a connection attempt, had there been one, would be queued by now
        assert _connections(srv) == 0
    finally:
        srv.close()
    if kind == "xinclude":
        assert r.readable and not r.valid and "XSD" in r.rules()
    else:
        assert_unreadable(r, "DTD")


def test_billion_laughs_is_refused_fast_with_bounded_memory():
    lol = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    data = _dossier_with_doctype(f"<!DOCTYPE dossier [{''.join(lol)}]>", "&lol9;")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        r = validate(data)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_unreadable(r, "DTD")
    assert elapsed < 1 and peak < 2 * MB


def test_internal_subset_without_entities_is_refused_too():
    assert_unreadable(validate(_dossier_with_doctype("<!DOCTYPE dossier>", "Test")), "DTD")


# --- size ----------------------------------------------------------------------------------------

def test_a_200_mb_sparse_file_is_refused_by_size_before_reading(tmp_path):
    path = tmp_path / "groot.xml"
    with open(path, "wb") as f:
        f.write(b"<?xml version='1.0'?><dossier>")
        f.truncate(200 * MB)  # sparse: no disk used, but 200 MB to anyone who reads it
    assert path.stat().st_size == 200 * MB > DEFAULT_MAX_BYTES
    tracemalloc.start()
    started = time.perf_counter()
    try:
        r = validate(path)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    f = assert_unreadable(r, str(200 * MB), str(DEFAULT_MAX_BYTES))
    assert "groot.xml" in f.message
    assert elapsed < 0.5, elapsed
    assert peak < 1 * MB, peak  # nothing of the file was read into memory


def test_max_bytes_applies_to_paths_and_bytes(tmp_path):
    data = dossier_bytes()
    path = tmp_path / "d.xml"
    path.write_bytes(data)
    assert validate(path, max_bytes=len(data)).valid
    assert_unreadable(validate(path, max_bytes=len(data) - 1), "grens")
    assert_unreadable(validate(data, max_bytes=len(data) - 1), "grens")


# --- the wrong kind of document: one finding, then stop ---------------------------------------------

@pytest.mark.parametrize("ns,words", [
    ("http://www.edustandaard.nl/oso_gegevensset/2024/dossier", ["2024", "2019.1"]),
    ("http://www.edustandaard.nl/oso_gegevensset/2018/dossier", ["2018", "2019.1"]),
    ("urn:iets-anders", ["urn:iets-anders", NS]),
])
def test_wrong_namespace(ns, words):
    data = dossier_bytes().replace(NS.encode(), ns.encode())
    r = validate(data)
    assert r.readable and not r.valid and r.profile is None
    [f] = r.findings
    assert (f.rule, f.layer, f.severity, f.location) == ("OSS.NS01", LAYER_PROJECT, FOUT, "/")
    for w in words:
        assert w in f.message


def test_no_namespace_at_all():
    data = dossier_bytes().replace(f' xmlns="{NS}"'.encode(), b"")
    assert b"xmlns" not in data
    [f] = validate(data).findings
    assert f.rule == "OSS.NS01" and "geen namespace" in f.message


@pytest.mark.parametrize("xml", [
    f'<dossiers xmlns="{NS}"><dossier/></dossiers>',
    f'<leerling xmlns="{NS}"><achternaam>Berg</achternaam></leerling>',
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
], ids=["dossiers", "leerling", "soap-envelope"])
def test_wrong_root(xml):
    r = validate(xml.encode())
    assert r.readable and not r.valid
    [f] = r.findings
    assert f.rule == "OSS.NS01" and "hoofdelement" in f.message and "'dossier'" in f.message


def test_standaardversie_of_another_release_stops_with_og02():
    root = _with_bsn()
    root.find(q("metadata")).find(q("standaardversie")).text = "2024.1"
    r = validate(dossier_bytes(root=root))
    assert r.readable and not r.valid and r.profile == "POSWV"
    [f] = r.findings  # no PaO.LL12: the dossier claims another version, so nothing else is judged
    assert (f.rule, f.layer, f.location) == ("OG.02", LAYER_STANDARD, "/dossier[1]/metadata[1]/standaardversie[1]")
    assert '"2019.1"' in f.message


def test_schema_invalid_mutations_never_make_validate_raise():
    base = minimal_dossier()
    rng = random.Random(12)
    for _ in range(300):
        root = copy.deepcopy(base)
        els = [e for e in root.iter() if e is not root]
        e = rng.choice(els)
        op = rng.randrange(4)
        if op == 0:
            e.getparent().remove(e)
        elif op == 1:
            e.getparent().append(copy.deepcopy(e))
        elif op == 2:
            e.text = rng.choice(("", "x", "-1", "true", "2019-99-99"))
        else:
            for c in list(e):
                e.remove(c)
        r = validate(dossier_bytes(root=root))
        assert r.readable
        if any(f.layer == LAYER_XSD for f in r.findings):
            assert not r.valid


def test_validate_reads_at_most_what_the_limit_allows(tmp_path, monkeypatch):
    """A file that grows after its size was taken is still cut off at the limit."""
    data = dossier_bytes()
    path = tmp_path / "d.xml"
    path.write_bytes(data)
    real_getsize = os.path.getsize
    monkeypatch.setattr(os.path, "getsize", lambda p: 10 if os.fspath(p) == str(path) else real_getsize(p))
    assert_unreadable(validate(path, max_bytes=100), "grens")
