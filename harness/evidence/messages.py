"""What a logged SOAP message carries, read from its raw XML: its body element and, for a
documentResponse, the decoded dossier. The bundle, its offline check and the conformance steps
read messages the same way."""
from __future__ import annotations

import base64
import binascii
import re

_BODY = re.compile(r"<(?:[\w.-]+:)?Body\b[^>]*>\s*(?:<!--.*?-->\s*)*<(?:[\w.-]+:)?([\w.-]+)", re.DOTALL)


def element_of(xml: str) -> str:
    m = _BODY.search(xml or "", 0, 65536)
    return m.group(1) if m else ""


def dossier_of(xml: str | bytes) -> bytes | None:
    """The decoded dossier of a documentResponse, or None for any other message."""
    head = xml[:65536] if isinstance(xml, str) else bytes(xml[:65536]).decode("utf-8", "replace")
    if element_of(head) != "documentResponse":
        return None
    from oso_protocol.transport import codec
    from oso_protocol.transport.faults import OsoFault
    try:
        answer = codec.decode(xml.encode("utf-8") if isinstance(xml, str) else bytes(xml))
    except (OsoFault, ValueError):
        return None
    raw = getattr(answer, "dossier", None)
    if not raw:
        return None
    try:
        return base64.b64decode("".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
