"""The evidence bundle of a real short conformance run, and verify-bundle against changed,
removed, added, forged and hostile content."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from harness.evidence import bundle

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "harness.cli", *args], check=False, capture_output=True,
                          text=True,
                          timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One short run on the simulated actors, with its bundle."""
    tmp = tmp_path_factory.mktemp("bundle")
    # the PDF outside the report folder: the bundle takes it along all the same
    pdf = ["--pdf", str(tmp / "rapport.pdf")] if importlib.util.find_spec("weasyprint") else []
    done = _cli("conformance", "--report", str(tmp / "D"), "--tags", "@mandatory and @las",
                "--bundle", str(tmp / "b.zip"), *pdf)
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-2000:])
    return tmp / "b.zip", done.stdout


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _flip(data: bytes, at: int | None = None) -> bytes:
    at = len(data) // 2 if at is None else at
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def _rehash(members: dict[str, bytes], *names: str) -> None:
    """A forger who also updates the manifest: the hashes agree, only the content can betray it."""
    manifest = json.loads(members["manifest.json"])
    for name in names:
        manifest["bestanden"][name]["sha256"] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()


def test_bundle_holds_the_run_and_verifies(made):
    path, stdout = made
    members = _members(path)
    manifest = json.loads(members["manifest.json"])
    assert re.search(r"Bewijspakket: .*b\.zip \(\d+ bestanden; SHA-256 van manifest\.json: [0-9a-f]{64}\)", stdout)
    assert {"rapport/report.html", "rapport/summary.json", "rapport/junit.xml", "rapport/results.json",
            "configuratie.json"} <= set(members)
    assert set(manifest["bestanden"]) == set(members) - {"manifest.json"}
    assert all(hashlib.sha256(members[n]).hexdigest() == e["sha256"] for n, e in manifest["bestanden"].items())
    assert {"oso-sim", "python", "lxml", "xmlschema", "pytest-bdd"} <= set(manifest["versies"])
    if importlib.util.find_spec("weasyprint"):   # --pdf into the report folder: the PDF travels along
        assert members["rapport/rapport.pdf"].startswith(b"%PDF") and "PDF: " in stdout
    config = json.loads(members["configuratie.json"])
    assert config == {"bestand": None, "configuratie": None}   # every role simulated: no file
    summary = json.loads(members["rapport/summary.json"])
    assert len(manifest["scenarios"]) == len(summary["scenarios"])
    # raw SOAP messages, the dossiers and their attachments as exchanged
    xml = [n for n in members if re.fullmatch(r"scenarios/[^/]+/berichten/.+\.xml", n)]
    dossiers = [n for n in members if "/dossiers/" in n]
    attachments = [n for n in members if "/bijlagen/" in n]
    assert len(xml) > 100 and dossiers and attachments
    assert any(b"documentResponse" in members[n] for n in xml)
    assert all(members[d].lstrip().startswith(b"<") for d in dossiers)
    assert any(members[a].startswith(b"%PDF") for a in attachments)   # the toelichting, unpacked
    done = _cli("verify-bundle", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("Bewijspakket intact")
    assert re.search(rf"Controlesommen: {len(manifest['bestanden'])} van {len(manifest['bestanden'])}", done.stdout)
    assert "opnieuw afgeleid (dossier geldig): in overeenstemming met het rapport" in done.stdout
    assert "opnieuw afgeleid (geen PGN in de berichten" in done.stdout


@pytest.mark.parametrize("kind", ["rapport/report.html", "rapport/summary.json", "configuratie.json",
                                  "/berichten/", "/dossiers/", "/bijlagen/", "berichten.json"])
def test_a_single_flipped_byte_in_any_member_is_detected(made, tmp_path, kind):
    path, _ = made
    members = _members(path)
    name = next(n for n in members if kind in n or n.endswith(kind))
    members[name] = _flip(members[name])
    result = bundle.verify(_write(tmp_path / "x.zip", members))
    assert not result.intact and any(name in p and "gewijzigd" in p for p in result.problems)


def test_flipped_byte_via_the_cli_exit_1(made, tmp_path):
    path, _ = made
    members = _members(path)
    name = next(n for n in members if "/dossiers/" in n)
    members[name] = _flip(members[name], 0)
    done = _cli("verify-bundle", str(_write(tmp_path / "x.zip", members)))
    assert done.returncode == 1
    assert f"Bewijspakket NIET intact: {name} is gewijzigd" in done.stdout


def test_removed_and_added_members_are_detected(made, tmp_path):
    path, _ = made
    members = _members(path)
    gone = next(n for n in members if "/berichten/" in n)
    del members[gone]
    members["rapport/extra.txt"] = b"achteraf toegevoegd"
    result = bundle.verify(_write(tmp_path / "x.zip", members))
    assert f"{gone} ontbreekt" in result.problems
    assert "rapport/extra.txt staat niet in het manifest" in result.problems


def test_a_forged_verdict_contradicts_the_outcomes(made, tmp_path):
    path, _ = made
    members = _members(path)
    summary = json.loads(members["rapport/summary.json"])
    summary["verdict"] = "geslaagd"
    summary["scenarios"][0]["outcome"] = "mislukt"
    members["rapport/summary.json"] = json.dumps(summary).encode()
    _rehash(members, "rapport/summary.json")
    result = bundle.verify(_write(tmp_path / "x.zip", members))
    assert not result.intact
    assert any("oordeel in summary.json is 'geslaagd'" in p for p in result.problems)
    assert any("tellingen (verplicht)" in p for p in result.problems)


def test_an_invalid_dossier_behind_a_passed_validity_step_is_a_contradiction(made, tmp_path):
    """The raw documentResponse is replaced by one whose dossier breaks the XSD, every hash
    updated: only re-validating the dossier from the message shows the report is wrong."""
    path, _ = made
    members = _members(path)
    manifest = json.loads(members["manifest.json"])
    entry = next(s for s in manifest["scenarios"] if "gegevensblokken is geldig" in (s["naam"] or ""))
    index = json.loads(members[f"{entry['map']}/berichten.json"])
    changed = []
    for row in index:
        xml = members.get(row.get("bestand") or "", b"").decode()
        if row.get("element") != "documentResponse":
            continue
        m = re.search(r"(<(?:\w+:)?dossier>)([^<]+)(</)", xml)
        dossier = base64.b64decode(m.group(2)).replace(b"<", b"<onbekend_element/><", 2)[len(b"<onbekend_element/>"):]
        xml = xml[:m.start(2)] + base64.b64encode(dossier).decode() + xml[m.end(2):]
        members[row["bestand"]] = xml.encode()
        changed.append(row["bestand"])
    assert changed
    _rehash(members, *changed)
    result = bundle.verify(_write(tmp_path / "x.zip", members))
    assert any("noemt het dossier geldig, maar de validatie vindt fouten" in p for p in result.problems)
    # and the stored dossier files no longer match what the messages carried
    assert any("niet de dossiers uit de berichten" in p for p in result.problems)


def test_hostile_or_foreign_files_are_unreadable(made, tmp_path, monkeypatch):
    path, _ = made
    not_zip = tmp_path / "niet.zip"
    not_zip.write_bytes(b"dit is geen zip")
    done = _cli("verify-bundle", str(not_zip))
    assert done.returncode == 2 and "Bewijspakket onleesbaar" in done.stderr
    assert _cli("verify-bundle", str(tmp_path / "bestaat-niet.zip")).returncode == 2
    escape = _write(tmp_path / "escape.zip", {**_members(path), "../buiten.txt": b"x"})
    with pytest.raises(bundle.Unreadable, match="onveilige bestandsnaam"):
        bundle.verify(escape)
    no_manifest = _members(path)
    del no_manifest["manifest.json"]
    with pytest.raises(bundle.Unreadable, match="geen oso-sim-bewijspakket"):
        bundle.verify(_write(tmp_path / "nm.zip", no_manifest))
    # a member that unpacks beyond the limit is refused, not inflated
    bomb = _write(tmp_path / "bomb.zip", {"manifest.json": b"{}", "groot.bin": b"\0" * 200_000})
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 100_000)
    with pytest.raises(bundle.Unreadable, match="groot.bin"):
        bundle.verify(bomb)
    monkeypatch.setattr(bundle, "MAX_MEMBER_BYTES", 10**9)
    monkeypatch.setattr(bundle, "MAX_TOTAL_BYTES", 150_000)
    with pytest.raises(bundle.Unreadable, match="groter dan"):
        bundle.verify(bomb)


def test_a_flipped_byte_in_the_compressed_file_is_caught(made, tmp_path):
    path, _ = made
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = next(i for i in zf.infolist() if "/dossiers/" in i.filename)
    # inside that member's compressed data: after its local header (30 bytes + name + extra)
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    raw[at] ^= 0x01
    bad = tmp_path / "x.zip"
    bad.write_bytes(bytes(raw))
    done = _cli("verify-bundle", str(bad))
    assert done.returncode in (1, 2) and "Bewijspakket intact" not in done.stdout


def test_the_recorded_manifest_digest_pins_the_bundle(made, tmp_path):
    """A forger who rewrites content and manifest alike passes the hashes, but not the digest the
    certifier recorded when the bundle was made."""
    path, stdout = made
    recorded = re.search(r"SHA-256 van manifest\.json: ([0-9a-f]{64})", stdout).group(1)
    ok = _cli("verify-bundle", str(path), "--manifest-sha256", recorded)
    assert ok.returncode == 0 and "manifest.json is het gemelde manifest" in ok.stdout
    members = _members(path)
    members["configuratie.json"] = b'{"bestand": "ander.toml", "configuratie": null}'
    _rehash(members, "configuratie.json")
    forged = _write(tmp_path / "x.zip", members)
    assert _cli("verify-bundle", str(forged)).returncode == 0       # consistent in itself
    done = _cli("verify-bundle", str(forged), "--manifest-sha256", recorded)
    assert done.returncode == 1 and f"verwacht {recorded}" in done.stdout


# --- a hostile bundle costs no more memory than a chunk: sizes are checked while streaming ---------

def _declare(path: Path, sizes: dict[str, int]) -> Path:
    """Rewrite the unpacked size the ZIP states for members (local header and central
    directory): the header lies, the data stays."""
    import struct
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offsets = {name: zf.getinfo(name).header_offset for name in sizes}
    for name, size in sizes.items():
        struct.pack_into("<I", raw, offsets[name] + 22, size)
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        n = struct.unpack_from("<H", raw, at + 28)[0]
        name = raw[at + 46:at + 46 + n].decode()
        if name in sizes:
            struct.pack_into("<I", raw, at + 24, sizes[name])
        at = raw.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(raw))
    return path


def _peak_while(call) -> tuple[int, object]:
    import tracemalloc
    tracemalloc.start()
    try:
        try:
            outcome = call()
        except bundle.Unreadable as exc:
            outcome = exc
        return tracemalloc.get_traced_memory()[1], outcome
    finally:
        tracemalloc.stop()


def test_verify_bundle_streams_a_member_whose_header_lies_about_its_size(made, tmp_path):
    """A member that says 1 kB and inflates to 64 MiB of zeros (64 kB in the file) is cut off
    at its declared size while streaming and refused; one that holds less than it says too."""
    manifest = _members(made[0])["manifest.json"]
    with zipfile.ZipFile(tmp_path / "liegt.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", manifest)
        zf.writestr("rapport/summary.json", b"\0" * (64 * 1024 * 1024))
    lying = _declare(tmp_path / "liegt.zip", {"rapport/summary.json": 1024})
    assert lying.stat().st_size < 1024 * 1024
    peak, outcome = _peak_while(lambda: bundle.verify(lying))
    assert isinstance(outcome, bundle.Unreadable) and "rapport/summary.json" in str(outcome)
    assert peak < 4 * bundle.CHUNK_BYTES, peak
    # the whole `oso-sim verify-bundle` process, interpreter included, stays under 100 MiB
    measure = ("import resource, subprocess, sys; subprocess.run([sys.executable, '-m', 'harness.cli',"
               " 'verify-bundle', sys.argv[1]], capture_output=True);"
               " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", measure, str(lying)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    assert int(done.stdout) < 100 * 1024, done.stdout   # kB
    # and one that says more than it holds is refused too
    short = _declare(_write(tmp_path / "kort.zip", {"manifest.json": manifest, "rapport/x.bin": b"x" * 1000}),
                     {"rapport/x.bin": 40 * 1024 * 1024})
    peak, outcome = _peak_while(lambda: bundle.verify(short))
    assert isinstance(outcome, bundle.Unreadable) and "opgegeven" in str(outcome)
    assert peak < 4 * bundle.CHUNK_BYTES, peak
    # control: the real bundle still verifies, streamed
    peak, outcome = _peak_while(lambda: bundle.verify(made[0]))
    assert isinstance(outcome, bundle.Verification) and outcome.intact, getattr(outcome, "problems", outcome)
    assert peak < 100 * 1024 * 1024


def test_verify_bundle_refuses_declared_sizes_over_the_total_before_inflating(tmp_path):
    """The probe's bundle: 21 members of 50 MiB each, 1,050 MiB in all, refused from the ZIP's
    directory alone; before, 1.16 GiB was read before the total was checked."""
    members = {"manifest.json": b"{}", **{f"rapport/groot-{i:02d}.bin": b"\0" * 1024 for i in range(21)}}
    path = _declare(_write(tmp_path / "veel.zip", members),
                    {name: bundle.MAX_MEMBER_BYTES for name in members if name != "manifest.json"})
    peak, outcome = _peak_while(lambda: bundle.verify(path))
    assert isinstance(outcome, bundle.Unreadable) and "volgens de inhoudsopgave" in str(outcome)
    assert peak < bundle.CHUNK_BYTES, peak
    # a JSON member that would build millions of objects is not parsed
    lists = _write(tmp_path / "lijsten.zip", {"manifest.json": b"[" + b"[]," * 2_000_000 + b"[]]"})
    peak, outcome = _peak_while(lambda: bundle.verify(lists))
    assert isinstance(outcome, bundle.Unreadable) and "geen geldig manifest.json" in str(outcome)
    assert peak < 20 * 1024 * 1024, peak
