"""Russian search on both engines: word forms, typos, layout, transliteration, booth numbers,
ё = е, ranking, facets, and an index that follows the data."""

from __future__ import annotations

import pytest

from exhibit.booking import services as booking
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.errors import InvalidParameter
from exhibit.search.services import search
from tests.factories import make_exhibition, make_user

CORPUS = [
    # exhibitor, kind, region, municipality, population,
    # [(title, summary, description, track, stage, tags)]
    ("Администрация города Екатеринбурга", "municipality", "66", "Екатеринбург", 1_539_371, [
        ("Транспортная реформа Екатеринбурга", "Новая маршрутная сеть и выделенные полосы",
         "Маршрутная сеть перестроена: время в пути сократилось на 18 %.", "living", "operation",
         ["транспорт", "мобильность"]),
        ("Цифровой двойник города", "Модель города для решений о застройке",
         "Данные о транспорте и застройке в одной модели.", "governance", "pilot",
         ["цифровизация"]),
    ]),
    ("Администрация городского округа «Город Ирбит»", "municipality", "66", "Ирбит", 36_000, [
        ("Благоустроили сквер у ДК", "Сквер у Дома культуры стал местом встреч",
         "Жители выбрали проект сквера; объём работ — 1,2 га.", "living", "operation",
         ["благоустройство", "малые города"]),
        ("Ирбитская ярмарка: туристический маршрут", "Маршрут по ярмарочному кварталу",
         "Туристов стало больше на 40 %.", "tourism", "scaled", ["туризм"]),
    ]),
    ("ООО «Городская мобильность»", "company", "77", None, None, [
        ("Платформа для перевозчиков", "Сервис планирования рейсов",
         "Помогает провести транспортную реформу в любом городе.", "platform", "pilot",
         ["транспорт"]),
    ]),
    ("Уральский федеральный университет", "university", "66", "Екатеринбург", None, [
        ("Школа городского управления", "Обучение команд муниципалитетов",
         "Программа для глав и заместителей.", "human-capital", "operation", ["образование"]),
    ]),
]  # fmt: skip


@pytest.fixture
def catalogue(app):
    exhibition = make_exhibition(slug="search")
    made = {}
    for name, kind, region, municipality, population, solutions in CORPUS:
        exhibitor = Exhibitor(
            exhibition_id=exhibition.id, name=name, kind=kind, region_code=region,
            municipality=municipality, population=population, approved=True,
            solutions=[
                Solution(title=t, summary=s, description=d, track_code=tr, stage=st, tags=tags)
                for t, s, d, tr, st, tags in solutions
            ],
        )  # fmt: skip
        db.session.add(exhibitor)
        made[name] = exhibitor
    hidden = Exhibitor(
        exhibition_id=exhibition.id, name="Шадринск", kind="municipality", approved=False,
        solutions=[
            Solution(title="Транспортная схема Шадринска", track_code="living", stage="idea")
        ],
    )  # fmt: skip
    db.session.add(hidden)
    db.session.commit()
    return exhibition, made


def titles(result) -> list[str]:
    return [r.title for r in result.results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("транспорт", "Транспортная реформа Екатеринбурга"),
        ("Транспортной реформы", "Транспортная реформа Екатеринбурга"),
        ("благоустройство скверов", "Благоустроили сквер у ДК"),
        ("транспртная", "Транспортная реформа Екатеринбурга"),  # a typo
        (",kfujecnhjqcndj", "Благоустроили сквер у ДК"),  # typed in the Latin layout
        ("Irbit", "Администрация городского округа «Город Ирбит»"),
        ("Ekaterinburg", "Администрация города Екатеринбурга"),
        ("объем работ", "Благоустроили сквер у ДК"),  # ё = е
        ("ЯРМАРКА", "Ирбитская ярмарка: туристический маршрут"),
    ],
)
def test_queries_find_what_a_person_means(catalogue, query, expected):
    exhibition, _ = catalogue
    assert expected in titles(search(db.session, exhibition, query))


def test_title_matches_rank_above_description_matches(catalogue):
    exhibition, _ = catalogue
    found = titles(search(db.session, exhibition, "транспортная реформа"))
    assert found.index("Транспортная реформа Екатеринбурга") < found.index(
        "Платформа для перевозчиков"
    )


def test_exact_words_rank_above_guesses(catalogue):
    exhibition, _ = catalogue
    found = titles(search(db.session, exhibition, "маршрут"))
    assert found[0] == "Ирбитская ярмарка: туристический маршрут"


def test_booth_numbers_find_who_stands_there(catalogue):
    exhibition, made = catalogue
    organiser = make_user("org@example.ru", "organiser")
    irbit = made["Администрация городского округа «Город Ирбит»"]
    reservation = booking.hold_booth(db.session, exhibition, "A3", irbit, organiser)
    booking.confirm_reservation(db.session, reservation.id, organiser)
    db.session.commit()
    result = search(db.session, exhibition, "a3")
    assert result.results[0].title == irbit.name
    assert result.results[0].booths == ["A3"]


def test_unapproved_exhibitors_are_not_found(catalogue):
    exhibition, _ = catalogue
    assert "Транспортная схема Шадринска" not in titles(search(db.session, exhibition, "транспорт"))


def test_facets_count_and_filter(catalogue):
    exhibition, _ = catalogue
    everything = search(db.session, exhibition, "транспорт")
    tracks = {value: count for value, _, count in everything.facets["track"]}
    assert tracks["living"] >= 1 and tracks["platform"] == 1
    filtered = search(db.session, exhibition, "транспорт", {"track": "platform"})
    assert titles(filtered) == ["Платформа для перевозчиков"]
    # The track facet still offers the other tracks while one is chosen.
    assert {v for v, _, _ in filtered.facets["track"]} >= {"living", "platform"}
    small = search(db.session, exhibition, "", {"size": "small"})
    assert {r.exhibitor.municipality for r in small.results} == {"Ирбит"}
    assert search(db.session, exhibition, "", {"kind": "university"}).total == 2


def test_unknown_facet_values_are_refused(catalogue):
    exhibition, _ = catalogue
    with pytest.raises(InvalidParameter, match="track"):
        search(db.session, exhibition, "транспорт", {"track": "nope"})
    with pytest.raises(InvalidParameter):
        search(db.session, exhibition, "", {"colour": "red"})


@pytest.mark.parametrize(
    "query", ['"', "*", "NEAR(", "OR", "транспорт OR", "'; DROP TABLE solution; --", "x" * 10_000,
              "   ", "(((", "title:транспорт", "^a", "\x00"],
)  # fmt: skip
def test_hostile_queries_are_just_text(catalogue, query):
    exhibition, _ = catalogue
    result = search(db.session, exhibition, query)
    assert result.total >= 0


def test_the_index_follows_changes(catalogue):
    exhibition, made = catalogue
    solution = made["Уральский федеральный университет"].solutions[0]
    solution.title = "Школа сити-менеджеров"
    db.session.commit()
    assert "Школа сити-менеджеров" in titles(search(db.session, exhibition, "менеджеров"))
    db.session.delete(solution)
    db.session.commit()
    assert search(db.session, exhibition, "менеджеров").total == 0
    irbit = made["Администрация городского округа «Город Ирбит»"]
    irbit.municipality = "Ирбит (Свердловская область)"
    irbit.solutions.append(Solution(title="Новый музей", track_code="tourism", stage="idea"))
    db.session.commit()
    assert "Новый музей" in titles(search(db.session, exhibition, "музей"))


def test_paging(catalogue):
    exhibition, _ = catalogue
    first = search(db.session, exhibition, "", limit=3)
    second = search(db.session, exhibition, "", limit=3, offset=3)
    assert first.total == second.total == 10
    assert not set(titles(first)) & set(titles(second))
