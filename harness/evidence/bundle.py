"""The evidence bundle of a conformance run (`oso-sim conformance --bundle FILE.zip`) and its
offline check (`oso-sim verify-bundle FILE.zip`, harness.cli.verify_bundle).

Layout of the ZIP:

    manifest.json                      format, versions, SHA-256 and size of every other member,
                                       per scenario what it holds
    configuratie.json                  the configuration as read, secrets redacted
    rapport/report.html, summary.json, junit.xml, results.json, pytest.log (and a PDF if any)
    scenarios/NNN-<naam>/berichten.json           index: per message actor, kant, richting,
                                                  operatie, element, koppelsleutel, uitkomst, bestand
    scenarios/NNN-<naam>/berichten/MMM-....xml    every SOAP message, byte for byte as logged
    scenarios/NNN-<naam>/dossiers/MMM-<koppelsleutel>.xml   each dossier as delivered
    scenarios/NNN-<naam>/bijlagen/MMM-<bestandsnaam>        each attachment, unpacked

The manifest is the one file not hashed inside the bundle: its own SHA-256 is printed when the
bundle is written, for the certifier to record.

Verification checks every hash and that no member is missing or extra, then re-derives per
scenario, from the raw messages alone: the dossiers (validated again with
oso_protocol.dossier), a PGN scan of messages, dossiers and attachments (oso_protocol.pgn_scan, the
11-proef kind: the pupils' own numbers are not in the bundle), and compares with the claims of
the report: a passed step that says "the dossier is valid" or "no PGN" against what is found, and
the verdict against the counted outcomes.
"""
from __future__ import annotations

import base64
import binascii
import ctypes
import hashlib
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from actor_kit import zipsafe

from harness.evidence.messages import dossier_of, element_of

FORMAT = "oso-sim-bewijspakket"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REPORT_FILES = ("report.html", "summary.json", "junit.xml", "results.json", "pytest.log")

# Bounds for reading a bundle that may be hostile: each member as zipsafe bounds one document,
# and the whole bundle, so a bomb of many small members is refused too. Members are streamed
# (hashed in pieces, kept nowhere); only what a check parses is held whole, one member at a time,
# under MAX_READ_BYTES (messages) or MAX_JSON_BYTES and MAX_JSON_VALUES (manifest, index and
# report JSON). That keeps verify-bundle under 100 MiB for any bundle (benchmarks/bundle_memory.py).
MB = 1024 * 1024
MAX_MEMBERS = 20000
MAX_MEMBER_BYTES = zipsafe.MAX_UNPACKED_BYTES
MAX_TOTAL_BYTES = 1024 * MB
MAX_DIRECTORY_BYTES = 8 * MB        # 20,000 entries with names of 300 characters
CHUNK_BYTES = MB
# [choice] 12 MiB: a dossier with two 3 MB attachments travels in a message of about 11 MB, and
# re-deriving messages of this size (decode, validation, PGN scan) peaked at 67 MiB
MAX_READ_BYTES = 12 * MB
MAX_JSON_BYTES = 16 * MB
MAX_JSON_VALUES = 1_000_000
SCAN_MEMBER_BYTES = 8 * MB          # what the PGN scan unpacks of one file in an attachment's ZIP
_M_MMAP_THRESHOLD = -3              # mallopt parameter, glibc's malloc.h

# Step definitions (harness.conformance.run_plugin records their names) whose passing claims
# something the verifier can re-derive from the raw messages.
CLAIM_VALID = {"passes_validator"}
CLAIM_NO_PGN_ELEMENT = {"no_pgn"}
CLAIM_NO_PGN = {"no_pgn_anywhere"}

CLAIM_TEXT = {"geldig": "dossier geldig", "geen_pgn": "geen PGN in de berichten",
              "geen_pgn_element": "geen bsn of onderwijsnummer in het dossier"}

EXIT_INTACT, EXIT_NOT_INTACT, EXIT_UNREADABLE = 0, 1, 2


class Unreadable(Exception):
    """The bundle cannot be read as a bundle at all (exit 2)."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _slug(text: str, limit: int = 60) -> str:
    return re.sub(r"[^\w.-]+", "_", text, flags=re.ASCII).strip("_.")[:limit] or "x"


# -- what travelled: dossiers and attachments from the raw messages ------------------------------

def attachments_of(dossier: bytes) -> list[tuple[str, bytes]]:
    """(bestandsnaam, content) of every attachment in a dossier, unpacked from its ZIP; an
    attachment that cannot be unpacked is skipped (the validator reports it)."""
    from lxml import etree

    from oso_protocol.xmlsafe import XmlInputError, parse_bytes
    try:
        root = parse_bytes(dossier)
    except XmlInputError:
        return []
    out = []
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "bestandsinhoud":
            continue
        parent = el.getparent()
        name = next((c.text or "" for c in parent if isinstance(c.tag, str)
                     and etree.QName(c).localname == "bestandsnaam"), "") if parent is not None else ""
        try:
            packed = base64.b64decode("".join((el.text or "").split()), validate=True)
            found = zipsafe.unpack_one(packed, name or "bijlage")
        except (binascii.Error, ValueError):
            continue
        if found is not None:
            out.append((name or found[0], found[1]))
    return out


# -- writing -------------------------------------------------------------------------------------

def _messages(report: Path, row: dict) -> list[dict]:
    if row.get("messages_file"):
        try:
            return json.loads((report / row["messages_file"]).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
    return row.get("messages") or []


def _scenario_members(folder: str, messages: list[dict]) -> tuple[dict[str, bytes], dict]:
    members: dict[str, bytes] = {}
    index, dossiers, attachments = [], [], []
    for i, msg in enumerate(messages, 1):
        xml = msg.get("xml") or ""
        element = msg.get("element") or element_of(xml)
        entry = {k: msg.get(k) for k in ("ts", "actor", "side", "direction", "operation", "koppelsleutel",
                                          "outcome", "http_status")}
        entry["element"] = element
        if xml:
            name = f"{folder}/berichten/{i:03d}-{_slug(msg.get('actor') or 'actor', 20)}-{_slug(element or 'bericht', 40)}.xml"
            members[name] = xml.encode("utf-8")
            entry["bestand"] = name
        index.append(entry)
        dossier = dossier_of(xml)
        if dossier is None:
            continue
        name = f"{folder}/dossiers/{i:03d}-{_slug(msg.get('koppelsleutel') or 'dossier', 40)}.xml"
        members[name] = dossier
        dossiers.append(name)
        for j, (filename, content) in enumerate(attachments_of(dossier), 1):
            att = f"{folder}/bijlagen/{i:03d}-{j:02d}-{_slug(filename, 80)}"
            members[att] = content
            attachments.append(att)
    members[f"{folder}/berichten.json"] = json.dumps(index, ensure_ascii=False, indent=1).encode("utf-8")
    return members, {"berichten": len(messages), "dossiers": dossiers, "bijlagen": attachments}


def build_members(report: Path, summary: dict, extra: tuple[Path, ...] = ()) -> tuple[dict[str, bytes], list[dict]]:
    """Every member but the manifest, and the manifest's per-scenario part. `extra`: more report
    files kept elsewhere (the --pdf file)."""
    members: dict[str, bytes] = {}
    for name in REPORT_FILES:
        if (report / name).is_file():
            members[f"rapport/{name}"] = (report / name).read_bytes()
    for pdf in [*sorted(report.glob("*.pdf")), *extra]:
        if Path(pdf).is_file():
            members[f"rapport/{Path(pdf).name}"] = Path(pdf).read_bytes()
    run = summary.get("run") or {}
    members["configuratie.json"] = json.dumps(
        {"bestand": run.get("configuratiebestand"), "configuratie": run.get("configuratie")},
        ensure_ascii=False, indent=2).encode("utf-8")
    try:
        results = json.loads((report / "results.json").read_text(encoding="utf-8")).get("scenarios", [])
    except (OSError, ValueError):
        results = []
    scenarios = []
    for n, row in enumerate(results, 1):
        folder = f"scenarios/{n:03d}-{_slug(row.get('name') or row.get('nodeid') or 'scenario')}"
        found, facts = _scenario_members(folder, _messages(report, row))
        members.update(found)
        scenarios.append({"map": folder, "nodeid": row.get("nodeid"), "naam": row.get("name"),
                          "voorbeeld": row.get("voorbeeld") or {}, "uitkomst": row.get("outcome"), **facts})
    return members, scenarios


def write_bundle(report: Path, target: Path, summary: dict, extra: tuple[Path, ...] = ()) -> dict:
    """Write the bundle of the run reported in `report`; return its manifest."""
    from harness.evidence.run_info import versions
    members, scenarios = build_members(Path(report), summary, extra)
    manifest = {"formaat": FORMAT, "formaatversie": FORMAT_VERSION,
                "gemaakt": datetime.now(UTC).isoformat(timespec="seconds"),
                "versies": versions(), "oordeel": summary.get("verdict"),
                "bestanden": {name: {"sha256": sha256(data), "bytes": len(data)}
                              for name, data in sorted(members.items())},
                "scenarios": scenarios}
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        for name, data in sorted(members.items()):
            zf.writestr(name, data)
    tmp.replace(target)
    manifest["manifest_sha256"] = sha256(manifest_bytes)
    return manifest


# -- reading and verifying -----------------------------------------------------------------------

class Members:
    """A bundle opened for streaming. What the ZIP declares (how many members, their names,
    methods and unpacked sizes, their sum) is checked from its central directory before a byte is
    inflated; then every member is read in pieces, hashed and counted against what it declared,
    and kept nowhere. A member is read whole again only when a check needs its content, one at a
    time and under a lower bound (`read`). So memory stays bounded whatever the bundle holds:
    ZIP bombs, headers that lie, many members."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._check_directory()
            self.zf = zipfile.ZipFile(self.path)
        except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
            raise Unreadable(f"{self.path} is geen leesbaar ZIP-bestand ({exc})") from None
        try:
            self.infos = self._check_members(self.zf.infolist())
            self.digests = {name: self._digest(info) for name, info in self.infos.items()}
        except BaseException:
            self.zf.close()
            raise

    def close(self) -> None:
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def _check_directory(self) -> None:
        """The entry count and central directory size as the end record states them, before
        zipfile builds an object per entry: a small file can declare millions of entries."""
        with open(self.path, "rb") as fh:
            end = zipfile._EndRecData(fh)
        if not end:
            raise zipfile.BadZipFile("geen centrale map gevonden")
        if end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS:
            raise Unreadable(f"{end[zipfile._ECD_ENTRIES_TOTAL]} bestanden in het pakket; de grens is {MAX_MEMBERS}")
        if end[zipfile._ECD_SIZE] > MAX_DIRECTORY_BYTES:
            raise Unreadable(f"de inhoudsopgave van het pakket is {end[zipfile._ECD_SIZE] // 1024} kB; de grens is"
                             f" {MAX_DIRECTORY_BYTES // 1024} kB")

    def _check_members(self, infolist) -> dict[str, zipfile.ZipInfo]:
        infos = [i for i in infolist if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise Unreadable(f"{len(infos)} bestanden in het pakket; de grens is {MAX_MEMBERS}")
        out: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.split("/") or "\\" in name or ":" in name:
                raise Unreadable(f"onveilige bestandsnaam in het pakket: {name!r}")
            if name in out:
                raise Unreadable(f"bestand {name} komt twee keer voor in het pakket")
            # other methods (bzip2, lzma) inflate a whole read at once: no bound while streaming
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
                raise Unreadable(f"{name} is versleuteld of gecomprimeerd op een manier die een pakket niet"
                                 " gebruikt")
            if info.file_size > MAX_MEMBER_BYTES:
                raise Unreadable(f"{name} is uitgepakt {info.file_size // MB} MB; de grens is {MAX_MEMBER_BYTES // MB} MB")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise Unreadable(f"het pakket is uitgepakt groter dan {MAX_TOTAL_BYTES // MB} MB (volgens de"
                                 " inhoudsopgave)")
            out[name] = info
        return out

    def _chunks(self, info: zipfile.ZipInfo):
        """The member in pieces, cut off as soon as it runs past its declared size or the limit;
        one that ends short of its declared size is refused too."""
        name, declared = info.filename, info.file_size
        limit = min(declared, MAX_MEMBER_BYTES)
        count = 0
        try:
            with self.zf.open(info) as fh:
                while True:
                    piece = fh.read(CHUNK_BYTES)
                    if not piece:
                        break
                    count += len(piece)
                    if count > limit:
                        raise Unreadable(f"{name} is uitgepakt groter dan opgegeven ({declared} bytes)")
                    yield piece
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
            if isinstance(exc, Unreadable):
                raise
            raise Unreadable(f"{name} is niet uit te pakken ({exc})") from None
        if count != declared:
            raise Unreadable(f"{name} is uitgepakt {count} bytes, opgegeven {declared}")

    def _digest(self, info: zipfile.ZipInfo) -> str:
        h = hashlib.sha256()
        for piece in self._chunks(info):
            h.update(piece)
        return h.hexdigest()

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def __iter__(self):
        return iter(self.infos)

    def size(self, name: str) -> int | None:
        info = self.infos.get(name)
        return None if info is None else info.file_size

    def read(self, name: str, limit: int | None = None) -> bytes | bytearray | None:
        """The member whole, None when it is missing or larger than `limit` (default
        MAX_READ_BYTES): checks that parse a member hold it, and what comes of it, in memory."""
        info = self.infos.get(name)
        if info is None or info.file_size > (MAX_READ_BYTES if limit is None else limit):
            return None
        # filled in place: joining the pieces would hold the member twice
        buf, pos = bytearray(info.file_size), 0
        for piece in self._chunks(info):
            buf[pos:pos + len(piece)] = piece
            pos += len(piece)
        return buf

    def json(self, name: str):
        """A JSON member, None when missing, too large, unreadable or too many values to
        build: a few MB of `[[],[],...]` would otherwise become Python objects of GBs."""
        data = self.read(name, MAX_JSON_BYTES)
        if data is None or sum(data.count(c) for c in (b",", b"[", b"{", b":")) > MAX_JSON_VALUES:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None


@dataclass
class Verification:
    lines: list[str] = field(default_factory=list)     # what was checked, in Dutch
    problems: list[str] = field(default_factory=list)  # why the bundle is not intact
    manifest_sha256: str | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(f"  PROBLEEM: {text}")


def check_hashes(members: Members, manifest: dict, out: Verification) -> None:
    listed = manifest.get("bestanden")
    if not isinstance(listed, dict):
        out.problem("het manifest noemt geen bestanden")
        return
    bad = 0
    for name, entry in listed.items():
        if name not in members:
            out.problem(f"{name} ontbreekt")
            bad += 1
        elif not isinstance(entry, dict) or members.digests[name] != entry.get("sha256"):
            out.problem(f"{name} is gewijzigd (SHA-256 wijkt af van het manifest)")
            bad += 1
    for name in sorted(set(members) - set(listed) - {MANIFEST}):
        out.problem(f"{name} staat niet in het manifest")
        bad += 1
    out.lines.insert(0, f"Controlesommen: {len(listed) - bad if bad <= len(listed) else 0} van {len(listed)}"
                        f" bestanden ongewijzigd" + ("" if not bad else f"; {bad} afwijking(en)"))


def check_verdict(summary: dict, results: list[dict], out: Verification) -> None:
    """The verdict and counts in summary.json against the outcomes it lists and results.json."""
    from harness.conformance.verdict import outcome_of, verdict
    from harness.conformance.outcomes import OUTCOMES
    counts = {lvl: {o: 0 for o in OUTCOMES} for lvl in ("mandatory", "optional")}
    for s in summary.get("scenarios", []):
        counts["optional" if s.get("level") == "optioneel" else "mandatory"][outcome_of(s)] += 1
    for lvl in ("mandatory", "optional"):
        if summary.get(lvl) != counts[lvl]:
            out.problem(f"de tellingen ({'verplicht' if lvl == 'mandatory' else 'optioneel'}) in summary.json"
                        " kloppen niet met de scenario's die het noemt")
    sel = summary.get("selectie") or {}
    v, _ = verdict(counts["mandatory"], error=summary.get("error"),
                   left_out=int(sel.get("weggelaten_verplicht") or 0), tags=sel.get("tags"))
    if v != summary.get("verdict"):
        out.problem(f"het oordeel in summary.json is {summary.get('verdict')!r}, de uitkomsten geven {v!r}")
    if results:
        said = [(s.get("nodeid"), s.get("outcome")) for s in summary.get("scenarios", [])]
        found = [(r.get("nodeid"), outcome_of({"outcome": r.get("outcome"), "tags": r.get("tags", [])}))
                 for r in results]
        if said and said[0][0] is not None and said != found:
            out.problem("summary.json en results.json noemen niet dezelfde scenario's met dezelfde uitkomst")


def _claims(row: dict) -> dict[str, str]:
    """{claim: step status} for the steps of this scenario whose definitions the verifier knows."""
    claims = {}
    for st in row.get("steps", []):
        func = st.get("functie")
        for claim, names in (("geldig", CLAIM_VALID), ("geen_pgn_element", CLAIM_NO_PGN_ELEMENT),
                             ("geen_pgn", CLAIM_NO_PGN)):
            if func in names:
                claims[claim] = st.get("status")
    return claims


def _attachment_count(dossier: bytes) -> int:
    """How many attachments of a dossier the bundle writer could unpack, told from each ZIP's
    listing without inflating it: the verifier keeps one message's worth in memory, not the
    attachments' (the PGN scan reads their content under its own bounds)."""
    import io

    from lxml import etree

    from oso_protocol.xmlsafe import XmlInputError, parse_bytes
    try:
        root = parse_bytes(dossier)
    except XmlInputError:
        return 0
    count = 0
    for el in root.iter():
        if not isinstance(el.tag, str) or etree.QName(el).localname != "bestandsinhoud":
            continue
        try:
            packed = base64.b64decode("".join((el.text or "").split()), validate=True)
            with zipfile.ZipFile(io.BytesIO(packed)) as zf:
                files = [i for i in zf.infolist() if not i.is_dir()]
        except (binascii.Error, ValueError, zipfile.BadZipFile, OSError, EOFError):
            continue
        count += bool(files) and min(i.file_size for i in files) <= zipsafe.MAX_UNPACKED_BYTES
    return count


def _pgn_elements(dossier: bytes) -> list[str]:
    from lxml import etree

    from oso_protocol.xmlsafe import XmlInputError, parse_bytes
    try:
        root = parse_bytes(dossier)
    except XmlInputError:
        return []
    return [etree.QName(el).localname for el in root.iter()
            if isinstance(el.tag, str) and etree.QName(el).localname in ("bsn", "onderwijsnummer")]


def check_scenario(members: Members, entry: dict, row: dict | None, out: Verification) -> None:
    """Re-derive one scenario's facts from its raw messages and hold them against its claims."""
    from oso_protocol.dossier import validate

    from harness.conformance.verdict import display_name
    from harness.conformance.outcomes import GESLAAGD, MISLUKT
    from oso_protocol.pgn_scan import scan_run
    folder = entry.get("map") or "?"
    name = display_name({"name": entry.get("naam") or entry.get("nodeid") or folder,
                         "voorbeeld": entry.get("voorbeeld") or {}})
    index = members.json(f"{folder}/berichten.json")
    if not isinstance(index, list):
        out.problem(f"{name}: berichten.json ontbreekt of is onleesbaar")
        return
    too_large: list[str] = []
    derived: list[str] = []           # SHA-256 of each dossier the messages carried
    invalid_rules: list[set[str]] = []
    pgn_elements: set[str] = set()
    counted = {"berichten": 0, "bijlagen": 0}

    def rows():
        """One message at a time, with what its dossier shows taken on the way: a scenario's
        messages and dossiers are never all in memory at once."""
        for m in index:
            if not isinstance(m, dict):
                continue
            bestand = m.get("bestand") or ""
            if bestand and bestand not in members:
                continue  # already reported as missing
            data = members.read(bestand) if bestand else b""
            if data is None:
                too_large.append(bestand)
                continue
            data = bytes(data)  # the scan takes bytes as they are; a bytearray it would copy
            counted["berichten"] += 1
            dossier = dossier_of(data)
            if dossier is not None:
                derived.append(sha256(dossier))
                report = validate(dossier)
                if not report.valid:
                    invalid_rules.append({f.rule for f in report.findings if f.severity == "fout"})
                counted["bijlagen"] += _attachment_count(dossier)
                pgn_elements.update(_pgn_elements(dossier))
                del dossier, report
            yield {"actor": m.get("actor"), "operation": m.get("operation"), "xml": data}
            del data

    scan = scan_run(rows(), [], max_member_bytes=SCAN_MEMBER_BYTES)
    claims = _claims(row or {})
    if too_large:
        said = (f"{name}: {len(too_large)} bericht(en) groter dan {MAX_READ_BYTES // MB} MB, niet opnieuw"
                f" afgeleid (eerste: {too_large[0]})")
        if claims:  # [choice] fail closed: a claim that cannot be re-derived is not confirmed
            out.problem(said)
        else:
            out.lines.append(f"  let op: {said}")
    # a stored dossier that is missing was reported with the hashes; the others must be the
    # messages' own, one for one (compared by hash: the stored file is not read again)
    stored = [members.digests.get(d) for d in entry.get("dossiers", []) if isinstance(d, str)]
    if len(stored) != len(derived) or any(kept is not None and kept != found
                                          for kept, found in zip(stored, derived)):
        out.problem(f"{name}: de dossiers in het pakket zijn niet de dossiers uit de berichten")
    dossiers, invalid, attachments = derived, invalid_rules, counted["bijlagen"]
    facts = (f"{counted['berichten']} berichten, {len(dossiers)} dossier(s)"
             + (f" ({len(dossiers) - len(invalid)} geldig, {len(invalid)} ongeldig)" if dossiers else "")
             + f", {attachments} bijlage(n), PGN-scan: "
             + (f"{len(scan.hits)} vondst(en)" if scan.hits else "niets gevonden"))
    out.lines.append(f"- {name}: {entry.get('uitkomst') or '?'}; {facts}")
    if claims.get("geldig") == GESLAAGD and invalid:
        rules = sorted(set().union(*invalid))
        out.problem(f"{name}: het rapport noemt het dossier geldig, maar de validatie vindt fouten"
                    f" ({', '.join(rules[:5])})")
    if claims.get("geldig") == MISLUKT and dossiers and not invalid:
        out.problem(f"{name}: het rapport noemt het dossier ongeldig, maar elk dossier uit de berichten is geldig")
    if claims.get("geen_pgn") == GESLAAGD and scan.hits:
        out.problem(f"{name}: het rapport zegt dat geen bericht een PGN draagt, maar de scan vindt"
                    f" {scan.hits[0].describe()}")
    if claims.get("geen_pgn_element") == GESLAAGD and pgn_elements:
        out.problem(f"{name}: het rapport zegt dat het dossier geen bsn of onderwijsnummer bevat, maar het"
                    f" bevat {', '.join(sorted(set(pgn_elements)))}")
    if claims:
        said = ", ".join(CLAIM_TEXT[c] for c in sorted(claims))
        agrees = not any(p.startswith(f"{name}:") for p in out.problems)
        out.lines.append(f"    opnieuw afgeleid ({said}): " + ("in overeenstemming met het rapport" if agrees
                                                                 else "in tegenspraak met het rapport"))


def _large_blocks_mapped() -> None:
    """Have glibc serve every block over 1 MiB from a mapping of its own, handed back on free.
    By default the threshold rises after the first large block is freed, and from then on the
    copies of one message after another stay in the heap: the peak would grow with the number
    of large messages instead of staying that of the largest one."""
    try:
        ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, CHUNK_BYTES)
    except (OSError, AttributeError):  # not glibc
        pass


def verify(path: Path) -> Verification:
    """Check a bundle; Unreadable when it cannot be read as one."""
    _large_blocks_mapped()
    with Members(Path(path)) as members:
        manifest = members.json(MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("formaat") != FORMAT:
            raise Unreadable(f"{path} is geen oso-sim-bewijspakket (geen geldig {MANIFEST})")
        out = Verification(manifest_sha256=members.digests.get(MANIFEST))
        check_hashes(members, manifest, out)
        summary = members.json("rapport/summary.json")
        results = members.json("rapport/results.json")
        results = results.get("scenarios", []) if isinstance(results, dict) else []
        results = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        if isinstance(summary, dict):
            check_verdict(summary, results, out)
            out.lines.append(f"Oordeel volgens het rapport: {summary.get('verdict')} ({summary.get('verdict_reden')})")
        else:
            out.problem("rapport/summary.json ontbreekt of is onleesbaar")
        by_nodeid = {r.get("nodeid"): r for r in results}
        for entry in manifest.get("scenarios", []) if isinstance(manifest.get("scenarios"), list) else []:
            if isinstance(entry, dict):
                check_scenario(members, entry, by_nodeid.get(entry.get("nodeid")), out)
        return out

