"""The attachment checks (OSS.ATT01-03) give the same verdict every way they can be reached.

`_inspect` reads a short attachment's central directory itself and judges a longer one from the
base64 text and the decoded tail of the ZIP alone; `REFERENCE` below is the check as it was
defined before that, decoding everything and opening the ZIP with zipfile. Every case here, good
and broken, must get the same verdict each way (`short_way` runs every text the long-text way).
"""
from __future__ import annotations

import base64
import binascii
import io
import random
import struct
import zipfile

import pytest

from oso_protocol.dossier import rules_project
from oso_protocol.dossier.rules_project import _inspect, _inspect_full, _inspect_short


def REFERENCE(text: str) -> tuple[str, ...]:
    try:
        data = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        try:
            data = binascii.a2b_base64("".join(text.split()), strict_mode=True)
        except (binascii.Error, ValueError):
            return ("OSS.ATT01",)
    if not data.startswith(b"PK\x03\x04"):
        return ("OSS.ATT02",)
    if data.rfind(b"PK\x05\x06", max(0, len(data) - 65557)) < 0:
        return ("OSS.ATT03",)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return ("OSS.ATT03",)
    return ()


def _zip(entries=(("a.txt", b"hallo"),), *, compression=zipfile.ZIP_DEFLATED, comment=b"",
         zip64=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compression) as zf:
        for name, payload in entries:
            if zip64:
                with zf.open(name, "w", force_zip64=True) as fh:
                    fh.write(payload)
            else:
                zf.writestr(name, payload)
        zf.comment = comment
    return buf.getvalue()


def _with_extra(data: bytes, extra: bytes) -> bytes:
    """`data` (one entry) with `extra` as the central directory entry's extra field."""
    cd = data.rfind(b"PK\x01\x02")
    end = data.rfind(b"PK\x05\x06")
    name_len, old_len = struct.unpack_from("<HH", data, cd + 28)
    at = cd + 46 + name_len
    out = bytearray(data[:at] + extra + data[at + old_len:])
    struct.pack_into("<H", out, cd + 30, len(extra))
    end += len(extra) - old_len
    size_cd = struct.unpack_from("<L", out, end + 12)[0]
    struct.pack_into("<L", out, end + 12, size_cd + len(extra) - old_len)
    return bytes(out)


def _patch(data: bytes, marker: bytes, offset: int, fmt: str, value) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, data.rfind(marker) + offset, value)
    return bytes(out)


_RNG = random.Random(20261206)
_BIG = _zip((("verslag.pdf", b"%PDF-1.4\n" + _RNG.randbytes(60_000)), ("b.txt", b"x" * 10)))
_MANY = _zip(tuple((f"bijlage_{i:03d}.txt", b"regel\n" * i) for i in range(120)))
ZIPS = {
    "deflated": _zip(),
    "stored": _zip(compression=zipfile.ZIP_STORED),
    "empty archive": _zip(()),
    "utf-8 name": _zip((("verslag één.txt", b"inhoud"),)),
    "big, incompressible": _BIG,
    "central directory over 1.5 KB": _MANY,
    "comment": _zip(comment=b"opmerking"),
    "zip64": _zip(zip64=True),
    "extra field": _with_extra(_zip(), b"\x0a\x00\x04\x00abcd"),
    "extra field too long": _with_extra(_zip(), b"\x0a\x00\x09\x00abcd"),
    "zip64 extra field, short": _with_extra(_zip(), b"\x01\x00\x00\x00"),
    "bad utf-8 name": _patch(_zip((("ab.txt", b"x"),)), b"PK\x01\x02", 8, "<H", 0x800) .replace(
        b"ab.txt", b"a\xff.txt"),
    "extract version 7.0": _patch(_zip(), b"PK\x01\x02", 6, "<B", 70),
    "central directory size too large": _patch(_zip(), b"PK\x05\x06", 12, "<L", 10_000),
    "central directory signature": _patch(_zip(), b"PK\x01\x02", 0, "<4s", b"PK\x01\x03"),
    "eocd comment length without comment": _patch(_zip(), b"PK\x05\x06", 20, "<H", 5),
    "zip64 locator before eocd": _zip()[:-22] + b"PK\x06\x07" + bytes(16) + _zip()[-22:],
}
PAYLOADS = dict(ZIPS)
PAYLOADS.update({
    "empty": b"",
    "pdf": b"%PDF-1.4\n" + _RNG.randbytes(3000),
    "local header only": b"PK\x03\x04",
    "local header and junk": b"PK\x03\x04" + _RNG.randbytes(100),
    "truncated zip": _zip()[:60],
    "truncated big zip": _BIG[:-30],
    "eocd only": b"PK\x05\x06" + bytes(18),
    "short zip lookalike": b"PK\x03\x04" + bytes(14) + b"PK\x05\x06" + bytes(18),
    "two zips glued": _zip() + _zip(),
    "zip with leading junk": b"junk" + _zip(),
})


def _texts(data: bytes) -> dict[str, str]:
    b64 = base64.b64encode(data).decode("ascii")
    wrapped = "\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    return {
        "plain": b64,
        "wrapped": wrapped,
        "crlf, indented": "\r\n      " + wrapped.replace("\n", "\r\n      ") + "\r\n    ",
        "tabs and spaces": " \t" + b64 + "\t ",
        "no padding": b64.rstrip("="),
        "extra padding": b64 + "==",
        "padding inside": b64[:8] + "=" + b64[8:],
        "non-ascii space": b64[:4] + "\u00a0" + b64[4:],
        "em space": b64 + "\u2003",
        "invalid character": b64[:12] + "*" + b64[12:],
        "url-safe alphabet": b64.replace("+", "-").replace("/", "_"),
        "one character more": b64.rstrip("=") + "A",
        "vertical tab": b64[:4] + "\x0b" + b64[4:],
        "file separator": b64[:4] + "\x1c" + b64[4:],
    }


CASES = [(f"{p} / {t}", text) for p, data in PAYLOADS.items() for t, text in _texts(data).items()]
CASES += [("only whitespace", " \n\t "), ("only padding", "===="), ("one quad", "QUJD"),
          ("leading padding", "=QUJD"), ("not base64 at all", "dit is geen base64!")]


@pytest.fixture(params=["as is", "short way"])
def short_way(request, monkeypatch):
    if request.param == "short way":
        monkeypatch.setattr(rules_project, "_SMALL", 0)


@pytest.mark.parametrize("text", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_same_verdict_as_full_decode(text, short_way):
    assert _inspect(text) == REFERENCE(text) == _inspect_full(text)
    assert _inspect_short(text) in (None, REFERENCE(text))


def test_the_short_way_decides_the_usual_cases():
    # Otherwise the equality above would prove little about the short way.
    for name in ("deflated", "stored", "utf-8 name", "big, incompressible",
                 "central directory over 1.5 KB", "extra field"):
        for kind, text in _texts(ZIPS[name]).items():
            if kind in ("plain", "wrapped", "crlf, indented", "tabs and spaces"):
                assert _inspect_short(text) == (), (name, kind)
    assert _inspect_short(base64.b64encode(b"%PDF-1.4 los").decode()) == ("OSS.ATT02",)


def test_damaged_zips_same_verdict(short_way):
    # Random damage near the end of a ZIP, where the records the check reads live.
    rng = random.Random(7)
    sources = [ZIPS["deflated"], ZIPS["stored"], ZIPS["utf-8 name"], ZIPS["extra field"], _MANY, _BIG]
    for i in range(1500):
        data = bytearray(rng.choice(sources))
        for _ in range(rng.randint(1, 3)):
            if not data:
                break
            action = rng.random()
            at = len(data) - rng.randint(1, min(len(data), 400))
            if action < 0.4:
                data[at] = rng.randrange(256)
            elif action < 0.6:
                del data[at:]
            elif action < 0.8:
                data[at:at] = rng.randbytes(rng.randint(1, 30))
            else:
                del data[at:at + rng.randint(1, 30)]
        text = base64.b64encode(bytes(data)).decode("ascii")
        if i % 3 == 0:
            text = "\n".join(text[j:j + 76] for j in range(0, len(text), 76))
        assert _inspect(text) == REFERENCE(text), (i, bytes(data[-80:]))


def test_long_texts_go_the_full_way(monkeypatch):
    monkeypatch.setattr(rules_project, "_SHORT_LIMIT", 100)
    text = base64.b64encode(_BIG).decode("ascii")
    assert _inspect(text) == REFERENCE(text) == ()


def test_many_attachments_of_one_length(monkeypatch):
    # Distinct texts of one length are compared one by one only up to a few, then looked up by
    # hash; either way each distinct text is inspected once and every attachment gets its verdict.
    from dossier_samples import minimal_dossier, q, sub
    from oso_protocol.dossier.rules_project import check_project
    from oso_protocol.dossier.version import V2019_1

    calls = []
    monkeypatch.setattr(rules_project, "_inspect", lambda text: calls.append(text) or REFERENCE(text))
    good = base64.b64encode(_zip((("a.txt", b"x" * 40),))).decode("ascii")
    texts = [good[:-8] + f"{i:04d}AAAA" for i in range(10)] + [good] * 3
    texts += [good[:10] + f"*{i:03d}" + good[14:] for i in range(6)]  # not base64
    texts += texts[:6]
    root = minimal_dossier()
    lijst = sub(root.find(q("huidigeschool")).find(q("leerling")), "bijlagen")
    for i, text in enumerate(texts):
        doc = sub(lijst, "document")
        sub(doc, "bestandsnaam", f"b{i}.zip")
        sub(doc, "bestandsinhoud", text)
    findings = [f for f in check_project(root, V2019_1) if f.rule.startswith("OSS.ATT")]
    every = [el.text for el in root.iter(q("bestandsinhoud"))]
    assert sorted(calls) == sorted(set(every))
    expected = [(f"b{i}.zip", rule) for i, text in enumerate(texts) for rule in REFERENCE(text)]
    assert [(f.message.split('"')[1], f.rule) for f in findings] == expected
    assert {rule for _, rule in expected} == {"OSS.ATT01"}
