"""The search page and the search endpoint of §10 on the demo."""

from __future__ import annotations

import pytest

from exhibit.demo import DEMO_SLUG

API = f"/api/v1/exhibitions/{DEMO_SLUG}/search"


def test_api_shape_and_paging(client):
    body = client.get(API, query_string={"q": "благоустройство", "limit": 5}).get_json()
    assert body["total"] > 5
    assert len(body["results"]) == 5
    first = body["results"][0]
    assert set(first) == {"type", "id", "title", "exhibitor", "region", "booth"}
    assert first["type"] in ("solution", "exhibitor")
    assert set(body["facets"]) == {"track", "region", "size", "kind", "stage", "tag"}
    assert all({"value", "label", "count"} == set(v) for v in body["facets"]["track"])
    second = client.get(API, query_string={"q": "благоустройство", "limit": 5, "offset": 5})
    assert {r["id"] for r in second.get_json()["results"]}.isdisjoint(
        {r["id"] for r in body["results"]}
    )


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"track": "nope"}, "track"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"colour": "red"}, "colour"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_parameters_are_422_with_the_field(client, args, field):
    response = client.get(API, query_string={"q": "сквер", **args})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert list(error["details"]["fields"]) == [field]
    assert error["details"]["fields"][field][0]  # the reason
    assert field in error["message"]


def test_search_page_shows_results_facets_and_keeps_the_query(client):
    page = client.get(f"/{DEMO_SLUG}/search", query_string={"q": "транспорт"}).get_data(
        as_text=True
    )
    assert 'value="транспорт"' in page
    assert "Найдено:" in page
    assert "Направление" in page and "Регион" in page
    assert 'class="card result"' in page


@pytest.mark.parametrize("q", ['"', "NEAR(", "x" * 10_000, "", "' OR 1=1 --"])
def test_search_page_never_fails(client, q):
    assert client.get(f"/{DEMO_SLUG}/search", query_string={"q": q}).status_code == 200
