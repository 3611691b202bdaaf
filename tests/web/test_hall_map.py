"""The visitors' hall map page: booths, tracks by pattern, search highlights, cards."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth


def cards_of(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="booth-cards">(.*?)</script>', page, re.S)
    return json.loads(raw.group(1))


def test_every_booth_is_focusable_and_named(client):
    page = client.get(f"/{DEMO_SLUG}/map").get_data(as_text=True)
    booths = db.session.scalars(select(Booth).where(Booth.retired.is_(False))).all()
    assert page.count('role="button"') >= len(booths)
    for booth in booths[:30]:
        assert f'aria-label="Стенд {booth.number},' in page
    assert 'patternUnits="userSpaceOnUse"' in page  # tracks are told by hatching too


def test_cards_show_only_confirmed_exhibitors(client):
    page = client.get(f"/{DEMO_SLUG}/map").get_data(as_text=True)
    cards = cards_of(page)
    confirmed = db.session.execute(
        select(Booth.number, Reservation.exhibitor_id)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .where(Reservation.status == "confirmed")
    ).all()
    assert confirmed
    for number, _ in confirmed:
        assert cards[number]["name"] and cards[number]["url"].startswith(f"/{DEMO_SLUG}/")
    requested = db.session.scalars(
        select(Booth.number)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .where(Reservation.status == "requested")
    ).all()
    assert all(cards[number] is None for number in requested)


def test_search_highlights_the_booths_of_the_results(client):
    confirmed = db.session.execute(
        select(Booth.number, Reservation.exhibitor_id)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .where(Reservation.status == "confirmed")
    ).first()
    number = confirmed[0]
    page = client.get(f"/{DEMO_SLUG}/map", query_string={"q": number}).get_data(as_text=True)
    assert re.search(rf'class="booth booth-taken booth-hit[^"]*"[^>]*data-number="{number}"', page)


def test_hostile_exhibitor_names_stay_inert_in_the_cards(client):
    from exhibit.catalogue.models import Exhibitor

    confirmed = db.session.scalar(select(Reservation).where(Reservation.status == "confirmed"))
    exhibitor = db.session.get(Exhibitor, confirmed.exhibitor_id)
    exhibitor.name = "</script><script>alert(1)</script>"
    db.session.commit()
    page = client.get(f"/{DEMO_SLUG}/map").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert cards_of(page)[confirmed.booth.number]["name"] == exhibitor.name
