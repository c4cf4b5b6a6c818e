"""Where the official Edustandaard reference files are: the folder named by $OSO_REFERENCE_DIR
(or, under its older name, $OSO_SIM_REFERENCE), otherwise `../shared/reference` beside the
project root when that exists. They are read-only yardsticks for the interop tests and
benchmarks; the project never copies them and never names a machine path for them."""
from __future__ import annotations

import os
from pathlib import Path

ENV = "OSO_REFERENCE_DIR"
ENV_OLD = "OSO_SIM_REFERENCE"
# a clone's sibling folder; in an installed package this points nowhere useful and the
# environment variable is the way
ROOT = Path(__file__).resolve().parents[2]
GEGEVENSSET_2019_1 = "edustandaard-oso-gegevensset-2019.1"
# how every skip for absent reference files begins, so a strict CI run recognises it
MISSING = "referentiebestanden ontbreken"


def reference_dir() -> Path:
    return Path(os.environ.get(ENV) or os.environ.get(ENV_OLD) or ROOT.parent / "shared" / "reference")


def gegevensset_dir() -> Path:
    return reference_dir() / GEGEVENSSET_2019_1


def official_xsd() -> Path:
    return gegevensset_dir() / "OSO_gegevensset_2019.1.xsd"


def official_examples() -> Path:
    return gegevensset_dir() / "examples"


def missing(path: Path) -> str:
    """The reason a test or benchmark gives when `path` is absent."""
    return f"{MISSING}: {path} niet gevonden (zet ${ENV} op de map met de Edustandaard-bestanden)"
