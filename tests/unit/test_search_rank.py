"""Ranking, the thesaurus, compound words, suggestions and neighbours by meaning — the pure
parts of issue 17, on small catalogues made here."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exhibit.search.neighbours import nearest
from exhibit.search.rank import FIELD_WEIGHTS, RankIndex, concepts
from exhibit.search.suggest import SuggestIndex, Suggestion
from exhibit.search.text import compound_parts, query_terms, to_index_text
from exhibit.search.thesaurus import (
    RELATED_WEIGHT,
    SYNONYM_WEIGHT,
    Thesaurus,
    ThesaurusError,
    load_default,
    parse,
    parse_line,
)

FAST = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def index_of(docs: dict[str, tuple[str, str, str, str]]) -> RankIndex:
    """Documents keyed by a name: (title, tags, summary, body) in plain text."""
    return RankIndex(
        (name, tuple(to_index_text(field) for field in fields)) for name, fields in docs.items()
    )


def ranked(
    index: RankIndex, query: str, thesaurus: Thesaurus | None = None, neighbours=None
) -> list[str]:
    plan = query_terms(query)
    return index.rank(concepts(plan, thesaurus, neighbours)).keys  # type: ignore[return-value]


# --- compound words -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("велодорожка", ("велосипед", "дорожк")),
        ("экотропы", ("эколог", "троп")),
        ("электроснабжение", ("электрич", "снабжен")),
        ("теплосети", ("тепл", "сет")),
        ("автобус", ()),  # the rest is too short to be a word
        ("экология", ()),  # a form of the full word itself
        ("электрический", ()),
        ("спортивный", ()),  # a suffix after a consonant, not a second word
        ("велосипед", ()),
        ("bicycle", ()),
    ],
)
def test_compound_words_split_into_the_stems_they_stand_for(word, parts):
    assert compound_parts(word) == parts


def test_compounds_meet_their_spelled_out_forms_both_ways():
    index = index_of(
        {
            "short": ("Велодорожки вдоль реки", "", "", ""),
            "long": ("Велосипедные дорожки в парке", "", "", ""),
            "other": ("Дорожные работы", "", "", ""),
        }
    )
    assert set(ranked(index, "велодорожка")[:2]) == {"short", "long"}
    assert set(ranked(index, "велосипедная дорожка")[:2]) == {"short", "long"}


# --- ranking ------------------------------------------------------------------------------


DOCS = {
    "roofs": ("Кровли школьных зданий", "школы", "Замена кровли и утепление", ""),
    "sidewalks": ("Ремонт тротуаров", "дороги", "Ремонт по карте обращений", ""),
    "roads": ("Ремонт дорог", "дороги", "Контракты жизненного цикла", ""),
    "school": ("Школьный двор", "школы", "Спортплощадка", "ремонт крыльца"),
}


def test_documents_with_every_word_come_first():
    order = ranked(index_of(DOCS), "ремонт тротуаров")
    assert order[0] == "sidewalks"
    assert set(order) == {"sidewalks", "roads", "school"}  # partial matches follow


def test_a_word_found_nowhere_is_reported_and_the_rest_still_match():
    index = index_of(DOCS)
    result = index.rank(concepts(query_terms("кровли школьных крыш")))
    assert result.missing == ("крыш",)
    assert result.keys[0] == "roofs"
    assert result.complete == 0  # nothing holds every word


def test_fields_weigh_title_over_tags_over_summary_over_description():
    assert FIELD_WEIGHTS[0] > FIELD_WEIGHTS[1] > FIELD_WEIGHTS[2] > FIELD_WEIGHTS[3]
    index = index_of(
        {
            "body": ("Проект", "", "", "освещение улиц"),
            "summary": ("Проект", "", "освещение улиц", ""),
            "tags": ("Проект", "освещение", "", ""),
            "title": ("Освещение улиц", "", "", ""),
        }
    )
    assert ranked(index, "освещение") == ["title", "tags", "summary", "body"]


def test_rare_words_count_more_than_common_ones():
    docs = {f"common{i}": ("Городской проект", "", "", "") for i in range(8)}
    docs["rare"] = ("Фандоматы", "", "", "")
    docs["both"] = ("Городской проект", "", "", "фандоматы во дворах")
    index = index_of(docs)
    order = ranked(index, "городской фандомат")
    assert order[0] == "both"
    # Of the documents with one word, the one with the rare word ranks first.
    assert order[1] == "rare"


def test_exact_words_rank_above_word_forms_and_guesses():
    index = index_of(
        {
            "form": ("Транспортная схема", "", "", ""),
            "exact": ("Транспорт города", "", "", ""),
        }
    )
    assert ranked(index, "транспорт") == ["exact", "form"]


# --- the thesaurus ------------------------------------------------------------------------


def test_thesaurus_lines_parse_into_sides_of_stems():
    entry = parse_line("ЖКХ = жилищно-коммунальное хозяйство = коммунальное хозяйство")
    assert entry.sides == (
        ("жкх",),
        ("жилищн", "коммунальн", "хозяйств"),
        ("коммунальн", "хозяйств"),
    )
    assert entry.weight == SYNONYM_WEIGHT and not entry.related
    related = parse_line("освещение ~ фонари ~ подсветка")
    assert related.related and related.weight == RELATED_WEIGHT
    assert parse_line("освещение ~ подсветка ; 0,4").weight == pytest.approx(0.4)
    assert parse_line("  # a comment") is None and parse_line("") is None


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("свалка полигон", "«=»"),
        ("свалка = полигон ~ мусор", "разными строками"),
        ("свалка = ", "пустая"),
        ("свалка = свалки", "два разных"),
        ("свалка ~ полигон ; 1.5", "вес"),
        ("свалка = !!!", "нет слов"),
        ("свалка = " + " ".join(["слово"] * 7 + ["другое"]), "больше"),
    ],
)
def test_bad_thesaurus_lines_are_refused_with_the_reason(line, reason):
    with pytest.raises(ThesaurusError, match=reason):
        parse_line(line, 3)
    with pytest.raises(ThesaurusError, match="строка 2"):
        parse("ЖКХ = коммунальное хозяйство\n" + line)


def test_the_curated_thesaurus_has_at_least_200_entries_and_reads_cleanly():
    thesaurus = load_default()
    assert len(thesaurus) >= 200
    sides = {side for entry in thesaurus.entries for side in entry.sides}
    for abbreviation in ("жкх", "мфц", "бдд", "тос"):
        assert (abbreviation,) in sides
    assert all(0 < entry.weight < 1 for entry in thesaurus.entries)


SYNONYM_DOCS = {
    "utilities": ("Платформа коммунального хозяйства", "", "", ""),
    "lights": ("Уличные фонари нового поколения", "", "", ""),
    "safety": ("Умные переходы у школ", "БДД", "", ""),
    "lighting": ("Освещение набережной", "", "", ""),
    "noise": ("Новая маршрутная сеть", "", "", ""),
}


def test_synonyms_abbreviations_and_phrases_meet():
    thesaurus = Thesaurus(
        parse(
            "ЖКХ = коммунальное хозяйство\n"
            "БДД = безопасность дорожного движения\n"
            "освещение ~ фонари"
        )
    )
    index = index_of(SYNONYM_DOCS)
    assert ranked(index, "ЖКХ", thesaurus) == ["utilities"]
    assert ranked(index, "коммунальное хозяйство ЖКХ", thesaurus)[0] == "utilities"
    # A run of words the thesaurus knows as one term: each of them is satisfied by it.
    assert ranked(index, "безопасность дорожного движения", thesaurus)[0] == "safety"
    # Related terms are found, below the word itself.
    assert ranked(index, "освещение", thesaurus) == ["lighting", "lights"]
    assert ranked(index, "ЖКХ", None) == []


def test_organisers_lines_extend_the_curated_thesaurus():
    curated = Thesaurus(parse("ЖКХ = коммунальное хозяйство"))
    extended = curated.merged(parse("свалка = полигон ТКО"))
    assert len(extended) == 2
    assert extended.alternatives(["свалк"]) == {("полигон", "тко"): SYNONYM_WEIGHT}


# --- neighbours by meaning ------------------------------------------------------------------


def test_neighbours_pair_close_words_of_the_catalogue_only():
    vectors = {
        "туризм": np.array([1.0, 0.1, 0.0]),
        "туристический": np.array([0.9, 0.2, 0.0]),
        "туристическая": np.array([0.95, 0.15, 0.0]),
        "отходы": np.array([0.0, 0.0, 1.0]),
        "мусор": np.array([0.0, 0.1, 0.95]),
        "бюджет": np.array([0.0, 1.0, 0.0]),
    }
    pairs = nearest(vectors, vectors.get, threshold=0.8)
    found = {(a, b) for a, b, _ in pairs}
    assert ("туризм", "туристическ") in found and ("туристическ", "туризм") in found
    assert ("отход", "мусор") in found
    assert not any("бюджет" in pair for pair in found)
    assert all(0.8 <= s <= 1 for _, _, s in pairs)


def test_neighbours_rank_below_the_word_itself():
    index = index_of(
        {
            "tourism": ("Туризм в малых городах", "", "", ""),
            "tourist": ("Туристический маршрут", "", "", ""),
        }
    )
    neighbours = {"туризм": [("туристическ", 0.9)]}
    assert ranked(index, "туризм", neighbours=neighbours) == ["tourism", "tourist"]
    assert ranked(index, "туризм") == ["tourism"]


# --- suggestions ----------------------------------------------------------------------------


SUGGESTIONS = SuggestIndex(
    [
        Suggestion("solution", "Транспортная реформа Екатеринбурга", "1", "Администрация"),
        Suggestion("solution", "Транспортная карта агломерации", "2", "Маршрут-Техника"),
        Suggestion("exhibitor", "Администрация города Нижний Тагил", "3", "Нижний Тагил"),
        Suggestion("town", "Нижний Тагил", "Нижний Тагил", "Свердловская область"),
        Suggestion("town", "Ирбит", "Ирбит", "Свердловская область"),
        Suggestion("booth", "B12", "B12", "Администрация города Нижний Тагил"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("тра", "Транспортная карта агломерации"),  # the shorter label first
        ("транспортная ек", "Транспортная реформа Екатеринбурга"),
        ("тагил ниж", "Нижний Тагил"),  # words in any order; a town before an exhibitor
        ("ирб", "Ирбит"),
        ("Irbit", "Ирбит"),  # transliterated
        ("bh,bn", "Ирбит"),  # typed in the Latin layout
        ("b-12", "B12"),
        ("В12", "B12"),  # a Cyrillic look-alike
    ],
)
def test_suggestions_for_what_was_typed(typed, first):
    assert SUGGESTIONS.lookup(typed)[0].label == first


def test_suggestions_are_limited_per_kind_and_in_total():
    many = SuggestIndex(Suggestion("solution", f"Сквер номер {i}", str(i)) for i in range(50))
    assert len(many.lookup("сквер")) == 6
    assert len(SUGGESTIONS.lookup("т", limit=2)) == 2
    assert SUGGESTIONS.lookup("") == [] and SUGGESTIONS.lookup("!!!") == []


@FAST
@given(st.text(max_size=300))
def test_any_text_is_a_harmless_query(text):
    index = index_of(DOCS)
    result = index.rank(concepts(query_terms(text), load_default()))
    assert len(result.order) <= len(DOCS)
    assert len(SUGGESTIONS.lookup(text)) <= 8
