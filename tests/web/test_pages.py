"""The first public pages, in Russian, on the demo exhibition."""

from __future__ import annotations

import re

from sqlalchemy import select

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG


def test_root_redirects_to_the_current_exhibition(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/{DEMO_SLUG}/")


def test_home_page(client):
    page = client.get(f"/{DEMO_SLUG}/").get_data(as_text=True)
    assert "Города России — 2025" in page
    assert "Демонстрационные данные" in page
    assert "Эффективное управление территорией" in page
    assert 'lang="ru"' in page


def test_exhibitors_page_lists_approved_exhibitors_only(client):
    page = client.get(f"/{DEMO_SLUG}/exhibitors/").get_data(as_text=True)
    approved = db.session.scalars(select(Exhibitor).where(Exhibitor.approved.is_(True))).all()
    pending = db.session.scalars(select(Exhibitor).where(Exhibitor.approved.is_(False))).all()
    assert approved and pending
    for exhibitor in approved[:20]:
        assert exhibitor.name.replace('"', "&#34;") in page
    for exhibitor in pending:
        assert exhibitor.name.replace('"', "&#34;") not in page


def test_solution_page_shows_exhibitor_and_track(client):
    solution = db.session.scalar(
        select(Solution).join(Solution.exhibitor).where(Exhibitor.approved.is_(True))
    )
    response = client.get(f"/{DEMO_SLUG}/solutions/{solution.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert solution.track.name in page
    assert "Стенд" in page


def test_pending_exhibitor_is_not_public(client):
    pending = db.session.scalar(select(Exhibitor).where(Exhibitor.approved.is_(False)))
    assert client.get(f"/{DEMO_SLUG}/exhibitors/{pending.id}").status_code == 404


def test_unknown_pages_are_404_pages_not_errors(client):
    response = client.get("/no-such-exhibition/")
    assert response.status_code == 404
    assert "не найдена" in response.get_data(as_text=True)
    assert client.get(f"/{DEMO_SLUG}/solutions/999999").status_code == 404


def test_english_can_be_chosen_and_is_remembered(client):
    response = client.get("/lang/en", headers={"Referer": f"http://localhost/{DEMO_SLUG}/"})
    assert response.status_code == 302
    page = client.get(f"/{DEMO_SLUG}/").get_data(as_text=True)
    assert 'lang="en"' in page


def test_russian_plurals(demo_app):
    from flask import render_template_string

    template = "{{ ngettext('%(num)d решение', '%(num)d решений', n) }}"
    with demo_app.test_request_context("/"):
        rendered = [render_template_string(template, n=n) for n in (1, 2, 5, 11, 21, 22)]
    assert rendered == [
        "1 решение",
        "2 решения",
        "5 решений",
        "11 решений",
        "21 решение",
        "22 решения",
    ]


def test_catalogue_pages_for_solutions_tracks_and_regions(client):
    solutions = client.get(f"/{DEMO_SLUG}/solutions/").get_data(as_text=True)
    assert "Города для жизни" in solutions and 'class="cards"' in solutions
    tracks = client.get(f"/{DEMO_SLUG}/tracks/").get_data(as_text=True)
    assert "Платформенная экономика" in tracks
    track = client.get(f"/{DEMO_SLUG}/tracks/tourism").get_data(as_text=True)
    assert "Ирбитская ярмарка" in track or "ярмар" in track.lower()
    assert client.get(f"/{DEMO_SLUG}/tracks/nope").status_code == 404
    regions = client.get(f"/{DEMO_SLUG}/regions/").get_data(as_text=True)
    assert "Свердловская область" in regions
    region = client.get(f"/{DEMO_SLUG}/regions/66").get_data(as_text=True)
    assert "Ирбит" in region
    assert client.get(f"/{DEMO_SLUG}/regions/00").status_code == 404


def test_regions_and_exhibitors_are_in_russian_alphabetical_order(client):
    page = client.get(f"/{DEMO_SLUG}/regions/").get_data(as_text=True)
    names = re.findall(r'/regions/\d+">([^<]+)</a>', page)
    from exhibit.catalogue.rules import russian_sort_key

    assert names == sorted(names, key=russian_sort_key)


def test_exhibitor_and_solution_pages_show_the_booth_on_a_small_map(client):
    from exhibit.booking.models import Reservation

    reservation = db.session.scalar(select(Reservation).where(Reservation.status == "confirmed"))
    exhibitor = db.session.get(Exhibitor, reservation.exhibitor_id)
    page = client.get(f"/{DEMO_SLUG}/exhibitors/{exhibitor.id}").get_data(as_text=True)
    assert 'class="map-excerpt"' in page
    assert f"booth={reservation.booth.number}" in page
    assert "booth-hit" in page
    solution = exhibitor.solutions[0]
    page = client.get(f"/{DEMO_SLUG}/solutions/{solution.id}").get_data(as_text=True)
    assert 'class="map-excerpt"' in page
