"""A small but real PDF 1.4, written by hand so no PDF library is needed.

One page, Helvetica, one text stream, and a cross-reference table whose offsets are computed from
the bytes actually written, so readers open it without repair.
"""
from __future__ import annotations


def _pdf_string(text: str) -> bytes:
    # Helvetica with WinAnsiEncoding covers Latin-1; anything else becomes '?'.
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_bytes(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    ops = [b"BT", b"/F1 16 Tf", b"72 770 Td", _pdf_string(title) + b" Tj", b"/F1 11 Tf", b"0 -28 Td"]
    for line in lines:
        ops.append(_pdf_string(line) + b" Tj")
        ops.append(b"0 -15 Td")
    ops.append(b"ET")
    stream = b"\n".join(ops)

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title " + _pdf_string(title) + b" /Producer (oso-sim) >>",
    ]
    return pdf_document(objects, info=len(objects))


def pdf_document(objects: list[bytes], info: int | None = None) -> bytes:
    """Numbered objects (1 is the catalog) with a cross-reference table of the real offsets;
    `info` is the number of the document-information object, if any."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, info_ref)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
