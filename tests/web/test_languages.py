"""Russian first, English complete: no interface text left in Russian on the English pages,
the language choice remembered, numbers, areas, money, dates and plurals in each language,
Russian names sorted by the Russian alphabet."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.catalogue.rules import plural_ru, russian_sort_key
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth, Exhibition, Hall
from exhibit.floorplan.services import hall_plan
from exhibit.i18n import format_area, format_money, format_share
from tests.factories import make_user
from tests.web.test_accounts import csrf_token, login

CYRILLIC = re.compile(r"[А-Яа-яЁё]+")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """What a person reads or hears: text, and the attributes that name things — except
    what is marked as Russian (``lang="ru"``: the language switch, a service's message)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self._stack: list[bool] = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag, attrs):
        skip = tag in ("script", "style") or ("lang", "ru") in attrs
        if tag not in VOID:
            self._stack.append(skip)
            self._skip += skip
        if skip or self._skip:
            return
        for name, value in attrs:
            if (
                value
                and name in ("aria-label", "title", "placeholder", "alt", "value")
                and (name != "value" or tag in ("button", "option"))
            ):
                self.parts.append(value)
            if value and name.startswith("data-") and name not in ("data-title",):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag not in VOID and self._stack:
            self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _data_strings() -> list[str]:
    """Text that belongs to the data (typed by exhibitors and organisers), not the interface."""
    strings: set[str] = set()
    for e in db.session.scalars(select(Exhibitor)):
        strings.update(filter(None, (e.name, e.municipality, e.description, e.website)))
    for s in db.session.scalars(select(Solution)):
        strings.update(filter(None, (s.title, s.summary, s.description, s.results)))
        strings.update(s.tags or ())
    for x in db.session.scalars(select(Exhibition)):
        strings.update((x.title, x.venue, x.city))
    for hall in db.session.scalars(select(Hall)):
        strings.add(hall.name)
        plan = hall_plan(hall)
        for feature in (*plan.entrances, *plan.exits, *plan.obstacles, *plan.passages):
            if feature.name:
                strings.add(feature.name)
        strings.update(point.name for point in plan.points)
    return sorted(strings, key=len, reverse=True)


def _pages() -> dict[str, str]:
    exhibitor_id, number = db.session.execute(
        select(Reservation.exhibitor_id, Booth.number)
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Reservation.status == "confirmed")
    ).first()
    solution_id = db.session.scalar(
        select(Solution.id).where(Solution.exhibitor_id == exhibitor_id)
    )
    region = db.session.scalar(select(Exhibitor.region_code).where(Exhibitor.id == exhibitor_id))
    s = f"/{DEMO_SLUG}"
    return {
        "home": f"{s}/",
        "exhibitors": f"{s}/exhibitors/",
        "exhibitor": f"{s}/exhibitors/{exhibitor_id}",
        "solutions": f"{s}/solutions/",
        "solution": f"{s}/solutions/{solution_id}",
        "tracks": f"{s}/tracks/",
        "track": f"{s}/tracks/living",
        "regions": f"{s}/regions/",
        "region": f"{s}/regions/{region}",
        "search": f"{s}/search?q=благоустройство",
        "map": f"{s}/map?q=транспорт",
        "visit": f"{s}/visit?solutions={solution_id}",
        "plan": f"{s}/plan",
        "booth": f"{s}/booths/{number}",
        "login": "/login",
        "register": f"{s}/register",
        "not found": f"{s}/exhibitors/999999",
    }


def _russian_left(html: str, data: list[str]) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for item in data:
        text = text.replace(item, " ")
    return sorted(set(CYRILLIC.findall(text)))


def test_english_pages_have_no_russian_outside_the_data(client):
    data = _data_strings()
    client.get("/lang/en")
    left = {}
    for name, path in _pages().items():
        html = client.get(path).get_data(as_text=True)
        assert '<html lang="en">' in html, name
        if words := _russian_left(html, data):
            left[name] = words[:15]
    assert left == {}, left


def test_english_forms_for_exhibitors_and_organisers(client):
    exhibitor = db.session.scalar(select(Exhibitor).where(Exhibitor.approved.is_(True)))
    make_user("en-exhibitor@example.ru", exhibitor=exhibitor)
    make_user("en-organiser@example.ru", role="organiser")
    data = _data_strings()
    left = {}
    s = f"/{DEMO_SLUG}"
    for email, paths in (
        ("en-exhibitor@example.ru", [f"{s}/my", f"{s}/profile", "/account"]),
        ("en-organiser@example.ru", [f"{s}/organiser", f"{s}/plans", f"{s}/print"]),
    ):
        client.get("/lang/en")
        login(client, email)
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            if words := _russian_left(html, data):
                left[path] = words[:15]
        client.post("/logout", data={"csrf_token": re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/account").get_data(as_text=True)
        ).group(1)})  # fmt: skip
    assert left == {}, left


def test_the_language_choice_is_remembered(client):
    page = client.get(f"/{DEMO_SLUG}/")
    assert '<html lang="ru">' in page.get_data(as_text=True)
    switched = client.get("/lang/en", headers={"Referer": f"http://localhost/{DEMO_SLUG}/"})
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith(f"/{DEMO_SLUG}/")
    # The choice lives in the session cookie: the next pages come in English …
    assert client.get_cookie("session") is not None
    html = client.get(f"/{DEMO_SLUG}/exhibitors/").get_data(as_text=True)
    assert '<html lang="en">' in html and "Exhibitors" in html
    # … whatever the browser prefers, until the visitor switches back.
    html = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    client.get("/lang/ru")
    assert '<html lang="ru">' in client.get("/login").get_data(as_text=True)
    # An unknown language changes nothing.
    client.get("/lang/xx")
    assert '<html lang="ru">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    ("count", "ru", "en"),
    [
        (1, "1 стенд", "1 booth"),
        (2, "2 стенда", "2 booths"),
        (5, "5 стендов", "5 booths"),
        (11, "11 стендов", "11 booths"),
        (21, "21 стенд", "21 booths"),
        (22, "22 стенда", "22 booths"),
        (112, "112 стендов", "112 booths"),
    ],
)
def test_plurals_in_both_languages(demo_app, count, ru, en):
    with demo_app.test_request_context():
        with force_locale("ru"):
            assert ngettext("%(num)d стенд", "%(num)d стендов", count) == ru
        with force_locale("en"):
            assert ngettext("%(num)d стенд", "%(num)d стендов", count) == en
    assert plural_ru(count, "стенд", "стенда", "стендов") == ru


def test_areas_money_and_dates_in_both_languages(demo_app):
    from datetime import date

    from flask_babel import format_date

    with demo_app.test_request_context():
        with force_locale("ru"):
            assert format_area(1) == "1 м²"
            assert format_area(21.5) == "21,5 м²"
            assert format_area(1234.5) == "1\xa0234,5 м²"
            assert format_money(118800) == "118\xa0800 ₽"
            assert format_share(0.0999) == "10\xa0%" and format_share(0.0077) == "0,8\xa0%"
            assert format_date(date(2025, 11, 27), "d MMMM y") == "27 ноября 2025"
        with force_locale("en"):
            assert format_area(1) == "1 m²"
            assert format_area(21.5) == "21.5 m²"
            assert format_money(118800) == "118,800 ₽"
            assert format_share(0.095) == "9.5%"
            assert format_date(date(2025, 11, 27), "d MMMM y") == "27 November 2025"


def test_russian_names_sort_by_the_russian_alphabet():
    names = ["Ёлкино", "Железногорск", "Евпатория", "ежевика", "Ейск", "Абакан", "ёж"]
    assert sorted(names, key=russian_sort_key) == [
        "Абакан", "Евпатория", "ежевика", "Ейск", "ёж", "Ёлкино", "Железногорск",
    ]  # fmt: skip


def test_regions_page_lists_regions_in_russian_order(client):
    html = client.get(f"/{DEMO_SLUG}/regions/").get_data(as_text=True)
    names = re.findall(r'<a href="/[^"]+/regions/[^"]+">([^<]+)</a>', html)
    assert len(names) > 10
    assert names == sorted(names, key=russian_sort_key)


# The services' refusals (exhibit.errors.tr) come in the visitor's language.


@pytest.fixture
def taken_booth(app):
    """Booth A1 is held for «Суздаль»; a@example.ru (of «Ирбит») will ask for it too."""
    from exhibit.booking.services import request_booth
    from tests.factories import make_exhibition, make_exhibitor

    exhibition = make_exhibition()
    make_user("a@example.ru", exhibitor=make_exhibitor(exhibition, "Ирбит"))
    other = make_exhibitor(exhibition, "Суздаль")
    request_booth(db.session, exhibition, "A1", other, make_user("b@example.ru", exhibitor=other))
    db.session.commit()
    return exhibition


def _flashes(html: str) -> list[str]:
    return re.findall(r'<p class="flash flash-error"([^>]*)>([^<]*)</p>', html)


@pytest.mark.parametrize(
    ("lang", "refusal"),
    [
        ("en", "Booth A1 is already taken or on hold"),
        ("ru", "Стенд A1 уже занят или удерживается"),
    ],
)
def test_a_refused_booking_is_explained_in_the_visitors_language(app, taken_booth, lang, refusal):
    client = app.test_client()
    login(client, "a@example.ru")
    client.get(f"/lang/{lang}")  # after signing in: signing in starts a new session
    url = f"/{taken_booth.slug}/booths/A1"
    token = csrf_token(client, url)
    page = client.post(f"{url}/request", data={"csrf_token": token}, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    # The flash, not marked as another language than the page's.
    assert _flashes(html) == [("", refusal)]
    # Nothing was booked for «Ирбит».
    assert db.session.scalar(select(func.count()).select_from(Reservation)) == 1


@pytest.mark.parametrize(
    ("lang", "refusal"),
    [
        ("en", "There is no booth Z9 on the exhibition plan"),
        ("ru", "Стенда Z9 нет на плане выставки"),
    ],
)
def test_the_error_page_of_a_refusal_is_in_the_visitors_language(app, lang, refusal):
    from tests.factories import make_exhibition

    make_exhibition()
    client = app.test_client()
    page = client.get(f"/test/booths/Z9?lang={lang}")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f"<p>{refusal}</p>" in html  # no lang="ru" on it
    # The API says the same, in the same shape.
    api = client.get(f"/api/v1/exhibitions/test/booths/Z9?lang={lang}")
    assert api.status_code == 404
    assert api.get_json()["error"] == {"code": "not_found", "message": refusal, "details": None}


def test_a_refusal_without_a_translation_stays_russian_and_says_so(app):
    from exhibit.errors import NotFound, tr
    from exhibit.web.site import _domain_error

    # Each in its own app context: Flask-Babel keeps the locale in ``g``.
    with app.app_context(), app.test_request_context("/?lang=en"):
        translated = tr("Стенд %(number)s не свободен", number="A1")
        assert (translated, translated.lang) == ("Booth A1 is not free", "en")
        untranslated = tr("Такой фразы нет в каталоге: %(number)s", number="A1")
        assert (untranslated, untranslated.lang) == ("Такой фразы нет в каталоге: A1", "ru")
        error = NotFound(untranslated)
        assert error.lang == "ru"
        html, status = _domain_error(error)
        assert status == 404
        assert '<p lang="ru">Такой фразы нет в каталоге: A1</p>' in html
        html, _ = _domain_error(NotFound(translated))
        assert "<p>Booth A1 is not free</p>" in html
    with app.app_context(), app.test_request_context("/?lang=ru"):
        russian = tr("Стенд %(number)s не свободен", number="A1")
        assert (russian, russian.lang) == ("Стенд A1 не свободен", "ru")
        html, _ = _domain_error(NotFound(russian))
        assert "<p>Стенд A1 не свободен</p>" in html


def test_signing_in_and_out_keeps_the_chosen_language(client):
    make_user("keeps-english@example.ru", role="organiser")
    client.get("/lang/en")
    login(client, "keeps-english@example.ru")
    assert '<html lang="en">' in client.get(f"/{DEMO_SLUG}/organiser").get_data(as_text=True)
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/account").get_data(as_text=True)
    ).group(1)
    client.post("/logout", data={"csrf_token": token})
    assert '<html lang="en">' in client.get(f"/{DEMO_SLUG}/").get_data(as_text=True)
