"""What the search index stores: one document per solution and per exhibitor; the
organisers' thesaurus lines; the queries that found nothing; neighbours by word meaning.

The text columns hold :func:`exhibit.search.text.to_index_text` of the record's fields
(stems and normalised words), never the raw text. The engine-specific index over them —
an FTS5 table on SQLite, a GIN index on a weighted ``tsvector`` on PostgreSQL — is made by
migration 0002 and lives outside the models (see :mod:`exhibit.search.index`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exhibit.db import Base


class SearchDocument(Base):
    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    #: "solution" or "exhibitor"
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int]
    exhibitor_id: Mapped[int] = mapped_column(ForeignKey("exhibitor.id", ondelete="CASCADE"))
    title_terms: Mapped[str] = mapped_column(Text, default="")
    summary_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    #: the solution's tags alone (they are in ``summary_terms`` too), ranked above the summary
    tags_terms: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_document_exhibition_id", "exhibition_id"),
    )


class ThesaurusLine(Base):
    """A line the organisers added to the search thesaurus (the format of
    :mod:`exhibit.search.thesaurus`); it applies to every exhibition."""

    __tablename__ = "search_thesaurus_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    line: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), nullable=True
    )


class SearchMiss(Base):
    """A query that found nothing: its cleaned text, the day and how many times that day.

    Nothing about who asked — no user, no address, no time of day."""

    __tablename__ = "search_miss"

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibition.id", ondelete="CASCADE"))
    query: Mapped[str] = mapped_column(String(200))
    day: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(default=1)

    __table_args__ = (UniqueConstraint("exhibition_id", "query", "day"),)


class SearchNeighbour(Base):
    """A catalogue word and another close to it in meaning (word embeddings), computed when
    the index is rebuilt (``flask search-reindex``); terms are stems."""

    __tablename__ = "search_neighbour"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(40))
    neighbour: Mapped[str] = mapped_column(String(40))
    similarity: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("term", "neighbour"),)
