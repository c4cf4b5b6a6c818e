"""The scenario file a LAS starts from: its schools, its pupils, the register it was set up with."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml

# fixtures/ ships as the package oso_sim_fixtures, in a clone and in an installed wheel alike
DEFAULT_SCENARIO = Path(str(files("oso_sim_fixtures"))) / "default.yaml"


def load_scenario(value) -> dict:
    """A scenario given as a dict, a path, or nothing (the default scenario)."""
    if isinstance(value, dict):
        return value
    path = Path(value) if value else DEFAULT_SCENARIO
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
