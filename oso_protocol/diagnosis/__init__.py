"""Offline diagnosis of a near-miss OSO message or dossier: what it is, which version, what is wrong.

`diagnose(data)` takes the bytes of a captured SOAP message (request, response or Fault) or of a
dossier and returns a `Diagnosis`: the kind of input, the operation, the version found and
expected, and findings that each name a rule of `rules.RULES`, a location, what was expected and
what was found, with a Dutch text. It never raises for bad input. Pure logic: no I/O.
"""
from __future__ import annotations

from lxml import etree

from oso_protocol.transport.codec import DEFAULT_MAX_BYTES, _check_markup, parse_message
from oso_protocol.transport.faults import OsoFault
from oso_protocol.xmlsafe import XmlInputError

from . import dossier as _dossier
from . import soap as _soap
from .model import DOSSIER, ONBEKEND, SOAP, Diagnosis, DiagnosisFinding, finding
from .rules import FOUT, INFO, RULES, WAARSCHUWING, DiagnosisRule, message

__all__ = ["diagnose", "Diagnosis", "DiagnosisFinding", "DiagnosisRule", "RULES", "message",
           "SOAP", "DOSSIER", "ONBEKEND", "FOUT", "WAARSCHUWING", "INFO"]


def _parse(data: bytes, max_bytes: int):
    if isinstance(data, (bytes, bytearray)) and len(data) <= max_bytes:
        # The codec's bounds on tags and attributes (MAX_MARKUP): what a receiver refuses
        # unparsed is diagnosed unparsed, and a hostile shape costs no more than its bytes.
        try:
            _check_markup(data)
        except OsoFault as exc:
            raise XmlInputError("too-large", exc.omschrijving) from None
    return parse_message(data, max_bytes)


def _unreadable(detail: str) -> Diagnosis:
    return Diagnosis(kind=ONBEKEND, findings=[finding("OSS.MSG01", "/", found=detail,
                                                      detail=detail)])


def diagnose(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Diagnosis:
    """Diagnose one captured SOAP message or dossier. Never raises for bad input."""
    if isinstance(data, memoryview):
        data = data.tobytes()
    try:
        root = _parse(data, max_bytes)
    except XmlInputError as exc:
        return _unreadable(exc.message)
    except Exception as exc:  # noqa: BLE001 - a diagnosis must describe, never crash
        return _unreadable(f"{type(exc).__name__}: {exc}")
    try:
        d = _diagnose_tree(root, data)
        del d.findings[_soap.MAX_FINDINGS:]
        return d
    except Exception as exc:  # noqa: BLE001 - same: an unforeseen shape is still an answer
        d = Diagnosis()
        d.findings.append(finding("OSS.MSG02", "/", found=f"{type(exc).__name__}: {exc}",
                                  root=etree.QName(root).localname))
        return d


def _diagnose_tree(root, data: bytes) -> Diagnosis:
    d = Diagnosis()
    local = etree.QName(root).localname
    if local == "Envelope":
        _soap.diagnose_envelope(root, d, _dossier.check_embedded)
    elif local == "dossier":
        d.kind = DOSSIER
        d.version_expected = _dossier.DEFAULT_VERSION.name
        d.version_found, _ = _dossier.version_of(root)
        d.findings.extend(_dossier.check_dossier(root, data))
    elif _soap.looks_like_oso(root):
        d.findings.append(finding("OSS.MSG05", f"/{local}", "geen_envelop",
                                  expected="Envelope/Body", found=local, element=local))
        _soap.diagnose_body(root, "", d, _dossier.check_embedded)
    else:
        d.findings.append(finding("OSS.MSG02", "/", found=local, root=local))
    return d
