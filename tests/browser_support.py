"""Headless Chromium (Debian's package) driven by Playwright, for the web page tests.

Playwright never downloads a browser here: it launches /usr/bin/chromium via executable_path.
The flags keep Chromium from reaching for the network at start-up, which a closed machine refuses.
The `browser` and `page` fixtures live in conftest.py, so one Chromium serves every module.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parent.parent
# A test run keeps its screenshots in out/screenshots (not tracked); the docs' copies are renewed
# on purpose with OSO_SIM_DOCS_SCREENSHOTS=1, so an ordinary run leaves the working tree clean.
SCREENSHOTS = ROOT / ("docs" if os.environ.get("OSO_SIM_DOCS_SCREENSHOTS") == "1" else "out") / "screenshots"


def chromium_path() -> str | None:
    return os.environ.get("OSO_SIM_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as <SCREENSHOTS>/<name>.png."""
    path = screenshot_path(name)
    page.screenshot(path=str(path), full_page=True)
    return path


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
