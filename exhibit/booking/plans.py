"""Publishing a plan version without losing a reservation.

Lives in ``booking`` because a new version of a hall's plan must respect the reservations
made on the old one (imports run floorplan ← booking, never the other way).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.booking.models import Reservation
from exhibit.booking.rules import ACTIVE_STATUSES
from exhibit.booking.services import reservation_state
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, NotFound, PlanInvalid, tr
from exhibit.floorplan.formats.geojson import from_geojson, to_geojson
from exhibit.floorplan.geometry import BoothFacts
from exhibit.floorplan.layout import layout_hall
from exhibit.floorplan.models import Booth, Exhibition, Hall, PlanDraft, PlanVersion
from exhibit.floorplan.numbering import merge_booths, number_booths, split_booth
from exhibit.floorplan.plan import Plan, PlanBooth
from exhibit.floorplan.services import check_plan, hall_plan
from exhibit.floorplan.zones import zone_tracks
from exhibit.timeutil import utcnow

#: Two outlines are "the same booth" when they differ by less than this (m²).
SAME_SHAPE_TOLERANCE_M2 = 0.01


@dataclass
class ImportResult:
    hall: Hall
    version: int
    added: list[str] = field(default_factory=list)
    reshaped: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    moved: dict[int, str] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        return self.version == 1


@unit_of_work
def import_plan(
    session: Session,
    exhibition: Exhibition,
    hall_name: str,
    plan: Plan,
    *,
    moves: Mapping[str, str] | None = None,
    source_name: str | None = None,
    user_id: int | None = None,
    checked: Callable[[], None] | None = None,
) -> ImportResult:
    """Load a plan as a new hall, or as the next version of an existing hall.

    ``checked`` is called once the plan has passed every check and writing begins (the
    command line shows it as a stage).

    A plan with validation errors is refused (:class:`PlanInvalid`, with the report). A new
    version may not drop or reshape a booth that has an active reservation: that is refused
    (:class:`Conflict`, with the affected reservations) unless ``moves`` maps the old booth
    number to a booth of the new plan, where the reservation then goes. Nothing changes
    when anything is refused.
    """
    report = check_plan(exhibition, plan)
    if not report.valid:
        raise PlanInvalid(
            tr(
                "План зала «%(hall)s» содержит ошибки (%(count)s); он не загружен",
                hall=hall_name,
                count=len(report.errors),
            ),
            details=report.to_dict()["errors"],
        )
    facts = {f.number: f for f in report.booths}
    tracks = zone_tracks(plan)
    drawn = {b.number: b for b in plan.booths}
    hall = session.scalar(
        select(Hall).where(Hall.exhibition_id == exhibition.id, Hall.name == hall_name)
    )
    if hall is None:
        hall = Hall(exhibition=exhibition, name=hall_name, outline=plan.hall, plan_version=0)
        session.add(hall)
        session.flush()
    _refuse_numbers_used_in_other_halls(session, exhibition, hall, drawn)

    existing = {b.number: b for b in hall.booths}
    current = {n: b for n, b in existing.items() if not b.retired}
    active = _active_reservations(session, [b.id for b in current.values()])
    moves = dict(moves or {})
    result = ImportResult(hall=hall, version=hall.plan_version + 1)

    affected = []
    for number, booth in current.items():
        new = drawn.get(number)
        reshaped = new is not None and not _same_shape(booth.polygon, new.polygon)
        if new is not None and not reshaped:
            continue
        for reservation in active.get(booth.id, []):
            target = moves.get(number)
            if target is None or target not in drawn:
                affected.append(_affected(reservation, number, "reshaped" if new else "dropped"))
    if unknown := sorted(set(moves) - set(current)):
        raise Conflict(
            tr("Нет стендов с номерами: %(numbers)s", numbers=", ".join(unknown)), details=unknown
        )
    _refuse_bad_move_targets(moves, drawn, current, active)
    if affected:
        raise Conflict(
            tr(
                "Новая версия плана убирает или меняет стенды с действующими бронированиями; "
                "укажите, куда перенести эти бронирования"
            ),
            details=affected,
        )

    if checked is not None:
        checked()
    for number, new in drawn.items():
        booth = existing.get(number)
        booth_facts_ = facts[number]
        if booth is None:
            booth = Booth(exhibition_id=exhibition.id, number=number)
            hall.booths.append(booth)
            result.added.append(number)
        elif booth.retired:
            booth.retired = False
            result.added.append(number)
        elif not _same_shape(booth.polygon, new.polygon):
            result.reshaped.append(number)
        _apply_facts(booth, new, booth_facts_)
        booth.zone_track = tracks.get(number)
    session.flush()
    by_number = {b.number: b for b in hall.booths}
    for number, booth in current.items():
        if number not in drawn:
            booth.retired = True
            result.retired.append(number)
        if number in moves and (number not in drawn or number in result.reshaped):
            target = by_number[moves[number]]
            for reservation in active.get(booth.id, []):
                before = reservation_state(reservation)
                reservation.booth_id = target.id
                result.moved[reservation.id] = target.number
                audit.record(
                    session,
                    "reservation.moved",
                    "reservation",
                    reservation.id,
                    before=before,
                    after=reservation_state(reservation),
                    user_id=user_id,
                )

    hall.outline = plan.hall
    hall.plan_version = result.version
    hall.versions.append(
        PlanVersion(
            number=result.version,
            document=to_geojson(plan),
            source_name=source_name,
            created_by_id=user_id,
        )
    )
    session.flush()
    audit.record(
        session,
        "plan.imported",
        "hall",
        hall.id,
        before=None if result.created else {"version": result.version - 1},
        after={
            "name": hall_name,
            "version": result.version,
            "booths": len(drawn),
            "added": len(result.added),
            "reshaped": result.reshaped,
            "retired": result.retired,
            "source": source_name,
        },
        user_id=user_id,
    )
    return result


def _refuse_bad_move_targets(
    moves: Mapping[str, str],
    drawn: Mapping[str, PlanBooth],
    current: Mapping[str, Booth],
    active: Mapping[int, list[Reservation]],
) -> None:
    """Every move must go to a booth of the new plan that will be free."""
    problems = []
    targets = list(moves.values())
    for source, target in moves.items():
        if target not in drawn:
            problems.append(
                tr(
                    "%(source)s → %(target)s: такого стенда нет в новом плане",
                    source=source,
                    target=target,
                )
            )
        elif targets.count(target) > 1:
            problems.append(
                tr(
                    "%(source)s → %(target)s: на этот стенд переносится несколько броней",
                    source=source,
                    target=target,
                )
            )
        elif target in current and active.get(current[target].id) and target not in moves:
            problems.append(
                tr("%(source)s → %(target)s: стенд уже забронирован", source=source, target=target)
            )
    if problems:
        raise Conflict(
            tr("Перенос бронирований невозможен: %(problems)s", problems="; ".join(problems)),
            details=problems,
        )


def _refuse_numbers_used_in_other_halls(
    session: Session, exhibition: Exhibition, hall: Hall, drawn: Mapping[str, PlanBooth]
) -> None:
    clashes = session.scalars(
        select(Booth.number).where(
            Booth.exhibition_id == exhibition.id,
            Booth.hall_id != hall.id,
            Booth.number.in_(list(drawn)),
        )
    ).all()
    if clashes:
        raise Conflict(
            tr(
                "Номера стендов должны быть уникальны в выставке; в других залах уже есть: "
                "%(numbers)s",
                numbers=", ".join(sorted(clashes)),
            ),
            details=sorted(clashes),
        )


def _active_reservations(session: Session, booth_ids: list[int]) -> dict[int, list[Reservation]]:
    """Active reservations by booth; lapsed holds are marked expired on the way."""
    now = utcnow()
    found: dict[int, list[Reservation]] = {}
    if not booth_ids:
        return found
    rows = session.scalars(
        select(Reservation).where(
            Reservation.booth_id.in_(booth_ids), Reservation.status.in_(ACTIVE_STATUSES)
        )
    )
    for reservation in rows:
        if (
            reservation.status != "confirmed"
            and reservation.expires_at is not None
            and reservation.expires_at <= now
        ):
            reservation.status = "expired"
            continue
        found.setdefault(reservation.booth_id, []).append(reservation)
    return found


def _affected(reservation: Reservation, number: str, reason: str) -> dict[str, Any]:
    return {
        "reservation": reservation.id,
        "booth": number,
        "exhibitor": reservation.exhibitor.name,
        "status": reservation.status,
        "reason": reason,
    }


def _same_shape(old: Any, new: Any) -> bool:
    return old.symmetric_difference(new).area < SAME_SHAPE_TOLERANCE_M2


def _apply_facts(booth: Booth, drawn: PlanBooth, facts: BoothFacts) -> None:
    price = drawn.properties.get("price")
    booth.polygon = drawn.polygon
    booth.area_m2 = Decimal(str(round(facts.area_m2, 2)))
    booth.open_sides = facts.open_sides
    booth.kind = facts.kind
    booth.price_override = None if price is None else Decimal(str(price))


# --- drafts: upload or lay out, look at the report, then publish --------------------------


@unit_of_work
def create_draft(
    session: Session,
    exhibition: Exhibition,
    hall_name: str,
    plan: Plan,
    *,
    source_name: str | None = None,
    origin: str = "upload",
    note: str | None = None,
    user_id: int | None = None,
) -> PlanDraft:
    """Store a plan with its validation report, to be looked at and published (or not)."""
    hall_name = hall_name.strip()
    if not hall_name:
        raise DomainError(tr("Укажите название зала"), details={"field": "hall_name"})
    report = check_plan(exhibition, plan)
    draft = PlanDraft(
        exhibition_id=exhibition.id,
        hall_name=hall_name[:100],
        document=to_geojson(plan),
        report=report.to_dict(),
        source_name=source_name,
        origin=origin,
        note=note,
        created_by_id=user_id,
    )
    session.add(draft)
    session.flush()
    audit.record(
        session, "plan.drafted", "plan_draft", draft.id,
        after={"hall": draft.hall_name, "valid": report.valid, "errors": len(report.errors),
               "source": source_name, "origin": origin},
        user_id=user_id,
    )  # fmt: skip
    return draft


def get_draft(session: Session, exhibition: Exhibition, draft_id: int) -> PlanDraft:
    draft = session.get(PlanDraft, draft_id)
    if draft is None or draft.exhibition_id != exhibition.id:
        raise NotFound(tr("Черновик плана %(draft_id)s не найден", draft_id=draft_id))
    return draft


@unit_of_work
def publish_draft(
    session: Session,
    exhibition: Exhibition,
    draft_id: int,
    *,
    moves: Mapping[str, str] | None = None,
    user_id: int | None = None,
) -> ImportResult:
    """Publish a valid draft as the hall's next plan version (see :func:`import_plan`)."""
    draft = get_draft(session, exhibition, draft_id)
    if draft.published_version is not None:
        raise Conflict(
            tr(
                "Этот черновик уже опубликован как версия %(published_version)s",
                published_version=draft.published_version,
            )
        )
    result = import_plan(
        session,
        exhibition,
        draft.hall_name,
        from_geojson(draft.document),
        moves=moves,
        source_name=draft.source_name,
        user_id=user_id,
    )
    draft.published_version = result.version
    return result


@unit_of_work
def layout_draft(
    session: Session,
    exhibition: Exhibition,
    hall: Hall,
    *,
    module: tuple[float, float],
    aisle: float,
    user_id: int | None = None,
) -> PlanDraft:
    """Fill the hall's current outline with booths (automatic layout) as a draft."""
    base = hall_plan(hall)
    try:
        result = layout_hall(base, module=module, aisle=aisle)
    except ValueError as exc:
        raise DomainError(str(exc)) from None
    note = (
        f"Раскладка {module[0]:g}×{module[1]:g} м, проходы {aisle:g} м: "
        f"{result.booth_count} стендов, продаваемая площадь {result.sellable_ratio:.0%}"
    )
    return create_draft(
        session, exhibition, hall.name, result.plan,
        source_name=None, origin="layout", note=note, user_id=user_id,
    )  # fmt: skip


def _edited_draft(
    session: Session, exhibition: Exhibition, hall: Hall, plan: Plan, note: str, user_id: int | None
) -> PlanDraft:
    return create_draft(
        session, exhibition, hall.name, plan, origin="edit", note=note, user_id=user_id
    )


def _booth_index(plan: Plan, number: str) -> int:
    for index, booth in enumerate(plan.booths):
        if booth.number == number:
            return index
    raise NotFound(tr("Стенда %(number)s нет на текущем плане", number=number))


@unit_of_work
def split_booth_draft(
    session: Session, exhibition: Exhibition, hall: Hall, number: str, user_id: int | None = None
) -> PlanDraft:
    """A draft with the booth cut in two equal halves: ``A5`` keeps its number, ``A5b`` is new.

    Publishing it goes through the usual guard: a reserved booth needs an explicit move.
    """
    plan = hall_plan(hall)
    index = _booth_index(plan, number)
    original = plan.booths[index]
    try:
        first, second = split_booth(original.polygon, 2)
    except ValueError as exc:
        raise DomainError(
            tr("Стенд %(number)s нельзя разделить: %(reason)s", number=number, reason=exc)
        ) from None
    new_number = f"{number}b"
    if any(b.number == new_number for b in plan.booths):
        raise Conflict(
            tr(
                "Номер %(new_number)s уже занят; перенумеруйте зал или выберите другой стенд",
                new_number=new_number,
            )
        )
    booths = list(plan.booths)
    booths[index] = PlanBooth(number, first, dict(original.properties))
    booths.insert(index + 1, PlanBooth(new_number, second, dict(original.properties)))
    note = f"Стенд {number} разделён на {number} и {new_number}"
    return _edited_draft(session, exhibition, hall, replace(plan, booths=booths), note, user_id)


@unit_of_work
def merge_booths_draft(
    session: Session,
    exhibition: Exhibition,
    hall: Hall,
    numbers: list[str],
    keep: str,
    user_id: int | None = None,
) -> PlanDraft:
    """A draft with adjacent booths merged into one; ``keep`` is the number that survives."""
    numbers = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    note = f"Стенды {', '.join(numbers)} объединены в {keep}"
    return merge_groups_draft(session, exhibition, hall, [(numbers, keep)], note, user_id=user_id)


@unit_of_work
def merge_groups_draft(
    session: Session,
    exhibition: Exhibition,
    hall: Hall,
    groups: list[tuple[list[str], str]],
    note: str,
    *,
    user_id: int | None = None,
) -> PlanDraft:
    """A draft with several groups of adjacent booths merged, each into one booth.

    Each group is ``(numbers, keep)``: ``keep``, one of ``numbers``, is the number that
    survives (in the plan's order, where the first of the group stood). A group that does
    not merge into one simple polygon is refused with the reason (nothing is stored).
    """
    plan = hall_plan(hall)
    booths = list(plan.booths)
    seen: set[str] = set()
    for numbers, keep in groups:
        if len(numbers) < 2:
            raise DomainError(tr("Для объединения нужны хотя бы два стенда"))
        if keep not in numbers:
            raise DomainError(
                tr("Номер %(keep)s должен быть одним из объединяемых стендов", keep=keep)
            )
        if twice := sorted(seen.intersection(numbers)):
            raise DomainError(
                tr("Стенд %(numbers)s входит в два объединения сразу", numbers=", ".join(twice))
            )
        seen.update(numbers)
        current = replace(plan, booths=booths)
        indices = [_booth_index(current, n) for n in numbers]
        try:
            merged = merge_booths([booths[i].polygon for i in indices])
        except ValueError as exc:
            raise DomainError(
                tr(
                    "Стенды %(numbers)s нельзя объединить: %(reason)s",
                    numbers=", ".join(numbers),
                    reason=exc,
                )
            ) from None
        kept = booths[_booth_index(current, keep)]
        booths = [b for i, b in enumerate(booths) if i not in indices]
        booths.insert(min(indices), PlanBooth(keep, merged, dict(kept.properties)))
    return _edited_draft(session, exhibition, hall, replace(plan, booths=booths), note, user_id)


@unit_of_work
def renumber_draft(
    session: Session, exhibition: Exhibition, hall: Hall, user_id: int | None = None
) -> PlanDraft:
    """A draft with every booth renumbered in walking order from the main entrance."""
    plan = number_booths(hall_plan(hall))
    return _edited_draft(
        session, exhibition, hall, plan, "Стенды перенумерованы по ходу от главного входа", user_id
    )
