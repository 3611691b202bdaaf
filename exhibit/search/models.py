"""What the search index stores: one document per solution and per exhibitor.

The text columns hold :func:`exhibit.search.text.to_index_text` of the record's fields
(stems and normalised words), never the raw text. The engine-specific index over them —
an FTS5 table on SQLite, a GIN index on a weighted ``tsvector`` on PostgreSQL — is made by
migration 0002 and lives outside the models (see :mod:`exhibit.search.index`).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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

    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_document_exhibition_id", "exhibition_id"),
    )
