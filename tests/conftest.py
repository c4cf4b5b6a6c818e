import os
import sys
from pathlib import Path

import pytest

from harness.runtime.reference_data import MISSING

# test helper modules (actor_processes, browser_support, ...) import by plain name
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import CHROMIUM_ARGS, chromium_path  # noqa: E402


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole test process.

    Playwright's sync API allows one running instance per thread, so every browser test module
    shares this one instead of starting its own.
    """
    path = chromium_path()
    if not path:
        pytest.skip("chromium niet geïnstalleerd (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="nl-NL")
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


# -- OSO_SIM_STRICT=1 (CI): the interop and browser tests must run, not skip ----------------------

STRICT_ENV = "OSO_SIM_STRICT"
_MUST_RUN = {"interop", "browser"}
_strict_skips: list[str] = []


def pytest_runtest_logreport(report):
    # on the controller too under pytest-xdist: report.keywords carries the markers
    if not report.skipped or os.environ.get(STRICT_ENV) != "1":
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    if _MUST_RUN & set(report.keywords) or reason.startswith((f"Skipped: {MISSING}", MISSING)):
        _strict_skips.append(f"{report.nodeid}: {reason}")


def pytest_sessionfinish(session, exitstatus):
    if _strict_skips and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _strict_skips:
        terminalreporter.section(f"{STRICT_ENV}=1: overgeslagen tests die hier moeten draaien", red=True)
        for line in _strict_skips:
            terminalreporter.write_line(line)
