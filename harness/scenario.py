"""Scenario files (fixtures/*.yaml): what the register, the LAS and the SWV start with."""
from __future__ import annotations

from pathlib import Path

import yaml

from .resources import default_scenario, fixtures_dir

FIXTURES = fixtures_dir()
DEFAULT_SCENARIO = default_scenario()


class ScenarioError(Exception):
    pass


def load_scenario(path: str | Path | None = None) -> dict:
    path = Path(path) if path else DEFAULT_SCENARIO
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"Scenariobestand niet te lezen: {path} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"Scenariobestand {path} is geen geldige YAML: {exc}") from None
    if not isinstance(data, dict) or not {"register", "las", "swv"} <= data.keys():
        raise ScenarioError(
            f"Scenariobestand {path} mist een van de secties register, las en swv.")
    return data
