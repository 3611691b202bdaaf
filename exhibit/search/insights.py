"""What organisers learn from search and add to it: the queries that found nothing, and
their own thesaurus lines.

The zero-results log keeps a query's cleaned text (:attr:`QueryPlan.text`: normalised words,
never syntax), the day (UTC) and how many times it was asked that day — nothing about who
asked. Its rows are per exhibition, query and day, so it grows with what visitors ask, not
with how often; :data:`MAX_NEW_PER_DAY` new queries a day at most (a flood of random
queries fills no disk), repeats of known ones are always counted.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.accounts.models import User
from exhibit.db import unit_of_work
from exhibit.errors import DomainError, NotFound, tr
from exhibit.search.engine import default_thesaurus
from exhibit.search.models import SearchMiss, ThesaurusLine
from exhibit.search.thesaurus import ThesaurusError, parse_line
from exhibit.timeutil import utcnow

log = logging.getLogger(__name__)

#: Longest query text kept (the cleaned text; longer ones are cut at a word).
MAX_QUERY = 200
#: New distinct queries recorded per exhibition and day; beyond it only known ones count.
MAX_NEW_PER_DAY = 2000
#: Lines one form may add.
MAX_LINES = 100


def _clip(text: str) -> str:
    if len(text) <= MAX_QUERY:
        return text
    return text[:MAX_QUERY].rsplit(" ", 1)[0] or text[:MAX_QUERY]


@unit_of_work
def record_miss(session: Session, exhibition_id: int, query: str) -> None:
    """Count one search that found nothing (an upsert on exhibition, text and day)."""
    text = _clip(query.strip())
    if not text:
        return
    today = utcnow().date()
    known = session.scalar(
        select(SearchMiss.id).where(
            SearchMiss.exhibition_id == exhibition_id,
            SearchMiss.query == text,
            SearchMiss.day == today,
        )
    )
    if known is None:
        new_today = session.scalar(
            select(func.count(SearchMiss.id)).where(
                SearchMiss.exhibition_id == exhibition_id, SearchMiss.day == today
            )
        )
        if (new_today or 0) >= MAX_NEW_PER_DAY:
            return
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(SearchMiss).values(
        exhibition_id=exhibition_id, query=text, day=today, count=1
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["exhibition_id", "query", "day"],
            set_={"count": SearchMiss.count + 1},
        )
    )


def log_if_nothing_found(session: Session, exhibition_id: int, query: str, nothing: bool) -> None:
    """Count the query when it found nothing; a failure to count never fails the search."""
    if not nothing:
        return
    try:
        record_miss(session, exhibition_id, query)
    except SQLAlchemyError:
        log.warning("a query that found nothing was not logged", exc_info=True)


@dataclass(frozen=True)
class Miss:
    query: str
    count: int
    days: int
    last_day: dt.date


def misses(session: Session, exhibition_id: int, days: int = 30, limit: int = 200) -> list[Miss]:
    """Queries that found nothing in the last ``days`` days: most asked first."""
    since = utcnow().date() - dt.timedelta(days=days - 1)
    rows = session.execute(
        select(
            SearchMiss.query,
            func.sum(SearchMiss.count),
            func.count(SearchMiss.id),
            func.max(SearchMiss.day),
        )
        .where(SearchMiss.exhibition_id == exhibition_id, SearchMiss.day >= since)
        .group_by(SearchMiss.query)
        .order_by(func.sum(SearchMiss.count).desc(), func.max(SearchMiss.day).desc())
        .limit(limit)
    )
    return [Miss(q, int(n), int(d), last) for q, n, d, last in rows]


def thesaurus_lines(session: Session) -> list[ThesaurusLine]:
    """The organisers' own lines, oldest first."""
    return list(session.scalars(select(ThesaurusLine).order_by(ThesaurusLine.id)))


def curated_lines() -> list[str]:
    """The lines of the curated thesaurus shipped with the application."""
    return [entry.text for entry in default_thesaurus().entries]


@unit_of_work
def add_thesaurus_lines(session: Session, text: str, user: User) -> list[ThesaurusLine]:
    """Add the lines of ``text`` (blank ones and comments skipped) to the thesaurus.

    All or nothing: a line that cannot be read refuses the whole text, naming its number
    and what is wrong. Lines already there are not added twice."""
    lines = [line.strip() for line in text.splitlines()]
    entries = []
    for number, line in enumerate(lines, 1):
        try:
            entry = parse_line(line, number)
        except ThesaurusError as error:
            raise DomainError(
                tr(
                    "Тезаурус, строка %(number)d «%(line)s»: %(reason)s",
                    number=number,
                    line=line[:80],
                    reason=error.message,
                ),
                details={"field": "lines", "line": number},
            ) from None
        if entry is not None:
            entries.append(line)
    if not entries:
        raise DomainError(
            tr("Нет ни одной строки тезауруса: напишите, например, «свалка = полигон ТКО»"),
            details={"field": "lines"},
        )
    if len(entries) > MAX_LINES:
        raise DomainError(
            tr("Не больше %(n)d строк за раз", n=MAX_LINES), details={"field": "lines"}
        )
    have = set(session.scalars(select(ThesaurusLine.line)))
    added = []
    now = utcnow()
    for line in dict.fromkeys(entries):
        if line in have:
            continue
        row = ThesaurusLine(line=line, created_at=now, created_by_id=user.id)
        session.add(row)
        added.append(row)
    session.flush()
    for row in added:
        audit.record(
            session, "search.thesaurus_added", "thesaurus", row.id, after={"line": row.line},
            user_id=user.id,
        )  # fmt: skip
    return added


@unit_of_work
def delete_thesaurus_line(session: Session, line_id: int, user: User) -> str:
    """Remove one of the organisers' lines; returns its text."""
    row = session.get(ThesaurusLine, line_id)
    if row is None:
        raise NotFound(tr("Строки тезауруса нет (уже удалена?)"))
    line = row.line
    session.execute(delete(ThesaurusLine).where(ThesaurusLine.id == line_id))
    audit.record(
        session, "search.thesaurus_deleted", "thesaurus", line_id, before={"line": line},
        user_id=user.id,
    )  # fmt: skip
    return line
