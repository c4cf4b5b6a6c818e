"""Switching an actor's deliberate defects on (config DEFECTS): the names are checked when the
actor starts, so a typo can never silently mean "never". A defect is a subclass of the actor's
policy that replaces named steps; the registry keeps them by name, and `compose` builds the one
policy object the actor's workflow calls."""
from __future__ import annotations


def check(defects, known: frozenset[str], actor: str) -> frozenset[str]:
    """The set of defects to play; unknown names are refused with a Dutch message."""
    defects = frozenset(defects or ())
    if defects - known:
        raise ValueError(f"onbekende DEFECTS voor {actor}: {sorted(defects - known)};"
                         f" bekend zijn {', '.join(sorted(known))}")
    return defects


def registrar(registry: dict[str, type]):
    """The `@defect(NAME)` decorator of one actor: registers a policy subclass under its name.
    Registration order is precedence: when two defects replace the same step, the one registered
    first decides (the composed class lists it first)."""
    def defect(name: str):
        def register(cls: type) -> type:
            cls.naam = name
            registry[name] = cls
            return cls
        return register
    return defect


def compose(base: type, registry: dict[str, type], names: frozenset[str]):
    """An instance of `base` with the steps of every registered defect in `names` that belongs to
    it replaced; `base()` itself when there is none."""
    mixins = tuple(cls for name, cls in registry.items() if name in names and issubclass(cls, base))
    if not mixins:
        return base()
    return type(base.__name__ + "MetDefecten", mixins, {})()
