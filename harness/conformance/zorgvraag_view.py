"""The shape in which a LAS shows one zorgvraag to the conformance harness: what
`trigger_toon_zorgvraag` prints (docs/conformance.md, "The trigger contract"). Our own LAS's API
answer is mapped to it here, so the harness reads our LAS and a vendor's in one form."""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import zipfile


def contract_view(zv: dict | None, koppelsleutel: str) -> dict:
    """The shape `trigger_toon_zorgvraag` prints (docs/conformance.md)."""
    if zv is None:
        return {"koppelsleutel": koppelsleutel, "gevonden": False}
    return {"koppelsleutel": zv.get("koppelsleutel") or koppelsleutel, "gevonden": True,
            "status": zv["status"], "notificatie_verstuurd": zv["notificatie_verstuurd"],
            "terugkoppeling_ontvangen": zv["terugkoppeling_ontvangen"],
            "terugkoppelingen": [{
                "status": t["status"], "datum": t["datum"], "toelichting": t["toelichting"],
                "behandelaar": t["behandelaar"],
                "documenten": [{"bestandsnaam": d.get("bestandsnaam"),
                                "sha256": file_sha256(d.get("bestandsinhoud"))}
                               for d in t.get("documenten") or []]}
                for t in zv.get("terugkoppelingen", [])]}


MAX_DOCUMENT_BYTES = 50 * 1024 * 1024


def file_sha256(text: str | None) -> str | None:
    """SHA-256 of the file a terugkoppeling document carries. [choice] documents travel as
    base64 of a ZIP holding the one file (like gegevensset documents); the hash is of that file,
    read with a size cap so a ZIP bomb cannot blow up the reader."""
    if not text:
        return None
    try:
        data = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = zf.infolist()
                if len(members) == 1 and members[0].file_size <= MAX_DOCUMENT_BYTES:
                    digest = hashlib.sha256()
                    with zf.open(members[0]) as f:
                        read = 0
                        while chunk := f.read(1 << 16):
                            read += len(chunk)
                            if read > MAX_DOCUMENT_BYTES:
                                return None
                            digest.update(chunk)
                    return digest.hexdigest()
        except (zipfile.BadZipFile, OSError, RuntimeError):
            return None
    return hashlib.sha256(data).hexdigest()
