"""The hall map on a phone (issue 19): the map fills the screen under a search bar, the legend
and the track filters fold away, a booth opens as a bottom sheet; desktop keeps its layout."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from exhibit.maps.favourites import encode
from tests.browser.conftest import axe_violations, new_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def _confirmed_booth() -> tuple[str, str, str]:
    """A booth whose exhibitor is public and shows a solution: number, exhibitor, solution."""
    number, name, exhibitor_id = db.session.execute(
        select(Booth.number, Exhibitor.name, Exhibitor.id)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed", Exhibitor.solutions.any())
        .order_by(Booth.number)
    ).first()
    title = db.session.scalar(
        select(Solution.title).where(Solution.exhibitor_id == exhibitor_id).order_by(Solution.id)
    )
    return number, name, title


def _other_solution(not_this: int) -> int:
    return db.session.scalar(
        select(Solution.id)
        .join(Reservation, Reservation.exhibitor_id == Solution.exhibitor_id)
        .where(Reservation.status == "confirmed", Solution.id != not_this)
        .order_by(Solution.id.desc())
    )


def _box(page, selector: str) -> dict:
    return page.locator(selector).evaluate(
        "e => { const r = e.getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
        " width: r.width, height: r.height, position: getComputedStyle(e).position,"
        " display: getComputedStyle(e).display}; }"
    )


def test_phone_map_fills_the_screen_with_a_sheet_and_folded_legend(
    browser, live_server, axe_source
):
    number, name, title = _confirmed_booth()
    page = new_page(browser, "phone", has_touch=True, is_mobile=True)
    page.goto(f"{live_server}/{DEMO_SLUG}/map")
    # The map fills the screen below the header and the search bar; nothing scrolls.
    frame, search = _box(page, "#map-frame"), _box(page, "#map-search")
    assert search["bottom"] <= frame["top"] + 1 and search["top"] < 200
    assert frame["bottom"] >= 844 - 1 and frame["height"] > 600 and frame["width"] == 390
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 844
    # The legend and the track filters are folded under one button.
    toggle = page.locator("#legend-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("#legend-body").is_visible()
    screenshot(page, "phone-map-1-open")
    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    filters = page.locator("input[data-track]")
    assert filters.count() >= 5 and filters.first.is_visible()
    track = filters.first.get_attribute("data-track")
    filters.first.uncheck()
    dimmed = page.locator(f'.booth[data-track="{track}"].booth-dimmed')
    assert dimmed.count() == page.locator(f'.booth[data-track="{track}"]').count() > 0
    assert page.locator(".booth-dimmed").count() == dimmed.count()
    screenshot(page, "phone-map-2-legend")
    assert axe_violations(page, axe_source) == []
    filters.first.check()
    toggle.tap()
    assert page.locator(".booth-dimmed").count() == 0

    # A tapped booth opens the bottom sheet: exhibitor, solutions, «В план визита».
    sheet = page.locator("#exhibitor-card")
    assert not sheet.is_visible()
    page.locator(f"#booth-{number}").tap()
    sheet.get_by_text(name).wait_for()
    box = _box(page, "#exhibitor-card")
    assert box["position"] == "fixed" and abs(box["bottom"] - 844) < 1 and box["width"] == 390
    assert box["height"] <= 844 * 0.6 + 1
    assert sheet.get_by_role("heading", name=f"Стенд {number}").is_visible()
    solution = sheet.locator("li", has_text=title)
    solution.get_by_role("button", name="В план визита").tap()
    assert solution.get_by_role("button", name="В плане визита").get_attribute("aria-pressed") == (
        "true"
    )
    stored = json.loads(page.evaluate(f"localStorage.getItem('exhibit-visit:{DEMO_SLUG}')"))
    assert [item["booth"] for item in stored] == [number]
    assert sheet.get_by_role("link", name="План визита (1)").is_visible()
    screenshot(page, "phone-map-3-sheet")
    assert axe_violations(page, axe_source) == []
    sheet.get_by_role("button", name="Закрыть").tap()
    assert not sheet.is_visible()
    assert page.evaluate("document.activeElement.id") == f"booth-{number}"

    # A shared favourites link (one known solution, one already there, garbage) merges.
    mine, other = stored[0]["id"], _other_solution(stored[0]["id"])
    page.goto(f"{live_server}/{DEMO_SLUG}/shared?f={encode([other, mine])}.zz!!")
    page.get_by_text("Добавлено в ваш план визита: 1; в нём теперь 2.").wait_for()
    assert page.locator("#shared-message").is_visible()
    merged = json.loads(page.evaluate(f"localStorage.getItem('exhibit-visit:{DEMO_SLUG}')"))
    assert [item["id"] for item in merged] == [mine, other]
    assert axe_violations(page, axe_source) == []
    screenshot(page, "phone-shared")
    page.get_by_role("link", name="Открыть план визита").tap()
    page.wait_for_url(f"**/visit?solutions={mine}%2C{other}")
    assert page.locator("#share-link").input_value().endswith(f"/shared?f={encode([mine, other])}")
    assert page.locator(".share-qr svg").is_visible()
    assert axe_violations(page, axe_source) == []
    screenshot(page, "phone-visit-share")
    assert page.errors == []
    page.context.close()

    # Desktop keeps its layout: legend shown, no fold button, the card beside the map.
    page = new_page(browser, "desktop")
    page.goto(f"{live_server}/{DEMO_SLUG}/map?booth={number}")
    assert page.locator("#legend-body").is_visible()
    assert not page.locator("#legend-toggle").is_visible()
    card = _box(page, "#exhibitor-card")
    assert card["position"] != "fixed" and card["left"] > _box(page, "#map-frame")["right"] - 1
    page.locator("#exhibitor-card").get_by_text(name).wait_for()
    assert page.locator("#exhibitor-card .sheet-close").is_hidden()
    screenshot(page, "desktop-map")
    assert page.errors == []
    page.context.close()
