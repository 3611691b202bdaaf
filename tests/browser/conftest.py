"""Browser tests: Debian's Chromium driven by Playwright against the app on a real server.

Without Chromium or the Playwright package these tests skip with a message saying what to
install; with ``EXHIBIT_REQUIRE_BROWSER`` set (CI) that is a failure instead.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
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
#: axe-core, fetched from the npm registry by ``npm pack`` and checked against its integrity
#: (the registry's sha512); kept under .cache/ so a second run needs no network.
AXE_VERSION = "4.10.3"
AXE_INTEGRITY = (
    "sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGf"
    "Ts/PbZhideTcEg=="
)
CACHE = Path(os.environ.get("EXHIBIT_CACHE", Path(__file__).resolve().parents[2] / ".cache"))


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


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe-core (axe.min.js), pinned and integrity-checked."""
    folder = CACHE / "npm"
    tarball = folder / f"axe-core-{AXE_VERSION}.tgz"
    if not tarball.exists() or _integrity(tarball.read_bytes()) != AXE_INTEGRITY:
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("accessibility tests need npm to fetch axe-core: apt-get install npm")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "pack", f"axe-core@{AXE_VERSION}", "--pack-destination", str(folder)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 0 or not tarball.exists():
            _unavailable(f"npm pack axe-core@{AXE_VERSION} failed: {done.stderr.strip()[-500:]}")
    data = tarball.read_bytes()
    if _integrity(data) != AXE_INTEGRITY:
        tarball.unlink()
        pytest.fail(f"{tarball.name} does not match its pinned integrity {AXE_INTEGRITY}")
    with tarfile.open(tarball) as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode()


def axe_violations(page, source: str, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.0/2.1 A and AA rules) on the page; describe what it finds."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "tag",
             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})"""
    )
    found = []
    for violation in result["violations"]:
        if violation["impact"] not in impacts:
            continue
        for node in violation["nodes"][:5]:
            found.append(
                f"{violation['id']} ({violation['impact']}): {node['target']} "
                f"{node.get('failureSummary', '')[:300]}"
            )
    return found


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


SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def new_page(browser, size: str = "desktop", **options):
    """A page in a fresh context (its own cookies) at ``size``; page errors are collected.

    The context bypasses the page's Content-Security-Policy so that the tests can inject
    axe-core; the app's own scripts never need that. Service workers are blocked unless a
    test allows them (``service_workers="allow"``, the offline tests): the worker would
    otherwise fetch the whole exhibition in the background of every test.
    """
    options.setdefault("service_workers", "block")
    context = browser.new_context(viewport=SIZES[size], bypass_csp=True, **options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/login" not in page.url, f"could not sign in as {email}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
