"""Hostile text in Chromium: no dialog fires on any page that shows it, nothing it contains
becomes an element, and the pages still work under the Content-Security-Policy.

The XSS pages are loaded with the CSP *bypassed*, so that they prove the escaping itself
(the policy is a second wall, tested on its own below).
"""

from __future__ import annotations

import pytest

from exhibit.demo import DEMO_SLUG
from tests.factories import PASSWORD, make_user
from tests.payloads import NAME, poison
from tests.web.test_xss import organiser_pages, public_pages

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

INJECTED = (
    "img[src='x'], [onerror], [onload], [onclick], [onmouseover], "
    "a[href^='javascript:' i], iframe, object, embed"
)


def _visit(page, url: str, dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator(INJECTED).count() == 0, url
    # Our own scripts only: every <script> is a file of ours or a JSON data block.
    for script in page.locator("script").all():
        src = script.get_attribute("src")
        kind = script.get_attribute("type")
        assert (src and src.startswith("/static/js/")) or kind == "application/json", url
    assert dialogs == [], (url, dialogs)


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_load_state("load")


def test_no_payload_runs_on_any_page(browser, live_server):
    poisoned = poison()
    make_user("xss-org@example.ru", "organiser")
    context = browser.new_context(bypass_csp=True, service_workers="block")
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    for url in public_pages(poisoned):
        _visit(page, live_server + url, dialogs)
    # The name is on the exhibitor's page as text, exactly as typed.
    page.goto(f"{live_server}/{DEMO_SLUG}/exhibitors/{poisoned.exhibitor_id}")
    assert NAME in page.locator("h1").inner_text()
    # The hall map's card is built by script from JSON: the name stays text there too.
    page.goto(f"{live_server}/{DEMO_SLUG}/map")
    page.locator(f"#booth-{poisoned.booth}").focus()
    card = page.locator("#exhibitor-card")
    card.get_by_text(NAME).wait_for()
    assert page.locator(INJECTED).count() == 0
    # Hover and click what an attacker would want clicked.
    page.locator(f"#booth-{poisoned.booth}").click()
    card.locator("a.card-exhibitor").hover()
    _sign_in(page, live_server, "xss-org@example.ru")
    for url in organiser_pages(poisoned):
        _visit(page, live_server + url, dialogs)
    assert dialogs == []
    context.close()


@pytest.mark.parametrize("path", ["/", "/map", "/visit", "/plan", "/exhibitors/"])
def test_the_pages_work_under_the_policy(browser, live_server, path):
    """With the CSP enforced, nothing of ours is refused (scripts, styles, images)."""
    page = browser.new_page(service_workers="block")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(f"{live_server}/{DEMO_SLUG}{path}")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("load")
    if path == "/map":
        assert page.evaluate("typeof window.exhibitMap") == "object"  # hallmap.js ran
    assert refused == [] and errors == []
    page.close()
