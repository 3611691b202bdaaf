"""Browser tests: Debian's Chromium driven by Playwright against the app on a real server.

Without Chromium or the Playwright package these tests skip with a message saying what to
install; with ``EXHIBIT_REQUIRE_BROWSER`` set (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("EXHIBIT_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("EXHIBIT_SCREENSHOTS", "screenshots"))


def _unavailable(message: str) -> None:
    if os.environ.get("EXHIBIT_REQUIRE_BROWSER", "") not in ("", "0", "false", "no"):
        pytest.fail(message + " (EXHIBIT_REQUIRE_BROWSER is set: no skipping)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("browser tests need the Playwright package: pip install -e '.[test]'")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(demo_app) -> Iterator[str]:
    """The demo app served over HTTP in a thread, for the browser."""
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
