"""Users and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from exhibit.catalogue.models import Exhibitor
from exhibit.db import Base
from exhibit.timeutil import utcnow

ROLES = ("organiser", "exhibitor")


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    exhibitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("exhibitor.id", ondelete="SET NULL")
    )
    #: Bumped on logout or password change: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The language of the user's mail (``ru`` or ``en``): the one they registered in.
    language: Mapped[str] = mapped_column(String(5), default="ru", server_default="ru")
    #: Notices the user turned off or on, by kind (``exhibit/accounts/notices.py``); absent
    #: kinds have their default.
    notice_settings: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    exhibitor: Mapped[Exhibitor | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("role IN ('organiser', 'exhibitor')", name="role_known"),)

    def get_id(self) -> str:
        """The session's user id carries the session version: a bump ends old sessions."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive users cannot sign in
        return self.active

    @property
    def is_organiser(self) -> bool:
        return self.role == "organiser"


class ApiToken(Base):
    """An API token, stored as a hash: the token itself is shown once, when made."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
