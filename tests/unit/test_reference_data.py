"""Reference data (tracks, regions) and the demo exhibition's content in ``exhibit/data``.

Pure: reads the JSON files, needs no app and no database.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parents[2] / "exhibit" / "data"

#: PRODUCT.md §1, in the order of its table.
TRACKS = {
    "governance": ("Эффективное управление территорией", "Effective territorial governance"),
    "economy": ("Экономика муниципалитета", "Municipal economy"),
    "society": ("Власть, бизнес, общество", "Government, business, society"),
    "tourism": ("Туризм и городская привлекательность", "Tourism and urban attractiveness"),
    "human-capital": ("Человеческий капитал", "Human capital"),
    "living": ("Города для жизни", "Cities for living"),
    "platform": ("Платформенная экономика", "Platform economy"),
}
REGION_KINDS = {
    "oblast": 48,
    "republic": 24,
    "krai": 9,
    "federal-city": 3,
    "autonomous-okrug": 4,
    "autonomous-oblast": 1,
}
FEDERAL_DISTRICTS = {
    "Центральный": 18,
    "Северо-Западный": 11,
    "Южный": 12,
    "Северо-Кавказский": 7,
    "Приволжский": 14,
    "Уральский": 6,
    "Сибирский": 10,
    "Дальневосточный": 11,
}
#: 01–79 plus the codes of the subjects formed or admitted later.
REGION_CODES = {f"{n:02d}" for n in range(1, 80)} | {
    "80",
    "81",
    "82",
    "83",
    "84",
    "85",
    "86",
    "87",
    "89",
    "92",
}
KNOWN_REGIONS = {
    "01": "Республика Адыгея",
    "02": "Республика Башкортостан",
    "16": "Республика Татарстан",
    "42": "Кемеровская область — Кузбасс",
    "66": "Свердловская область",
    "77": "Москва",
    "78": "Санкт-Петербург",
    "79": "Еврейская автономная область",
    "80": "Донецкая Народная Республика",
    "81": "Луганская Народная Республика",
    "82": "Республика Крым",
    "83": "Ненецкий автономный округ",
    "84": "Херсонская область",
    "85": "Запорожская область",
    "86": "Ханты-Мансийский автономный округ — Югра",
    "87": "Чукотский автономный округ",
    "89": "Ямало-Ненецкий автономный округ",
    "92": "Севастополь",
}

EXHIBITOR_KINDS = {"municipality", "region", "company", "university", "federal-body"}
STAGES = {"idea", "pilot", "operation", "scaled"}
SIZE_CLASSES = ("small", "medium", "large", "big", "largest")
WISH_KINDS = {None, "corner", "island", "peninsula", "linear"}
PHONE = re.compile(r"^\+7 \(\d{3,4}\) \d{2,3}-\d{2}-\d{2}$")
TAG = re.compile(r"^[а-яё][а-яё -]*[а-яё]$")


def size_class(population: int) -> str:
    """PRODUCT.md §3: small < 50k, medium 50–100k, large 100–250k, big 250k–1M, largest > 1M."""
    for bound, name in ((1_000_000, "largest"), (250_000, "big"), (100_000, "large")):
        if population >= bound:
            return name
    return "medium" if population >= 50_000 else "small"


def sentences(text: str) -> list[str]:
    """Split Russian prose into sentences (a full stop followed by a capital or a digit)."""
    return re.split(r"(?<=[.!?])\s+(?=[А-ЯЁA-Z«0-9])", text.strip())


@cache
def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def tracks() -> list[dict]:
    return load("tracks.json")


def regions() -> list[dict]:
    return load("regions.json")


def exhibitors() -> list[dict]:
    return load("demo_exhibitors.json")["exhibitors"]


def municipalities() -> list[dict]:
    return [e for e in exhibitors() if e["kind"] == "municipality"]


def solutions() -> list[dict]:
    return [s for e in exhibitors() for s in e["solutions"]]


def applications() -> list[tuple[dict, dict]]:
    return [(e, e["application"]) for e in exhibitors() if e["application"] is not None]


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


# --- files ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tracks.json", "regions.json", "demo_exhibitors.json"])
def test_files_are_pretty_printed_utf8_json(name):
    text = (DATA / name).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"
    assert "\\u04" not in text  # Cyrillic is stored as text, not escaped


# --- tracks --------------------------------------------------------------------------


def test_seven_tracks_match_the_product_table_in_order():
    assert [t["code"] for t in tracks()] == list(TRACKS)
    for track in tracks():
        assert (track["name_ru"], track["name_en"]) == TRACKS[track["code"]]


def test_tracks_have_descriptions_in_both_languages():
    for track in tracks():
        assert set(track) == {
            "code",
            "name_ru",
            "name_en",
            "description_ru",
            "description_en",
            "color",
            "pattern",
        }
        assert re.search("[а-яё]", track["description_ru"])
        assert track["description_ru"].endswith(".")
        assert track["description_ru"].count(". ") == 0  # one sentence
        assert track["description_en"].endswith(".")
        assert re.search("[A-Za-z]", track["description_en"])
        assert not re.search("[А-яЁё]", track["description_en"])


def test_track_colours_are_distinct_and_readable_with_white_text():
    colours = [t["color"] for t in tracks()]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert len(set(colours)) == 7
    for colour in colours:
        contrast = 1.05 / (relative_luminance(colour) + 0.05)
        assert contrast >= 4.5, f"{colour}: white text contrast {contrast:.2f} < 4.5 (WCAG AA)"


def test_track_patterns_are_unique_short_names():
    patterns = [t["pattern"] for t in tracks()]
    assert len(set(patterns)) == 7
    assert all(re.fullmatch(r"[a-z]{2,20}", p) for p in patterns)


# --- regions -------------------------------------------------------------------------


def test_89_regions_with_unique_two_digit_codes_sorted():
    codes = [r["code"] for r in regions()]
    assert len(codes) == 89
    assert set(codes) == REGION_CODES
    assert codes == sorted(codes)
    assert all(re.fullmatch(r"\d{2}", c) for c in codes)


def test_region_names_are_unique_and_known_ones_match_their_codes():
    by_code = {r["code"]: r for r in regions()}
    assert len({r["name_ru"] for r in regions()}) == 89
    assert len({r["name_en"] for r in regions()}) == 89
    for code, name in KNOWN_REGIONS.items():
        assert by_code[code]["name_ru"] == name
    for region in regions():
        assert 0 < len(region["name_ru"]) <= 120
        assert re.search("[А-ЯЁ]", region["name_ru"])


def test_region_kinds_and_federal_districts():
    assert Counter(r["kind"] for r in regions()) == REGION_KINDS
    assert Counter(r["federal_district_ru"] for r in regions()) == FEDERAL_DISTRICTS
    by_code = {r["code"]: r for r in regions()}
    assert by_code["66"]["federal_district_ru"] == "Уральский"
    assert {by_code[c]["kind"] for c in ("77", "78", "92")} == {"federal-city"}
    assert by_code["79"]["kind"] == "autonomous-oblast"


# --- demo exhibitors -----------------------------------------------------------------


def test_demo_exhibitors_counts_and_unique_names():
    rows = exhibitors()
    assert len(rows) >= 80
    assert len({e["name"] for e in rows}) == len(rows)
    assert len({e["short_name"] for e in rows}) == len(rows)
    assert set(Counter(e["kind"] for e in rows)) == EXHIBITOR_KINDS
    assert 1 <= sum(e["kind"] == "region" for e in rows) <= 3


def test_demo_exhibitor_fields():
    region_codes = {r["code"] for r in regions()}
    for e in exhibitors():
        assert e["kind"] in EXHIBITOR_KINDS, e["name"]
        assert e["region"] in region_codes, e["name"]
        assert 0 < len(e["name"]) <= 200
        assert 0 < len(e["short_name"]) <= 18, e["short_name"]
        assert e["website"].startswith("https://"), e["name"]
        assert 2 <= len(sentences(e["description"])) <= 4, e["name"]
        contacts = e["contacts"]
        assert contacts["person"].strip()
        assert re.fullmatch(r"[a-z0-9.\-]+@example\.(ru|com)", contacts["email"]), contacts
        assert PHONE.match(contacts["phone"]), contacts["phone"]
        assert e["solutions"], e["name"]
        if e["kind"] == "municipality":
            assert e["municipality"] and e["population"] > 0, e["name"]
        else:
            assert e["population"] is None, e["name"]
    assert len({e["contacts"]["email"] for e in exhibitors()}) == len(exhibitors())


def test_municipalities_from_many_regions_and_every_size_class():
    towns = municipalities()
    assert len(towns) >= 62
    assert len({e["region"] for e in towns}) >= 32
    sizes = Counter(size_class(e["population"]) for e in towns)
    for name in SIZE_CLASSES:
        assert sizes[name] >= 5, f"only {sizes[name]} {name} towns"


def test_host_city_irbit_and_sverdlovsk_towns_are_there():
    towns = {e["municipality"]: e for e in municipalities()}
    assert towns["Екатеринбург"]["region"] == "66"
    assert 1_400_000 < towns["Екатеринбург"]["population"] < 1_700_000
    assert towns["Ирбит"]["region"] == "66"
    assert 30_000 < towns["Ирбит"]["population"] < 45_000
    sverdlovsk = {name for name, e in towns.items() if e["region"] == "66"}
    assert {"Нижний Тагил", "Каменск-Уральский", "Верхняя Пышма", "Первоуральск"} <= sverdlovsk
    assert len(sverdlovsk) >= 6


def test_companies_and_universities_are_present():
    kinds = Counter(e["kind"] for e in exhibitors())
    assert kinds["company"] >= 10
    assert kinds["university"] >= 2
    assert any(e["short_name"] == "УрФУ" for e in exhibitors())


# --- solutions -----------------------------------------------------------------------


def test_solution_counts_per_track_and_stage():
    rows = solutions()
    assert len(rows) >= 160
    per_track = Counter(s["track"] for s in rows)
    assert set(per_track) == set(TRACKS)
    for code in TRACKS:
        assert per_track[code] >= 15, f"{code}: {per_track[code]}"
    assert {s["stage"] for s in rows} == STAGES


def test_solution_fields():
    for s in solutions():
        assert 0 < len(s["title"]) <= 250
        assert 0 < len(s["summary"]) <= 500
        assert s["track"] in TRACKS
        assert s["stage"] in STAGES
        assert re.search(r"\d", s["description"]), s["title"]
        assert re.search(r"\d", s["results"]), s["title"]
        assert 3 <= len(sentences(s["description"])) <= 5, s["title"]
        assert len(sentences(s["summary"])) == 1, s["title"]
        assert s["size_classes"] and set(s["size_classes"]) <= set(SIZE_CLASSES), s["title"]
        assert list(s["size_classes"]) == [c for c in SIZE_CLASSES if c in s["size_classes"]]
        assert 2 <= len(s["tags"]) <= 5, s["title"]
        assert len(set(s["tags"])) == len(s["tags"])
        assert all(TAG.match(t) for t in s["tags"]), s["tags"]


def test_solution_titles_are_unique():
    titles = Counter(s["title"] for s in solutions())
    assert [t for t, n in titles.items() if n > 1] == []


def test_tags_come_from_a_shared_vocabulary():
    tags = Counter(t for s in solutions() for t in s["tags"])
    assert 30 <= len(tags) <= 50
    # A shared vocabulary: most tags are reused by several solutions.
    assert sum(1 for n in tags.values() if n >= 3) >= len(tags) * 3 // 4


def test_a_municipality_solution_suits_its_own_size():
    for e in municipalities():
        own = size_class(e["population"])
        for s in e["solutions"]:
            assert own in s["size_classes"], (e["name"], s["title"])


@pytest.mark.parametrize(
    "phrase",
    [
        "транспортная реформа",
        "благоустройство",
        "сквер",
        "ирбит",
        "екатеринбург",
        "объём",
        "зелёный",
    ],
)
def test_search_corpus_has_the_phrases_tests_look_for(phrase):
    corpus = [f"{s['title']} {s['summary']}".lower() for s in solutions()]
    assert any(phrase in text for text in corpus)


def test_search_corpus_has_the_square_by_the_house_of_culture():
    assert any(s["title"].startswith("Благоустроили сквер у ДК") for s in solutions())
    assert sum("ё" in f"{s['title']} {s['summary']}" for s in solutions()) >= 10


# --- applications ("any booth") ------------------------------------------------------


def test_applications_count_and_fields():
    apps = applications()
    assert len(apps) >= 45
    for e, a in apps:
        assert set(a) == {
            "requested_area",
            "track",
            "wish_kind",
            "partners",
            "competitors",
            "step_free",
        }
        assert 9 <= a["requested_area"] <= 54, e["name"]
        assert a["track"] in {s["track"] for s in e["solutions"]}, e["name"]
        assert a["wish_kind"] in WISH_KINDS
        assert isinstance(a["step_free"], bool)
    assert {a["wish_kind"] for _, a in apps} == WISH_KINDS


def test_partners_and_competitors_reference_other_exhibitors():
    names = {e["name"] for e in exhibitors()}
    for e, a in applications():
        refs = a["partners"] + a["competitors"]
        assert set(refs) <= names, set(refs) - names
        assert e["name"] not in refs
        assert not set(a["partners"]) & set(a["competitors"]), e["name"]
        assert len(set(refs)) == len(refs)


def test_enough_partner_links_and_competitor_pairs():
    partner_links = sum(len(a["partners"]) for _, a in applications())
    assert partner_links >= 10
    pairs = {frozenset((e["name"], c)) for e, a in applications() for c in a["competitors"]}
    assert len(pairs) >= 5


def test_nobody_is_both_partner_and_competitor_in_either_direction():
    partners = {frozenset((e["name"], p)) for e, a in applications() for p in a["partners"]}
    competitors = {frozenset((e["name"], c)) for e, a in applications() for c in a["competitors"]}
    assert not partners & competitors


def test_competitors_are_companies():
    kinds = {e["name"]: e["kind"] for e in exhibitors()}
    for e, a in applications():
        for name in a["competitors"]:
            assert kinds[e["name"]] == kinds[name] == "company", (e["name"], name)
