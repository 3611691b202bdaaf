"""Search that understands what visitors mean (issue 17), on SQLite and PostgreSQL alike:
partial matches, the thesaurus (curated and the organisers' own lines), compound words,
«did you mean», the closest matches, the zero-results log, neighbours by meaning and
suggestions as you type."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from exhibit.audit import AuditEvent
from exhibit.booking import services as booking
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.errors import DomainError, NotFound
from exhibit.search import index, insights
from exhibit.search.models import SearchMiss, SearchNeighbour, ThesaurusLine
from exhibit.search.services import search, suggestions
from tests.factories import make_exhibition, make_user

CORPUS = [
    ("Администрация города Энска", "Энск", [
        ("Раздельный сбор отходов во дворах", "Контейнеры для пластика и бумаги у каждого дома",
         ["отходы", "экология"]),
        ("Умное уличное освещение", "Светильники с датчиками движения", ["освещение"]),
        ("Ремонт тротуаров по карте обращений", "Жители отмечают ямы на карте", ["дороги"]),
    ]),
    ("ООО «Коммунальные системы»", "Энск", [
        ("Платформа для управляющих компаний", "Коммунальное хозяйство в одном окне",
         ["платформы"]),
        ("Велосипедные дорожки в парке", "Сеть дорожек для велосипедистов", ["транспорт"]),
    ]),
    ("Администрация города Игрекова", "Игреков", [
        ("Умные пешеходные переходы у школ", "Подсветка и датчики у переходов",
         ["безопасность дорожного движения"]),
        ("Экотропа в городском лесу", "Маршрут с табличками о природе", ["экология"]),
    ]),
]  # fmt: skip


@pytest.fixture
def catalogue(app):
    exhibition = make_exhibition(slug="meaning")
    for name, town, solutions in CORPUS:
        db.session.add(
            Exhibitor(
                exhibition_id=exhibition.id, name=name, kind="municipality", region_code="66",
                municipality=town, population=60_000, approved=True,
                solutions=[
                    Solution(title=t, summary=s, track_code="living", stage="pilot", tags=tags)
                    for t, s, tags in solutions
                ],
            )
        )  # fmt: skip
    db.session.commit()
    return exhibition


def titles(result) -> list[str]:
    return [r.title for r in result.results]


def test_a_word_found_nowhere_leaves_the_others_to_match(catalogue):
    result = search(db.session, catalogue, "ремонт тротуаров зимой")
    assert titles(result)[0] == "Ремонт тротуаров по карте обращений"
    assert result.missing == ("зимой",)
    assert not result.found_nothing


def test_documents_with_every_word_come_before_partial_matches(catalogue):
    found = titles(search(db.session, catalogue, "умное освещение"))
    assert found[0] == "Умное уличное освещение"
    assert "Умные пешеходные переходы у школ" in found[1:]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ЖКХ", "Платформа для управляющих компаний"),  # abbreviation → expansion
        ("мусор", "Раздельный сбор отходов во дворах"),  # synonym
        ("фонари", "Умное уличное освещение"),  # related term
        ("БДД", "Умные пешеходные переходы у школ"),  # abbreviation of a tag
        ("велодорожка", "Велосипедные дорожки в парке"),  # compound word
        ("экологическая тропа", "Экотропа в городском лесу"),  # spelled-out compound
        ("street lighting", "Умное уличное освещение"),  # English words, Russian data
    ],
)
def test_what_visitors_mean(catalogue, query, expected):
    assert titles(search(db.session, catalogue, query))[0] == expected


def test_organisers_extend_the_thesaurus_without_code(catalogue):
    organiser = make_user("org@example.ru", "organiser")
    assert search(db.session, catalogue, "помойка").found_nothing
    added = insights.add_thesaurus_lines(
        db.session, "# свалки и помойки\nпомойка = мусор\n\nпомойка = мусор", organiser
    )
    assert [line.line for line in added] == ["помойка = мусор"]  # a repeat is added once
    result = search(db.session, catalogue, "помойка")
    assert titles(result)[0] == "Раздельный сбор отходов во дворах"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "search.thesaurus_added")
    ).one()
    assert event.after == {"line": "помойка = мусор"} and event.user_id == organiser.id

    insights.delete_thesaurus_line(db.session, added[0].id, organiser)
    assert search(db.session, catalogue, "помойка").found_nothing
    with pytest.raises(NotFound):
        insights.delete_thesaurus_line(db.session, added[0].id, organiser)


def test_a_bad_thesaurus_line_refuses_the_whole_text(catalogue):
    organiser = make_user("org@example.ru", "organiser")
    with pytest.raises(DomainError, match="строка 2") as refused:
        insights.add_thesaurus_lines(db.session, "помойка = мусор\nпомойка мусор", organiser)
    assert refused.value.details == {"field": "lines", "line": 2}
    assert db.session.scalars(select(ThesaurusLine)).all() == []
    with pytest.raises(DomainError, match="Нет ни одной строки"):
        insights.add_thesaurus_lines(db.session, "# only a comment", organiser)


def test_zero_results_offer_a_correction_and_the_closest_matches(catalogue):
    result = search(db.session, catalogue, "тратуарав")  # two edits from «тротуаров»
    assert result.found_nothing and result.total == 0
    assert result.did_you_mean == "тротуаров"
    assert [r.title for r in result.closest] == ["Ремонт тротуаров по карте обращений"]
    # One edit is corrected without asking.
    assert titles(search(db.session, catalogue, "тратуаров"))[0].startswith("Ремонт тротуаров")


def test_nothing_close_still_answers(catalogue):
    result = search(db.session, catalogue, "квантовый телепорт")
    assert result.found_nothing and result.total == 0
    assert result.did_you_mean is None
    assert result.missing == ("квантовый", "телепорт")


@pytest.mark.parametrize(
    "query",
    [
        "транспорт благоустройство " * 80,  # 2,000 characters
        "и в на по с",  # only stop words
        "!!! ??? ... --- ***",  # only punctuation
        '"сквер" OR * NEAR(a b) AND NOT title:x ^a -b +c',  # FTS operators
        "'; DROP TABLE solution; -- 1 OR 1=1 UNION SELECT * FROM user",  # SQL fragments
        "Transport транспорт 交通 מוסר",  # mixed scripts
        "🏙️🌳🚲 велодорожка 🚲",  # emoji
        "\x00\u202e\ufeff",
    ],
)
def test_bad_input_never_errors(catalogue, query):
    result = search(db.session, catalogue, query)
    assert result.total >= 0
    assert suggestions(db.session, catalogue, query) is not None


def test_the_zero_results_log_counts_text_and_day_only(catalogue):
    insights.record_miss(db.session, catalogue.id, "квантовый телепорт")
    insights.record_miss(db.session, catalogue.id, "квантовый телепорт")
    insights.record_miss(db.session, catalogue.id, "помойка")
    rows = insights.misses(db.session, catalogue.id)
    assert [(m.query, m.count, m.days) for m in rows] == [
        ("квантовый телепорт", 2, 1),
        ("помойка", 1, 1),
    ]
    # Nothing about who asked is even a column.
    columns = {c["name"] for c in inspect(db.engine).get_columns("search_miss")}
    assert columns == {"id", "exhibition_id", "query", "day", "count"}
    # An old day falls out of the window.
    old = db.session.scalars(select(SearchMiss).where(SearchMiss.query == "помойка")).one()
    old.day = old.day - dt.timedelta(days=40)
    db.session.commit()
    assert [m.query for m in insights.misses(db.session, catalogue.id)] == ["квантовый телепорт"]


def test_the_zero_results_log_caps_new_queries_per_day(catalogue, monkeypatch):
    monkeypatch.setattr(insights, "MAX_NEW_PER_DAY", 2)
    for text in ("один", "два", "три", "один"):
        insights.record_miss(db.session, catalogue.id, text)
    counts = {m.query: m.count for m in insights.misses(db.session, catalogue.id)}
    assert counts == {"один": 2, "два": 1}


def test_neighbours_by_meaning_are_found_below_exact_matches(catalogue):
    def vector(word: str):
        close = {"отходы", "отходов", "мусор", "пластика", "пластик"}
        return [1.0, 0.0] if word in close else ([0.0, 1.0] if word.isalpha() else None)

    assert "Раздельный сбор отходов во дворах" not in titles(
        search(db.session, catalogue, "пластмасса")
    )
    pairs = index.rebuild_neighbours(db.session, vector)
    db.session.commit()
    assert pairs and db.session.scalars(select(SearchNeighbour)).first() is not None
    found = titles(search(db.session, catalogue, "отходы"))
    assert found[0] == "Раздельный сбор отходов во дворах"
    assert index.rebuild_neighbours(db.session, lambda word: None) == 0
    db.session.commit()


def test_suggestions_name_solutions_exhibitors_towns_and_booths(catalogue):
    organiser = make_user("org@example.ru", "organiser")
    exhibitor = db.session.scalars(
        select(Exhibitor).where(Exhibitor.name == "Администрация города Игрекова")
    ).one()
    reservation = booking.hold_booth(db.session, catalogue, "A3", exhibitor, organiser)
    booking.confirm_reservation(db.session, reservation.id, organiser)
    db.session.commit()

    def kinds(q: str) -> list[tuple[str, str]]:
        return [(s.kind, s.label) for s in suggestions(db.session, catalogue, q)]

    assert kinds("вело") == [("solution", "Велосипедные дорожки в парке")]
    assert ("town", "Игреков") in kinds("игр")
    assert ("exhibitor", "Администрация города Игрекова") in kinds("игр")
    assert kinds("a3")[0] == ("booth", "A3")
    assert kinds("a-3")[0] == ("booth", "A3")


def test_search_reindex_computes_or_drops_neighbours(app, catalogue, monkeypatch):
    from exhibit.search import neighbours

    runner = app.test_cli_runner()
    monkeypatch.setattr(neighbours, "load_vectors", lambda: None)
    refused = runner.invoke(args=["search-reindex", "--neighbours"])
    assert refused.exit_code == 1 and "natasha" in refused.output
    monkeypatch.setattr(
        neighbours,
        "load_vectors",
        lambda: lambda w: [1.0, 0.0] if w in ("пластика", "отходов") else None,
    )
    done = runner.invoke(args=["search-reindex", "--neighbours"])
    assert done.exit_code == 0, done.output
    assert "Пар соседей по смыслу: 2." in done.output
    assert runner.invoke(args=["search-reindex"]).exit_code == 0  # keeps them
    assert len(db.session.scalars(select(SearchNeighbour)).all()) == 2
    dropped = runner.invoke(args=["search-reindex", "--no-neighbours"])
    assert "Пар соседей по смыслу: 0." in dropped.output


def test_init_db_fills_the_tags_of_documents_from_before_migration_0004(app, catalogue):
    from sqlalchemy import update

    from exhibit.search.models import SearchDocument

    db.session.execute(update(SearchDocument).values(tags_terms=""))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Поисковый индекс построен заново" in result.output
    tags = db.session.scalars(
        select(SearchDocument.tags_terms).where(SearchDocument.kind == "solution")
    ).all()
    assert all(tags)  # every solution of the corpus has tags
    again = app.test_cli_runner().invoke(args=["init-db"])
    assert "Поисковый индекс" not in again.output
