"""The route API and the visit page: from a poster point, step-free, directions in words."""

from __future__ import annotations

import re

from exhibit.demo import DEMO_SLUG

from .test_visit import placed_solutions

ROUTE = f"/api/v1/exhibitions/{DEMO_SLUG}/route"


def test_route_from_the_main_entrance_in_words(client):
    answer = client.get(ROUTE, query_string={"stops": "F14,G2"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    data = answer.get_json()
    assert sorted(data["order"]) == ["F14", "G2"] and data["start"] == "entrance"
    assert data["geometry"]["type"] == "LineString" and len(data["geometry"]["coordinates"]) >= 2
    assert data["steps"] and all(s["text"] for s in data["steps"])
    assert data["steps"][0]["text"].startswith("Идите прямо")
    assert re.search(r"стенд (F14|G2) (справа|слева|впереди)$", data["steps"][-1]["text"])
    walked = sum(s["distance_m"] for s in data["steps"])
    assert abs(walked - data["length_m"]) <= len(data["steps"])
    assert data["notice"] is None and data["step_free"] is False


def test_route_from_a_poster_point_in_english(client):
    data = client.get(ROUTE, query_string={"stops": "F14", "from": "P3", "lang": "en"}).get_json()
    assert data["start"] == "P3"
    assert data["steps"][0]["text"] == "You are here: “Колонна К3/3”"
    assert any(s["text"].startswith("Walk straight on") for s in data["steps"])
    first = data["geometry"]["coordinates"][0]
    assert abs(first[0] - 37.5) < 1.5 and abs(first[1] - 35.7) < 1.5


def test_a_removed_poster_point_starts_at_the_main_entrance_with_a_notice(client):
    data = client.get(ROUTE, query_string={"stops": "F14", "from": "P99"}).get_json()
    assert data["start"] == "entrance"
    assert "P99" in data["notice"] and "главного входа" in data["notice"]


def test_step_free_from_the_west_entrance_starts_at_the_main_one(client):
    data = client.get(
        ROUTE, query_string={"stops": "F14", "from": "Западный вход", "step_free": 1}
    ).get_json()
    assert data["step_free"] is True
    assert "ступени" in data["notice"] and "Главный вход" in data["notice"]
    x, y = data["geometry"]["coordinates"][0]
    assert 44 < x < 52 and y < 2


def test_bad_stops_are_a_clear_422(client):
    answer = client.get(ROUTE, query_string={"stops": "F14,ZZ999"})
    assert answer.status_code == 404
    error = answer.get_json()["error"]
    assert "ZZ999" in error["message"] and error["details"]["field"] == "stops"
    assert client.get(ROUTE).status_code == 422  # no stops at all
    assert client.get(ROUTE, query_string={"stops": " , "}).status_code == 422
    many = ",".join(f"F{i}" for i in range(1, 25))
    assert client.get(ROUTE, query_string={"stops": many}).status_code == 422


def test_visit_page_offers_step_free_up_front_and_lists_steps(client):
    ids = placed_solutions(3)
    html = client.get(
        f"/{DEMO_SLUG}/visit", query_string={"solutions": ",".join(map(str, ids)), "from": "P4"}
    ).get_data(as_text=True)
    form = html[html.index('class="visit-form') :]
    assert form.index('name="step_free"') < form.index('name="from"')
    assert '<option value="P4" selected>' in html
    steps = re.search(r'<ol class="directions-steps">(.*?)</ol>', html, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", steps)
    assert items[0] == "Вы здесь: «Перекрёсток в центре зала»"
    assert any(i.startswith("Идите прямо") for i in items)


def test_visit_page_with_a_removed_point_shows_a_notice(client):
    ids = placed_solutions(2)
    page = client.get(
        f"/{DEMO_SLUG}/visit", query_string={"solutions": ",".join(map(str, ids)), "from": "X7"}
    )
    assert page.status_code == 200
    assert "Точки «X7» больше нет на плане зала" in page.get_data(as_text=True)
