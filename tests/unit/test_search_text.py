"""Search text processing: Russian word forms, typos, layout, transliteration, booth numbers.

The pure functions are tested on their own, then together against a real SQLite FTS5 table
holding a small catalogue the way the index stores it (:func:`to_index_text`).
"""

from __future__ import annotations

import ast
import random
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exhibit.search import text as search_text
from exhibit.search.text import (
    MAX_TERMS,
    QueryPlan,
    Term,
    TypoIndex,
    Variant,
    booth_number_candidates,
    edit_distance,
    fix_layout,
    fts5_match,
    match_prefix,
    max_edits,
    normalise,
    query_terms,
    stem,
    stems,
    to_index_text,
    tokenise,
    transliterate_to_cyrillic,
    transliterate_to_latin,
    tsquery,
    typo_candidates,
)

FAST = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A catalogue of municipal solutions: (title, summary).
CORPUS: dict[int, tuple[str, str]] = {
    1: (
        "Транспортная реформа в Екатеринбурге",
        "Новая маршрутная сеть, выделенные полосы и единый билет для общественного транспорта.",
    ),
    2: (
        "Благоустроили сквер у Дома культуры",
        "Жители Ирбита выбрали проект, и город благоустроил сквер за одно лето.",
    ),
    3: (
        "Учёт объёма отходов",
        "Датчики заполненности контейнеров в Нижнем Тагиле показывают объём вывоза мусора.",
    ),
    4: (
        "Цифровая платформа обращений граждан",
        "Единое окно для жалоб: ЖКХ, дороги, освещение. Ответ — в течение суток.",
    ),
    5: (
        "Тест умных светофоров",
        "Тестирование адаптивного управления перекрёстками в Каменске-Уральском.",
    ),
    6: (
        "Школьные автобусы по расписанию",
        "GPS-трекинг школьных автобусов в Первоуральске, уведомления родителям.",
    ),
    7: ("Smart City: открытые данные", "Портал open data города Тагил с API для разработчиков."),
    8: (
        "Благоустройство дворовых территорий",
        "Ремонт дворов по программе «Формирование комфортной городской среды».",
    ),
    9: ("Зарядные станции для электромобилей", "Сеть быстрых зарядных станций на парковках."),
    10: ("Электроснабжение промышленной зоны", "Новая подстанция и кабельные линии."),
    11: (
        "Цифровизация муниципального управления",
        "Электронный документооборот администрации и муниципалитета.",
    ),
}

# query → the solutions it must find (exactly), with the index's vocabulary at hand.
EXPECTED: list[tuple[str, set[int]]] = [
    # word forms
    ("транспорт", {1}),
    ("транспортная реформа", {1}),
    ("реформы транспорта", {1}),
    ("благоустройство скверов", {2}),
    ("благоустроенный сквер", {2}),
    ("благоустройство", {2, 8}),
    ("сквер", {2}),
    ("цифровой", {4, 11}),
    ("цифровизация", {4, 11}),
    ("муниципалитет", {11}),
    ("муниципальный", {11}),
    ("городская среда", {8}),
    ("электромобили", {9}),
    ("электроснабжение", {10}),
    ("Школьный автобус", {6}),
    # ё = е
    ("объем", {3}),
    ("объём", {3}),
    ("объема отходов", {3}),
    ("перекресток", {5}),
    # typos (one edit, words of 5+ letters)
    ("транспртная", {1}),
    ("кантейнеров", {3}),
    ("светафор", {5}),
    ("благоустройсвто", {2, 8}),
    # wrong keyboard layout
    ("ntcn", {5}),
    (",kfujecnhjqcndj", {2, 8}),
    ("Ghbdtn", set()),
    ("cdtnjajh", {5}),
    # transliteration
    ("Irbit", {2}),
    ("Ekaterinburg", {1}),
    ("Yekaterinburg", {1}),
    ("Nizhny Tagil", {3}),
    ("Nizhniy Tagil", {3}),
    ("Tagil", {3, 7}),
    ("Kamensk-Uralsky", {5}),
    ("Pervouralsk", {6}),
    # Latin words of the catalogue itself
    ("smart city", {7}),
    ("open data", {7}),
    ("GPS", {6}),
    # stop words and FTS words are words, not syntax
    ("транспорт OR благоустройство", set()),
    ("сквер и дом", {2}),
]

# Pieces of FTS5 and SQL syntax, and characters that normalising treats specially.
SOUP = (
    *('"', "*", "(", ")", ":", "^", "+", "-", "'", "\\", "\x00", ",", ";", "[", "`", "{", "}"),
    *("NEAR", "NEAR(", "OR", "AND", "NOT", "title", "rowid", "2025", "сквер", "ghbdtn", "B12"),
    *(" ", "  ", "\t", "Ё", "ё", "й", "ь", "ъ", "\u0301", "\u00ad"),
)

HOSTILE = [
    '"',
    '""',
    "*",
    "NEAR(",
    "NEAR(транспорт сквер, 2)",
    "OR",
    "AND",
    "NOT",
    "транспорт OR",
    "OR транспорт AND",
    "(сквер",
    "сквер)",
    "title:сквер",
    "^сквер",
    "сквер*",
    "-сквер",
    "+сквер",
    "'; DROP TABLE solutions; --",
    '" OR 1=1 --',
    "\\",
    "\x00",
    "{title body}: сквер",
    "сквер" + "а" * 10_000,
    "транспорт " * 1_000,
    "NEAR( " * 2_000,
]


@pytest.fixture(scope="module")
def catalogue() -> Iterator[sqlite3.Connection]:
    """An in-memory FTS5 table of CORPUS, stored as the index stores it."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE doc USING fts5(title, summary)")
    db.executemany(
        "INSERT INTO doc (rowid, title, summary) VALUES (?, ?, ?)",
        [(i, to_index_text(t), to_index_text(s)) for i, (t, s) in CORPUS.items()],
    )
    db.execute("CREATE VIRTUAL TABLE doc_terms USING fts5vocab(doc, 'row')")
    yield db
    db.close()


@pytest.fixture(scope="module")
def vocabulary(catalogue: sqlite3.Connection) -> TypoIndex:
    return TypoIndex(term for (term,) in catalogue.execute("SELECT term FROM doc_terms"))


def search(db: sqlite3.Connection, expression: str | None) -> set[int]:
    if expression is None:
        return set()
    return {row for (row,) in db.execute("SELECT rowid FROM doc WHERE doc MATCH ?", (expression,))}


# --- the module is pure ------------------------------------------------------------------------


def test_imports_only_the_standard_library_and_pystemmer():
    tree = ast.parse(Path(search_text.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported - set(sys.stdlib_module_names) == {"Stemmer"}


# --- normalising and tokenising ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Объём", "объем"),
        ("ЁЛКА", "елка"),
        ("Йошкар-Ола", "йошкар-ола"),
        ("тра́нспорт", "транспорт"),
        ("Café  Straße", "cafe strasse"),
        ("«Город» — „среда“", '"город" - "среда"'),
        ("Каменск‑Уральский", "каменск-уральский"),  # a non-breaking hyphen
        ("благо\u00adустройство", "благоустройство"),  # a soft hyphen
        ("  много \t\n пробелов ", "много пробелов"),
        ("м²", "м2"),
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_tokenise_keeps_booth_numbers_whole_and_splits_hyphenated_words():
    assert tokenise("Стенд B-12, А-5; Каменск-Уральский, COVID-19 — 1,5 млн") == [
        "стенд",
        "b12",
        "а5",
        "каменск",
        "уральский",
        "covid",
        "19",
        "1",
        "5",
        "млн",
    ]
    assert tokenise(" ,.;!? ") == []


# --- stems and the prefix rule -----------------------------------------------------------------


def test_stem_russian_english_and_other():
    assert stem("транспортная") == "транспортн"
    assert stem("скверов") == stem("сквер") == "сквер"
    assert stem("apps") == "app"
    assert stem("b12") == "b12"
    assert stem("2025") == "2025"
    assert stems("Благоустроили скверы") == ["благоустро", "сквер"]


def test_index_text_stores_stems_and_words():
    assert to_index_text("Благоустроили скверы") == "благоустро благоустроили сквер скверы"
    assert to_index_text("Учёт объёма") == "учет объем объема"


@pytest.mark.parametrize(
    ("query_word", "document_word"),
    [
        ("транспорт", "транспортная"),
        ("транспортная", "транспорта"),
        ("благоустройство", "благоустроили"),
        ("благоустроили", "благоустройство"),
        ("благоустроенный", "благоустройства"),
        ("городской", "городов"),
        ("цифровизация", "цифровой"),
        ("управление", "управляющая"),
        ("информационная", "информация"),
        ("территориальный", "территория"),
        ("образовательный", "образование"),
        ("спортивный", "спорт"),
        ("тагиле", "Тагил"),
        ("объёма", "объём"),
    ],
)
def test_query_prefix_meets_other_word_forms(query_word, document_word):
    """The query's match prefix starts one of the terms the index stores for the other form."""
    prefix = match_prefix(stem(normalise(query_word)))
    stored = to_index_text(document_word).split()
    assert any(term.startswith(prefix) for term in stored), (prefix, stored)


@pytest.mark.parametrize(
    ("query_word", "document_word"),
    [("электромобили", "электроснабжение"), ("электронный", "электромобили")],
)
def test_query_prefix_keeps_different_words_apart(query_word, document_word):
    prefix = match_prefix(stem(query_word))
    assert not any(t.startswith(prefix) for t in to_index_text(document_word).split())


def test_match_prefix_rule():
    assert match_prefix("благоустройств") == "благоустро"
    assert match_prefix("транспортн") == "транспорт"
    assert match_prefix("электрон") == "электрон"  # н after a vowel is not a tail
    assert match_prefix("городск") == "город"
    assert match_prefix("сквер") == "сквер"  # short stems stay whole
    assert match_prefix("организац") == "организац"  # not «орган»
    assert match_prefix("transport") == "transport"


# --- keyboard layout ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("ghbdtn", "привет"),
        ("ntcn", "тест"),
        ("Ghbdtn", "Привет"),
        (",kfujecnhjqcndj", "благоустройство"),
        (",.l;tn", "бюджет"),
        ("j,]tv", "объем"),
        ("руддщ", "hello"),
        ("ghbdtn vbh", "привет мир"),
        ("ntcn 2025", "тест 2025"),
    ],
)
def test_fix_layout(typed, meant):
    assert fix_layout(typed) == meant


@pytest.mark.parametrize("text", ["", "   ", "2025", "!?-", "🙂"])
def test_fix_layout_without_letters_is_none(text):
    assert fix_layout(text) is None


# --- transliteration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ekaterinburg", "екатеринбург"),
        ("Yekaterinburg", "екатеринбург"),
        ("Irbit", "ирбит"),
        ("Nizhny Tagil", "нижний тагил"),
        ("Nizhniy Tagil", "нижний тагил"),
        ("Nizhnii Tagil", "нижний тагил"),
        ("Pervouralsk", "первоуральск"),
        ("Kamensk-Uralsky", "каменск-уральский"),
        ("Kamensk-Uralskiy", "каменск-уральский"),
        ("Chelyabinsk", "челябинск"),
        ("Tyumen", "тюмень"),
        ("Syktyvkar", "сыктывкар"),
        ("Khanty-Mansiysk", "ханты-мансийск"),
        ("Yoshkar-Ola", "йошкар-ола"),
        ("Shchyolkovo", "щелково"),
        ("Shhyolkovo", "щелково"),  # GOST 7.79-B
        ("Xabarovsk", "хабаровск"),
        ("Ulyanovsk", "ульяновск"),
        ("Tolyatti", "тольятти"),
        ("Yaroslavl", "ярославль"),
        ("Iaroslavl", "ярославль"),
        ("Cheboksary", "чебоксары"),
        ("Naberezhnye Chelny", "набережные челны"),
        ("Irkutsk", "иркутск"),
        ("Bratsk", "братск"),
        ("Novy Urengoy", "новый уренгой"),
        ("Perm", "пермь"),
        ("Kazan", "казань"),
        ("Elista", "элиста"),
        ("Rossiya", "россия"),
        ("Mytishchi", "мытищи"),
        ("Sergiyev Posad", "сергиев посад"),
    ],
)
def test_transliterate_to_cyrillic_finds_real_town_names(latin, cyrillic):
    candidates = transliterate_to_cyrillic(latin)
    assert cyrillic in candidates
    assert len(candidates) <= 12


def test_transliterate_to_cyrillic_puts_the_likeliest_first():
    assert transliterate_to_cyrillic("Irbit")[0] == "ирбит"
    assert transliterate_to_cyrillic("Ekaterinburg")[0] == "екатеринбург"
    assert transliterate_to_cyrillic("Kamensk-Uralsky")[0] == "каменск-уральский"
    assert transliterate_to_cyrillic("Pervouralsk")[0] == "первоуральск"
    assert transliterate_to_cyrillic("город") == []


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Нижний Тагил", "nizhniy tagil"),
        ("Щёлково", "shchelkovo"),
        ("Екатеринбург", "ekaterinburg"),
        ("Тольятти", "tolyatti"),
        ("Ханты-Мансийск", "khanty-mansiysk"),
        ("Объём", "obem"),
        ("B12", "b12"),
    ],
)
def test_transliterate_to_latin(cyrillic, latin):
    assert transliterate_to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    "town", ["Екатеринбург", "Ирбит", "Нижний Тагил", "Первоуральск", "Челябинск", "Тюмень"]
)
def test_transliteration_round_trip(town):
    assert normalise(town) in transliterate_to_cyrillic(transliterate_to_latin(town))


# --- booth numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("B12", ["B12"]),
        ("b12", ["B12"]),
        ("B-12", ["B12"]),
        ("b 12", ["B12"]),
        ("В12", ["B12", "D12"]),  # Cyrillic В: looks like B, sits on the D key
        ("И12", ["B12"]),  # B typed in the Russian layout
        ("АА3", ["AA3", "FF3"]),
        ("c7", ["C7"]),
        ("B012", ["B12"]),
        ("транспорт", []),
        ("12", []),
        ("B", []),
        ("ABC12", []),
        ("B12345", []),
    ],
)
def test_booth_number_candidates(token, expected):
    assert booth_number_candidates(token) == expected


# --- edit distance and typos -------------------------------------------------------------------


def _osa(a: str, b: str) -> int:
    """Reference optimal string alignment distance, straight from the definition."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("транспорт", "транспорт", 0),
        ("транспртная", "транспортная", 1),
        ("свтеофор", "светофор", 1),  # a swap is one edit
        ("кантейнер", "контейнер", 1),
        ("сквер", "скверы", 1),
        ("город", "народ", 2),
        ("", "abc", 3),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_edit_distance_stops_at_the_limit():
    assert edit_distance("благоустройство", "электроснабжение", 1) == 2
    assert edit_distance("a" * 50, "b" * 50, 2) == 3
    assert edit_distance("сквер", "скверы", 1) == 1


@FAST
@given(st.text("абвгаб", max_size=9), st.text("абвгаб", max_size=9), st.integers(0, 4))
def test_edit_distance_matches_the_definition(a, b, limit):
    assert edit_distance(a, b) == _osa(a, b)
    assert edit_distance(a, b, limit) == min(_osa(a, b), limit + 1)


def test_max_edits_policy():
    assert max_edits("сквр") == 0
    assert max_edits("скевр") == 1
    assert max_edits("транспртная") == 1
    assert max_edits("транспртная", max_distance=2) == 2
    assert max_edits("светафор", max_distance=2) == 1


def test_typo_candidates_from_a_plain_list_and_from_an_index():
    words = ["транспортная", "транспортный", "транспорт", "сквер", "скверы", "светофор"]
    assert typo_candidates("транспртная", words) == ["транспортная"]
    assert typo_candidates("светафор", words) == ["светофор"]
    assert typo_candidates("скевр", words) == ["сквер"]
    assert typo_candidates("свет", words) == []  # too short for a guess
    index = TypoIndex(words)
    for word in ("транспртная", "светафор", "скевр", "свет", "транспорт"):
        assert typo_candidates(word, index) == typo_candidates(word, words)


def _typo(word: str, rng: random.Random) -> str:
    letters = list(word)
    k = rng.randrange(len(letters))
    match rng.choice("sdit"):
        case "s":
            letters[k] = rng.choice("абвгдеклмнопрст")
        case "d":
            del letters[k]
        case "i":
            letters.insert(k, rng.choice("абвгдеклмнопрст"))
        case _ if k + 1 < len(letters):
            letters[k], letters[k + 1] = letters[k + 1], letters[k]
    return "".join(letters)


@pytest.mark.parametrize("max_distance", [1, 2])
def test_typo_index_finds_what_a_scan_finds(max_distance):
    rng = random.Random(7)
    syllables = re.findall(r"\S+", "ба ва го да ке ло ми но пу ра сы ту ст пр кр")
    vocabulary = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 6))) for _ in range(2000)}
    )
    index = TypoIndex(vocabulary, max_distance=max_distance)
    for word in rng.sample(vocabulary, 100):
        query = _typo(_typo(word, rng), rng) if max_distance == 2 else _typo(word, rng)
        allowed = max_edits(query, max_distance)
        # A scan (edit_distance itself is checked against the definition above).
        distances = {w: edit_distance(query, w, allowed) for w in vocabulary if w != query}
        near = [w for w, d in distances.items() if d <= allowed]
        expected = sorted(near, key=lambda w: (distances[w], w))
        assert index.candidates(query, limit=1000) == expected


def test_typo_index_prefixes():
    index = TypoIndex(["благоустро", "сквер", "транспортн"])
    assert index.has_prefix("благо")
    assert index.has_prefix("сквер")
    assert not index.has_prefix("скверы")
    assert not index.has_prefix("я")
    assert "сквер" in index
    assert len(index) == 3
    with pytest.raises(ValueError):
        TypoIndex([], max_distance=3)


# --- query plans -------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", " ", "\t\n ", "!!!", '"*"', "()"])
def test_empty_queries_give_an_empty_plan(query):
    plan = query_terms(query)
    assert plan == QueryPlan()
    assert plan.is_empty
    assert fts5_match(plan) is None
    assert tsquery(plan) is None


def test_plan_of_a_simple_query():
    plan = query_terms("Благоустройство  СКВЕРОВ")
    assert plan.text == "благоустройство скверов"
    assert plan.words == ("благоустройство", "скверов")
    assert plan.stems == ("благоустройств", "сквер")
    assert [t.variants[0].match for t in plan.terms] == ["благоустро", "сквер"]
    assert all(v.kind == "typed" for t in plan.terms for v in t.variants)
    assert fts5_match(plan) == '"благоустро"* AND "сквер"*'
    assert tsquery(plan) == "'благоустро':* & 'сквер':*"
    assert not plan.truncated


def test_plan_drops_stop_words_and_repeats_unless_nothing_else_is_left():
    assert query_terms("сквер и дом у сквера").words == ("сквер", "дом", "сквера")
    assert query_terms("сквер сквер сквер").words == ("сквер",)
    assert query_terms("и в на").words == ("и", "в", "на")


def test_numbers_and_short_words_match_whole():
    plan = query_terms("ЖК 2025")
    assert [(v.match, v.prefix) for t in plan.terms for v in t.variants[:1]] == [
        ("жк", False),
        ("2025", False),
    ]
    assert fts5_match(plan) == '"жк" AND "2025"'
    assert tsquery(plan) == "'жк' & '2025'"


def test_plan_booth_numbers_are_looked_up_not_searched():
    plan = query_terms("b12")
    assert plan.booths == ("B12",)
    assert plan.terms == ()
    assert not plan.is_empty
    assert fts5_match(plan) is None
    plan = query_terms("стенд В-12 транспорт")
    assert plan.booths == ("B12", "D12")
    assert plan.words == ("стенд", "транспорт")


def test_plan_guesses_without_a_vocabulary():
    def guesses(query: str) -> dict[str, set[str]]:
        plan = query_terms(query)
        return {t.word: {f"{v.kind}:{v.match}" for v in t.variants[1:]} for t in plan.terms}

    assert guesses("ntcn") == {"ntcn": {"layout:тест"}}
    assert guesses(",kfujecnhjqcndj") == {"kfujecnhjqcndj": {"layout:благоустро"}}
    assert "translit:ирб" in guesses("Irbit")["irbit"]
    assert "translit:нижн" in guesses("Nizhny Tagil")["nizhny"]
    # English words stay English, Cyrillic words are not turned into Latin guesses, and a
    # typo cannot be corrected without a vocabulary.
    assert guesses("smart city") == {"smart": set(), "city": set()}
    assert guesses("руддщ транспртная") == {"руддщ": set(), "транспртная": set()}


def test_plan_guesses_are_checked_against_the_vocabulary():
    vocabulary = TypoIndex(to_index_text("тест транспортная реформа hello ирбит").split())
    plan = query_terms("ntcn транспртная руддщ Irbit Ekaterinburg", vocabulary)
    kinds = {t.word: [(v.kind, v.match) for v in t.variants] for t in plan.terms}
    assert kinds["ntcn"] == [("typed", "ntcn"), ("layout", "тест")]
    assert ("typo", "транспорт") in kinds["транспртная"]
    assert kinds["руддщ"] == [("typed", "руддщ"), ("layout", "hello")]
    assert kinds["irbit"] == [("typed", "irbit"), ("translit", "ирб")]
    assert kinds["ekaterinburg"] == [("typed", "ekaterinburg")]  # not in this catalogue
    strict = fts5_match(plan, kinds={"typed"})
    assert strict == '"ntcn"* AND "транспрт"* AND "руддщ"* AND "irbit"* AND "ekaterinburg"*'


def test_a_long_query_is_cut():
    plan = query_terms(" ".join(f"слово{i}" for i in range(5_000)))
    assert plan.truncated
    assert len(plan.terms) == MAX_TERMS
    plan = query_terms("я" * 10_000)
    assert plan.truncated
    assert len(plan.terms) == 1
    assert len(plan.terms[0].word) <= 40


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_safe_expressions(query):
    plan = query_terms(query)
    assert len(plan.terms) <= MAX_TERMS
    assert re.fullmatch(r"[^\W_]*( [^\W_]+)*", plan.text)
    _assert_fts5_grammar(fts5_match(plan))
    _assert_tsquery_grammar(tsquery(plan))


def test_expressions_refuse_a_hand_made_plan_with_syntax():
    evil = Variant('a" OR "b', "x", 'a" OR "b', True, "typed")
    plan = QueryPlan(terms=(Term("x", (evil,)),))
    with pytest.raises(ValueError):
        fts5_match(plan)
    with pytest.raises(ValueError):
        tsquery(plan)


_FTS5_TERM = r'"[^\W_]+"\*?'
_FTS5_GROUP = rf"(?:{_FTS5_TERM}|\({_FTS5_TERM}(?: OR {_FTS5_TERM})+\))"
_TS_TERM = r"'[^\W_]+'(?::\*)?"
_TS_GROUP = rf"(?:{_TS_TERM}|\({_TS_TERM}(?: \| {_TS_TERM})+\))"


def _assert_fts5_grammar(expression: str | None) -> None:
    assert expression is None or re.fullmatch(rf"{_FTS5_GROUP}(?: AND {_FTS5_GROUP})*", expression)


def _assert_tsquery_grammar(expression: str | None) -> None:
    assert expression is None or re.fullmatch(rf"{_TS_GROUP}(?: & {_TS_GROUP})*", expression)


# --- against a real FTS5 index -----------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), EXPECTED, ids=[q for q, _ in EXPECTED])
def test_catalogue_search_finds_the_right_solutions(catalogue, vocabulary, query, expected):
    assert search(catalogue, fts5_match(query_terms(query, vocabulary))) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("благоустройство скверов", {2}),
        ("объем", {3}),
        ("ntcn", {5}),
        ("Irbit", {2}),
        ("Nizhny Tagil", {3}),
        ("транспртная", set()),  # a typo needs the vocabulary
    ],
)
def test_catalogue_search_without_a_vocabulary(catalogue, query, expected):
    assert search(catalogue, fts5_match(query_terms(query))) == expected


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_run_in_fts5(catalogue, vocabulary, query):
    search(catalogue, fts5_match(query_terms(query)))
    search(catalogue, fts5_match(query_terms(query, vocabulary)))


@FAST
@given(text=st.text(max_size=300))
def test_any_text_gives_a_valid_fts5_expression(catalogue, vocabulary, text):
    for plan in (query_terms(text), query_terms(text, vocabulary)):
        expression = fts5_match(plan)
        _assert_fts5_grammar(expression)
        _assert_tsquery_grammar(tsquery(plan))
        if expression is not None:
            catalogue.execute("SELECT rowid FROM doc WHERE doc MATCH ?", (expression,)).fetchall()


@FAST
@given(
    text=st.lists(
        st.sampled_from(SOUP),
        max_size=40,
    ).map("".join)
)
def test_fts_syntax_soup_gives_a_valid_fts5_expression(catalogue, text):
    expression = fts5_match(query_terms(text))
    _assert_fts5_grammar(expression)
    if expression is not None:
        catalogue.execute("SELECT count(*) FROM doc WHERE doc MATCH ?", (expression,)).fetchall()
