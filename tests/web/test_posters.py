""" "You are here" posters and the map they open: the QR link, the marker, new plan versions."""

from __future__ import annotations

import dataclasses
import re

import segno
from flask import current_app
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.booking.plans import import_plan
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Exhibition, Hall
from exhibit.floorplan.services import hall_plan
from exhibit.maps.posters import poster_url, posters_html
from exhibit.maps.presenter import map_context

HALL = "Павильон 1"


def marker(html: str) -> tuple[str, float, float]:
    found = re.search(
        r'class="you-are-here" id="you-are-here" data-point="([^"]+)" '
        r'transform="translate\(([-\d.]+) ([-\d.]+)\)',
        html,
    )
    assert found, "no you-are-here marker"
    return found.group(1), float(found.group(2)), float(found.group(3))


def expected_xy(hall: Hall, point_id: str) -> tuple[float, float]:
    point = hall_plan(hall).point(point_id)
    with current_app.test_request_context():
        return map_context(hall, DEMO_SLUG)["frame"].point(*point.position)


def test_posters_command_prints_a_page_per_point_with_its_qr_link(demo_app, tmp_path):
    out = tmp_path / "posters.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["map", "posters", "--exhibition", DEMO_SLUG, "--hall", HALL, "--paper", "A3",
              "-o", str(out)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    assert len(reader.pages) == 5
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        297,
        420,
    )
    text = reader.pages[2].extract_text()
    assert "Вы здесь" in text and "Колонна К3/3" in text
    assert f"/{DEMO_SLUG}/map?at=P3" in text.replace("\n", "")


def test_the_qr_code_holds_the_link_to_the_map_at_the_point(demo_app):
    with demo_app.test_request_context():
        hall = db.session.scalar(select(Hall))
        html = posters_html(hall.exhibition, hall, "https://expo.example", "A4")
        point = hall_plan(hall).point("P2")
    url = poster_url("https://expo.example", DEMO_SLUG, point)
    assert url == f"https://expo.example/{DEMO_SLUG}/map?at=P2"
    assert segno.make(url, error="m").svg_inline(scale=1, border=2, dark="#000") in html


def test_the_map_opens_at_the_point_turned_the_way_the_reader_faces(client):
    html = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P2"}).get_data(as_text=True)
    hall = db.session.scalar(select(Hall))
    point_id, x, y = marker(html)
    assert point_id == "P2"
    assert (x, y) == tuple(round(v, 3) for v in expected_xy(hall, "P2"))
    assert re.search(r'class="map-content" transform="rotate\(-90\.0 [-\d.]+ [-\d.]+\)"', html)
    assert "Вы здесь" in html and "Западный вход" in html


def test_on_a_turned_map_the_labels_read_upright(client):
    # P2 faces 90°: the map turns −90°, every booth number and entrance name turns back +90°
    # about its own anchor, «Вы здесь» reads upright with the arrow (it was left on its side),
    # and the name of the entrance under the marker gives way to it.
    html = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P2"}).get_data(as_text=True)
    svg = html[html.index('<g class="map-content"') : html.index('id="you-are-here"')]
    labels = re.findall(r'<text x="([-\d.]+)" y="([-\d.]+)"[^>]*?(?: transform="([^"]*)")?>', svg)
    booth_labels = re.findall(r'<g class="booth[^>]*>\s*<path[^>]*/>\s*<text[^>]*>', svg)
    assert len(booth_labels) > 100
    assert all('transform="rotate(90 ' in label for label in booth_labels)
    for x, y, transform in labels:
        assert transform == f"rotate(90 {x} {y})", (x, y, transform)
    here = html[html.index('id="you-are-here"') :]
    assert re.search(r'<text y="2.2" font-size="1.4" text-anchor="middle">Вы здесь</text>', here)
    assert ">Западный вход</text>" not in svg and ">Главный вход</text>" in svg
    # Facing 0 (P3): nothing turns.
    plain = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P3"}).get_data(as_text=True)
    assert 'transform="rotate(0' not in plain and "rotate(90 " not in plain


def test_a_removed_point_opens_the_map_with_a_notice(client):
    page = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P42"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="here-notice"' in html and "P42" in html
    assert 'id="you-are-here"' not in html


def test_a_poster_link_survives_a_new_plan_version_and_follows_a_moved_point(client):
    exhibition = db.session.scalar(select(Exhibition))
    hall = db.session.scalar(select(Hall))
    before = expected_xy(hall, "P3")
    plan = hall_plan(hall)
    # Version 2 moves P1 only: P3's link still opens at the same place.
    moved_p1 = tuple(
        dataclasses.replace(p, position=(47.0, 2.5)) if p.id == "P1" else p for p in plan.points
    )
    import_plan(db.session, exhibition, HALL, dataclasses.replace(plan, points=moved_p1))
    db.session.commit()
    html = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P3"}).get_data(as_text=True)
    assert marker(html)[1:] == tuple(round(v, 3) for v in before)
    # Version 3 moves P3 to the next column's face: the same link follows it.
    moved_p3 = tuple(
        dataclasses.replace(p, position=(62.5, 35.7)) if p.id == "P3" else p for p in moved_p1
    )
    import_plan(db.session, exhibition, HALL, dataclasses.replace(plan, points=moved_p3))
    db.session.commit()
    db.session.refresh(hall)
    assert hall.plan_version == 3
    html = client.get(f"/{DEMO_SLUG}/map", query_string={"at": "P3"}).get_data(as_text=True)
    after = expected_xy(hall, "P3")
    assert after != before
    assert marker(html)[1:] == tuple(round(v, 3) for v in after)
