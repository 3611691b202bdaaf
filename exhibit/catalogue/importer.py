"""Bulk import of exhibitors and their solutions (`exhibitors import`, PRODUCT.md §10).

One row per solution, from CSV (UTF-8, a header row) or JSON (a list of objects). Every
row is checked first; a file with any error is refused whole, each error named by its line
(CSV: the line in the file; JSON: the item number), so nothing is ever half-imported.
Re-importing a file adds nothing twice: a solution whose exhibitor already shows a
solution of the same title is skipped.
"""

from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.catalogue.models import Exhibitor, Region, Solution, Track
from exhibit.catalogue.rules import EXHIBITOR_KINDS, STAGES, name_key
from exhibit.catalogue.services import normalise_website, parse_tags
from exhibit.db import unit_of_work
from exhibit.errors import DomainError
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.plan import BOOTH_KINDS

COLUMNS = ("exhibitor", "kind", "region", "municipality", "population", "website", "title",
           "summary", "description", "track", "tags", "stage")  # fmt: skip
APPLICATION_COLUMNS = ("requested_area", "wish_kind", "partners", "competitors", "step_free")
MAX_ROWS = 20_000
_TRUE = {"1", "true", "yes", "да", "y", "+"}
_FALSE = {"0", "false", "no", "нет", "n", "-", ""}


class ImportRefused(DomainError):
    """The file has errors; ``details`` lists them as ``{"line", "column", "message"}``."""


@dataclass
class ImportResult:
    exhibitors_new: int = 0
    exhibitors_updated: int = 0
    solutions_new: int = 0
    solutions_skipped: int = 0
    applications: int = 0


@dataclass
class _Row:
    line: int
    values: dict[str, str]


@dataclass
class _Draft:
    name: str
    first_line: int
    fields: dict[str, Any] = field(default_factory=dict)
    application: dict[str, Any] | None = None
    solutions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def read_rows(data: bytes, filename: str = "") -> list[_Row]:
    """The rows of a CSV or JSON file, with their line numbers."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(f"Файл не в кодировке UTF-8 (байт {exc.start})") from None
    stripped = text.lstrip()
    if filename.lower().endswith(".json") or stripped.startswith(("[", "{")):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRefused(f"JSON не читается: строка {exc.lineno}: {exc.msg}") from None
        if isinstance(items, dict):
            items = items.get("rows", items.get("exhibitors"))
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ImportRefused("JSON должен быть списком объектов, по объекту на решение")
        rows = [
            _Row(n, {str(k).strip(): "" if v is None else str(v) for k, v in item.items()})
            for n, item in enumerate(items, start=1)
        ]
    else:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise ImportRefused("В файле нет строки заголовков")
        rows = []
        for record in reader:
            if None in record:
                raise ImportRefused(f"Строка {reader.line_num}: лишние значения без заголовка")
            rows.append(_Row(reader.line_num, {k.strip(): (v or "") for k, v in record.items()}))
    if len(rows) > MAX_ROWS:
        raise ImportRefused(f"Слишком много строк: {len(rows)} (не больше {MAX_ROWS})")
    if not rows:
        raise ImportRefused("В файле нет ни одной строки данных")
    unknown = set().union(*(r.values for r in rows)) - set(COLUMNS) - set(APPLICATION_COLUMNS)
    if unknown:
        raise ImportRefused(
            f"Неизвестные столбцы: {', '.join(sorted(unknown))}; "
            f"ожидаются {', '.join(COLUMNS + APPLICATION_COLUMNS)}"
        )
    return rows


@unit_of_work
def import_exhibitors(
    session: Session,
    exhibition: Exhibition,
    rows: list[_Row],
    *,
    user_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Check every row, then create or complete the exhibitors and add their solutions.

    ``progress(done, total)`` is told how far the work is (exhibitors written, then the
    search index), for a progress bar.
    """
    problems: list[dict[str, Any]] = []
    drafts = _check(session, rows, problems)
    existing = {
        name_key(e.name): e
        for e in session.scalars(select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id))
    }
    _check_references(drafts, existing, problems)
    if problems:
        problems.sort(key=lambda p: p["line"])
        raise ImportRefused(
            f"Файл не импортирован: ошибок {len(problems)}; ничего не изменено", details=problems
        )

    result = ImportResult()
    total = len(drafts) + 1  # the last step: writing (and indexing) everything
    for done, draft in enumerate(drafts.values(), start=1):
        exhibitor = existing.get(name_key(draft.name))
        if exhibitor is None:
            exhibitor = Exhibitor(exhibition_id=exhibition.id, approved=True, **draft.fields)
            session.add(exhibitor)
            result.exhibitors_new += 1
        else:
            for key, value in draft.fields.items():
                if (
                    key != "name"
                    and value not in (None, "")
                    and getattr(exhibitor, key) in (None, "")
                ):
                    setattr(exhibitor, key, value)
            result.exhibitors_updated += 1
        if draft.application is not None:
            exhibitor.application = draft.application
            result.applications += 1
        titles = {name_key(s.title) for s in exhibitor.solutions}
        for _, values in draft.solutions:
            if name_key(values["title"]) in titles:
                result.solutions_skipped += 1
                continue
            titles.add(name_key(values["title"]))
            exhibitor.solutions.append(Solution(**values))
            result.solutions_new += 1
        if progress is not None:
            progress(done, total)
    session.flush()
    if progress is not None:
        progress(total, total)
    audit.record(
        session, "exhibitors.imported", "exhibition", exhibition.id,
        after=result.__dict__, user_id=user_id,
    )  # fmt: skip
    return result


def _check(session: Session, rows: list[_Row], problems: list[dict[str, Any]]) -> dict[str, _Draft]:
    regions = {r.code: r.code for r in session.scalars(select(Region))}
    for region in session.scalars(select(Region)):
        regions[name_key(region.name)] = region.code
        regions[name_key(region.name_en)] = region.code
    tracks = set(session.scalars(select(Track.code)))
    drafts: OrderedDict[str, _Draft] = OrderedDict()

    for row in rows:

        def fail(column: str, message: str, row: _Row = row) -> None:
            problems.append({"line": row.line, "column": column, "message": message})

        v = {k: row.values.get(k, "").strip() for k in COLUMNS + APPLICATION_COLUMNS}
        name = " ".join(v["exhibitor"].split())
        if not name:
            fail("exhibitor", "нет названия экспонента")
            continue
        fields: dict[str, Any] = {"name": name[:200]}
        if v["kind"] not in EXHIBITOR_KINDS:
            fail("kind", f"тип «{v['kind']}» неизвестен; возможны: {', '.join(EXHIBITOR_KINDS)}")
        fields["kind"] = v["kind"]
        if v["region"]:
            code = regions.get(v["region"]) or regions.get(name_key(v["region"]))
            if code is None:
                fail("region", f"регион «{v['region']}» не найден (код или название)")
            fields["region_code"] = code
        fields["municipality"] = v["municipality"] or None
        if v["population"]:
            digits = v["population"].replace(" ", "").replace("\u00a0", "")
            if not digits.isdigit():
                fail("population", f"население «{v['population']}» — не целое число")
            else:
                fields["population"] = int(digits)
        try:
            fields["website"] = normalise_website(v["website"])
        except DomainError as error:
            fail("website", error.message)
        solution: dict[str, Any] = {
            "title": v["title"][:250],
            "summary": v["summary"][:500],
            "description": v["description"],
            "track_code": v["track"],
            "stage": v["stage"],
        }
        if not v["title"]:
            fail("title", "нет названия решения")
        if v["track"] not in tracks:
            fail(
                "track",
                f"направление «{v['track']}» неизвестно; возможны: {', '.join(sorted(tracks))}",
            )
        if v["stage"] not in STAGES:
            fail("stage", f"стадия «{v['stage']}» неизвестна; возможны: {', '.join(STAGES)}")
        try:
            solution["tags"] = parse_tags(v["tags"].replace(";", ","))
        except DomainError as error:
            fail("tags", error.message)
        application = _application(v, solution["track_code"], fail)

        draft = drafts.get(name_key(name))
        if draft is None:
            draft = drafts[name_key(name)] = _Draft(name, row.line, fields)
        elif draft.fields.get("kind") != fields["kind"]:
            fail("kind", f"экспонент «{name}» выше в файле указан с типом «{draft.fields['kind']}»")
        if application is not None:
            draft.application = application
        draft.solutions.append((row.line, solution))
    return drafts


def _application(v: dict[str, str], track: str, fail) -> dict[str, Any] | None:
    if not any(v[c] for c in APPLICATION_COLUMNS):
        return None
    application: dict[str, Any] = {"track": track, "wish_kind": v["wish_kind"] or None}
    try:
        area = float(v["requested_area"].replace(",", "."))
        if area <= 0:
            raise ValueError
        application["requested_area"] = area
    except ValueError:
        fail("requested_area", f"площадь «{v['requested_area']}» — нужно число больше нуля, м²")
    if v["wish_kind"] and v["wish_kind"] not in BOOTH_KINDS:
        fail(
            "wish_kind",
            f"тип стенда «{v['wish_kind']}» неизвестен; возможны: {', '.join(BOOTH_KINDS)}",
        )
    flag = v["step_free"].lower()
    if flag not in _TRUE | _FALSE:
        fail("step_free", f"«{v['step_free']}» — ожидается да/нет")
    application["step_free"] = flag in _TRUE
    application["partners"] = [" ".join(p.split()) for p in v["partners"].split(";") if p.strip()]
    application["competitors"] = [
        " ".join(c.split()) for c in v["competitors"].split(";") if c.strip()
    ]
    both = {name_key(p) for p in application["partners"]} & {
        name_key(c) for c in application["competitors"]
    }
    if both:
        fail("partners", "один и тот же экспонент указан и партнёром, и конкурентом")
    return application


def _check_references(
    drafts: dict[str, _Draft], existing: dict[str, Exhibitor], problems: list[dict[str, Any]]
) -> None:
    """Partners and competitors must name exhibitors of the file or of the exhibition; a
    deleted exhibitor is neither completed by the file nor anybody's partner until restored."""
    deleted = {key for key, exhibitor in existing.items() if exhibitor.is_deleted}
    known = (set(drafts) | set(existing)) - deleted
    roles = {"partners": "партнёром", "competitors": "конкурентом"}
    for key, draft in drafts.items():
        if key in deleted:
            message = (
                f"экспонент «{draft.name}» удалён организаторами: восстановите его "
                "или уберите из файла"
            )
            problems.append({"line": draft.first_line, "column": "name", "message": message})
        if draft.application is None:
            continue
        for column, role in roles.items():
            for name in draft.application[column]:
                if name_key(name) == key:
                    message = f"«{draft.name}» не может быть {role} самому себе"
                elif name_key(name) in deleted:
                    message = f"экспонент «{name}» удалён организаторами"
                elif name_key(name) not in known:
                    message = f"экспонент «{name}» не найден ни в файле, ни в выставке"
                else:
                    continue
                problems.append({"line": draft.first_line, "column": column, "message": message})
