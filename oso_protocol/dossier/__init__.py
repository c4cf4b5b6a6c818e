from .builder import build_dossier
from .findings import Finding, Report

__all__ = ["Finding", "Report", "build_dossier", "validate"]


def __getattr__(name: str):
    # Imported on first use, so `python -m oso_protocol.dossier.rules` does not find the rule
    # catalogue already loaded through the validator.
    if name == "validate":
        from .validator import validate
        return validate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
