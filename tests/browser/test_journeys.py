"""Three journeys as people make them, in Chromium, at desktop and at phone size:
a visitor plans a walk, an exhibitor gets a booth, an organiser publishes and prints a plan."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.accounts.models import User
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from exhibit.floorplan.services import get_exhibition
from exhibit.search.services import search
from tests.browser.conftest import SIZES, new_page, screenshot, sign_in
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]
PLAN_FILE = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"


def _region_with_two_placed_solutions(query: str) -> tuple[str, list[tuple[int, str, str]]]:
    """A region whose exhibitors show two solutions matching ``query`` at different booths."""
    exhibition = get_exhibition(db.session, DEMO_SLUG)
    found = search(db.session, exhibition, query, limit=100)
    by_region: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for r in found.results:
        if r.type == "solution" and r.booths:
            by_region[r.exhibitor.region_name].append((r.id, r.title, r.booths[0]))
    for region, items in sorted(by_region.items()):
        if len({booth for _, _, booth in items}) >= 2:
            return region, items[:2]
    raise AssertionError(f"the demo has no region with two placed «{query}» solutions")


def _open_main_menu_link(page, name: str) -> None:
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name=name).click()


@pytest.mark.parametrize("size", SIZES)
def test_visitor_searches_filters_and_plans_a_walk(browser, live_server, size):
    region, ((first_id, first_title, first_booth), (second_id, second_title, _)) = (
        _region_with_two_placed_solutions("благоустройство")
    )
    page = new_page(browser, size)
    page.goto(f"{live_server}/{DEMO_SLUG}/")
    _open_main_menu_link(page, "Поиск")
    page.fill("#q", "благоустройство")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=%D0%B1"))
    total = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    assert total > 5
    screenshot(page, f"visitor-1-search-{size}")

    # Filter by region (on a phone the filters are folded: open «Регион» first).
    facet = page.locator("details.facet", has=page.get_by_role("heading", name="Регион"))
    if size == "phone":
        assert not facet.evaluate("d => d.open")
        facet.locator("summary").click()
    facet.get_by_role("link", name=region).click()
    page.wait_for_url(re.compile(r"region="))
    filtered = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    assert 2 <= filtered < total
    metas = page.locator(".results .meta").all_inner_texts()
    assert metas and all(region in meta for meta in metas)
    screenshot(page, f"visitor-2-region-{size}")

    # Open a solution: its booth is highlighted on the small map; then on the hall map.
    page.get_by_role("link", name=first_title).click()
    page.get_by_role("heading", level=1, name=first_title).wait_for()
    excerpt = page.locator(".map-excerpt")
    assert first_booth in excerpt.get_by_role("img").get_attribute("aria-label")
    assert excerpt.locator(".booth-hit").count() >= 1
    page.get_by_role("link", name="Показать на карте зала").click()
    booth = page.locator(f"#booth-{first_booth}")
    booth.wait_for()
    assert "booth-hit" in booth.get_attribute("class")
    card = page.locator("#exhibitor-card")
    card.get_by_text(first_title).wait_for()
    screenshot(page, f"visitor-3-map-{size}")

    # First solution into the visit plan from the map's card …
    card.locator("li", has_text=first_title).get_by_role("button", name="В план визита").click()
    card.get_by_role("button", name="В плане визита").wait_for()
    # … the second from its own page.
    page.go_back()
    page.go_back()
    page.get_by_role("link", name=second_title).click()
    page.get_by_role("button", name="В план визита").click()
    added = page.get_by_role("button", name="В плане визита")
    assert added.get_attribute("aria-pressed") == "true"

    _open_main_menu_link(page, "План визита")
    page.wait_for_url(re.compile(r"solutions="))
    lead = page.locator(".lead").inner_text()
    assert re.search(r"Маршрут: 2 стенда, около \d+ м", lead), lead
    stops = page.locator(".visit-stops > li")
    assert stops.count() == 2
    assert {first_title, second_title} <= set(page.locator(".visit-stops a").all_inner_texts())
    points = page.locator("#route-line").get_attribute("points").split()
    assert len(points) >= 2
    screenshot(page, f"visitor-4-route-{size}")
    assert page.errors == []
    page.context.close()
