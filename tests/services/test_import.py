"""`exhibitors import`: CSV or JSON, every error reported by line, nothing half-imported."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from tests.factories import make_exhibition, make_exhibitor

HEADER = (
    "exhibitor,kind,region,municipality,population,website,title,summary,description,track,"
    "tags,stage"
)
GOOD = [
    "Администрация г. Камышлов,municipality,66,Камышлов,26000,https://kamyshlov.example.ru,"
    "Сквер у вокзала,Новый сквер,Сквер на месте пустыря,living,"
    "благоустройство;малые города,operation",
    "Администрация г. Камышлов,municipality,Свердловская область,Камышлов,26 000,,"
    "Школьный автобус,Маршруты по запросу,Автобус по заявкам,living,транспорт,pilot",
    "ООО «Тест-Мобильность»,company,,,,,Платформа перевозчиков,,,platform,,idea",
]


def write(tmp_path, lines, name="exhibitors.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def exhibition(app):
    return make_exhibition(slug="imp")


def run(app, path):
    return app.test_cli_runner().invoke(
        args=["exhibitors", "import", str(path), "--exhibition", "imp"]
    )


def test_a_good_csv_imports_and_a_second_run_adds_nothing(app, exhibition, tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    result = run(app, path)
    assert result.exit_code == 0, result.output
    assert "новых 2" in result.output and "решений добавлено 3" in result.output
    kamyshlov = db.session.scalar(select(Exhibitor).where(Exhibitor.municipality == "Камышлов"))
    assert kamyshlov.region_code == "66" and kamyshlov.population == 26000
    assert kamyshlov.approved and len(kamyshlov.solutions) == 2
    assert kamyshlov.solutions[0].tags == ["благоустройство", "малые города"]
    again = run(app, path)
    assert again.exit_code == 0 and "уже были 3" in again.output
    assert count(Solution) == 3


def test_every_bad_row_is_reported_by_line_and_nothing_changes(app, exhibition, tmp_path):
    bad = [
        HEADER,
        GOOD[0],
        "Кто-то,village,66,,,,Решение,,,living,,idea",  # line 3: kind
        "Другой,company,99,,,,Решение 2,,,nope,,someday",  # line 4: region, track, stage
        "Третий,company,,,,javascript:alert(1),Решение 3,,,living,,idea",  # line 5: website
        ",company,,,,,Без экспонента,,,living,,idea",  # line 6
    ]
    result = run(app, write(tmp_path, bad))
    assert result.exit_code != 0
    for expected in ("строка 3, kind", "строка 4, region", "строка 4, track", "строка 4, stage",
                     "строка 5, website", "строка 6, exhibitor"):  # fmt: skip
        assert expected in result.output
    assert count(Exhibitor) == 0 and count(Solution) == 0


def test_json_with_applications(app, exhibition, tmp_path):
    rows = [
        {"exhibitor": "Ирбит", "kind": "municipality", "region": "66", "title": "Ярмарка",
         "track": "tourism", "stage": "scaled", "requested_area": "18", "wish_kind": "corner",
         "partners": "Туринск", "competitors": "", "step_free": "да"},
        {"exhibitor": "Туринск", "kind": "municipality", "region": "66", "title": "Набережная",
         "track": "tourism", "stage": "pilot", "requested_area": 9, "partners": "Ирбит"},
    ]  # fmt: skip
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = run(app, path)
    assert result.exit_code == 0, result.output
    irbit = db.session.scalar(select(Exhibitor).where(Exhibitor.name == "Ирбит"))
    assert irbit.application == {
        "track": "tourism", "wish_kind": "corner", "requested_area": 18.0, "step_free": True,
        "partners": ["Туринск"], "competitors": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"partners": "Ирбит", "competitors": "Ирбит"}, "и партнёром, и конкурентом"),
        ({"partners": "Нигде"}, "не найден"),
        ({"requested_area": "-3"}, "больше нуля"),
        ({"wish_kind": "castle"}, "тип стенда"),
    ],
)
def test_application_errors(app, exhibition, tmp_path, row, message):
    base = {"exhibitor": "Туринск", "kind": "municipality", "title": "Набережная",
            "track": "tourism", "stage": "pilot", "requested_area": "9"}  # fmt: skip
    other = {"exhibitor": "Ирбит", "kind": "municipality", "title": "Ярмарка",
             "track": "tourism", "stage": "pilot"}  # fmt: skip
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([other, {**base, **row}], ensure_ascii=False), encoding="utf-8")
    result = run(app, path)
    assert result.exit_code != 0 and message in result.output
    assert count(Exhibitor) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe garbage", "UTF-8"),
        (b"[1, 2]", "списком объектов"),
        (HEADER.encode() + b",colour\n", "нет ни одной строки"),
        (b"exhibitor,colour\nX,red\n", "Неизвестные столбцы"),
    ],
)
def test_unreadable_files(app, exhibition, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run(app, path)
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_the_import_reports_its_progress(app, exhibition, tmp_path):
    from exhibit.catalogue.importer import import_exhibitors, read_rows

    path = write(tmp_path, [HEADER, *GOOD])
    steps: list[tuple[int, int]] = []
    import_exhibitors(
        db.session, exhibition, read_rows(path.read_bytes(), path.name),
        progress=lambda done, total: steps.append((done, total)),
    )  # fmt: skip
    db.session.commit()
    # One step per exhibitor (two in GOOD), then the final write; always forward.
    assert steps == [(1, 3), (2, 3), (3, 3)]
    result = run(app, write(tmp_path, [HEADER, *GOOD]))
    assert result.exit_code == 0
    assert "Импорт экспонентов" in result.stderr  # the progress bar, off stdout


def test_a_deleted_exhibitor_is_neither_completed_nor_a_partner(app, exhibition, tmp_path):
    gone = make_exhibitor(exhibition, "Администрация г. Камышлов")
    gone.deleted_at = datetime(2025, 11, 1, tzinfo=UTC)
    db.session.commit()
    path = write(tmp_path, [HEADER, *GOOD])
    result = run(app, path)
    assert result.exit_code != 0
    assert "строка 2, name: экспонент «Администрация г. Камышлов» удалён" in result.output
    assert count(Solution) == 0 and count(Exhibitor) == 1  # nothing imported

    rows = [{"exhibitor": "Туринск", "kind": "municipality", "title": "Набережная",
             "track": "tourism", "stage": "pilot", "requested_area": "9",
             "partners": "Администрация г. Камышлов"}]  # fmt: skip
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = run(app, path)
    assert result.exit_code != 0
    assert "экспонент «Администрация г. Камышлов» удалён организаторами" in result.output
    assert count(Exhibitor) == 1
