"""Soft deletion of exhibitors: gone from every public list, kept with its history, undoable.

Deleting releases the exhibitor's active reservations (each an audit event) and takes it
out of the search index; restoring brings it back to the catalogue and the index but does
NOT re-reserve the booths (others may have them by then): the audit log and the restore's
result name the booths that were released.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.accounts import notices as account_notices
from exhibit.accounts.models import User
from exhibit.audit import AuditEvent
from exhibit.booking.services import release_all_of
from exhibit.catalogue.models import Exhibitor
from exhibit.catalogue.rules import russian_sort_key
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, Forbidden, NotFound, tr
from exhibit.floorplan.models import Exhibition
from exhibit.mail import outbox
from exhibit.timeutil import utcnow


@dataclass
class DeletionResult:
    exhibitor: Exhibitor
    #: ``{"reservation_id", "booth_id", "booth", "status"}`` per released reservation
    released: list[dict[str, Any]] = field(default_factory=list)

    @property
    def booths(self) -> list[str]:
        return [r["booth"] for r in self.released]


def _organiser(user: User | None) -> User:
    if user is None or not user.is_organiser:
        raise Forbidden(tr("Это могут только организаторы"))
    return user


def _locked_exhibitor(session: Session, exhibition: Exhibition, exhibitor_id: int) -> Exhibitor:
    exhibitor = session.scalar(
        select(Exhibitor).where(Exhibitor.id == exhibitor_id).with_for_update()
    )
    if exhibitor is None or exhibitor.exhibition_id != exhibition.id:
        raise NotFound(
            tr(
                "Экспонент %(exhibitor_id)s не найден в выставке «%(title)s»",
                exhibitor_id=exhibitor_id,
                title=exhibition.title,
            )
        )
    return exhibitor


@unit_of_work
def delete_exhibitor(
    session: Session, exhibition: Exhibition, exhibitor_id: int, user: User | None
) -> DeletionResult:
    """Soft-delete an exhibitor: release its reservations, hide it everywhere."""
    organiser = _organiser(user)
    exhibitor = _locked_exhibitor(session, exhibition, exhibitor_id)
    if exhibitor.is_deleted:
        raise Conflict(tr("Экспонент «%(name)s» уже удалён", name=exhibitor.name))
    exhibitor.deleted_at = utcnow()
    session.flush()  # the search index drops its documents in this flush
    outbox.stop_for_exhibitor(
        session, exhibitor.id, "экспонент удалён: письма его пользователям не идут"
    )
    if not exhibitor.approved:
        account_notices.refused(session, exhibitor)  # a registration refused: they are told
    released = release_all_of(
        session, exhibitor, organiser, reason=f"экспонент «{exhibitor.name}» удалён"
    )
    audit.record(
        session, "exhibitor.deleted", "exhibitor", exhibitor.id,
        before={"deleted_at": None},
        after={"deleted_at": exhibitor.deleted_at.isoformat(), "name": exhibitor.name,
               "released": released},
        user_id=organiser.id,
    )  # fmt: skip
    return DeletionResult(exhibitor, released)


@unit_of_work
def restore_exhibitor(
    session: Session, exhibition: Exhibition, exhibitor_id: int, user: User | None
) -> DeletionResult:
    """Undo a deletion. The released booths stay released; the result names them."""
    organiser = _organiser(user)
    exhibitor = _locked_exhibitor(session, exhibition, exhibitor_id)
    if not exhibitor.is_deleted:
        raise Conflict(
            tr("Экспонент «%(name)s» не удалён: восстанавливать нечего", name=exhibitor.name)
        )
    released = last_released(session, exhibitor)
    before = {"deleted_at": exhibitor.deleted_at.isoformat() if exhibitor.deleted_at else None}
    exhibitor.deleted_at = None
    session.flush()  # the search index takes its documents back in this flush
    audit.record(
        session, "exhibitor.restored", "exhibitor", exhibitor.id,
        before=before,
        after={"deleted_at": None, "name": exhibitor.name, "not_rereserved": released},
        user_id=organiser.id,
    )  # fmt: skip
    return DeletionResult(exhibitor, released)


def last_released(session: Session, exhibitor: Exhibitor) -> list[dict[str, Any]]:
    """What the exhibitor's latest deletion released (from the audit log)."""
    event = session.scalar(
        select(AuditEvent)
        .where(
            AuditEvent.action == "exhibitor.deleted",
            AuditEvent.entity == "exhibitor",
            AuditEvent.entity_id == str(exhibitor.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None or not event.after:
        return []
    return list(event.after.get("released") or [])


def exhibitors_on_record(session: Session, exhibition: Exhibition) -> list[Exhibitor]:
    """Every exhibitor of the exhibition, deleted ones too, in Russian alphabetical order."""
    rows = session.scalars(select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id))
    return sorted(rows, key=lambda e: russian_sort_key(e.name))
