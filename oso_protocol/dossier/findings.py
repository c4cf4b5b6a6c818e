"""What a validation says: findings in three layers, and the report that holds them."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

LAYER_XSD = "xsd"
LAYER_STANDARD = "standard"
LAYER_PROJECT = "project"
LAYERS = (LAYER_XSD, LAYER_STANDARD, LAYER_PROJECT)

FOUT = "fout"            # breaks the standard or a process rule: the dossier is not valid
WAARSCHUWING = "waarschuwing"  # worth knowing, never makes a dossier invalid


@dataclass(frozen=True)
class Finding:
    rule: str        # official id (PaO.LL12, OS.cat10, OG.02, CL23) or project id (OSS.*)
    layer: str       # xsd | standard | project
    severity: str    # fout | waarschuwing
    location: str    # XPath of the offending node, e.g. /dossier[1]/huidigeschool[1]/leerling[1]
    message: str     # Dutch

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    profile: str | None = None      # POSWV / VOSWV as declared in metadata/overstap
    source: str | None = None       # file name, when validated from a path
    readable: bool = True           # False when the input could not be parsed at all

    @property
    def valid(self) -> bool:
        return self.readable and not any(f.severity == FOUT for f in self.findings)

    def by_layer(self, layer: str) -> list[Finding]:
        return [f for f in self.findings if f.layer == layer]

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}

    def to_dict(self) -> dict:
        return {
            "file": self.source,
            "valid": self.valid,
            "profile": self.profile,
            "findings": [f.to_dict() for f in self.findings],
        }
