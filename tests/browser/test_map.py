"""A visitor searches the map, sees the highlighted booth and opens the exhibitor card —
at desktop and at phone size."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from tests.browser.conftest import screenshot

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.mark.browser
@pytest.mark.sqlite_only
@pytest.mark.parametrize("size", SIZES)
def test_search_highlight_and_card(browser, live_server, size):
    number, name = db.session.execute(
        select(Booth.number, Exhibitor.name)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed")
        .order_by(Booth.number)
    ).first()
    municipality = db.session.scalar(select(Exhibitor.municipality).where(Exhibitor.name == name))
    page = browser.new_page(viewport=SIZES[size], service_workers="block")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server}/{DEMO_SLUG}/map")
    page.fill("#map-q", municipality or name)
    page.click("form[role=search] button")
    booth = page.locator(f"#booth-{number}")
    assert "booth-hit" in booth.get_attribute("class")
    booth.focus()
    card = page.locator("#exhibitor-card")
    card.get_by_text(name).wait_for()
    assert card.locator("a.card-exhibitor").get_attribute("href").startswith(f"/{DEMO_SLUG}/")
    # The keyboard zooms the map.
    before = page.evaluate("window.exhibitMap.view()[2]")
    page.locator("#hall-map").press("+")
    assert page.evaluate("window.exhibitMap.view()[2]") < before
    screenshot(page, f"map-search-{size}")
    assert errors == []
    page.close()
