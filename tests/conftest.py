import sys
from pathlib import Path

import pytest

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
