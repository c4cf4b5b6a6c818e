"""Rules beyond the standard (layer "project", ids OSS.*): what the official validation misses.

The profile matrix (D6), the toelichting in an opted-out category (D1), an empty wrapper left by an
opt-out, attachment sanity, and the ParnasSys process rule that a zorgvraag carries the
"Toelichting onderwijsbehoeften". OSS.XML01 and OSS.NS01 are reported by the validator itself.
"""
from __future__ import annotations

import binascii
import io
import struct
import zipfile

from .categories import CATEGORIES, OPT_UIT, PROFILES, VERBODEN, allowed_declarations
from .findings import LAYER_PROJECT, Finding
from .rules import RULES, message
from .rules_standard import Scan, _compiled, _first_by_parent, _text, scan, xpath_location
from .version import GegevenssetVersion

_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_OFF = (VERBODEN, OPT_UIT)


# The declarations OSS.PM01 accepts, per profile and category element.
_ALLOWED = {p: {c.element: allowed_declarations(p, c.element) for c in CATEGORIES} for p in PROFILES}
_DECLARATIONS = (VERBODEN, OPT_UIT, "VERPLICHT", "OPTIONEEL")


def _child(el, tag):
    """el.find(tag), without an ElementPath evaluation; None for a missing `el`."""
    return None if el is None else next(el.iterchildren(tag), None)


def check_project(root, version: GegevenssetVersion, sc: Scan | None = None) -> list[Finding]:
    """The project layer's findings; `sc`, when given, is `scan(root, version)`."""
    n = _compiled(version.namespace)[0]
    out: list[Finding] = []

    def add(rule, el, **kw):
        loc = "/" if el is None else xpath_location(el)
        out.append(Finding(rule, LAYER_PROJECT, RULES[rule].severity, loc, message(rule, **kw)))

    if sc is None:
        sc = scan(root, version)
    metadata, leerling = sc.metadata, sc.leerling
    cu = sc.md.get(n.categorie_uitlevering)
    oo = sc.ll.get(n.onderwijsondersteuning)
    declared = {c.tag: c for c in cu} if cu is not None else {}  # the last of a tag counts
    cat_oo = _text(declared.get(n.cat_onderwijsondersteuning))
    cat_hp = _text(declared.get(n.cat_handelingsplannen))

    # OSS.PM01: only for a profile we know; an unknown overstap is PaO.SO02's business and an
    # unknown value is CL48's.
    profile = _text(sc.md.get(n.overstap))
    if profile in PROFILES and declared:
        allowed_by_cat = _ALLOWED[profile]
        prefix = n.prefix
        for cat in CATEGORIES:
            el = declared.get(prefix + cat.element)
            if el is None:
                continue
            value = el.text
            allowed = allowed_by_cat[cat.element]
            if value in _DECLARATIONS and value not in allowed:
                add("OSS.PM01", el, cat=cat.element, value=value, profile=profile,
                    allowed=" of ".join(allowed))

    toelichting = _child(oo, n.toelichting_onderwijsbehoeften)
    if cat_oo in _OFF and toelichting is not None:
        add("OSS.CAT09", toelichting, state="verboden" if cat_oo == VERBODEN else "uitgezet")

    # [choice] Only the onderwijsondersteuning wrapper can be left empty behind an opt-out without
    # any rule noticing: every other category's governed element is its own container, which
    # OS.cat* sees even when empty.
    if oo is not None and len(oo) == 0 and cat_oo in _OFF and cat_hp in _OFF:
        add("OSS.OPT01", oo)

    if leerling is not None and cat_oo not in _OFF:
        if toelichting is None or _child(toelichting, n.document) is None:
            add("OSS.ZV01", leerling)

    _attachments(sc.found, n, add)
    return out


_BUCKET = 4  # texts of one length compared one by one; beyond this, looked up by hash


def _attachments(found, n, add):
    # The same payload is often attached several times (the official examples reuse one blob);
    # each distinct text is inspected once. Looked up by length, then compared: hashing every
    # text would read it all once more, comparing stops at the first difference. Many texts of
    # one length (n * n comparisons) go into a dict after all.
    seen: dict[int, list | dict] = {}
    inhouden = _first_by_parent(found[n.bestandsinhoud])
    for doc in found[n.document]:
        inhoud = inhouden.get(doc)
        text = None if inhoud is None else inhoud.text  # once: each read copies the text
        if text is None:
            continue  # the XSD reports a missing or empty bestandsinhoud
        verdict = _seen(seen, text)
        if verdict is None:
            verdict = _inspect(text)
            _remember(seen, text, verdict)
        if verdict:
            naam = _text(next(doc.iterchildren(n.bestandsnaam), None)) or ""
            for rule in verdict:
                add(rule, inhoud, naam=naam)


def _seen(seen: dict, text: str) -> tuple[str, ...] | None:
    bucket = seen.get(len(text))
    if bucket is None:
        return None
    if isinstance(bucket, dict):
        return bucket.get(text)
    for earlier, verdict in bucket:
        if earlier == text:
            return verdict
    return None


def _remember(seen: dict, text: str, verdict: tuple[str, ...]) -> None:
    bucket = seen.setdefault(len(text), [])
    if isinstance(bucket, dict):
        bucket[text] = verdict
    elif len(bucket) < _BUCKET:
        bucket.append((text, verdict))
    else:
        seen[len(text)] = dict(bucket)
        seen[len(text)][text] = verdict


# --- attachments ----------------------------------------------------------------------------------
#
# `_inspect_full` is the definition: strict base64 (whitespace aside), a ZIP local header at the
# start, an end-of-central-directory record in the last 64 KiB, a central directory that zipfile
# reads. Decoding a dossier's attachments and opening each with zipfile took a third of a full
# validation. Now a short text is decoded whole and its central directory read the way zipfile
# reads it, without zipfile. A longer one is judged from the base64 text itself: in canonical
# form (alphabet, then at most two "=", length a multiple of four, once whitespace is taken out)
# it is strict base64, and its bytes can be decoded piecewise, so only the first bytes and the
# tail holding the central directory are decoded. Whatever these cannot vouch for (a stray
# character, odd padding, a ZIP comment, ZIP64, damage) goes the full way.

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# What str.split() takes for whitespace among ASCII characters, for "".join(text.split()).
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())
_ASCII_SPACE_PAD = _ASCII_SPACE + b"="
_ZIP_CENTRAL = b"PK\x01\x02"
_ZIP64_LOCATOR = b"PK\x06\x07"
_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_EXTRA = struct.Struct("<HH")
_MAX_EXTRACT_VERSION = zipfile.MAX_EXTRACT_VERSION
_TAIL = 256           # decoded bytes read from the end first; a one-file central directory fits
_SMALL = 2048         # characters: a text this short is decoded whole, cheaper than the short way
# The short way holds the text once more as bytes; beyond this the full way, which holds three
# quarters of it decoded, keeps the peak memory of a huge attachment where it was.
_SHORT_LIMIT = 1 << 24


def _inspect(text: str) -> tuple[str, ...]:
    if len(text) <= _SMALL:
        data = _decode(text)
        if data is None:
            return ("OSS.ATT01",)
        if not data.startswith(_ZIP_LOCAL_HEADER):
            return ("OSS.ATT02",)
        start_dir = _central_directory_start(data, 0, len(data))
        if start_dir is not None and _central_directory_ok(data[start_dir:-22]):
            return ()
        return _zip_verdict(data)
    verdict = _inspect_short(text) if len(text) <= _SHORT_LIMIT else None
    return _inspect_full(text) if verdict is None else verdict


def _inspect_short(text: str) -> tuple[str, ...] | None:
    """The verdict of `_inspect_full`, or None when it needs the full decode to tell."""
    if not text.isascii():
        return None
    b = text.encode("ascii")
    rest = b.translate(None, _ALPHABET)
    if rest:
        if rest.translate(None, _ASCII_SPACE_PAD):
            return None  # a character that is neither base64 nor whitespace
        if rest.strip(b"="):
            # Whitespace: the full way decodes "".join(text.split()), which is this.
            b = b.translate(None, _ASCII_SPACE)
            rest = rest.translate(None, _ASCII_SPACE)
        if len(rest) > 2 or not b.endswith(rest):
            return None  # "=" other than one or two at the end
    pads = len(rest)
    size = len(b)
    if size == 0 or size % 4:
        return None
    try:
        # The last group through the real strict decoder as well: should binascii get stricter
        # about the final group (its unused bits), the short way follows.
        binascii.a2b_base64(b[-4:], strict_mode=True)
        head = binascii.a2b_base64(b[:8], strict_mode=True)
    except (binascii.Error, ValueError):
        return None
    if not head.startswith(_ZIP_LOCAL_HEADER):
        return ("OSS.ATT02",)
    total = size // 4 * 3 - pads
    start = max(0, total - _TAIL) // 3
    tail = binascii.a2b_base64(b[start * 4:])
    base = start * 3  # tail[i] is byte base + i of the decoded attachment
    start_dir = _central_directory_start(tail, base, total)
    if start_dir is None:
        return None
    if start_dir < base:
        start = start_dir // 3
        tail = binascii.a2b_base64(b[start * 4:])
        base = start * 3
    return () if _central_directory_ok(tail[start_dir - base:total - 22 - base]) else None


def _central_directory_start(tail: bytes, base: int, total: int) -> int | None:
    """Where zipfile would read the central directory, in its quick case only; else None.

    `tail` holds bytes base..total of the `total` decoded bytes, base <= total - 42. The quick
    case: the end record is the last 22 bytes, declares no comment, and no ZIP64 locator
    precedes it; zipfile then also finds the record that OSS.ATT03's first test looks for.
    """
    eocd = total - 22
    if (total < 42 or not tail.startswith(_ZIP_END, eocd - base) or not tail.endswith(b"\x00\x00")
            or tail.startswith(_ZIP64_LOCATOR, eocd - 20 - base)):
        return None
    start_dir = eocd - _EOCD.unpack_from(tail, eocd - base)[5]
    return start_dir if start_dir >= 0 else None


def _central_directory_ok(cd: bytes) -> bool:
    """Whether zipfile reads this central directory without complaint; False also when unsure."""
    # zipfile reads the entries from a BytesIO, counting the declared lengths; the two part only
    # when a declared length runs past the end, which also ends its loop. One position does.
    size = len(cd)
    pos = 0
    while pos < size:
        if pos + 46 > size:
            return False
        (sig, _cv, _cs, extract_version, _r, flags, _ct, _t, _d, _crc, _csize, _fsize,
         name_len, extra_len, comment_len, *_rest) = _CENTRAL.unpack_from(cd, pos)
        if sig != _ZIP_CENTRAL or extract_version > _MAX_EXTRACT_VERSION:
            return False
        name_at = pos + 46
        extra_at = name_at + name_len
        if flags & 0x800:
            try:
                cd[name_at:extra_at].decode("utf-8")
            except UnicodeDecodeError:
                return False
        i = extra_at
        end = min(extra_at + extra_len, size)
        while end - i >= 4:
            kind, length = _EXTRA.unpack_from(cd, i)
            if kind == 0x0001 or i + 4 + length > end:
                return False  # ZIP64 sizes or a damaged field: zipfile decides
            i += 4 + length
        pos = extra_at + extra_len + comment_len
    return True


def _decode(text: str) -> bytes | None:
    try:
        return binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        try:
            # Line breaks and indentation are allowed in base64 text; anything else is not.
            return binascii.a2b_base64("".join(text.split()), strict_mode=True)
        except (binascii.Error, ValueError):
            return None


def _inspect_full(text: str) -> tuple[str, ...]:
    data = _decode(text)
    if data is None:
        return ("OSS.ATT01",)
    if not data.startswith(_ZIP_LOCAL_HEADER):
        return ("OSS.ATT02",)
    return _zip_verdict(data)


def _zip_verdict(data: bytes) -> tuple[str, ...]:
    # Without an end-of-central-directory record there is nothing to open (truncated ZIP).
    if data.rfind(_ZIP_END, max(0, len(data) - 65557)) < 0:
        return ("OSS.ATT03",)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        # NotImplementedError: a central directory entry claiming a ZIP version beyond zipfile's.
        return ("OSS.ATT03",)
    return ()
