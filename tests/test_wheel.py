"""oso-sim as a vendor gets it: the wheel built from the tracked files, installed into a fresh
virtualenv with no extras, every command run from an empty folder far from any clone, and the
conformance run both as `oso-sim conformance` and through the pytest plugin.

The wheel is built from a copy of the tracked files, so the working tree gets no build/ or
*.egg-info and a file someone forgot to add to git is missing here as it would be on PyPI."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOTS = ("oso_protocol", "actor_kit", "las_client", "oso_mock", "swv_mock", "harness", "features",
                 "fixtures")
SHORT_RUN = "@mandatory and @las"


def _tracked() -> list[str]:
    try:
        done = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("geen git-checkout: de lijst van bestanden van het project is niet te bepalen")
    return [p for p in done.stdout.decode().split("\0") if p and (ROOT / p).is_file()]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _installed_name(path: str) -> str:
    """A tracked file's path inside the wheel (features/ and fixtures/ ship renamed)."""
    folders = {folder: package for package, folder in _pyproject()["package-dir"].items()}
    top, _, rest = path.partition("/")
    return f"{folders.get(top, top)}/{rest}"


def _package_files() -> list[str]:
    return [p for p in _tracked() if p.split("/", 1)[0] in PACKAGE_ROOTS and "/" in p]


def test_every_folder_with_package_files_is_a_listed_package():
    listed = set(_pyproject()["packages"])
    folders = {_installed_name(p).rsplit("/", 1)[0].replace("/", ".") for p in _package_files()}
    assert folders - listed == set(), "ontbreken in [tool.setuptools] packages van pyproject.toml"


WITHOUT_PYTEST = """
import sys
for name in ("pytest", "_pytest", "pytest_bdd"):
    sys.modules[name] = None  # as if they were missing or broken
from harness.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["--help"], ["generate", "--profile", "POSWV", "--count", "1", "--out", "uit"],
                                  ["validate", "--help"], ["demo", "--help"], ["exchange", "--help"]])
def test_every_other_command_works_without_pytest(tmp_path, argv):
    done = _run([sys.executable, "-c", WITHOUT_PYTEST, *argv], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


def test_conformance_without_pytest_says_so_in_dutch(tmp_path):
    done = _run([sys.executable, "-c", WITHOUT_PYTEST, "conformance", "--report", "rapport"], tmp_path)
    assert done.returncode == 4
    assert "draaien op pytest en pytest-bdd" in done.stderr and "Traceback" not in done.stderr


def _run(cmd: list[str], cwd: Path, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, check=False, capture_output=True, text=True, timeout=timeout,
                          env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for path in _tracked():
        (src / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / path, src / path)
    done = _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(base / "dist"), str(src)], base, 600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    wheels = list((base / "dist").glob("oso_sim-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(tmp_path_factory, wheel) -> Path:
    """A fresh virtualenv with only the wheel (its dependencies from the package index)."""
    target = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(target, with_pip=True)
    done = _run([str(target / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], target.parent, 900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return target / "bin"


@pytest.fixture
def empty(tmp_path_factory) -> tuple[Path, dict]:
    """An empty folder outside the clone, and an environment that knows nothing of the clone."""
    folder = tmp_path_factory.mktemp("leeg")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith(("PYTEST_", "OSO_"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    return folder, env


@pytest.mark.slow
def test_the_wheel_holds_every_package_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [p for p in _package_files() if _installed_name(p) not in names]
    assert missing == []
    assert "oso_sim_features/test_conformance.py" in names and "oso_sim_fixtures/default.yaml" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[pytest11]" in text and "harness.conformance.pytest_plugin" in text


@pytest.mark.slow
def test_every_command_works_from_an_empty_folder_with_only_the_wheel(installed, empty):
    folder, env = empty
    oso = str(installed / "oso-sim")
    python = str(installed / "python")
    # the installed package is the one imported, not the clone
    where = _run([python, "-c", "import harness, oso_sim_features; print(harness.__file__, oso_sim_features.__file__)"],
                 folder, env=env)
    assert where.returncode == 0 and str(ROOT) not in where.stdout, where.stdout + where.stderr

    done = _run([oso, "--help"], folder, env=env)
    assert done.returncode == 0 and "conformance" in done.stdout, done.stderr

    done = _run([oso, "generate", "--profile", "POSWV", "--count", "2", "--seed", "1", "--out", "dossiers"],
                folder, env=env)
    assert done.returncode == 0, done.stderr
    dossiers = sorted(str(p) for p in (folder / "dossiers").glob("*.xml"))
    assert len(dossiers) == 2

    done = _run([oso, "validate", *dossiers, "--format", "json"], folder, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(r["valid"] for r in json.loads(done.stdout))

    done = _run([oso, "exchange", "--count", "3", "--json"], folder, 300, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    done = _run([oso, "conformance", "--report", "rapport", "--tags", SHORT_RUN], folder, 600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cli = json.loads((folder / "rapport" / "summary.json").read_text(encoding="utf-8"))
    assert cli["verdict"] == "deelselectie" and cli["scenarios"], cli.get("verdict_reden")
    # the run left nothing in the folder it was started from but what was asked for
    assert sorted(p.name for p in folder.iterdir()) == ["dossiers", "rapport"]

    done = _run([python, "-m", "pytest", "--oso-report", "plugin-rapport", f"--oso-tags={SHORT_RUN}"],
                folder, 600, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    plugin = json.loads((folder / "plugin-rapport" / "summary.json").read_text(encoding="utf-8"))
    assert plugin["verdict"] == cli["verdict"]
    assert ({s["name"]: s["outcome"] for s in plugin["scenarios"]} ==
            {s["name"]: s["outcome"] for s in cli["scenarios"]})


@pytest.mark.slow
def test_the_demo_serves_its_pages_from_the_installed_package(installed, empty):
    folder, env = empty
    proc = subprocess.Popen([str(installed / "oso-sim"), "demo", "--port", "0", "--voorbeeld", "--seconds", "60"],
                            cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Stoppen") or len(lines) > 40:
                break
        text = "".join(lines)
        assert "Voorbeelduitwisseling: voltooid" in text, text
        urls = dict(re.findall(r"^\s+(Start|LAS \(school\)|Traffic Center|SWV-systeem):\s+(\S+)", text, re.MULTILINE))
        assert len(urls) == 4, text
        for name, url in urls.items():
            page = requests.get(url, timeout=10)
            # templates and static files came with the wheel
            assert page.status_code == 200 and "<html" in page.text.lower(), (name, page.status_code)
    finally:
        proc.terminate()
        proc.wait(20)
