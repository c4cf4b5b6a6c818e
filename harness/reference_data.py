"""Where the official Edustandaard reference files are: `../shared/reference` beside the project
root, or the folder named by $OSO_SIM_REFERENCE. They are read-only yardsticks for the interop
tests and benchmarks; the project never copies them."""
from __future__ import annotations

import os
from pathlib import Path

ENV = "OSO_SIM_REFERENCE"
ROOT = Path(__file__).resolve().parent.parent
GEGEVENSSET_2019_1 = "edustandaard-oso-gegevensset-2019.1"


def reference_dir() -> Path:
    return Path(os.environ.get(ENV) or ROOT.parent / "shared" / "reference")


def gegevensset_dir() -> Path:
    return reference_dir() / GEGEVENSSET_2019_1


def official_xsd() -> Path:
    return gegevensset_dir() / "OSO_gegevensset_2019.1.xsd"


def official_examples() -> Path:
    return gegevensset_dir() / "examples"
