"""PaO.LL12 beyond the bsn/onderwijsnummer elements: look for a pupil's PGN anywhere in a run's messages.

A leaked BSN rarely sits in `<bsn>`: it is typed into a free text, put into an attachment's file
name, or printed on the PDF the school attaches. This scanner reads every logged SOAP message, the
base64 dossier inside a documentResponse, every element text and attribute value of that dossier,
and every attachment (file name, omschrijving, the ZIP that carries it: member names and contents,
text of PDFs) and reports two kinds of number:

- a *bekend nummer*: one of the run's own BSNs/onderwijsnummers, also when written with
  separators ("1234.56.782", "123 456 782");
- an *11-proef* number: a standalone 9-digit number that passes the BSN 11-proef, so a PGN of a
  pupil the harness does not know about is caught too.

Only numbers that stand on their own count: a maximal run of digits (single spaces, dots or
hyphens between groups) is cut into its groups, and a window of whole groups must hold exactly
9 digits. So koppelsleutels, 20-digit OINs, routeringskenmerken and dates never match. For the
11-proef kind the window must also look like a written BSN (9 digits in one group, or 4-2-3 /
3-3-3 with one separator) and must not touch a letter, which keeps hex in UUIDs out.

A finding names the number masked ("1112•••33") with the SHA-256 of its digits, and its place
masked too when the place is named by the number (an attachment's file name, a ZIP member).
mask_text masks the same kinds of number in any text, plus standalone numbers that pass the
onderwijsnummer check: the report writers' last line of defence.

Pure: it reads nothing but its arguments. Hostile content (a ZIP bomb, a broken PDF, non-base64)
is bounded by the caps below and ends up as a Note, never as an exception.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import re
import zipfile
import zlib
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from typing import Callable, Iterable

from lxml import etree

from oso_protocol.xmlsafe import XmlInputError, parse_bytes

BEKEND = "bekend nummer"
ELFPROEF = "11-proef"

# Places, for callers that group or filter hits.
SOAP = "SOAP"
DOSSIER = "dossier"
BESTANDSNAAM = "bestandsnaam"
OMSCHRIJVING = "omschrijving"
BIJLAGE = "bijlage"
ZIP_NAAM = "zip-naam"
ZIP_INHOUD = "zip-inhoud"
PDF = "pdf"

# Caps against hostile attachments. The project's own attachments are a few hundred KB at most;
# these leave room for real school documents and stop a bomb long before memory matters.
MAX_ZIP_MEMBERS = 200
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_PER_MESSAGE = 128 * 1024 * 1024
# Findings kept per scan: past this the scan says so once and stops listing; every finding past
# the first only repeats what a report already shows, and millions of them cost GBs.
MAX_HITS = 1000
MAX_PDF_PAGES = 500

_SEP = " .\\-\u00a0"
# Fast pre-filter: somewhere nine digits with at most one separator between each two.
_NINE = re.compile(rf"\d(?:[{_SEP}]?\d){{8}}")
# The maximal run that starts where _NINE matched.
# possessive: the same match, without the backtracking marks a plain repeat keeps per group
# (92 MB for one run of 8 MB of "123456782 123456782 ...")
_RUN = re.compile(rf"\d++(?:[{_SEP}]\d++)*+")
_GROUP = re.compile(r"\d+")
_ELFPROEF_GROUPS = {(9,), (4, 2, 3), (3, 3, 3)}
_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_PAYLOAD_ELEMENTS = {"bestandsinhoud"}
_NAMED_TEXTS = {"bestandsnaam": BESTANDSNAAM, "omschrijving": OMSCHRIJVING}


def elfproef(digits: str) -> bool:
    """The BSN 11-proef (weights 9..2 and -1); 000000000 is not a BSN."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS)) % 11 == 0


def onderwijsnummer_check(digits: str) -> bool:
    """The onderwijsnummer check: 9 digits starting with 10, the 11-proef sum leaves 5."""
    if len(digits) != 9 or not digits.isdigit() or not digits.startswith("10"):
        return False
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS)) % 11 == 5


def mask(text: str) -> str:
    """A written PGN as a report shows it: its first four and last two digits, the middle as
    bullets ("1112•••33"), whatever separators it was written with."""
    digits = "".join(c for c in text if c.isdigit())
    return digits[:4] + "\u2022" * max(len(digits) - 6, 0) + digits[-2:]


def digest(text: str) -> str:
    """SHA-256 of a PGN's digits: who holds the number can confirm which one was found."""
    return hashlib.sha256("".join(c for c in text if c.isdigit()).encode("ascii")).hexdigest()


def known_numbers(numbers: Iterable[str]) -> frozenset[str]:
    """`numbers` as 9-digit strings; whatever is not a PGN is left out (masking never fails)."""
    out = set()
    for n in numbers or ():
        digits = "".join(c for c in str(n) if c.isdigit())
        if len(digits) == 8:
            digits = "0" + digits
        if len(digits) == 9:
            out.add(digits)
    return frozenset(out)


def _is_pgn(digits: str) -> bool:
    return elfproef(digits) or onderwijsnummer_check(digits)


def mask_text(text: str, known: Iterable[str] = ()) -> str:
    """`text` with every PGN masked: the run's own numbers (`known`) wherever they stand, and
    any standalone 9-digit number that passes the 11-proef or the onderwijsnummer check. The
    same windows as the scan, so koppelsleutels, OINs, routeringskenmerken and dates stay."""
    if not text or _NINE.search(text) is None:
        return text
    known = known if isinstance(known, frozenset) else known_numbers(known)
    out, last = [], 0
    for offset, written, _ in iter_numbers(text, known, _is_pgn):
        if offset < last:
            continue
        out.append(text[last:offset])
        out.append(mask(written))
        last = offset + len(written)
    out.append(text[last:])
    return "".join(out)


def mask_tree(value, known: Iterable[str] = ()):
    """Every string in a JSON-like structure (keys too) through mask_text."""
    known = known if isinstance(known, frozenset) else known_numbers(known)
    if isinstance(value, str):
        return mask_text(value, known)
    if isinstance(value, dict):
        return {mask_tree(k, known): mask_tree(v, known) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_tree(v, known) for v in value]
    return value


def pgns_in(value) -> frozenset[str]:
    """The numbers under the keys bsn / onderwijsnummer / pgn anywhere in a JSON-like structure
    (a configuration as read, a summary): what a report writer knows as the pupils' numbers."""
    found: list[str] = []

    def walk(v, key=""):
        if isinstance(v, dict):
            for k, item in v.items():
                walk(item, str(k).lower())
        elif isinstance(v, (list, tuple)):
            for item in v:
                walk(item, key)
        elif key in ("bsn", "onderwijsnummer", "pgn") and v is not None:
            found.append(str(v))
    walk(value)
    return known_numbers(found)


@dataclass(frozen=True)
class Hit:
    """One PGN-like number. Holds the masked text only, so printing a Hit never spreads the number."""

    message: int               # index in the scanned list
    actor: str | None
    operation: str | None
    place: str                 # SOAP | dossier | bestandsnaam | omschrijving | bijlage | zip-naam | zip-inhoud | pdf
    where: str                 # XPath, or "bijlage <naam>, zip <lid>, pdf pagina N", ...
    offset: int                # of the match within the text scanned at `where`
    masked: str
    kind: str                  # bekend nummer | 11-proef
    sha256: str = ""           # of the digits found: proof without the number

    def describe(self) -> str:
        wie = ", ".join(x for x in (self.actor, self.operation) if x)
        proof = f" (sha256 {self.sha256[:16]}\u2026)" if self.sha256 else ""
        return (f"Bericht {self.message + 1}{f' ({wie})' if wie else ''}: {self.kind} {self.masked}{proof} "
                f"in {self.where}, positie {self.offset}")


@dataclass(frozen=True)
class Note:
    """A part that was not (fully) scanned, and why."""

    message: int
    actor: str | None
    operation: str | None
    where: str
    reason: str

    def describe(self) -> str:
        wie = ", ".join(x for x in (self.actor, self.operation) if x)
        return f"Bericht {self.message + 1}{f' ({wie})' if wie else ''}: {self.where} niet (volledig) gescand: {self.reason}"


@dataclass
class ScanResult:
    hits: list[Hit] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    cut_off: bool = False   # more than MAX_HITS findings: the rest were not listed


def scan_messages(messages: Iterable[dict], numbers: Iterable[str]) -> list[Hit]:
    """Every PGN-like number in `messages` (message-log rows with at least "xml")."""
    return scan_run(messages, numbers).hits


def scan_run(messages: Iterable[dict], numbers: Iterable[str], *,
             max_member_bytes: int | None = None) -> ScanResult:
    """Hits and notes for `messages`; `numbers` are the run's known BSNs/onderwijsnummers.
    `max_member_bytes`: a lower bound than MAX_MEMBER_BYTES on what one ZIP member may unpack
    to, for a caller with less memory to spend (verify-bundle)."""
    result = ScanResult()
    known = _known(numbers)
    for index, row in enumerate(messages):
        scan = _MessageScan(result, known, index, row.get("actor"), row.get("operation"))
        if max_member_bytes is not None:
            scan.max_member = min(scan.max_member, max_member_bytes)
        scan.soap(row.get("xml"))
        del row, scan  # let go of this message before the next one is read
    return result


def _known(numbers: Iterable[str]) -> frozenset[str]:
    out = set()
    for n in numbers:
        if n is None:
            continue
        digits = "".join(c for c in str(n) if c.isdigit())
        if not digits:
            continue
        if len(digits) == 8:  # a BSN written without its leading zero
            digits = "0" + digits
        if len(digits) != 9:
            raise ValueError(f"Een BSN of onderwijsnummer heeft 9 cijfers; gekregen: {len(digits)} cijfers.")
        out.add(digits)
    return frozenset(out)


def find_numbers(text: str, known: frozenset[str], check: Callable[[str], bool] = elfproef
                 ) -> list[tuple[int, str, str]]:
    """(offset, matched text, kind) for every PGN-like number in `text`."""
    return list(iter_numbers(text, known, check))


def iter_numbers(text: str, known: frozenset[str], check: Callable[[str], bool] = elfproef):
    """find_numbers one at a time, so a caller that has seen enough can stop."""
    pos = 0
    while True:
        m = _NINE.search(text, pos)
        if m is None:
            return
        run = _RUN.match(text, m.start())
        pos = run.end()
        yield from _windows(text, run.start(), run.end(), known, check)


def _windows(text: str, start: int, end: int, known: frozenset[str],
             check: Callable[[str], bool] = elfproef):
    # A window spans at most nine digit groups, so nine groups ahead are all it needs: a run of
    # millions of groups ("123456782 123456782 ..." in a hostile attachment) is never a list.
    loose = not (start > 0 and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())
    spans = ((g.start(), g.end()) for g in _GROUP.finditer(text, start, end))
    ahead = deque(islice(spans, 9))
    while ahead:
        n = 0
        for k, (_, group_end) in enumerate(ahead):
            n += group_end - ahead[k][0]
            if n < 9:
                continue
            if n == 9:
                a, b = ahead[0][0], group_end
                written = text[a:b]
                digits = "".join(c for c in written if c.isdigit())
                if digits in known:
                    yield a, written, BEKEND
                elif loose and check(digits) and _looks_like_bsn(text, list(islice(ahead, k + 1)),
                                                                 a == start and b == end):
                    yield a, written, ELFPROEF
            break
        ahead.popleft()
        following = next(spans, None)
        if following is not None:
            ahead.append(following)


def _looks_like_bsn(text: str, groups: list[tuple[int, int]], whole_run: bool) -> bool:
    lengths = tuple(b - a for a, b in groups)
    if lengths not in _ELFPROEF_GROUPS:
        return False
    if len(groups) == 1:
        return True
    # Grouped digits count only as a run of their own with one kind of separator: a 3-3-3 tail
    # of "1.234.567.890" is an amount, not a BSN.
    seps = {text[groups[k][1]:groups[k + 1][0]] for k in range(len(groups) - 1)}
    return whole_run and len(seps) == 1


def _localname(el) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _is_document_response(el) -> bool:
    return el is not None and _localname(el) == "documentResponse"


def xpath(el) -> str:
    """A readable XPath of local names, with [n] where same-named siblings exist."""
    parts = []
    while el is not None:
        parent = el.getparent()
        name = _localname(el)
        if parent is not None:
            same = [c for c in parent if c.tag == el.tag]
            if len(same) > 1:
                name += f"[{same.index(el) + 1}]"
        parts.append(name)
        el = parent
    return "/" + "/".join(reversed(parts))


def _b64decode(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


def _huge_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=True, collect_ids=False)


class _MessageScan:
    def __init__(self, result: ScanResult, known: frozenset[str], index: int, actor, operation):
        self.result = result
        self.known = known
        self.index = index
        self.actor = actor
        self.operation = operation
        self.unpacked = 0
        self.max_member = MAX_MEMBER_BYTES

    # --- recording ------------------------------------------------------------------------

    def text(self, text: str | None, place: str, where: Callable[[], str] | str) -> None:
        if not text or _NINE.search(text) is None:
            return
        # a place is named after what it holds (an attachment's file name, a ZIP member): a
        # number in that name is masked like the finding itself
        label = mask_text(where() if callable(where) else where, self.known)
        for offset, written, kind in iter_numbers(text, self.known):
            if len(self.result.hits) >= MAX_HITS:
                if not self.result.cut_off:
                    self.result.cut_off = True
                    self.note(label, f"meer dan {MAX_HITS} vondsten; de rest is niet opgesomd.")
                return
            self.result.hits.append(Hit(self.index, self.actor, self.operation, place, label,
                                        offset, mask(written), kind, digest(written)))

    def note(self, where: str, reason: str) -> None:
        self.result.notes.append(Note(self.index, self.actor, self.operation, mask_text(where, self.known),
                                      mask_text(reason, self.known)))

    # --- SOAP and dossier -----------------------------------------------------------------

    def soap(self, xml) -> None:
        if not xml:
            return
        data = xml.encode("utf-8") if isinstance(xml, str) else bytes(xml)
        try:
            root = parse_bytes(data)
        except XmlInputError as exc:
            root = None
            # A documentResponse carries the whole dossier in one base64 text node, over
            # libxml2's 10 MB node cap for a large dossier. parse_bytes has already refused any
            # DTD and enforced the size limit, so huge_tree here cannot expand anything.
            if exc.kind == "malformed" and "Resource limit exceeded" in exc.message:
                try:
                    root = etree.fromstring(data, parser=_huge_parser())
                except etree.XMLSyntaxError:
                    root = None
            if root is None:
                # Text already in memory costs one linear regex pass, whatever its size; what
                # is lost is the dossier and attachments inside, which the note says.
                self.note("SOAP", exc.message + " Alleen als platte tekst doorzocht; een dossier of "
                                  "bijlage erin is niet uitgepakt.")
                self.text(data.decode("utf-8", "replace"), SOAP, "SOAP (ruwe tekst)")
                return
        del data  # the tree holds the message now; a second copy would only add to the peak
        self.tree(root, SOAP, prefix="SOAP ")

    def dossier(self, el, where: str) -> None:
        try:
            # read from the element here, so the base64 text is freed once decoded
            data = _b64decode(el.text or "")
        except (binascii.Error, ValueError):
            self.note(where, "het dossier is geen geldige base64.")
            return
        if not data:
            return
        try:
            root = parse_bytes(data)
        except XmlInputError as exc:
            self.note("dossier", exc.message + " Alleen als platte tekst doorzocht; bijlagen erin "
                                 "zijn niet uitgepakt.")
            self.text(data.decode("utf-8", "replace"), DOSSIER, "dossier (ruwe tekst)")
            return
        del data
        self.tree(root, DOSSIER, prefix="")

    def tree(self, root, place: str, prefix: str) -> None:
        # The hot loop of a large dossier: closures and parents only for text that has nine digits.
        search = _NINE.search
        for el in root.iter():
            tag = el.tag
            if not isinstance(tag, str):  # comment or processing instruction
                parent = el.getparent()
                if parent is not None and el.text and search(el.text):
                    self.text(el.text, place, lambda p=parent: prefix + xpath(p) + "/comment()")
                continue
            if el.attrib:
                for name, value in el.attrib.items():
                    if search(value):
                        attr = name.rsplit("}", 1)[-1]
                        self.text(value, place, lambda e=el, a=attr: f"{prefix}{xpath(e)}/@{a}")
            local = tag.rsplit("}", 1)[-1]
            if local == "dossier" and place == SOAP and _is_document_response(el.getparent()):
                self.dossier(el, prefix + xpath(el))
            elif local in _PAYLOAD_ELEMENTS:
                self.attachment(el)
            elif el.text and search(el.text):
                sub = _NAMED_TEXTS.get(local, place)
                label = f"{sub} " if sub != place else ""
                self.text(el.text, sub, lambda e=el, lab=label: lab + prefix + xpath(e))
            tail = el.tail
            if tail and search(tail):
                parent = el.getparent()
                if parent is not None:
                    self.text(tail, place, lambda p=parent: prefix + xpath(p) + "/text()")

    # --- attachments ----------------------------------------------------------------------

    def attachment(self, el) -> None:
        parent = el.getparent()
        naam_el = None
        if parent is not None:
            naam_el = next((c for c in parent if _localname(c) == "bestandsnaam"), None)
        naam = (naam_el.text or "").strip() if naam_el is not None else ""
        label = f"bijlage {naam or '(zonder naam)'}"
        try:
            data = _b64decode(el.text or "")
        except (binascii.Error, ValueError):
            self.note(f"{label} ({xpath(el)})", "de bestandsinhoud is geen geldige base64.")
            return
        if data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06":
            self.zip(data, label)
        else:
            self.content(data, BIJLAGE, label)

    def content(self, data: bytes, place: str, label: str) -> None:
        if data[:5] == b"%PDF-":
            self.pdf(data, label)
        elif data[:4] == b"PK\x03\x04":
            self.note(label, "een ZIP in een ZIP wordt niet uitgepakt.")
        else:
            self.text(_as_text(data), place, label)

    def zip(self, data: bytes, label: str) -> None:
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            self.note(label, f"geen leesbaar ZIP-bestand ({exc}); als platte tekst doorzocht.")
            self.text(_as_text(data), BIJLAGE, label)
            return
        if len(infos) > MAX_ZIP_MEMBERS:
            self.note(label, f"{len(infos)} bestanden in de ZIP; alleen de eerste {MAX_ZIP_MEMBERS} gescand.")
            infos = infos[:MAX_ZIP_MEMBERS]
        with zf:
            for info in infos:
                member = f"{label}, zip {info.filename}"
                self.text(info.filename, ZIP_NAAM, member)
                if info.is_dir():
                    continue
                room = min(self.max_member, MAX_UNPACKED_PER_MESSAGE - self.unpacked)
                if room <= 0:
                    self.note(member, f"grens van {MAX_UNPACKED_PER_MESSAGE // 2**20} MB uitgepakt per "
                                      "bericht bereikt; niet uitgepakt.")
                    continue
                try:
                    # Read at most one byte past the cap: the sizes in the ZIP header are the
                    # sender's word, the stream is what counts.
                    with zf.open(info) as fh:
                        content = fh.read(room + 1)
                except (zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError, OSError,
                        EOFError, zlib.error) as exc:
                    self.note(member, f"niet uit te pakken ({exc}).")
                    continue
                if len(content) > room:
                    content = content[:room]
                    self.note(member, f"uitgepakt groter dan {room // 2**20} MB (mogelijk een ZIP-bom); "
                                      f"alleen de eerste {room // 2**20} MB gescand.")
                self.unpacked += len(content)
                self.content(content, ZIP_INHOUD, member)

    def pdf(self, data: bytes, label: str) -> None:
        try:
            from pypdf import PdfReader
        except ImportError:  # pragma: no cover - pypdf is a project dependency
            self.note(label, "pypdf ontbreekt; PDF-tekst niet gelezen.")
            return
        # pypdf logs every repair it makes on a broken file; the Note below is the one report.
        log = logging.getLogger("pypdf")
        level = log.level
        log.setLevel(logging.CRITICAL)
        try:
            try:
                reader = PdfReader(io.BytesIO(data), strict=False)
                pages = len(reader.pages)
            except Exception as exc:  # pypdf raises many types on hostile input
                self.note(label, f"PDF niet te lezen ({type(exc).__name__}: {exc}).")
                return
            if pages > MAX_PDF_PAGES:
                self.note(label, f"{pages} pagina's; alleen de eerste {MAX_PDF_PAGES} gescand.")
            for n in range(min(pages, MAX_PDF_PAGES)):
                try:
                    text = reader.pages[n].extract_text()
                except Exception as exc:
                    self.note(f"{label}, pdf pagina {n + 1}", f"tekst niet te lezen ({type(exc).__name__}).")
                    continue
                self.text(text, PDF, f"{label}, pdf pagina {n + 1}")
            try:
                meta = reader.metadata or {}
                items = list(meta.items())
            except Exception as exc:
                self.note(f"{label}, pdf metadata", f"niet te lezen ({type(exc).__name__}).")
                items = []
            for key, value in items:
                self.text(str(value), PDF, f"{label}, pdf metadata {str(key).lstrip('/')}")
        finally:
            log.setLevel(level)


def _as_text(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8", "replace")
