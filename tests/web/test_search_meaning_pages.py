"""Issue 17 on the demo, through HTTP: «не найдено», «did you mean», the zero-results log
(cached pages counted too), suggestions as you type, the organisers' search page and the
API's new fields."""

from __future__ import annotations

from sqlalchemy import select

from exhibit import pagecache
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.services import get_exhibition
from exhibit.search import insights
from exhibit.search.models import SearchMiss, ThesaurusLine
from tests.factories import make_user
from tests.web.test_accounts import csrf_token, login

PAGE = f"/{DEMO_SLUG}/search"
SUGGEST = f"/{DEMO_SLUG}/search/suggest"
ORGANISER = f"/{DEMO_SLUG}/organiser/search"
API = f"/api/v1/exhibitions/{DEMO_SLUG}/search"


def misses() -> dict[str, int]:
    exhibition = get_exhibition(db.session, DEMO_SLUG)
    return {m.query: m.count for m in insights.misses(db.session, exhibition.id)}


def test_a_word_not_found_is_named_and_the_rest_still_match(client):
    page = client.get(PAGE, query_string={"q": "ремонт тротуаров марсоходом"}).get_data(
        as_text=True
    )
    assert "Ремонт тротуаров по карте обращений" in page
    assert "не найдено" in page and "<s>марсоходом</s>" in page


def test_zero_results_offer_a_correction_and_the_closest(client):
    page = client.get(PAGE, query_string={"q": "диспетчиризацыя"}).get_data(as_text=True)
    assert "Возможно, вы имели в виду" in page
    assert ">диспетчеризация</a>" in page
    assert "Ближайшее, что есть" in page
    assert "Облачная диспетчеризация приборов учёта тепла" in page


def test_every_search_that_found_nothing_is_counted_even_from_the_cache(client, monkeypatch):
    pagecache._pages.clear()
    assert client.get(PAGE, query_string={"q": "квантовый телепорт"}).status_code == 200
    rendered = []
    monkeypatch.setattr(
        "exhibit.web.search.render_template", lambda *a, **k: rendered.append(1) or ""
    )
    assert client.get(PAGE, query_string={"q": "квантовый телепорт"}).status_code == 200
    assert rendered == []  # served from the cache, and still counted:
    assert misses() == {"квантовый телепорт": 2}
    # What found something, or a typo that search corrected, is not a miss.
    monkeypatch.undo()
    client.get(PAGE, query_string={"q": "сквер"})
    client.get(PAGE, query_string={"q": "транспртная"})
    assert misses() == {"квантовый телепорт": 2}


def test_the_api_counts_misses_and_adds_its_fields(client):
    body = client.get(API, query_string={"q": "диспетчиризацыя"}).get_json()
    assert body["total"] == 0 and body["results"] == []
    assert body["did_you_mean"] == "диспетчеризация"
    assert body["closest"][0]["title"] == "Облачная диспетчеризация приборов учёта тепла"
    assert set(body["closest"][0]) == {"type", "id", "title", "exhibitor", "region", "booth"}
    assert misses() == {"диспетчиризацыя": 1}
    partial = client.get(API, query_string={"q": "ремонт тротуаров марсоходом"}).get_json()
    assert partial["missing"] == ["марсоходом"] and partial["total"] > 0
    assert partial["did_you_mean"] is None and partial["closest"] == []


def test_suggestions_as_json(client):
    body = client.get(SUGGEST, query_string={"q": "ирб"}).get_json()
    found = [(s["type"], s["label"]) for s in body["suggestions"]]
    assert ("town", "Ирбит") in found
    assert ("exhibitor", "Администрация городского округа «Город Ирбит»") in found
    town = next(s for s in body["suggestions"] if s["type"] == "town")
    assert town["url"].startswith(f"/{DEMO_SLUG}/search?q=")
    solution = client.get(SUGGEST, query_string={"q": "набережная исе"}).get_json()
    assert solution["suggestions"][0]["label"] == "Набережная Исети в Старом городе"
    assert solution["suggestions"][0]["url"].startswith(f"/{DEMO_SLUG}/solutions/")
    for q in ("", "'; DROP TABLE user; --", "🚲" * 300, "\x00"):
        response = client.get(SUGGEST, query_string={"q": q})
        assert response.status_code == 200 and "suggestions" in response.get_json()


def test_the_search_page_is_a_combobox_for_assistive_technology(client):
    page = client.get(PAGE, query_string={"q": "сквер"}).get_data(as_text=True)
    assert 'role="listbox"' in page and 'aria-live="polite"' in page
    assert "js/suggest.js" in page and 'autocomplete="off"' in page


def test_the_organisers_page_is_for_organisers_only(client):
    assert client.get(ORGANISER).status_code == 302  # to the login page
    exhibitor = db.session.scalars(select(Exhibitor).order_by(Exhibitor.id)).first()
    make_user("someone@example.ru", "exhibitor", exhibitor=exhibitor)
    login(client, "someone@example.ru")
    assert client.get(ORGANISER).status_code == 403


def test_organisers_see_misses_and_extend_the_thesaurus(client):
    client.get(PAGE, query_string={"q": "помойка"})
    client.get(PAGE, query_string={"q": "помойка"})
    make_user("boss@example.ru", "organiser")
    login(client, "boss@example.ru")
    dashboard = client.get(f"/{DEMO_SLUG}/organiser").get_data(as_text=True)
    assert ORGANISER in dashboard
    page = client.get(ORGANISER).get_data(as_text=True)
    assert "помойка" in page and '<td class="num">2</td>' in page
    assert "ЖКХ = жилищно-коммунальное хозяйство" in page  # the curated lines are shown

    token = csrf_token(client, ORGANISER)
    refused = client.post(
        f"{ORGANISER}/thesaurus", data={"csrf_token": token, "lines": "помойка мусор"}
    )
    assert refused.status_code == 422
    assert "строка 1" in refused.get_data(as_text=True)
    assert db.session.scalars(select(ThesaurusLine)).all() == []

    response = client.post(
        f"{ORGANISER}/thesaurus",
        data={"csrf_token": token, "lines": "помойка = мусор"},
        follow_redirects=True,
    )
    assert "Добавлено строк тезауруса: 1" in response.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, ORGANISER)})
    found = client.get(PAGE, query_string={"q": "помойка"}).get_data(as_text=True)
    assert "Раздельный сбор отходов во дворах Барнаула" in found

    login(client, "boss@example.ru")
    line = db.session.scalars(select(ThesaurusLine)).one()
    response = client.post(
        f"{ORGANISER}/thesaurus/{line.id}/delete",
        data={"csrf_token": csrf_token(client, ORGANISER)},
        follow_redirects=True,
    )
    assert "удалена из тезауруса" in response.get_data(as_text=True)
    assert db.session.scalars(select(ThesaurusLine)).all() == []
    assert db.session.scalars(select(SearchMiss)).first().count == 2


def test_the_add_synonym_link_fills_the_form(client):
    make_user("boss@example.ru", "organiser")
    login(client, "boss@example.ru")
    page = client.get(ORGANISER, query_string={"line": "помойка = "}).get_data(as_text=True)
    assert ">помойка = </textarea>" in page
