"""The visit plan page: the chosen solutions' booths and the shortest walk to them."""

from __future__ import annotations

import re

from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG


def placed_solutions(limit: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Solution.id)
            .join(Reservation, Reservation.exhibitor_id == Solution.exhibitor_id)
            .where(Reservation.status == "confirmed")
            .order_by(Solution.id)
            .limit(limit)
        )
    )


def test_route_through_the_chosen_booths(client):
    ids = placed_solutions(5)
    page = client.get(f"/{DEMO_SLUG}/visit", query_string={"solutions": ",".join(map(str, ids))})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r"Маршрут: \d+ стенд", html)
    points = re.search(r'id="route-line" points="([^"]+)"', html).group(1).split()
    assert len(points) >= 2
    assert html.count('class="route-stop"') >= 1
    for solution_id in ids:
        assert f'data-remove="{solution_id}"' in html


def test_solutions_without_a_confirmed_booth_are_listed_apart(client):
    placed = set(placed_solutions(1000))
    other = db.session.scalar(select(Solution.id).where(Solution.id.not_in(placed)))
    html = client.get(f"/{DEMO_SLUG}/visit", query_string={"solutions": str(other)}).get_data(
        as_text=True
    )
    assert "Без стенда" in html


def test_empty_plan_explains_itself(client):
    html = client.get(f"/{DEMO_SLUG}/visit").get_data(as_text=True)
    assert "В план визита" in html


def test_bad_solution_list_is_a_clear_400(client):
    response = client.get(f"/{DEMO_SLUG}/visit", query_string={"solutions": "1,abc"})
    assert response.status_code == 400
    assert "не число" in response.get_data(as_text=True)
