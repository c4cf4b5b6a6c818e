"""The PGN absence scan (PaO.LL12) over whole messages: every place a BSN can hide, and none where it can't."""
from __future__ import annotations

import base64
import hashlib
import io
import random
import zipfile

import pytest
import requests
from lxml import etree
from pypdf import PdfReader, PdfWriter

from harness.cli import main
from oso_protocol import pgn_scan
from oso_protocol.pgn_scan import BEKEND, ELFPROEF, elfproef, find_numbers, scan_messages, scan_run
from oso_protocol.dossier import categories as cats
from oso_protocol.dossier.builder import build_dossier
from oso_protocol.dossier.model import Attachment
from oso_protocol.dossier.pgn import with_pgn
from oso_protocol.synthetic import (
    REFERENTIEDATUM, make_leerling, make_school, make_zorgvraag, pdf_bytes, toelichting_for,
)
from oso_protocol.transport import codec
from oso_protocol.transport import messages as m

KNOWN = "123456789"          # a pupil's number that fails the 11-proef: only found as known
VALID = "111222333"          # passes the 11-proef: found without being known
ALLE = list(cats.GEGEVENSBLOKKEN)
LEERLING = "/dossier/huidigeschool/leerling"


# --- helpers -----------------------------------------------------------------------------------

def _pupil(seed: int = 1, profile: str = "POSWV"):
    school = make_school(seed, profile)
    return make_leerling(seed, profile, school=school), school


def _dossier(*, bijlagen=(), toelichting=None, aandachtspunten=None, seed: int = 1) -> bytes:
    ll, school = _pupil(seed)
    return build_dossier(ll, school, profile="POSWV", gegevensblokken=ALLE,
                         toelichting=toelichting or toelichting_for(ll), bijlagen=list(bijlagen),
                         aandachtspunten=aandachtspunten, datum=REFERENTIEDATUM)


def _response(dossier: bytes) -> str:
    return codec.encode(m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1",
                                           dossier=base64.b64encode(dossier).decode("ascii"))).decode()


def _row(xml, operation: str = "document", actor: str = "LAS") -> dict:
    return {"actor": actor, "operation": operation, "direction": "out", "side": "server", "xml": xml}


def _scan(dossier: bytes, numbers=(KNOWN,)):
    return scan_run([_row(_response(dossier))], numbers)


def _only(hits, **want):
    found = [h for h in hits if all(getattr(h, k) == v for k, v in want.items())]
    assert len(found) == 1, (want, hits)
    return found[0]


def _zip(members: dict[str, bytes]) -> str:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _with_bestandsinhoud(dossier: bytes, inhoud: str) -> bytes:
    """The dossier with the toelichting's bestandsinhoud replaced."""
    root = etree.fromstring(dossier)
    el = root.find(".//{*}toelichting_onderwijsbehoeften/{*}document/{*}bestandsinhoud")
    el.text = inhoud
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- the matcher -------------------------------------------------------------------------------

def test_elfproef():
    assert elfproef(VALID) and elfproef("123456782")
    assert not elfproef(KNOWN) and not elfproef("000000000") and not elfproef("12345678")


@pytest.mark.parametrize("text", [
    f"BSN {KNOWN}.", f"bsn:{KNOWN}", "1234.56.789", "123 456 789", "123-456-789", "12 34 56 789",
    f"2019 {KNOWN} ", f"Leerling{KNOWN}", f"verslag_{KNOWN}.pdf",
])
def test_known_number_in_its_written_forms(text):
    found = find_numbers(text, frozenset({KNOWN}))
    assert [kind for _, _, kind in found] == [BEKEND]
    offset, written, _ = found[0]
    assert "".join(c for c in written if c.isdigit()) == KNOWN
    assert text[offset:offset + len(written)] == written


@pytest.mark.parametrize("text", [
    VALID, f"nummer {VALID}.", "1112.22.333", "111 222 333", f"x_{VALID}.pdf", f"2020-01-01 {VALID}",
])
def test_elfproef_number_standalone(text):
    assert [kind for _, _, kind in find_numbers(text, frozenset())] == [ELFPROEF]


@pytest.mark.parametrize("text", [
    f"1{VALID}", f"{VALID}0",                              # inside a longer digit run
    "00000001234567890123",                                # OIN, 20 digits
    f"a{VALID}", f"{VALID}b", f"d1f0a2c3-0000-4000-8000-ab{VALID}c",  # hex of a koppelsleutel
    "1.111.222.333", "111.222-333",                        # an amount; mixed separators
    "2019-05-01", "01-05-2019", "20190501", "2019-05-01T10:00:00", "0612345678", "06-12345678",
    "000000000", "000.00.000",
])
def test_no_elfproef_hit_on_other_numbers(text):
    assert find_numbers(text, frozenset()) == []


def test_known_numbers_are_normalised_and_checked():
    hits = scan_messages([_row(f"<a>{KNOWN}</a>")], ["1234.56.789"])
    assert [h.kind for h in hits] == [BEKEND]
    # a BSN written without its leading zero is still the same number
    assert [h.kind for h in scan_messages([_row("<a>012345674</a>")], ["12345674"])] == [BEKEND]
    with pytest.raises(ValueError, match="9 cijfers"):
        scan_messages([], ["12345"])


# --- every place -------------------------------------------------------------------------------

def test_pgn_element_of_a_leaking_las():
    hits = _scan(with_pgn(_dossier(), "bsn", KNOWN)).hits
    hit = _only(hits)
    assert (hit.place, hit.where, hit.offset, hit.kind) == ("dossier", f"{LEERLING}/bsn", 0, BEKEND)
    assert (hit.message, hit.actor, hit.operation) == (0, "LAS", "document")


def test_element_text():
    hit = _only(_scan(_dossier(aandachtspunten=f"Zie dossier, BSN {KNOWN} bij gemeente.")).hits)
    assert hit.place == "dossier"
    assert hit.where == f"{LEERLING}/overstapadvies/aandachtspunten"
    assert hit.offset == len("Zie dossier, BSN ")


def test_attribute_value():
    root = etree.fromstring(_dossier())
    root.find(".//{*}leerling/{*}achternaam").set("kenmerk", f"pgn-{KNOWN}")
    hit = _only(_scan(etree.tostring(root)).hits)
    assert (hit.place, hit.where, hit.offset) == ("dossier", f"{LEERLING}/achternaam/@kenmerk", 4)


def test_soap_header_and_body_outside_the_dossier():
    env = etree.fromstring(codec.encode(m.TerugkoppelingRequest(
        bronBrin="00AA", bronRouteringsKenmerk="1", doelBrin="00BB", doelRouteringsKenmerk="2",
        koppelsleutel="d1f0a2c3-0000-4000-8000-000000000001",
        terugkoppeling=m.Terugkoppeling(status="Afgerond", datum="2024-03-01T10:00:00",
                                        toelichting=f"Betreft leerling {VALID}."))))
    header = env.find("{*}Header")
    if header is None:
        header = etree.Element(f"{{{etree.QName(env).namespace}}}Header")
        env.insert(0, header)
    etree.SubElement(header, "referentie").text = f"bsn={KNOWN}"
    hits = scan_messages([_row(etree.tostring(env).decode(), "terugkoppeling", "SWV")], [KNOWN])
    body = _only(hits, kind=ELFPROEF)
    assert (body.place, body.where) == ("SOAP", "SOAP /Envelope/Body/terugkoppelingRequest/terugkoppeling/toelichting")
    head = _only(hits, kind=BEKEND)
    assert (head.place, head.where, head.offset) == ("SOAP", "SOAP /Envelope/Header/referentie", 4)
    assert {h.actor for h in hits} == {"SWV"}


def test_attachment_name_description_zip_member_name_and_content():
    note = Attachment(f"Notitie_{KNOWN}.txt", f"Notitie over leerling 1234.56.789\n".encode(),
                      omschrijving=f"Notitie bij 123 456 789", mime="text/plain")
    hits = _scan(_dossier(bijlagen=[note])).hits
    lijst = f"{LEERLING}/overigdocumentlijst/document"
    naam = _only(hits, place="bestandsnaam")
    assert naam.where == f"bestandsnaam {lijst}/bestandsnaam" and naam.offset == len("Notitie_")
    omschrijving = _only(hits, place="omschrijving")
    assert omschrijving.where == f"omschrijving {lijst}/omschrijving"
    assert omschrijving.masked == "1234•••89"
    # the place is named by the file, and the file by the number: masked there too
    member = "bijlage Notitie_1234•••89.txt, zip Notitie_1234•••89.txt"
    assert _only(hits, place="zip-naam").where == member
    inhoud = _only(hits, place="zip-inhoud")
    assert (inhoud.where, inhoud.offset, inhoud.masked) == (member, len("Notitie over leerling "), "1234•••89")
    assert len(hits) == 4 and {h.kind for h in hits} == {BEKEND}


def test_attachment_of_a_terugkoppeling_in_the_soap_body():
    doc = m.Document(bestandsnaam="Besluit.zip", omschrijving="Besluit",
                     bestandsinhoud=_zip({"besluit.txt": f"Toegekend aan {VALID}.".encode()}))
    xml = codec.encode(m.TerugkoppelingRequest(
        bronBrin="00AA", bronRouteringsKenmerk="1", doelBrin="00BB", doelRouteringsKenmerk="2",
        koppelsleutel="d1f0a2c3-0000-4000-8000-000000000001",
        terugkoppeling=m.Terugkoppeling(status="Afgerond", datum="2024-03-01T10:00:00", document=[doc])))
    hit = _only(scan_messages([_row(xml.decode(), "terugkoppeling", "SWV")], []))
    assert (hit.place, hit.where, hit.offset) == ("zip-inhoud", "bijlage Besluit.zip, zip besluit.txt", 14)


def test_pdf_text_with_page_number():
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(pdf_bytes("Voorblad", ["Niets bijzonders."]))))
    writer.append(PdfReader(io.BytesIO(pdf_bytes("Verslag", [f"Burgerservicenummer: {VALID}"]))))
    buf = io.BytesIO()
    writer.write(buf)
    verslag = Attachment("Verslag.pdf", buf.getvalue(), omschrijving="Gespreksverslag")
    hit = _only(_scan(_dossier(bijlagen=[verslag]), numbers=()).hits)
    assert (hit.place, hit.kind) == ("pdf", ELFPROEF)
    assert hit.where == "bijlage Verslag.pdf, zip Verslag.pdf, pdf pagina 2"


def test_pdf_metadata_and_unzipped_attachment():
    pdf = pdf_bytes(f"Toelichting {KNOWN}", ["Onderwijsbehoeften."])
    dossier = _with_bestandsinhoud(_dossier(), base64.b64encode(pdf).decode())
    hits = _scan(dossier).hits
    page = _only(hits, where="bijlage Toelichting_onderwijsbehoeften.pdf, pdf pagina 1")
    meta = _only(hits, where="bijlage Toelichting_onderwijsbehoeften.pdf, pdf metadata Title")
    assert page.place == meta.place == "pdf"


def test_plain_content_of_an_unzipped_attachment():
    dossier = _with_bestandsinhoud(_dossier(), base64.b64encode(f"regel\nBSN {KNOWN}".encode()).decode())
    hit = _only(_scan(dossier).hits)
    assert (hit.place, hit.where, hit.offset) == ("bijlage", "bijlage Toelichting_onderwijsbehoeften.pdf", 10)


def test_message_index_and_operation_of_each_hit():
    rows = [_row("<a>niets</a>", "overdracht", "TC"), _row(_response(_dossier())),
            _row(f"<x>{VALID}</x>", "afmelding", "SWV")]
    hit = _only(scan_messages(rows, [KNOWN]))
    assert (hit.message, hit.actor, hit.operation) == (2, "SWV", "afmelding")


def test_describe_is_dutch_and_masks_the_number():
    hit = _only(_scan(with_pgn(_dossier(), "bsn", KNOWN)).hits)
    text = hit.describe()
    proof = hashlib.sha256(KNOWN.encode()).hexdigest()
    assert text == (f"Bericht 1 (LAS, document): bekend nummer 1234•••89 (sha256 {proof[:16]}…)"
                    f" in {LEERLING}/bsn, positie 0")
    assert KNOWN not in text and KNOWN not in repr(hit)


# --- clean input: no hits ----------------------------------------------------------------------

@pytest.mark.parametrize("profile", ["POSWV", "VOSWV"])
def test_generated_dossiers_are_clean(tmp_path, profile, capsys):
    assert main(["generate", "--profile", profile, "--count", "12", "--seed", "7", "--out", str(tmp_path)]) == 0
    paths = sorted(tmp_path.glob("*.xml"))
    assert len(paths) == 12
    result = scan_run([_row(_response(p.read_bytes())) for p in paths], [])
    assert result.hits == [] and result.notes == []


def test_builder_dossiers_with_the_pupils_own_numbers_are_clean():
    rng = random.Random("pgn-scan")
    rows, numbers, with_bijlagen = [], [], 0
    for profile in ("POSWV", "VOSWV"):
        school = make_school(rng, profile)
        for _ in range(15):
            ll = make_leerling(rng, profile, school=school)
            numbers += [n for n in (ll.bsn, ll.onderwijsnummer) if n]
            zv = make_zorgvraag(rng, ll, profile)
            with_bijlagen += bool(zv["bijlagen"])
            rows.append(_row(_response(build_dossier(ll, school, datum=REFERENTIEDATUM, **zv))))
    assert numbers and with_bijlagen
    result = scan_run(rows, numbers)
    assert result.hits == [] and result.notes == []
    # the same dossiers with the pupil's number leaked are caught, each one
    leaked = [_row(_response(with_pgn(base64.b64decode(etree.fromstring(r["xml"].encode())
                                                       .find(".//{*}dossier").text), "bsn", numbers[0])))
              for r in rows[:3]]
    assert len(scan_messages(leaked, numbers)) == 3


def _pupil_numbers(urls: dict, leerling_id) -> list[str]:
    data = requests.get(f"{urls['las']}/api/leerlingen/{leerling_id}", timeout=10).json()
    return [n for n in (data.get("bsn"), data.get("onderwijsnummer")) if n]


def _run_messages(actors, count: int, *, complete: bool = True) -> tuple[list[dict], list[str]]:
    """Run `count` exchanges for pupils with a BSN or onderwijsnummer; their messages and numbers."""
    from harness.runtime.exchange import ExchangeDriver
    driver = ExchangeDriver(actors.urls)
    targets = [t for t in driver.mandated_targets() if _pupil_numbers(actors.urls, t.leerling_id)]
    assert targets, "the scenario should have mandated pupils with a BSN"
    results = driver.run_many(count, targets=targets[:count])
    if complete:
        assert all(r.completed for r in results), [r.error for r in results]
    rows = []
    for role, label in (("tc", "TC"), ("las", "LAS"), ("swv", "SWV")):
        entries = requests.get(f"{actors.urls[role]}/api/berichten?xml=1&limit=5000", timeout=10).json()
        rows += [{**e, "actor": label} for e in entries["berichten"]]
    rows.sort(key=lambda r: r["ts"])
    numbers = [n for ll in requests.get(f"{actors.urls['las']}/api/leerlingen", timeout=10).json()
               for n in _pupil_numbers(actors.urls, ll["id"])]
    return rows, numbers


@pytest.mark.slow
def test_a_real_exchange_is_clean():
    from harness.runtime.actors import Actors
    with Actors() as actors:
        rows, numbers = _run_messages(actors, 2)
    assert any(r["operation"] == "document" and "documentResponse" in (r["xml"] or "") for r in rows)
    result = scan_run(rows, numbers)
    assert result.hits == [] and result.notes == []


@pytest.mark.slow
def test_a_real_exchange_with_a_leaking_las():
    from harness.runtime.actors import Actors
    with Actors(extra={"las": {"DEFECTS": ["leak_pgn"]}}) as actors:
        # the SWV refuses the leaking dossier, so the terugkoppeling step cannot complete
        rows, numbers = _run_messages(actors, 1, complete=False)
    hits = scan_messages(rows, numbers)
    places = {(h.operation, h.place, h.where.rsplit("/", 1)[0], h.kind) for h in hits}
    assert places == {("document", "dossier", LEERLING, BEKEND)}
    assert {h.where.rsplit("/", 1)[1] for h in hits} <= {"bsn", "onderwijsnummer"}
    # the LAS sent it and the SWV received it: both logs hold the documentResponse
    assert sorted(h.actor for h in hits) == ["LAS", "SWV"]


# --- hostile input -----------------------------------------------------------------------------

def test_zip_bomb_is_capped_with_a_note(monkeypatch):
    monkeypatch.setattr(pgn_scan, "MAX_MEMBER_BYTES", 1024 * 1024)
    bomb = _zip({"bom.txt": f"BSN {KNOWN}\n".encode() + b"0" * (50 * 1024 * 1024)})
    assert len(bomb) < 200_000
    result = _scan(_with_bestandsinhoud(_dossier(), bomb))
    assert [n.where for n in result.notes] == ["bijlage Toelichting_onderwijsbehoeften.pdf, zip bom.txt"]
    assert "ZIP-bom" in result.notes[0].describe()
    # what was read within the cap is still scanned
    assert [h.place for h in result.hits] == ["zip-inhoud"]


def test_zip_budget_per_message(monkeypatch):
    monkeypatch.setattr(pgn_scan, "MAX_UNPACKED_PER_MESSAGE", 3 * 1024 * 1024)
    many = _zip({f"deel{i}.txt": b"x" * (1024 * 1024) for i in range(5)})
    result = _scan(_with_bestandsinhoud(_dossier(), many))
    # the toelichting's ZIP comes first in the dossier; whatever follows it is over the budget too
    assert [n.where.rsplit(" ", 1)[-1] for n in result.notes][:2] == ["deel3.txt", "deel4.txt"]
    assert all("grens van 3 MB" in n.reason for n in result.notes)


def test_too_many_zip_members(monkeypatch):
    monkeypatch.setattr(pgn_scan, "MAX_ZIP_MEMBERS", 3)
    crowd = _zip({f"f{i}.txt": b"." for i in range(5)} | {f"laatste_{KNOWN}.txt": b"."})
    result = _scan(_with_bestandsinhoud(_dossier(), crowd))
    assert len(result.notes) == 1 and "6 bestanden" in result.notes[0].reason
    assert result.hits == []


def test_broken_zip_is_noted_and_read_as_text():
    broken = base64.b64encode(b"PK\x03\x04" + b"\x00" * 40 + f" {KNOWN} ".encode()).decode()
    result = _scan(_with_bestandsinhoud(_dossier(), broken))
    assert len(result.notes) == 1 and "geen leesbaar ZIP-bestand" in result.notes[0].reason
    assert [h.place for h in result.hits] == ["bijlage"]


@pytest.mark.parametrize("pdf", [
    b"%PDF-1.4\n" + b"\x00garbage" * 50,
    pdf_bytes("Titel", ["tekst"])[:200],
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
])
def test_broken_pdf_gives_a_note_not_a_crash(pdf):
    zipped = _zip({"kapot.pdf": pdf})
    result = _scan(_with_bestandsinhoud(_dossier(), zipped))
    assert result.hits == []
    assert len(result.notes) == 1 and "kapot.pdf" in result.notes[0].where
    assert result.notes[0].describe().startswith("Bericht 1 (LAS, document): ")


def test_non_base64_attachment_and_dossier():
    result = _scan(_with_bestandsinhoud(_dossier(), "dit is *** geen base64 !"))
    assert len(result.notes) == 1 and "geen geldige base64" in result.notes[0].reason
    env = codec.encode(m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1",
                                          dossier="@@@ geen base64 @@@")).decode()
    result = scan_run([_row(env)], [KNOWN])
    assert result.hits == [] and "geen geldige base64" in result.notes[0].reason


def test_dossier_that_is_not_xml_is_read_as_text():
    env = codec.encode(m.DocumentResponse(resultaat=m.DOSSIER_GELEVERD, dossierVersie="2019.1",
                                          dossier=base64.b64encode(f"<dossier>{KNOWN}".encode()).decode()))
    result = scan_run([_row(env.decode())], [KNOWN])
    assert [(h.place, h.where) for h in result.hits] == [("dossier", "dossier (ruwe tekst)")]
    assert len(result.notes) == 1


def test_malformed_soap_and_dtd_are_read_as_text():
    rows = [_row(f"<Envelope><Body>{KNOWN}</Bod"), _row(""), _row(None),
            _row(f'<!DOCTYPE x [<!ENTITY e "{KNOWN}">]><x>&e;</x>')]
    result = scan_run(rows, [KNOWN])
    assert [(h.message, h.where) for h in result.hits] == [(0, "SOAP (ruwe tekst)"), (3, "SOAP (ruwe tekst)")]
    assert [n.message for n in result.notes] == [0, 3]
    assert "DTD" in result.notes[1].reason


def test_a_run_of_millions_of_numbers_is_scanned_in_bounded_memory():
    """A hostile attachment of "123456782 123456782 ...": one run of digit groups, each an
    11-proef hit. The scan walks the run without a list per group and stops listing at
    MAX_HITS; before, 8 MB of it cost over 2 GB."""
    import tracemalloc

    from oso_protocol import pgn_scan
    text = "123456782 " * 400_000
    tracemalloc.start()
    try:
        found = [hit for _, hit in zip(range(pgn_scan.MAX_HITS + 1), pgn_scan.iter_numbers(text, frozenset()))]
        xml = f"<a><b>{text}</b></a>"
        result = pgn_scan.scan_run([{"actor": "LAS", "operation": "document", "xml": xml}], [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(found) == pgn_scan.MAX_HITS + 1
    assert len(result.hits) == pgn_scan.MAX_HITS and result.cut_off
    assert any("meer dan" in n.reason for n in result.notes)
    assert peak < 40 * 1024 * 1024, peak
    # control: a short text still gives every hit, with its offset
    assert [offset for offset, _, _ in pgn_scan.find_numbers("bsn 123456782 en 111111111", frozenset())] == [4]
