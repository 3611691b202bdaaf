"""``plan check`` / ``plan layout`` / ``plan convert``: exit codes and output, no app needed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from exhibit.commands.plans import plan_cli
from exhibit.floorplan.formats.geojson import dumps_geojson
from exhibit.floorplan.samples import synthetic_hall

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "floorplans" / "goroda-rossii-2025.geojson"


def run(*args: str):
    return CliRunner().invoke(plan_cli, list(args), catch_exceptions=False)


def test_check_demo_plan_is_valid():
    result = run("check", str(DEMO))
    assert result.exit_code == 0, result.output
    assert "ошибок 0" in result.output and "Павильон 1" in result.output


def test_check_json_follows_the_contract():
    result = run("check", str(DEMO), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert set(doc) == {"valid", "errors", "warnings", "booths"}
    assert doc["valid"] is True and len(doc["booths"]) >= 150
    assert set(doc["booths"][0]) == {"number", "area_m2", "kind", "open_sides"}


def test_check_plan_with_errors_exits_1(tmp_path):
    plan = synthetic_hall(20)
    plan.booths[1].polygon = plan.booths[0].polygon
    path = tmp_path / "bad.geojson"
    path.write_text(dumps_geojson(plan), encoding="utf-8")
    result = run("check", str(path), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["valid"] is False
    assert {e["rule"] for e in doc["errors"]} >= {"booth-overlap"}
    text = run("check", str(path))
    assert text.exit_code == 1 and "ОШИБКА booth-overlap" in text.output


def test_check_min_aisle_option(tmp_path):
    path = tmp_path / "hall.geojson"
    path.write_text(dumps_geojson(synthetic_hall(40, aisle=2.5)), encoding="utf-8")
    assert run("check", str(path)).exit_code == 0  # the plan says min_aisle 2.5
    assert run("check", str(path), "--min-aisle", "3").exit_code == 1


def test_unreadable_files_exit_2_with_one_line(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    for path in (bad, tmp_path / "missing.geojson"):
        result = CliRunner().invoke(plan_cli, ["check", str(path), "--json"])
        assert result.exit_code == 2
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert len(result.output.strip().splitlines()) == 1
        assert "Traceback" not in result.output


def test_layout_writes_a_valid_plan(tmp_path):
    hall = synthetic_hall(1)
    hall.booths = []
    src, out = tmp_path / "empty.geojson", tmp_path / "laid.geojson"
    src.write_text(dumps_geojson(hall), encoding="utf-8")
    result = run("layout", str(src), "-o", str(out), "--module", "3x3", "--aisle", "3")
    assert result.exit_code == 0, result.output
    assert "Стендов:" in result.output and "%" in result.output
    assert run("check", str(out)).exit_code == 0


def test_layout_rejects_a_bad_module(tmp_path):
    result = CliRunner().invoke(
        plan_cli, ["layout", str(DEMO), "-o", str(tmp_path / "x.geojson"), "--module", "three"]
    )
    assert result.exit_code == 2 and "module" in result.output


def test_convert_to_svg(tmp_path):
    out = tmp_path / "demo.svg"
    result = run("convert", str(DEMO), "-o", str(out))
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("<?xml")


def test_check_json_has_one_booth_a_line():
    result = run("check", str(DEMO), "--json")
    doc = json.loads(result.output)
    lines = result.output.splitlines()
    booth_lines = [line for line in lines if line.startswith('    {"number": ')]
    assert len(booth_lines) == len(doc["booths"])
    assert [json.loads(line.rstrip(",")) for line in booth_lines] == doc["booths"]
    assert lines[0] == "{" and lines[-1] == "}"


def test_check_json_lists_every_error_on_its_own_line(tmp_path):
    plan = synthetic_hall(40)
    for booth in plan.booths[1:]:
        booth.polygon = plan.booths[0].polygon
    path = tmp_path / "stacked.geojson"
    path.write_text(dumps_geojson(plan), encoding="utf-8")
    result = run("check", str(path), "--json")
    doc = json.loads(result.output)
    assert result.exit_code == 1 and len(doc["errors"]) > 39
    error_lines = [line for line in result.output.splitlines() if line.startswith('    {"rule": ')]
    assert len(error_lines) == len(doc["errors"])
    text = run("check", str(path))
    assert text.output.count("\n  ОШИБКА ") == len(doc["errors"])
    assert text.output.rstrip().endswith("План нельзя публиковать.")


def test_a_file_that_breaks_the_schema_is_refused_naming_feature_and_field(tmp_path):
    data = json.loads(dumps_geojson(synthetic_hall(300)))
    booths = [i for i, f in enumerate(data["features"]) if f["properties"]["kind"] == "booth"]
    data["features"][booths[120]]["properties"]["number"] = 120
    data["features"][booths[250]]["geometry"]["coordinates"][0][2] = [1]
    path = tmp_path / "broken.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(plan_cli, ["check", str(path), "--json"])
    assert result.exit_code == 2
    assert result.output == (
        f"Ошибка: Ошибка в плане: объект features[{booths[120]}] (стенд), поле "
        "properties.number: ожидается строка или null, а не число. "
        "Ещё объектов с ошибками: 1.\n"
    )
