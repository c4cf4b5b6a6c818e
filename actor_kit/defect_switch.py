"""Switching an actor's deliberate defects on (config DEFECTS): the names are checked when the
actor starts, and every hook asks by name, so a typo can never silently mean "never"."""
from __future__ import annotations


def check(defects, known: frozenset[str], actor: str) -> frozenset[str]:
    """The set of defects to play; unknown names are refused with a Dutch message."""
    defects = frozenset(defects or ())
    if defects - known:
        raise ValueError(f"onbekende DEFECTS voor {actor}: {sorted(defects - known)};"
                         f" bekend zijn {', '.join(sorted(known))}")
    return defects


def active(defects, known: frozenset[str], name: str) -> bool:
    if name not in known:  # a typo in a hook must not silently mean "never"
        raise KeyError(name)
    return name in defects
