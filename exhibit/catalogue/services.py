"""Catalogue services: reference data and reading exhibitors and solutions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, selectinload

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor, Region, Solution, Track
from exhibit.errors import NotFound
from exhibit.floorplan.models import Booth


def read_data_file(name: str) -> Any:
    """A JSON file shipped in ``exhibit/data``."""
    return json.loads(resources.files("exhibit").joinpath("data", name).read_text("utf-8"))


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
    """Approved exhibitors of an exhibition, by name, with their region and solutions."""
    query = (
        select(Exhibitor)
        .where(Exhibitor.exhibition_id == exhibition_id, Exhibitor.approved.is_(True))
        .options(selectinload(Exhibitor.region), selectinload(Exhibitor.solutions))
        .order_by(func.lower(Exhibitor.name))
    )
    return list(session.scalars(query))


def get_solution(session: Session, solution_id: int, exhibition_id: int) -> Solution:
    """A solution of an approved exhibitor of this exhibition."""
    solution = session.get(Solution, solution_id)
    if (
        solution is None
        or solution.exhibitor.exhibition_id != exhibition_id
        or not solution.exhibitor.approved
    ):
        raise NotFound(f"Решение {solution_id} не найдено")
    return solution


def get_exhibitor(session: Session, exhibitor_id: int, exhibition_id: int) -> Exhibitor:
    """An approved exhibitor of this exhibition (others are not public)."""
    exhibitor = session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.exhibition_id != exhibition_id or not exhibitor.approved:
        raise NotFound(f"Экспонент {exhibitor_id} не найден")
    return exhibitor


@dataclass
class ExhibitionStats:
    booths: int
    booths_sold: int
    exhibitors: int
    municipalities: int
    regions: int
    solutions: int


def exhibition_stats(session: Session, exhibition_id: int) -> ExhibitionStats:
    """Headline figures for the exhibition's home page."""
    approved = (Exhibitor.exhibition_id == exhibition_id, Exhibitor.approved.is_(True))
    exhibitors = session.execute(
        select(
            func.count(Exhibitor.id),
            func.count(Exhibitor.id).filter(Exhibitor.kind == "municipality"),
            func.count(distinct(Exhibitor.region_code)),
        ).where(*approved)
    ).one()
    solutions = session.scalar(
        select(func.count(Solution.id)).join(Solution.exhibitor).where(*approved)
    )
    booths = session.scalar(
        select(func.count(Booth.id)).where(Booth.exhibition_id == exhibition_id)
    )
    sold = session.scalar(
        select(func.count(Reservation.id))
        .join(Booth, Booth.id == Reservation.booth_id)
        .where(Booth.exhibition_id == exhibition_id, Reservation.status == "confirmed")
    )
    return ExhibitionStats(
        booths=booths or 0,
        booths_sold=sold or 0,
        exhibitors=exhibitors[0],
        municipalities=exhibitors[1],
        regions=exhibitors[2],
        solutions=solutions or 0,
    )


def tracks_with_counts(session: Session, exhibition_id: int) -> list[tuple[Track, int]]:
    """Every track with the number of solutions shown in it."""
    counts = dict(
        session.execute(
            select(Solution.track_code, func.count(Solution.id))
            .join(Solution.exhibitor)
            .where(Exhibitor.exhibition_id == exhibition_id, Exhibitor.approved.is_(True))
            .group_by(Solution.track_code)
        ).all()
    )
    return [(track, counts.get(track.code, 0)) for track in list_tracks(session)]
