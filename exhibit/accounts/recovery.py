"""Password reset and e-mail change by a link sent to the address.

The link carries a signed token (``itsdangerous``, the app's secret key) that expires in an
hour and names the user and a fingerprint of their password hash and address: once the
password (or the address) changes, every older link stops working — which also makes each
link single-use. Asking for a reset answers the same whether the address has an account or
not; at most :data:`RESETS_PER_HOUR` links go to one address an hour (the site also limits
each client). A reset ends every session of the user. Each step is an audit event.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.accounts import notices
from exhibit.accounts.models import User
from exhibit.accounts.services import (
    authenticate,
    end_sessions,
    get_user_by_email,
    normalise_email,
    set_password,
)
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, tr
from exhibit.mail.outbox import OutboxMessage
from exhibit.mail.render import link
from exhibit.timeutil import utcnow

TOKEN_AGE = 3600  # seconds
RESETS_PER_HOUR = 3


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="exhibit.accounts")


def fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.email}".encode()).hexdigest()[:20]


def make_token(user: User, purpose: str, **extra: str) -> str:
    return _serializer().dumps({"u": user.id, "f": fingerprint(user), "p": purpose, **extra})


def _invalid() -> DomainError:
    return DomainError(
        tr("Ссылка недействительна или устарела: запросите новую"), details={"field": "token"}
    )


def user_for_token(session: Session, token: str, purpose: str) -> tuple[User, dict]:
    """The user a token is for, and its content; refused when it is forged, older than an
    hour, for another purpose, or the password or address changed since it was made."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_AGE)
    except (SignatureExpired, BadSignature):
        raise _invalid() from None
    if not isinstance(data, dict) or data.get("p") != purpose:
        raise _invalid()
    user = session.get(User, data.get("u"))
    if user is None or not user.active or fingerprint(user) != data.get("f"):
        raise _invalid()
    return user, data


def _recent_resets(session: Session, address: str) -> int:
    since = utcnow() - timedelta(hours=1)
    return (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.kind == "password.reset",
                OutboxMessage.recipient == address,
                OutboxMessage.created_at >= since,
            )
        )
        or 0
    )


@unit_of_work
def request_reset(session: Session, email: str) -> None:
    """Mail a reset link if the address has an active account (and has not had too many
    this hour). The caller answers the same in every case."""
    address = normalise_email(email)
    user = get_user_by_email(session, address)
    if user is None or not user.active or _recent_resets(session, address) >= RESETS_PER_HOUR:
        return
    token = make_token(user, "reset")
    notices.send(session, user, "password_reset", kind="password.reset",
                 url=link("accounts.reset_password", token=token))  # fmt: skip
    audit.record(session, "user.password_reset_requested", "user", user.id, user_id=user.id)


@unit_of_work
def reset_password(session: Session, token: str, password: str) -> User:
    user, _ = user_for_token(session, token, "reset")
    set_password(user, password)
    end_sessions(session, user)
    audit.record(session, "user.password_reset", "user", user.id, user_id=user.id)
    return user


@unit_of_work
def request_email_change(session: Session, user: User, new_email: str, password: str) -> None:
    """Mail a confirmation link to the new address (the change waits for it)."""
    if authenticate(session, user.email, password) is None:
        raise DomainError(tr("Текущий пароль неверен"), details={"field": "current_password"})
    address = normalise_email(new_email)
    if address == user.email:
        raise DomainError(tr("Это и есть ваш адрес"), details={"field": "email"})
    if get_user_by_email(session, address) is not None:
        return  # the same answer: whether an address has an account is nobody's business
    token = make_token(user, "email", e=address)
    notices.send(session, user, "email_change", kind="email.change", address=address,
                 new_email=address, url=link("accounts.confirm_email", token=token))  # fmt: skip
    audit.record(session, "user.email_change_requested", "user", user.id,
                 after={"email": address}, user_id=user.id)  # fmt: skip


@unit_of_work
def confirm_email_change(session: Session, token: str) -> User:
    user, data = user_for_token(session, token, "email")
    address = str(data.get("e", ""))
    if get_user_by_email(session, address) is not None:
        raise Conflict(tr("Адрес %(address)s уже занят", address=address))
    old = user.email
    user.email = address
    audit.record(session, "user.email_changed", "user", user.id,
                 before={"email": old}, after={"email": address}, user_id=user.id)  # fmt: skip
    notices.send(session, user, "email_changed", kind="email.changed", address=old,
                 old_email=old, new_email=address)  # fmt: skip
    return user


@unit_of_work
def save_notice_settings(
    session: Session, user: User, language: str, enabled: dict[str, bool]
) -> None:
    """The user's mail language and the notices they turned on or off (only those they may
    choose: organisers theirs, exhibitors the reminders)."""
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError(tr("Неизвестный язык: %(language)s", language=language),
                          details={"field": "language"})  # fmt: skip
    allowed = notices.ORGANISER_NOTICES if user.is_organiser else notices.EXHIBITOR_OPTIONAL
    before = {"language": user.language, "notices": dict(user.notice_settings or {})}
    user.language = language
    user.notice_settings = {key: bool(enabled.get(key, False)) for key in allowed}
    audit.record(session, "user.notices_changed", "user", user.id, before=before,
                 after={"language": language, "notices": user.notice_settings},
                 user_id=user.id)  # fmt: skip
