"""What the selected scenarios need from the configuration of the role under test, worked out
before the run from the feature files, so an incomplete configuration is refused up front (one
message naming every missing key and the scenarios that need it) instead of ending as a row of
scenarios that could not be checked.

The feature files are read with pytest-bdd's own parser; outlines are expanded over their
Examples; the tag selection uses pytest's own `-m` expression engine over the same tags
(feature + scenario + examples), so "selected" here means what pytest selects.

NEEDS below is the one table to edit when a step text changes: per role, a fragment of step text
(case-insensitive substring of the rendered step) and the configuration key that step needs.
`leerlingen.X` is a pupil in `[ROLE.leerlingen]`; `trigger*` is a trigger command, which a role
with `handmatig = true` does not need (a person acts instead).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from _pytest.mark.expression import Expression
from pytest_bdd.parser import FeatureParser

from harness.runtime import resources

FEATURES = resources.features_dir()

NEEDS: dict[str, list[tuple[str, str]]] = {
    "las": [
        ("PO-leerling", "leerlingen.po"),
        ("VO-leerling", "leerlingen.vo"),
        ("een leerling met een BSN", "leerlingen.met_bsn"),
        ("een leerling met een onderwijsnummer", "leerlingen.met_onderwijsnummer"),
        # every step in which the school sends (or has sent) a zorgvraag
        (" verzendt", "trigger"),
        ("zorgvraag verzonden voor", "trigger"),
        ("zorgvragen verzonden voor", "trigger"),
        ("de achternaam van de leerling", "trigger_wijzig_leerling"),
        ("van de zorgvraag wijzigt", "trigger_wijzig_zorgvraag"),
        ("toont de LAS", "trigger_toon_zorgvraag"),
        ("de school de zorgvraag verwijdert", "trigger_verwijder_zorgvraag"),
        ("de school de aanleverpuntselectie", "trigger_aanleverpunten"),
    ],
    "swv": [
        ("het SWV een terugkoppeling stuurt", "trigger_terugkoppeling"),
        ("bewaart het SWV", "trigger_toon_aanvraag"),
    ],
}


@dataclass(frozen=True)
class ScenarioInfo:
    """One runnable scenario: an outline expands to one per Examples row."""

    feature: str
    name: str
    tags: frozenset[str]
    steps: tuple[str, ...]

    @property
    def mandatory(self) -> bool:
        return "optional" not in self.tags

    @property
    def title(self) -> str:
        return f"{self.feature}: {self.name}"


@dataclass
class Needs:
    """Missing keys of one role, each with the titles of the selected mandatory scenarios that
    need it; `excused` are trigger keys a person covers (handmatig = true)."""

    role: str
    missing: dict[str, list[str]] = field(default_factory=dict)
    excused: dict[str, list[str]] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.missing

    def message(self) -> str:
        lines = [f"de configuratie van [{self.role}] is onvolledig voor de gekozen verplichte scenario's:"]
        for key, titles in self.missing.items():
            lines.append(f"  {describe_key(self.role, key)} ontbreekt; nodig voor:")
            lines += [f"    - {t}" for t in titles]
        lines.append("Vul de ontbrekende sleutels aan, zet handmatig = true als een persoon de"
                     " triggers uitvoert, of draai met --onvolledig (die scenario's worden dan"
                     " niet geverifieerd en het oordeel wordt onvolledig).")
        return "\n".join(lines)


def describe_key(role: str, key: str) -> str:
    if key.startswith("leerlingen."):
        return f"[{role}.leerlingen] {key.split('.', 1)[1]}"
    return f"[{role}] {key}"


def is_trigger_key(key: str) -> bool:
    return key == "trigger" or key.startswith("trigger_")


# -- the implementation statement ----------------------------------------------------------------

CLAIM_PREFIX = "kenmerk."   # @kenmerk.extra_bijlagen: an optional feature a system may claim


def claims_of(tags) -> set[str]:
    return {t[len(CLAIM_PREFIX):] for t in tags if t.startswith(CLAIM_PREFIX)}


def with_claims(tags, claims) -> set[str]:
    """The tags a scenario counts with for a system that claims `claims` ([sut] ondersteunt):
    an optional scenario of a claimed feature is mandatory, and says why (@geclaimd)."""
    tags = set(tags)
    if "optional" in tags and claims_of(tags) & set(claims):
        tags = (tags - {"optional"}) | {"mandatory", "geclaimd"}
    return tags


def known_claims(scenarios: list["ScenarioInfo"]) -> set[str]:
    return {c for s in scenarios for c in claims_of(s.tags)}


def check_claims(claims, scenarios: list["ScenarioInfo"]) -> str | None:
    """A Dutch message naming claims no scenario knows, or None."""
    unknown = sorted(set(claims) - known_claims(scenarios))
    if not unknown:
        return None
    return (f"[sut] ondersteunt noemt onbekende kenmerken: {', '.join(unknown)}; bekend zijn:"
            f" {', '.join(sorted(known_claims(scenarios))) or 'geen'}")


# -- reading the feature files -----------------------------------------------------------------

def read_scenarios(folder: str | Path = FEATURES, claims=()) -> list[ScenarioInfo]:
    """`claims`: the implementation statement, which turns the scenarios of claimed optional
    features mandatory."""
    folder = Path(folder)
    out = []
    for path in sorted(folder.glob("*.feature")):
        feature = FeatureParser(str(folder), path.name).parse()
        for template in feature.scenarios.values():
            tags = set(template.tags) | set(feature.tags)
            if template.rule is not None:
                tags |= set(template.rule.tags)
            contexts = [(ex.tags, ctx) for ex in template.examples for ctx in ex.as_contexts()]
            for extra, ctx in contexts or [(set(), {})]:
                rendered = template.render(ctx)
                name = rendered.name
                if ctx and name == template.name:  # tell the rows of an outline apart
                    name += f" [{', '.join(ctx.values())}]"
                out.append(ScenarioInfo(feature.name, name, frozenset(with_claims(tags | set(extra), claims)),
                                        tuple(s.name for s in rendered.steps)))
    return out


# -- selection ---------------------------------------------------------------------------------

def tag_expression(expr: str | None) -> str | None:
    """Gherkin-style tags ("@las and not @optional") as a pytest -m expression."""
    if not expr:
        return None
    return expr.replace("@", "").strip() or None


def compile_selection(expr: str | None):
    """A predicate over tag sets; ValueError with a Dutch message for a wrong expression."""
    expr = tag_expression(expr)
    if expr is None:
        return lambda tags: True
    try:
        compiled = Expression.compile(expr)
    except SyntaxError as exc:  # pytest's own parse error (the class moved between versions)
        raise ValueError(f"--tags {expr!r} is geen geldige tag-expressie:"
                         f" {getattr(exc, 'msg', None) or exc}") from None
    return lambda tags: compiled.evaluate(lambda name, **kw: name in tags)


def applies(scenario: ScenarioInfo, sut_roles: list[str]) -> bool:
    """A scenario judges the system under test only when it carries that role's tag; in a
    self-test (no role external) every scenario applies."""
    return not sut_roles or bool(scenario.tags & set(sut_roles))


# -- needs -------------------------------------------------------------------------------------

def keys_for_steps(role: str, steps) -> list[str]:
    """The configuration keys of `role` these step texts need, in table order, once each."""
    keys: list[str] = []
    for text in steps:
        low = text.lower()
        for fragment, key in NEEDS.get(role, []):
            if fragment.lower() in low and key not in keys:
                keys.append(key)
    return keys


def has_key(role_config, key: str) -> bool:
    if key.startswith("leerlingen."):
        return bool(role_config.leerlingen.get(key.split(".", 1)[1]))
    return bool(getattr(role_config, key, None))


def missing_keys(role_config, steps) -> list[str]:
    """The keys these steps need that the role's configuration lacks (a person covering the
    triggers when handmatig = true)."""
    return [k for k in keys_for_steps(role_config.role, steps)
            if not has_key(role_config, k) and not (role_config.handmatig and is_trigger_key(k))]


def check(config, scenarios: list[ScenarioInfo], selected) -> list[Needs]:
    """Per external role with a needs table: the keys the selected mandatory scenarios that
    apply to it need and the configuration lacks."""
    result = []
    for role in config.sut_roles:
        if role not in NEEDS:
            continue
        cfg = config.roles[role]
        needs = Needs(role)
        for s in scenarios:
            if not (s.mandatory and selected(s.tags) and role in s.tags):
                continue
            for key in keys_for_steps(role, s.steps):
                if has_key(cfg, key):
                    continue
                bucket = needs.excused if cfg.handmatig and is_trigger_key(key) else needs.missing
                titles = bucket.setdefault(key, [])
                if s.title not in titles:
                    titles.append(s.title)
        result.append(needs)
    return result


def left_out(config, scenarios: list[ScenarioInfo], selected) -> list[ScenarioInfo]:
    """Mandatory scenarios that apply to the system under test but the selection left out."""
    return [s for s in scenarios if s.mandatory and applies(s, config.sut_roles) and not selected(s.tags)]
