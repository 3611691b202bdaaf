"""Offline (issue 19): after one visit online, the map, exhibitor and solution pages, search
over the saved index and the visit plan's route work with the context set offline; pages say
they show saved data and from when; changed data is fetched when the network returns; the
service worker never keeps a signed-in page or the signed-in user's data."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.catalogue.services import ProfileData, update_profile
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from exhibit.search.text import _TO_QWERTY as TO_QWERTY
from exhibit.search.text import tokenise
from tests.browser.conftest import axe_violations, new_page, screenshot, sign_in
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]
SYNC_WAIT = 180_000  # ms: the demo's ~260 pages on a busy machine

CACHED_TEXTS = """async () => {
  const texts = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      texts.push([request.url, await response.text()]);
    }
  }
  return texts;
}"""


def _placed_solution() -> tuple[int, str, str, int, str]:
    """A solution at a confirmed booth: id, title, booth, exhibitor id, exhibitor name."""
    row = db.session.execute(
        select(Solution.id, Solution.title, Booth.number, Exhibitor.id, Exhibitor.name)
        .join(Exhibitor, Exhibitor.id == Solution.exhibitor_id)
        .join(Reservation, Reservation.exhibitor_id == Exhibitor.id)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Reservation.status == "confirmed")
        .order_by(Booth.number, Solution.id)
    ).first()
    return tuple(row)


INDEX = "url => fetch(url).then(r => r.json()).then(d => d.items)"


def _thesaurus_only_term(items: list[dict]) -> tuple[str, str]:
    """A thesaurus term of some entry that no word of it starts, and that entry's title."""
    for item in items:
        own = [*tokenise(item["title"]), *item["w"].split()]
        for term in item["t"].split():
            if len(term) >= 5 and not any(word.startswith(term[:5]) for word in own):
                return term, item["title"]
    raise AssertionError("no entry has a thesaurus term of its own")


def _wait_for(page, state: str) -> None:
    page.wait_for_function(
        f"document.documentElement.getAttribute('data-offline-state') === '{state}'",
        timeout=SYNC_WAIT,
    )


def test_one_visit_online_then_the_hall_without_network(browser, live_server, axe_source):
    solution_id, title, number, exhibitor_id, name = _placed_solution()
    user = make_user("offline-organiser@example.ru", role="organiser")
    page = new_page(browser, "phone", service_workers="allow")
    sign_in(page, live_server, user.email, PASSWORD)
    base = f"{live_server}/{DEMO_SLUG}"
    page.goto(f"{base}/map")
    _wait_for(page, "synced")
    # A solution into the visit plan from the map's sheet: its route is saved too.
    page.locator(f"#booth-{number}").click()
    page.locator("#exhibitor-card li", has_text=title).get_by_role(
        "button", name="В план визита"
    ).click()
    _wait_for(page, "saved")
    page.goto(f"{live_server}/account")  # signed in: shows the e-mail
    assert user.email in page.content()

    page.context.set_offline(True)
    page.goto(f"{base}/map")
    note = page.locator("#saved-note")
    assert re.fullmatch(r"Нет сети: показаны данные, сохранённые \d+ \S+ в \d\d:\d\d\.",
                        note.inner_text()), note.inner_text()  # fmt: skip
    # The saved copy is the anonymous page: no account menu, no e-mail.
    assert page.get_by_role("link", name="Вход").count() == 1
    assert page.locator("details.user-menu").count() == 0
    screenshot(page, "offline-1-map")
    assert axe_violations(page, axe_source) == []
    page.goto(f"{base}/map?at=P2")  # a poster's QR code, scanned with no network
    assert page.locator("#you-are-here").get_attribute("data-point") == "P2"
    page.goto(f"{base}/exhibitors/{exhibitor_id}")
    page.get_by_role("heading", level=1, name=name).wait_for()
    assert note.is_visible()
    page.goto(f"{base}/solutions/{solution_id}")
    page.get_by_role("heading", level=1, name=title).wait_for()

    # Search over the saved index: the search page's query opens on the map.
    word = max(re.findall(r"\w+", title), key=len)
    page.goto(f"{base}/search?q={word}")
    page.wait_for_url(re.compile(r"/map\?q="))
    page.locator("#map-results").get_by_role("link", name=title).wait_for()
    assert "booth-hit" in page.locator(f"#booth-{number}").get_attribute("class")
    assert re.search(r"выделено стендов — [1-9]", page.locator("#map-found").inner_text())
    screenshot(page, "offline-2-search")
    assert axe_violations(page, axe_source) == []
    # What the online search forgives, the saved index forgives too: the wrong keyboard
    # layout, one letter wrong in a long word, a thesaurus term for the entry's words.
    found = "q => window.exhibitOffline.search(q).then(items => items.map(i => i.title))"
    assert title in page.evaluate(found, word.lower().translate(TO_QWERTY))
    typo = word[:3] + word[4] + word[3] + word[5:]  # two letters swapped
    assert title in page.evaluate(found, typo)
    assert page.evaluate(found, "ъъъъъъъ") == []
    term, entry = _thesaurus_only_term(page.evaluate(INDEX, f"/{DEMO_SLUG}/offline/index.json"))
    assert entry in page.evaluate(found, term)

    # The visit plan and its route (visit.js fills the plan in from the browser's list).
    page.goto(f"{base}/visit")
    page.wait_for_url(re.compile(rf"solutions={solution_id}"))
    assert page.locator(".visit-stops").get_by_role("link", name=title, exact=True).is_visible()
    assert len(page.locator("#route-line").get_attribute("points").split()) >= 2
    assert page.locator(".directions-steps li").count() >= 1
    assert page.locator("#saved-other-plan").is_hidden()
    screenshot(page, "offline-3-visit")

    # A signed-in page is not there offline, and no saved response holds the user's data.
    other = page.context.new_page()
    with pytest.raises(Exception, match="ERR_INTERNET_DISCONNECTED"):
        other.goto(f"{live_server}/account")
    other.close()
    page.goto(f"{base}/map")
    texts = page.evaluate(CACHED_TEXTS)
    assert len(texts) > 200
    leaked = [url for url, text in texts if user.email in text or "Выйти" in text]
    assert leaked == []

    # Back online: the changed name is fetched (a new data version), the page reloads fresh.
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    data = ProfileData.of(exhibitor)
    data.name = name + " (новое название)"
    db.session.commit()
    update_profile(db.session, exhibitor, data, user)
    page.context.set_offline(False)
    fresh = "!document.documentElement.hasAttribute('data-saved-at')"
    page.wait_for_function(fresh, timeout=SYNC_WAIT)
    _wait_for(page, "synced")
    page.context.set_offline(True)
    page.goto(f"{base}/exhibitors/{exhibitor_id}")
    page.get_by_role("heading", level=1, name=data.name).wait_for()
    assert page.locator("#saved-note").is_visible()
    assert page.errors == []
    page.context.close()
