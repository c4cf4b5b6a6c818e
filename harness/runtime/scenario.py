"""Scenario files (fixtures/*.yaml): what the register, the LAS and the SWV start with."""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

from harness.runtime.resources import default_scenario, fixtures_dir

FIXTURES = fixtures_dir()
DEFAULT_SCENARIO = default_scenario()


class ScenarioError(Exception):
    pass


_parsed: dict[tuple, object] = {}   # (path, mtime, size) -> parsed YAML


def _parse(path: Path):
    """YAML parsing was a quarter of the self-test's time: every scenario starts actors that
    read the same file. Parsed once per file version; each caller gets its own copy."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key not in _parsed:
        _parsed[key] = yaml.load(path.read_text(encoding="utf-8"),
                                 Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return copy.deepcopy(_parsed[key])


def load_scenario(path: str | Path | None = None) -> dict:
    path = Path(path) if path else DEFAULT_SCENARIO
    try:
        data = _parse(path)
    except OSError as exc:
        raise ScenarioError(f"Scenariobestand niet te lezen: {path} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"Scenariobestand {path} is geen geldige YAML: {exc}") from None
    if not isinstance(data, dict) or not {"register", "las", "swv"} <= data.keys():
        raise ScenarioError(
            f"Scenariobestand {path} mist een van de secties register, las en swv.")
    return data
