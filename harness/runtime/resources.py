"""Where the files that ship with oso-sim are: the conformance scenarios (features/, installed as
the package `oso_sim_features`) and the scenario files (fixtures/, `oso_sim_fixtures`).

Found through importlib.resources, so the answer is the same for a clone with `pip install -e .`
(the folders in the repository) and for an installed wheel (site-packages); nothing depends on
the current directory."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FEATURES_PACKAGE = "oso_sim_features"
FIXTURES_PACKAGE = "oso_sim_fixtures"


def _folder(package: str) -> Path:
    # pytest and the scenario loader need a real folder; a wheel is always installed unpacked
    folder = Path(str(files(package)))
    if not folder.is_dir():
        raise FileNotFoundError(f"de map van {package} is niet gevonden ({folder}); installeer oso-sim opnieuw")
    return folder


def features_dir() -> Path:
    """The folder with the *.feature files, their step definitions and the pytest module that
    binds them."""
    return _folder(FEATURES_PACKAGE)


def conformance_module() -> Path:
    """The pytest module that binds every feature file; collected by the conformance run."""
    return features_dir() / "test_conformance.py"


def fixtures_dir() -> Path:
    return _folder(FIXTURES_PACKAGE)


def default_scenario() -> Path:
    """fixtures/default.yaml: the register and pupils every command starts with by default."""
    return fixtures_dir() / "default.yaml"
