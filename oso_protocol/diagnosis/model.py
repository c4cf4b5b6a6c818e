"""What a diagnosis says: the kind of input, the versions, and the findings, each a plain dict."""
from __future__ import annotations

from dataclasses import dataclass, field

from .rules import FOUT, INFO, RULES, WAARSCHUWING, message

SOAP = "soap"
DOSSIER = "dossier"
ONBEKEND = "onbekend"


@dataclass(frozen=True)
class DiagnosisFinding:
    rule: str                 # OSS.MSG01 ... or a reused id (OSS.NS01, OG.02)
    location: str             # XPath-like, local names: /Envelope/Body/notificatieRequest/doel
    expected: str | None      # what the nearest valid message has there
    found: str | None         # what the message has there
    message: str              # Dutch, names the rule
    variant: str = ""         # which text of the rule (the table key), for a page that re-renders

    @property
    def severity(self) -> str:
        return RULES[self.rule].severity

    @property
    def title(self) -> str:
        return RULES[self.rule].title

    def to_dict(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "title": self.title,
                "location": self.location, "expected": self.expected, "found": self.found,
                "message": self.message, "variant": self.variant}


def finding(rule: str, location: str, variant: str = "", *, expected=None, found=None,
            **values) -> DiagnosisFinding:
    """A finding whose Dutch text comes from the rule table."""
    text = message(rule, variant, expected=expected, found=found, **values)
    return DiagnosisFinding(rule, location, None if expected is None else str(expected),
                            None if found is None else str(found), text, variant)


@dataclass
class Diagnosis:
    kind: str = ONBEKEND                      # soap | dossier | onbekend
    operation: str | None = None              # WSDL operation (overdracht ...), nearest if unknown
    element: str | None = None                # the body element as found
    version_found: str | None = None          # 20180404, 20200910, 2018.1, geen ...
    version_expected: str | None = None       # 20200910 for SOAP, 2019.1 for a dossier
    vocabulary: str | None = None             # 20200910 or 20180404: the field names used
    soap_version: str | None = None           # 1.1 | 1.2
    findings: list[DiagnosisFinding] = field(default_factory=list)

    @property
    def correct(self) -> bool:
        """No finding of severity fout or waarschuwing."""
        return not any(f.severity in (FOUT, WAARSCHUWING) for f in self.findings)

    def rules(self) -> list[str]:
        return sorted({f.rule for f in self.findings})

    def to_dict(self) -> dict:
        return {"kind": self.kind, "operation": self.operation, "element": self.element,
                "version_found": self.version_found, "version_expected": self.version_expected,
                "vocabulary": self.vocabulary, "soap_version": self.soap_version,
                "correct": self.correct, "findings": [f.to_dict() for f in self.findings]}

    def text(self) -> str:
        """A Dutch rendering for a terminal."""
        soort = {SOAP: "SOAP-bericht", DOSSIER: "dossier", ONBEKEND: "onbekend"}[self.kind]
        lines = [f"Soort: {soort}"]
        if self.kind == SOAP:
            op = self.operation or "onbekend"
            if self.element:
                op += f" ({self.element})"
            lines.append(f"Operatie: {op}")
            if self.soap_version:
                lines.append(f"SOAP-versie: {self.soap_version}")
        if self.version_found or self.version_expected:
            lines.append(f"Versie: {self.version_found or 'onbekend'} gevonden, "
                         f"{self.version_expected or 'onbekend'} verwacht")
        if self.vocabulary and self.vocabulary != self.version_found:
            lines.append(f"Woordenschat: {self.vocabulary}")
        if self.correct:
            lines.append("Oordeel: correct, geen fouten gevonden.")
        else:
            errors = sum(1 for f in self.findings if f.severity == FOUT)
            warnings = sum(1 for f in self.findings if f.severity == WAARSCHUWING)
            lines.append(f"Oordeel: niet correct ({errors} fout(en), {warnings} waarschuwing(en)).")
        for f in self.findings:
            label = {FOUT: "FOUT", WAARSCHUWING: "WAARSCHUWING", INFO: "INFO"}[f.severity]
            lines.append("")
            lines.append(f"[{label}] {f.rule} {f.title}")
            lines.append(f"  waar:      {f.location}")
            if f.expected is not None:
                lines.append(f"  verwacht:  {f.expected}")
            if f.found is not None:
                lines.append(f"  gevonden:  {f.found}")
            lines.append(f"  {f.message}")
        return "\n".join(lines) + "\n"
