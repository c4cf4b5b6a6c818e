"""Every documented command runs and gives its documented exit code.

Collected from two places:
- README.md and docs/*.md: fenced ```sh or ```console blocks preceded by a marker comment
  `<!-- run: ... -->` (the convention is in docs/architecture.md, "Runnable commands in the docs");
- every example line under "voorbeelden:" in every `oso-sim <command> --help`.

Each command runs in a folder of its own with the ports the docs name (86xx, 87xx) mapped to free
ones. A command that serves until Ctrl-C (`serve`, `demo`, `testschool`, or a line ending in `&`)
passes when it is still running once it answers; the test then stops it. Commands that talk to a
running LAS or SWV (`zorgvraag`, `swv`, `testschool`) get a demo the test starts. Conformance and
load runs are slow: they are marked so, and run with the reduced variant the marker names
(`kort=...`; for the help examples the table KORT below).
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_bin = Path(sys.executable).parent / "oso-sim"
OSO = shlex.quote(str(_bin)) if _bin.exists() else f"{shlex.quote(sys.executable)} -m harness.cli"
MARKER = re.compile(r"<!--\s*run:(?P<attrs>[^>]*?)-->\s*\n```(?:sh|console)\n(?P<body>.*?)\n```", re.S)
PORT = re.compile(r"(?<![\d.])8[67]\d\d(?!\d)")
SERVERS = ("serve", "demo", "testschool")
NEEDS_DEMO = ("zorgvraag", "swv", "testschool")
SHORT_TAGS = "@mandatory and @las"
# help examples that run long, and the reduced variant the test runs instead (arguments appended)
KORT = {"conformance": f"--tags '{SHORT_TAGS}'"}


@dataclass
class Doc:
    source: str
    lines: list[str]
    exit: int = 0
    slow: bool = False
    kort: str = ""
    files: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.source}: {self.lines[-1][:70]}"


def _strip(line: str) -> str:
    line = re.sub(r"\s+#\s.*$", "", line.strip())
    return re.sub(r"^(\$\s+)?(\.venv/bin/)?oso-sim\b", "oso-sim", line)


def doc_blocks() -> list[Doc]:
    found = []
    for path in DOCS:
        for m in MARKER.finditer(path.read_text(encoding="utf-8")):
            attrs = dict(a.split("=", 1) if "=" in a else (a, "1") for a in shlex.split(m["attrs"]))
            lines = [_strip(x) for x in m["body"].splitlines() if _strip(x) and not x.lstrip().startswith("#")]
            found.append(Doc(path.relative_to(ROOT).as_posix(), lines, int(attrs.get("exit", 0)),
                             "slow" in attrs, attrs.get("kort", ""), attrs.get("bestanden", "").split()))
    return found


def help_examples() -> list[Doc]:
    from harness.cli import build_parser

    def parsers(p, seen):
        for action in p._actions:
            choices = getattr(action, "choices", None)
            for child in (choices.values() if isinstance(choices, dict) else ()):
                if hasattr(child, "format_help") and id(child) not in seen:
                    seen.add(id(child))
                    yield child
                    yield from parsers(child, seen)

    found = []
    for p in parsers(build_parser(), set()):
        text = p.format_help()
        if "voorbeelden:" not in text:
            continue
        for line in text.split("voorbeelden:", 1)[1].splitlines():
            if line.strip().startswith("oso-sim "):
                cmd = line.strip().split()[1]
                found.append(Doc(f"{p.prog} --help", [_strip(line)], 0, cmd in ("conformance", "load", "verify-bundle"),
                                 KORT.get(cmd, "")))
    return found


def _free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free_triple() -> int:
    for _ in range(50):
        p = _free()
        if p + 2 < 65535 and all(_bindable(p + i) for i in (1, 2)):
            return p
    raise RuntimeError("geen drie vrije poorten")


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Ports(dict):
    """Documented port -> free port; 8600-8602 and 8700-8702 keep their TC/LAS/SWV order."""

    def sub(self, text: str) -> str:
        return PORT.sub(lambda m: str(self.get(m[0]) or self._new(m[0])), text)

    def _new(self, port: str) -> int:
        base = port[:3] + "0"
        if base not in self:
            first = _free_triple()
            for i in range(3):
                self[str(int(base) + i)] = first + i
        return self.get(port) or self.setdefault(port, _free())


def _env(extra: dict | None = None) -> dict:
    # the triggers in a copied example call `oso-sim` by name, as a vendor's shell would: the
    # venv's scripts come first on PATH, which a user's activated venv gives them too
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(extra or {})}
    env.pop("OSO_SIM_LAS", None) if not extra or "OSO_SIM_LAS" not in extra else None
    return env


class Runner:
    def __init__(self, folder: Path, ports: Ports, env: dict):
        self.folder, self.ports, self.env, self.background = folder, ports, env, []

    def command(self, line: str) -> str:
        return OSO + line[len("oso-sim"):] if line.startswith("oso-sim") else line

    def start(self, line: str, ready: str | None = None, timeout: float = 90) -> subprocess.Popen:
        """A command that serves until stopped: started, and awaited until it answers."""
        port = re.search(r"--port\s+(\d+)", line)
        proc = subprocess.Popen(self.command(line), shell=True, cwd=self.folder, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.background.append(proc)
        out, deadline = [], time.monotonic() + timeout
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        while time.monotonic() < deadline:
            try:
                out.append(os.read(fd, 65536).decode("utf-8", "replace"))
            except BlockingIOError:
                pass
            text = "".join(out)
            if proc.poll() is not None:
                raise AssertionError(f"{line}\nstopte met {proc.returncode}:\n{text[-3000:]}")
            if (ready and ready in text) or (not ready and port and _answers(int(port[1]))):
                proc.output = text
                return proc
            time.sleep(0.2)
        raise AssertionError(f"{line}\nantwoordde niet binnen {timeout} s:\n{''.join(out)[-3000:]}")

    def run(self, line: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(line), shell=True, cwd=self.folder, env=self.env, text=True,
                              capture_output=True, timeout=timeout)

    def stop(self):
        for proc in reversed(self.background):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)


def _is_server(line: str) -> bool:
    words = line.split()
    return line.endswith("&") or (len(words) > 1 and words[1] in SERVERS and "--scenario-list" not in words
                                  and "--seconds" not in words)


def play(doc: Doc, folder: Path, env: dict, ports: Ports) -> None:
    runner = Runner(folder, ports, env)
    try:
        for name in doc.files:
            (folder / Path(name).name).write_text(ports.sub((ROOT / name).read_text(encoding="utf-8")),
                                                  encoding="utf-8")
        for i, raw in enumerate(doc.lines):
            line = ports.sub(raw.rstrip("& ").strip())
            last = i == len(doc.lines) - 1
            if last and doc.kort and not _is_server(raw):
                line = f"{line} {doc.kort}"
            if _is_server(raw):
                words = line.split()
                ready = None
                if words[1] == "demo" and "--port" not in words:
                    line += f" --port {_free_triple()}"
                if words[1] == "serve" and "--port" not in words:
                    line += f" --port {_free()}"
                if words[1] == "testschool":
                    ready = "Testschool draait"
                proc = runner.start(line, ready)
                if not raw.endswith("&"):   # served until Ctrl-C: it came up, that is what is shown
                    runner.background.remove(proc)
                    Runner.stop(type("R", (), {"background": [proc]})())
                continue
            done = runner.run(line)
            expected = doc.exit if last else 0
            assert done.returncode == expected, (f"{doc.source}: {line}\nexit {done.returncode},"
                                                 f" gedocumenteerd {expected}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    finally:
        runner.stop()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A running demo (TC, LAS, SWV on free ports) with one finished exchange."""
    folder = tmp_path_factory.mktemp("demo")
    first = _free_triple()
    runner = Runner(folder, Ports(), _env())
    proc = runner.start(f"oso-sim demo --port {first} --voorbeeld --workdir demo", ready="Stoppen")
    sleutel = re.search(r"koppelsleutel ([0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})\b", proc.output)
    yield {"tc": first, "las": first + 1, "swv": first + 2, "koppelsleutel": sleutel[1] if sleutel else "K"}
    runner.stop()


def _prepare(doc: Doc, folder: Path, ports: Ports, demo_info: dict | None) -> None:
    text = " ".join(doc.lines)
    if re.search(r"\bdossiers?\b|dossier\.xml", text) and doc.lines[0].split()[1] == "validate":
        subprocess.run(f"{OSO} generate --profile POSWV --count 2 --seed 1 --out dossiers", shell=True,
                       cwd=folder, env=_env(), check=True, capture_output=True)
        shutil.copy(sorted((folder / "dossiers").glob("*.xml"))[0], folder / "dossier.xml")
    if doc.lines[0].split()[1] == "diagnose":
        # what a vendor captured: a correct notificatie and a correct dossier
        from oso_protocol.transport import codec, messages as m
        (folder / "bericht.xml").write_bytes(codec.encode(m.NotificatieRequest(
            bronBrin="12AB", bronRouteringsKenmerk="0000000700012AB00950", doelBrin="25PO",
            doelRouteringsKenmerk="0000000700025PO00931", koppelsleutel="01AD8CFC-3957-4B0E-9C39-000000000001")))
        subprocess.run(f"{OSO} generate --profile POSWV --count 1 --seed 1 --out dossiers", shell=True,
                       cwd=folder, env=_env(), check=True, capture_output=True)
        shutil.copy(sorted((folder / "dossiers").glob("*.xml"))[0], folder / "dossier.xml")
    if "toelichting.pdf" in text:
        from pypdf import PdfWriter
        w = PdfWriter()
        w.add_blank_page(200, 200)
        with open(folder / "toelichting.pdf", "wb") as fh:
            w.write(fh)
    if "bewijs.zip" in text and "verify-bundle" in text and "--bundle" not in text:
        done = subprocess.run(f"{OSO} conformance --report r --tags '{SHORT_TAGS}' --bundle bewijs.zip",
                              shell=True, cwd=folder, env=_env(), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if "--config las.toml" in text and not doc.files:
        example = "docs/examples/las-tls.toml" if "--tls" in text else "docs/examples/las.toml"
        header = (ROOT / example).read_text(encoding="utf-8")
        (folder / "las.toml").write_text(ports.sub(header), encoding="utf-8")
        setup = [_strip(x.lstrip("# ")) for x in header.splitlines()
                 if x.startswith("#   oso-sim") and " conformance " not in x]
        doc.lines[:0] = setup
    if demo_info:
        for doc_port, role in ((8600, "tc"), (8601, "las"), (8602, "swv"), (8700, "tc"), (8701, "las"),
                               (8702, "swv")):
            ports[str(doc_port)] = demo_info[role]
        doc.lines = [re.sub(r"--koppelsleutel \S+", f"--koppelsleutel {demo_info['koppelsleutel']}", x)
                     for x in doc.lines]


def _needs_demo(doc: Doc) -> bool:
    return any(len(x.split()) > 1 and x.split()[1] in NEEDS_DEMO for x in doc.lines) and \
        not any(x.split()[1] == "serve" for x in doc.lines if len(x.split()) > 1)


ALL = doc_blocks() + help_examples()


def _params():
    for doc in ALL:
        yield pytest.param(doc, id=doc.id, marks=[pytest.mark.slow] if doc.slow else [])


def test_the_docs_and_every_help_have_runnable_commands():
    sources = {d.source.split(":")[0] for d in ALL}
    assert "README.md" in sources and any(s.endswith("--help") for s in sources)
    assert len([d for d in ALL if d.source.endswith("--help")]) >= 12


@pytest.mark.parametrize("doc", list(_params()))
def test_documented_command(doc: Doc, tmp_path, request):
    doc = Doc(doc.source, list(doc.lines), doc.exit, doc.slow, doc.kort, list(doc.files))
    ports = Ports()
    info = request.getfixturevalue("demo") if _needs_demo(doc) else None
    _prepare(doc, tmp_path, ports, info)
    env = _env({"OSO_SIM_LAS": f"http://127.0.0.1:{info['las']}", "OSO_SIM_SWV": f"http://127.0.0.1:{info['swv']}"}
               if info else None)
    play(doc, tmp_path, env, ports)
