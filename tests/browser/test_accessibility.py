"""axe-core finds no serious or critical problem on the public pages and the main forms;
booths on the maps are focusable and named, and their status is not told by colour alone."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from tests.browser.conftest import axe_violations, new_page, screenshot, sign_in
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def _world() -> dict[str, object]:
    exhibitor_id, number = db.session.execute(
        select(Reservation.exhibitor_id, Booth.number)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Reservation.status == "confirmed")
        .order_by(Booth.number)
    ).first()
    solution_id = db.session.scalar(
        select(Solution.id).where(Solution.exhibitor_id == exhibitor_id).order_by(Solution.id)
    )
    region = db.session.scalar(select(Exhibitor.region_code).where(Exhibitor.id == exhibitor_id))
    return {
        "exhibitor": exhibitor_id,
        "solution": solution_id,
        "booth": number,
        "region": region,
    }


def public_pages(w: dict[str, object]) -> dict[str, str]:
    s = f"/{DEMO_SLUG}"
    return {
        "home": f"{s}/",
        "exhibitors": f"{s}/exhibitors/",
        "exhibitor": f"{s}/exhibitors/{w['exhibitor']}",
        "solutions": f"{s}/solutions/",
        "solution": f"{s}/solutions/{w['solution']}",
        "tracks": f"{s}/tracks/",
        "track": f"{s}/tracks/living",
        "regions": f"{s}/regions/",
        "region": f"{s}/regions/{w['region']}",
        "search": f"{s}/search?q=благоустройство",
        "map": f"{s}/map?q=транспорт",
        "visit": f"{s}/visit?solutions={w['solution']}",
        "plan": f"{s}/plan",
        "booth": f"{s}/booths/{w['booth']}",
        "login": "/login",
        "register": f"{s}/register",
    }


def test_public_pages_have_no_serious_violations(browser, live_server, axe_source):
    world = _world()
    page = new_page(browser)
    problems = {}
    for name, path in public_pages(world).items():
        page.goto(live_server + path)
        found = axe_violations(page, axe_source)
        if found:
            problems[name] = found
    assert problems == {}
    assert page.errors == []


def test_forms_have_no_serious_violations(browser, live_server, axe_source):
    world = _world()
    exhibitor = db.session.get(Exhibitor, world["exhibitor"])
    make_user("a11y-exhibitor@example.ru", exhibitor=exhibitor)
    make_user("a11y-organiser@example.ru", role="organiser")
    free = db.session.scalar(
        select(Booth.number)
        .where(Booth.id.not_in(select(Reservation.booth_id)), Booth.blocked.is_(False))
        .order_by(Booth.number)
    )
    confirmed = db.session.scalar(
        select(Reservation.id).where(Reservation.status == "confirmed").order_by(Reservation.id)
    )
    s = f"/{DEMO_SLUG}"
    problems = {}
    exhibitor_page = new_page(browser)
    sign_in(exhibitor_page, live_server, "a11y-exhibitor@example.ru", PASSWORD)
    for name, path in {
        "reservation": f"{s}/booths/{free}",
        "my booths": f"{s}/my",
        "profile": f"{s}/profile",
        "new solution": f"{s}/profile/solutions/new",
        "account": "/account",
        "requisites": f"{s}/profile/requisites",
    }.items():
        exhibitor_page.goto(live_server + path)
        if found := axe_violations(exhibitor_page, axe_source):
            problems[name] = found
    organiser_page = new_page(browser)
    sign_in(organiser_page, live_server, "a11y-organiser@example.ru", PASSWORD)
    for name, path in {
        "dashboard": f"{s}/organiser",
        "plans": f"{s}/plans",
        "print": f"{s}/print",
        "booth (organiser)": f"{s}/booths/{free}",
        "invoices": f"{s}/organiser/invoices",
        "requisites and price list": f"{s}/organiser/billing",
        "documents and services": f"/reservations/{confirmed}/billing",
    }.items():
        organiser_page.goto(live_server + path)
        if found := axe_violations(organiser_page, axe_source):
            problems[name] = found
    # A form sent with mistakes: the errors next to the fields must be accessible too.
    organiser_page.goto(f"{live_server}/login")
    organiser_page.locator("main form button[type=submit]").click()
    if found := axe_violations(organiser_page, axe_source):
        problems["login with errors"] = found
    assert problems == {}
    assert exhibitor_page.errors == organiser_page.errors == []


@pytest.mark.parametrize("path", ["map", "plan"])
def test_booths_are_focusable_named_and_not_told_by_colour(browser, live_server, path):
    page = new_page(browser)
    page.goto(f"{live_server}/{DEMO_SLUG}/{path}")
    booths = page.locator(".hall-map .booth, .hall-plan .booth")
    count = booths.count()
    assert count > 100
    names = booths.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert all(names), "every booth has an accessible name"
    confirmed = db.session.execute(
        select(Booth.number, Exhibitor.name)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed")
    ).first()
    label = page.locator(f"[data-number='{confirmed.number}']").get_attribute("aria-label")
    # Number, exhibitor and status, in words.
    assert confirmed.number in label and confirmed.name in label
    assert "забронирован" in label
    free = page.locator(".booth[data-status='available']").first.get_attribute("aria-label")
    assert "свободен" in free
    # Tab reaches the booths (after the page's links and buttons).
    page.locator(".booth").first.focus()
    assert page.evaluate("document.activeElement.classList.contains('booth')")
    # The status is drawn with a pattern or an outline as well as a colour.
    looks = page.evaluate(
        """() => Object.fromEntries(['available', 'confirmed', 'blocked'].map(s => {
             const el = document.querySelector(`.booth[data-status='${s}'] path`);
             const style = el && getComputedStyle(el);
             return [s, style ? [style.fill, style.strokeDasharray] : null];
           }))"""
    )
    if path == "plan":  # the sales plan: a hatch, dots or a cross per status
        assert looks["confirmed"][0].startswith("url(") and looks["blocked"][0].startswith("url(")
        assert not looks["available"][0].startswith("url(")
    else:  # the visitors' map: the fill tells the track; a vacant booth has a dashed outline
        assert looks["available"][1] not in ("none", "")
        assert looks["confirmed"][1] in ("none", "")
    screenshot(page, f"a11y-{path}")
