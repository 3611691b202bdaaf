"""Organisers' plan pages: upload, the report drawn on the plan, publish, lay out, export."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from exhibit.floorplan.models import Hall, PlanDraft
from tests.factories import make_exhibition, make_user
from tests.web.test_accounts import csrf_token, login

HALL = [[[0, 0], [40, 0], [40, 20], [0, 20], [0, 0]]]


def plan_file(booths: list[list[float]]) -> bytes:
    features = [
        {"type": "Feature", "properties": {"kind": "hall"},
         "geometry": {"type": "Polygon", "coordinates": HALL}},
        {"type": "Feature", "properties": {"kind": "entrance", "main": True},
         "geometry": {"type": "LineString", "coordinates": [[18, 0], [22, 0]]}},
        {"type": "Feature", "properties": {"kind": "exit"},
         "geometry": {"type": "LineString", "coordinates": [[0, 8], [0, 10]]}},
    ]  # fmt: skip
    for i, (x0, x1) in enumerate(booths):
        ring = [[x0, 17], [x1, 17], [x1, 20], [x0, 20], [x0, 17]]
        features.append({
            "type": "Feature", "properties": {"kind": "booth", "number": f"A{i + 1}"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture
def organiser(app):
    exhibition = make_exhibition(slug="plans")
    make_user("org@example.ru", "organiser")
    client = app.test_client()
    login(client, "org@example.ru")
    token = csrf_token(client, "/plans/plans")
    return exhibition, client, token


def upload(client, token, content: bytes, name: str = "plan.geojson", hall: str = "Зал 1"):
    return client.post(
        "/plans/plans/upload",
        data={"csrf_token": token, "hall_name": hall, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_broken_plan_is_shown_with_its_errors_marked(organiser):
    _, client, token = organiser
    response = upload(client, token, plan_file([[5, 8], [7, 10]]))  # A1 and A2 overlap
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "booth-overlap" in page
    assert 'class="error-marker"' in page
    assert "draft-booth-error" in page
    assert "План с ошибками нельзя опубликовать" in page


def test_every_booth_a_finding_names_is_highlighted_with_the_fault(organiser):
    """An overlap names both booths: both are marked, the overlap's area is drawn, and the
    finding in the list carries the key that highlights them together."""
    _, client, token = organiser
    response = upload(client, token, plan_file([[5, 8], [7, 10]]))  # A1 and A2 overlap
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    overlap = re.search(r'<li tabindex="0" data-issue="(\d+)"><strong>booth-overlap</strong>'
                        r"([^<]*)", page)  # fmt: skip
    assert overlap, page
    key = overlap.group(1)
    assert "A1, A2" in overlap.group(2)
    marked = re.findall(r'<g class="draft-booth draft-booth-error" data-issues="([^"]*)">', page)
    assert sum(key in keys.split() for keys in marked) == 2
    assert re.search(rf'<path class="fault" data-issues="{key}" d="M', page)


def test_an_unreadable_file_stores_nothing(organiser, app):
    _, client, token = organiser
    response = upload(client, token, b'{"type": "FeatureCollection", "features": [', "bad.geojson")
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert app.extensions["sqlalchemy"].session.scalar(select(PlanDraft)) is None


def test_fix_and_publish_makes_a_new_version(organiser, app):
    _, client, token = organiser
    upload(client, token, plan_file([[5, 8], [7, 10]]))
    response = upload(client, token, plan_file([[5, 8], [8, 11], [11, 14]]))
    draft_url = response.headers["Location"]
    draft_id = int(re.search(r"/drafts/(\d+)", draft_url).group(1))
    assert "Ошибок нет" in client.get(draft_url).get_data(as_text=True)
    published = client.post(f"/plans/plans/drafts/{draft_id}/publish", data={"csrf_token": token})
    assert published.status_code == 302
    db = app.extensions["sqlalchemy"]
    hall = db.session.scalar(select(Hall).where(Hall.name == "Зал 1"))
    assert hall.plan_version == 2
    assert sorted(b.number for b in hall.current_booths) == ["A1", "A2", "A3"]
    again = client.post(f"/plans/plans/drafts/{draft_id}/publish", data={"csrf_token": token})
    assert again.status_code == 302  # refused with a message: already published
    db.session.expire_all()
    assert db.session.scalar(select(Hall).where(Hall.name == "Зал 1")).plan_version == 2


def test_layout_makes_a_valid_draft(organiser):
    _, client, token = organiser
    response = client.post(
        "/plans/halls/Зал 1/layout", data={"csrf_token": token, "module": "3x3", "aisle": "3"}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Раскладка 3×3 м" in page
    assert "Ошибок нет" in page


@pytest.mark.parametrize("fmt", ["geojson", "svg", "dxf"])
def test_export(organiser, fmt):
    _, client, _ = organiser
    response = client.get(f"/plans/halls/Зал 1/plan.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert {"geojson": '"FeatureCollection"', "svg": "<svg", "dxf": "SECTION"}[fmt] in body


def publish(client, token, response) -> int:
    draft_id = int(re.search(r"/drafts/(\d+)", response.headers["Location"]).group(1))
    client.post(f"/plans/plans/drafts/{draft_id}/publish", data={"csrf_token": token})
    return draft_id


def current_booths(app) -> dict[str, float]:
    db = app.extensions["sqlalchemy"]
    db.session.expire_all()
    hall = db.session.scalar(select(Hall).where(Hall.name == "Зал 1"))
    return {b.number: round(float(b.area_m2), 2) for b in hall.current_booths}


def test_split_then_merge_back_keeping_the_chosen_number(organiser, app):
    _, client, token = organiser
    response = client.post("/plans/halls/Зал 1/booths/A2/split", data={"csrf_token": token})
    assert response.status_code == 302 and "/drafts/" in response.headers["Location"]
    publish(client, token, response)
    booths = current_booths(app)
    assert booths["A2"] == booths["A2b"] == 4.5

    response = client.post(
        "/plans/halls/Зал 1/booths/A2/merge",
        data={"csrf_token": token, "with": "A2b", "keep": ""},
    )
    publish(client, token, response)
    booths = current_booths(app)
    assert "A2" not in booths and booths["A2b"] == 9.0


def test_merging_booths_that_do_not_touch_is_refused(organiser, app):
    _, client, token = organiser
    response = client.post(
        "/plans/halls/Зал 1/booths/A1/merge",
        data={"csrf_token": token, "with": "A4", "keep": "A1"},
        headers={"Referer": "/plans/booths/A1"},
    )
    assert response.status_code == 302 and "/drafts/" not in response.headers["Location"]
    assert "A4" in current_booths(app)


def test_renumber_draft(organiser):
    _, client, token = organiser
    response = client.post("/plans/halls/Зал 1/renumber", data={"csrf_token": token})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "перенумерованы" in page and "Ошибок нет" in page


def test_a_huge_upload_is_refused_with_a_clear_message(organiser, app):
    # The same limit as in production (MAX_CONTENT_LENGTH), made small so the test client
    # need not build a 26 MB body.
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    _, client, token = organiser
    response = upload(client, token, b"{" + b" " * (128 * 1024) + b"}", "big.geojson")
    assert response.status_code == 413
    assert "Файл слишком большой" in response.get_data(as_text=True)
    assert app.extensions["sqlalchemy"].session.scalar(select(PlanDraft)) is None


def test_a_truncated_dxf_is_refused_and_nothing_is_stored(organiser, app):
    _, client, token = organiser
    response = upload(client, token, b"  0\nSECTION\n  2\nENTITIES\n  0\nLWPOLY", "plan.dxf")
    assert response.status_code == 422
    assert app.extensions["sqlalchemy"].session.scalar(select(PlanDraft)) is None


def test_print_page_offers_the_map_and_the_catalogue(organiser):
    _, client, _ = organiser
    page = client.get("/plans/print").get_data(as_text=True)
    assert "/api/v1/exhibitions/plans/halls/" in page and "map.pdf" in page
    assert 'name="edition"' in page and 'name="scale"' in page
    response = client.get("/plans/catalogue.pdf", query_string={"paper": "A5"})
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get("/plans/catalogue.pdf", query_string={"paper": "A3"}).status_code == 422
