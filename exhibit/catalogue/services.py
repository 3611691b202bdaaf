"""Catalogue services: reference data, reading exhibitors and solutions, and editing them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session, selectinload

from exhibit import audit
from exhibit.catalogue import logos
from exhibit.catalogue.models import Exhibitor, Region, Solution, Track
from exhibit.catalogue.rules import (
    EXHIBITOR_KINDS,
    SIZE_CLASSES,
    STAGES,
    name_key,
    russian_sort_key,
)
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, NotFound, tr
from exhibit.floorplan.models import Exhibition


def read_data_file(name: str) -> Any:
    """A JSON file shipped in ``exhibit/data``."""
    return json.loads(resources.files("exhibit").joinpath("data", name).read_text("utf-8"))


@unit_of_work
def load_reference_data(session: Session) -> dict[str, int]:
    """Insert or update the tracks and regions; return how many rows were added.

    Idempotent: running it again adds nothing and only refreshes names.
    """
    added = {"tracks": 0, "regions": 0}
    for position, row in enumerate(read_data_file("tracks.json"), start=1):
        values = {
            "position": position,
            "name": row["name_ru"],
            "name_en": row["name_en"],
            "description": row.get("description_ru", ""),
            "description_en": row.get("description_en", ""),
            "color": row["color"],
            "pattern": row["pattern"],
        }
        added["tracks"] += _upsert(session, Track, row["code"], values)
    for row in read_data_file("regions.json"):
        values = {
            "name": row["name_ru"],
            "name_en": row["name_en"],
            "kind": row["kind"],
            "federal_district": row["federal_district_ru"],
        }
        added["regions"] += _upsert(session, Region, row["code"], values)
    return added


def _upsert(session: Session, model: type[Track] | type[Region], code: str, values: dict) -> int:
    row = session.get(model, code)
    if row is None:
        session.add(model(code=code, **values))
        return 1
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    return 0


def list_tracks(session: Session) -> list[Track]:
    return list(session.scalars(select(Track).order_by(Track.position)))


def list_exhibitors(session: Session, exhibition_id: int) -> list[Exhibitor]:
    """Public (approved, not deleted) exhibitors of an exhibition in Russian alphabetical
    order (ё after е), with their region and solutions. Sorted in Python: SQLite's
    collation knows no Cyrillic."""
    query = (
        select(Exhibitor)
        .where(Exhibitor.exhibition_id == exhibition_id, Exhibitor.is_public)
        .options(selectinload(Exhibitor.region), selectinload(Exhibitor.solutions))
    )
    return sorted(session.scalars(query), key=lambda e: russian_sort_key(e.name))


def exhibitors_by_region(exhibitors: list[Exhibitor]) -> list[tuple[Region, list[Exhibitor]]]:
    """Exhibitors grouped by region, regions in Russian alphabetical order (those without a
    region are left out)."""
    groups: dict[str, tuple[Region, list[Exhibitor]]] = {}
    for exhibitor in exhibitors:
        if exhibitor.region is not None:
            groups.setdefault(exhibitor.region.code, (exhibitor.region, []))[1].append(exhibitor)
    return sorted(groups.values(), key=lambda group: russian_sort_key(group[0].name))


def get_solution(session: Session, solution_id: int, exhibition_id: int | None) -> Solution:
    """A solution of a public (approved, not deleted) exhibitor of this exhibition
    (``None``: of any)."""
    solution = session.get(Solution, solution_id)
    if (
        solution is None
        or exhibition_id not in (None, solution.exhibitor.exhibition_id)
        or not solution.exhibitor.is_public
    ):
        raise NotFound(tr("Решение %(solution_id)s не найдено", solution_id=solution_id))
    return solution


def get_exhibitor(session: Session, exhibitor_id: int, exhibition_id: int | None) -> Exhibitor:
    """An approved, not deleted exhibitor of this exhibition (``None``: of any); others
    are not public."""
    exhibitor = session.get(Exhibitor, exhibitor_id)
    if (
        exhibitor is None
        or exhibition_id not in (None, exhibitor.exhibition_id)
        or not exhibitor.is_public
    ):
        raise NotFound(tr("Экспонент %(exhibitor_id)s не найден", exhibitor_id=exhibitor_id))
    return exhibitor


def find_exhibitor(session: Session, name: str, slug: str | None = None) -> Exhibitor:
    """An exhibitor by its name, as an organiser types it (case and ё ignored), in the
    exhibition ``slug`` or else the newest that has one by that name; deleted ones too."""
    query = select(Exhibitor).join(Exhibition, Exhibition.id == Exhibitor.exhibition_id)
    if slug:
        query = query.where(Exhibition.slug == slug)
    wanted = name_key(name)
    for exhibitor in session.scalars(query.order_by(Exhibition.starts_on.desc())):
        if name_key(exhibitor.name) == wanted:
            return exhibitor
    raise NotFound(tr("Экспонент «%(name)s» не найден", name=name))


def tracks_with_counts(session: Session, exhibition_id: int) -> list[tuple[Track, int]]:
    """Every track with the number of solutions shown in it."""
    counts = dict(
        session.execute(
            select(Solution.track_code, func.count(Solution.id))
            .join(Solution.exhibitor)
            .where(Exhibitor.exhibition_id == exhibition_id, Exhibitor.is_public)
            .group_by(Solution.track_code)
        ).all()
    )
    return [(track, counts.get(track.code, 0)) for track in list_tracks(session)]


# --- Exhibitor profiles and their solutions (edited by the exhibitor or an organiser) ---

PROFILE_FIELDS = (
    "name", "short_name", "kind", "region_code", "municipality", "population",
    "website", "description", "contacts",
)  # fmt: skip
CONTACT_KEYS = ("person", "email", "phone")
SOLUTION_FIELDS = (
    "title", "summary", "description", "track_code", "tags", "stage", "results", "size_classes",
)  # fmt: skip
MAX_TAGS = 10
MAX_TAG_LENGTH = 40
_TAG_SEPARATORS = re.compile(r"[,;]")
_URL_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:(?!\d)", re.IGNORECASE)


@dataclass
class ProfileData:
    """What an exhibitor says about itself (the editable part of :class:`Exhibitor`)."""

    name: str
    kind: str
    short_name: str | None = None
    region_code: str | None = None
    municipality: str | None = None
    population: int | None = None
    website: str | None = None
    description: str = ""
    contacts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, exhibitor: Exhibitor) -> ProfileData:
        return cls(**{name: getattr(exhibitor, name) for name in PROFILE_FIELDS})


@dataclass
class SolutionData:
    """The editable part of a :class:`Solution`."""

    title: str
    track_code: str
    stage: str
    summary: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    results: str = ""
    size_classes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, solution: Solution) -> SolutionData:
        return cls(**{name: getattr(solution, name) for name in SOLUTION_FIELDS})


def _blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_length(value: str | None, limit: int, field_name: str, label: str) -> None:
    if value is not None and len(value) > limit:
        raise DomainError(
            tr(
                "%(label)s: не длиннее %(limit)s символов (сейчас %(length)s)",
                label=label,
                limit=limit,
                length=len(value),
            ),
            details={"field": field_name},
        )


def normalise_website(value: str | None) -> str | None:
    """A website address as stored: ``http``/``https`` with a host, or ``None`` when blank.

    Any other scheme (``javascript:``, ``data:``, ``ftp:`` …) and an address without a
    scheme are refused with a message that says what to type.
    """
    value = (value or "").strip()
    if not value:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise DomainError(
            tr("В адресе сайта не должно быть пробелов и служебных символов"),
            details={"field": "website"},
        )
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if "://" not in value and not _URL_SCHEME.match(value):
        raise DomainError(
            tr("Укажите адрес сайта полностью, начиная с https:// (например, https://irbit.ru)"),
            details={"field": "website"},
        )
    if scheme not in ("http", "https"):
        raise DomainError(
            tr("Адрес сайта должен начинаться с http:// или https://"), details={"field": "website"}
        )
    if not value[len(scheme) :].startswith("://") or not parts.hostname:
        raise DomainError(
            tr("После https:// укажите адрес сайта, например https://irbit.ru"),
            details={"field": "website"},
        )
    if parts.username is not None or parts.password is not None:
        raise DomainError(
            tr("Адрес сайта не должен содержать имя пользователя или пароль"),
            details={"field": "website"},
        )
    try:
        parts.port  # noqa: B018 (a malformed port raises here)
    except ValueError:
        raise DomainError(
            tr("В адресе сайта неверный порт"), details={"field": "website"}
        ) from None
    value = scheme + value[len(scheme) :]
    _check_length(value, 300, "website", tr("Адрес сайта"))
    return value


def _normalise_contacts(contacts: dict[str, str | None]) -> dict[str, str]:
    unknown = set(contacts) - set(CONTACT_KEYS)
    if unknown:
        raise DomainError(
            tr("Неизвестные поля контактов: %(fields)s", fields=", ".join(sorted(unknown)))
        )
    clean = {key: value.strip() for key, value in contacts.items() if value and value.strip()}
    _check_length(clean.get("person"), 120, "contact_person", tr("Контактное лицо"))
    _check_length(clean.get("phone"), 40, "contact_phone", tr("Телефон"))
    if "email" in clean:
        from email_validator import EmailNotValidError, validate_email

        try:
            clean["email"] = validate_email(clean["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            raise DomainError(
                tr("Неверный адрес электронной почты"), details={"field": "contact_email"}
            ) from None
    return {key: clean[key] for key in CONTACT_KEYS if key in clean}


def _check_profile(session: Session, exhibitor: Exhibitor, data: ProfileData) -> ProfileData:
    name = (data.name or "").strip()
    if not name:
        raise DomainError(tr("Укажите название организации"), details={"field": "name"})
    _check_length(name, 200, "name", tr("Название"))
    short_name = _blank_to_none(data.short_name)
    _check_length(short_name, 40, "short_name", tr("Краткое название"))
    if data.kind not in EXHIBITOR_KINDS:
        raise DomainError(
            tr("Неизвестный тип организации «%(kind)s»", kind=data.kind), details={"field": "kind"}
        )
    region_code = _blank_to_none(data.region_code)
    if region_code is not None and session.get(Region, region_code) is None:
        raise DomainError(tr("Выберите регион из списка"), details={"field": "region_code"})
    municipality = _blank_to_none(data.municipality)
    _check_length(municipality, 120, "municipality", tr("Муниципалитет"))
    if data.population is not None and (
        isinstance(data.population, bool)
        or not isinstance(data.population, int)
        or data.population < 0
    ):
        raise DomainError(
            tr("Население — целое число не меньше нуля"), details={"field": "population"}
        )
    # Names are compared ignoring case in Python: SQLite's lower() folds only ASCII.
    folded = name.casefold()
    clash = next(
        (
            other
            for other_id, other in session.execute(
                select(Exhibitor.id, Exhibitor.name).where(
                    Exhibitor.exhibition_id == exhibitor.exhibition_id
                )
            )
            if other_id != exhibitor.id and other.casefold() == folded
        ),
        None,
    )
    if clash is not None:
        raise Conflict(
            tr("Экспонент «%(name)s» уже есть на выставке: выберите другое название", name=clash),
            details={"field": "name"},
        )
    return ProfileData(
        name=name,
        kind=data.kind,
        short_name=short_name,
        region_code=region_code,
        municipality=municipality,
        population=data.population,
        website=normalise_website(data.website),
        description=(data.description or "").strip(),
        contacts=_normalise_contacts(data.contacts or {}),
    )


def _changes(record: object, values: object, names: tuple[str, ...]) -> tuple[dict, dict]:
    before, after = {}, {}
    for name in names:
        old, new = getattr(record, name), getattr(values, name)
        if old != new:
            before[name], after[name] = old, new
    return before, after


@unit_of_work
def update_profile(
    session: Session, exhibitor: Exhibitor, data: ProfileData, by_user: Any
) -> dict[str, Any]:
    """Check and save an exhibitor's profile; return the changed fields (new values).

    One audit event records the changed fields before and after; nothing changed, no event.
    A name another exhibitor of the exhibition already has (ignoring case) is refused.
    """
    clean = _check_profile(session, exhibitor, data)
    before, after = _changes(exhibitor, clean, PROFILE_FIELDS)
    if not after:
        return {}
    for name, value in after.items():
        setattr(exhibitor, name, value)
    try:
        with session.begin_nested():  # a racing rename hits the unique constraint here
            session.flush()
    except IntegrityError:
        raise Conflict(
            tr(
                "Экспонент «%(name)s» уже есть на выставке: выберите другое название",
                name=clean.name,
            ),
            details={"field": "name"},
        ) from None
    audit.record(
        session, "exhibitor.updated", "exhibitor", exhibitor.id,
        before=before, after=after, user_id=by_user.id,
    )  # fmt: skip
    return after


def list_regions(session: Session) -> list[Region]:
    """All regions in alphabetical order of their Russian names (ё sorts as е)."""
    regions = session.scalars(select(Region))
    return sorted(regions, key=lambda r: r.name.lower().replace("ё", "е"))


def parse_tags(text: str | None) -> list[str]:
    """Tags as typed (separated by commas or semicolons): trimmed, lower-case, unique."""
    return normalise_tags(_TAG_SEPARATORS.split(text or ""))


def normalise_tags(tags: list[str]) -> list[str]:
    """Trimmed, lower-case, single-spaced, unique tags in the order given; at most ten."""
    clean: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if tag and tag not in clean:
            clean.append(tag)
    if len(clean) > MAX_TAGS:
        raise DomainError(
            tr("Не больше %(limit)s тегов (сейчас %(count)s)", limit=MAX_TAGS, count=len(clean)),
            details={"field": "tags"},
        )
    for tag in clean:
        _check_length(tag, MAX_TAG_LENGTH, "tags", tr("Тег «%(tag)s…»", tag=tag[:20]))
    return clean


def _check_solution(session: Session, data: SolutionData) -> SolutionData:
    title = (data.title or "").strip()
    if not title:
        raise DomainError(tr("Укажите название решения"), details={"field": "title"})
    _check_length(title, 250, "title", tr("Название"))
    summary = (data.summary or "").strip()
    _check_length(summary, 500, "summary", tr("Кратко"))
    if session.get(Track, data.track_code or "") is None:
        raise DomainError(tr("Выберите направление из списка"), details={"field": "track_code"})
    if data.stage not in STAGES:
        raise DomainError(tr("Выберите стадию из списка"), details={"field": "stage"})
    unknown = set(data.size_classes) - set(SIZE_CLASSES)
    if unknown:
        raise DomainError(tr("Неизвестный размер города"), details={"field": "size_classes"})
    return SolutionData(
        title=title,
        track_code=data.track_code,
        stage=data.stage,
        summary=summary,
        description=(data.description or "").strip(),
        tags=normalise_tags(data.tags),
        results=(data.results or "").strip(),
        size_classes=[c for c in SIZE_CLASSES if c in data.size_classes],
    )


def _solution_record(solution: Solution | SolutionData) -> dict[str, Any]:
    return {name: getattr(solution, name) for name in SOLUTION_FIELDS}


def get_own_solution(session: Session, exhibitor: Exhibitor, solution_id: int) -> Solution:
    """One of the exhibitor's own solutions; anyone else's is «not found»."""
    solution = session.get(Solution, solution_id)
    if solution is None or solution.exhibitor_id != exhibitor.id:
        raise NotFound(tr("Решение %(solution_id)s не найдено", solution_id=solution_id))
    return solution


@unit_of_work
def create_solution(
    session: Session, exhibitor: Exhibitor, data: SolutionData, by_user: Any
) -> Solution:
    clean = _check_solution(session, data)
    solution = Solution(exhibitor_id=exhibitor.id, **_solution_record(clean))
    session.add(solution)
    session.flush()
    audit.record(
        session, "solution.created", "solution", solution.id,
        after={"exhibitor_id": exhibitor.id, **_solution_record(clean)}, user_id=by_user.id,
    )  # fmt: skip
    return solution


@unit_of_work
def update_solution(
    session: Session, exhibitor: Exhibitor, solution_id: int, data: SolutionData, by_user: Any
) -> Solution:
    """Save changes to one of the exhibitor's solutions (another's: :class:`NotFound`)."""
    solution = get_own_solution(session, exhibitor, solution_id)
    clean = _check_solution(session, data)
    before, after = _changes(solution, clean, SOLUTION_FIELDS)
    if after:
        for name, value in after.items():
            setattr(solution, name, value)
        audit.record(
            session, "solution.updated", "solution", solution.id,
            before=before, after=after, user_id=by_user.id, exhibitor_id=exhibitor.id,
        )  # fmt: skip
    return solution


@unit_of_work
def delete_solution(session: Session, exhibitor: Exhibitor, solution_id: int, by_user: Any) -> None:
    """Delete one of the exhibitor's solutions (another's: :class:`NotFound`)."""
    solution = get_own_solution(session, exhibitor, solution_id)
    record = {"exhibitor_id": exhibitor.id, **_solution_record(solution)}
    session.delete(solution)
    session.flush()
    audit.record(
        session, "solution.deleted", "solution", solution_id, before=record, user_id=by_user.id
    )


@unit_of_work
def replace_logo(
    session: Session, exhibitor: Exhibitor, data: bytes, directory: Path, by_user: Any
) -> str:
    """Check, re-encode and store a new logo for the exhibitor; return its stored name.

    The old file is removed once the transaction commits; if it rolls back instead, the
    new file goes and the old one stays. A refused upload stores nothing.
    """
    png = logos.process_logo(data)
    name = logos.save_logo(directory, png)
    old = exhibitor.logo
    exhibitor.logo = name
    audit.record(
        session, "exhibitor.logo_changed", "exhibitor", exhibitor.id,
        before={"logo": old}, after={"logo": name}, user_id=by_user.id,
    )  # fmt: skip
    _when_transaction_ends(
        session,
        committed=lambda: logos.delete_logo(directory, old),
        rolled_back=lambda: logos.delete_logo(directory, name),
    )
    return name


@unit_of_work
def remove_logo(session: Session, exhibitor: Exhibitor, directory: Path, by_user: Any) -> None:
    """Take the exhibitor's logo away (the file goes when the transaction commits)."""
    old = exhibitor.logo
    if old is None:
        return
    exhibitor.logo = None
    audit.record(
        session, "exhibitor.logo_changed", "exhibitor", exhibitor.id,
        before={"logo": old}, after={"logo": None}, user_id=by_user.id,
    )  # fmt: skip
    _when_transaction_ends(
        session, committed=lambda: logos.delete_logo(directory, old), rolled_back=lambda: None
    )


_FILE_ACTIONS = "exhibit_file_actions"


def _when_transaction_ends(
    session: Session | scoped_session[Session],
    *,
    committed: Callable[[], None],
    rolled_back: Callable[[], None],
) -> None:
    """Run one of two callbacks when the session's current outermost transaction ends.

    Files are not transactional: a file the database stops referring to is removed only
    after the commit, and a file written for a change that is rolled back is removed then.
    """
    if isinstance(session, scoped_session):
        session = session()
    pending = session.info.setdefault(_FILE_ACTIONS, {"committed": False, "actions": []})
    pending["actions"].append((committed, rolled_back))
    if not event.contains(session, "after_transaction_end", _run_file_actions):
        event.listen(session, "after_commit", _note_commit)
        event.listen(session, "after_transaction_end", _run_file_actions)


def _note_commit(session: Session) -> None:
    # A savepoint's release also reports a commit; only the outermost one counts.
    if _FILE_ACTIONS in session.info and not session.in_nested_transaction():
        session.info[_FILE_ACTIONS]["committed"] = True


def _run_file_actions(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:
        return
    pending = session.info.pop(_FILE_ACTIONS, None)
    if pending:
        for committed, rolled_back in pending["actions"]:
            (committed if pending["committed"] else rolled_back)()
