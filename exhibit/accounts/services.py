"""Accounts: users, passwords (argon2id), sessions that can be ended, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exhibit import audit
from exhibit.accounts import notices
from exhibit.accounts.models import ROLES, ApiToken, User
from exhibit.catalogue.models import Exhibitor
from exhibit.catalogue.rules import name_key
from exhibit.db import unit_of_work
from exhibit.errors import Conflict, DomainError, NotFound, tr
from exhibit.floorplan.models import Exhibition
from exhibit.timeutil import utcnow

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()  # argon2id with the library's recommended parameters


def normalise_email(email: str) -> str:
    """The address as stored: checked, with the domain lower-cased (and the local part too)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError(
            tr("Неверный адрес электронной почты: %(reason)s", reason=exc),
            details={"field": "email"},
        ) from None
    return valid.normalized.lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            tr(
                "Пароль должен быть не короче %(length)s символов",
                length=MIN_PASSWORD_LENGTH,
            ),
            details={"field": "password"},
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def set_password(user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = hash_password(password)


def get_user_by_email(session: Session, email: str) -> User | None:
    # Addresses are stored lower-cased (normalise_email), so a plain comparison is enough.
    return session.scalar(select(User).where(User.email == email.strip().lower()))


@unit_of_work
def create_user(
    session: Session,
    email: str,
    role: str,
    *,
    password: str | None = None,
    exhibitor: Exhibitor | None = None,
    by_user_id: int | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its password (generated when none is given)."""
    if role not in ROLES:
        raise DomainError(
            tr("Неизвестная роль «%(role)s»: %(roles)s", role=role, roles=", ".join(ROLES))
        )
    if role == "exhibitor" and exhibitor is None:
        raise DomainError(tr("Учётной записи экспонента нужен экспонент (--exhibitor)"))
    address = normalise_email(email)
    if get_user_by_email(session, address) is not None:
        raise Conflict(
            tr("Пользователь %(address)s уже есть", address=address), details={"field": "email"}
        )
    password = password or secrets.token_urlsafe(12)
    user = User(email=address, role=role, exhibitor=exhibitor)
    set_password(user, password)
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        "user",
        user.id,
        after={"email": address, "role": role, "exhibitor": exhibitor.id if exhibitor else None},
        user_id=by_user_id,
    )
    return user, password


@unit_of_work
def register_exhibitor(
    session: Session,
    exhibition: Exhibition,
    *,
    email: str,
    password: str,
    organisation: str,
    kind: str,
    language: str = "ru",
) -> User:
    """Self-registration: a new exhibitor (waiting for approval) and its first user."""
    organisation = organisation.strip()
    if not organisation:
        raise DomainError(tr("Укажите название организации"), details={"field": "organisation"})
    names = session.scalars(select(Exhibitor.name).where(Exhibitor.exhibition_id == exhibition.id))
    if name_key(organisation) in {name_key(n) for n in names}:
        raise Conflict(
            tr(
                "Организация с таким названием уже зарегистрирована; попросите её представителя "
                "или организаторов добавить вас"
            ),
            details={"field": "organisation"},
        )
    check_password_rules(password)
    exhibitor = Exhibitor(exhibition_id=exhibition.id, name=organisation, kind=kind, approved=False)
    session.add(exhibitor)
    session.flush()
    user, _ = create_user(session, email, "exhibitor", password=password, exhibitor=exhibitor)
    user.language = language
    audit.record(
        session, "exhibitor.registered", "exhibitor", exhibitor.id,
        after={"name": organisation, "kind": kind}, user_id=user.id,
    )  # fmt: skip
    notices.registered(session, user, exhibitor, exhibition.slug)
    return user


@unit_of_work
def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, else None (the same for both mistakes)."""
    user = get_user_by_email(session, email)
    if user is None or not user.active or not user.password_hash:
        # Spend the same time as a real check so that timing does not reveal accounts.
        _hasher.hash(password)
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


@unit_of_work
def end_sessions(session: Session, user: User) -> None:
    """Invalidate every session cookie issued to the user so far (logout, password change)."""
    user.session_version += 1


@unit_of_work
def change_password(session: Session, user: User, current: str, new: str) -> None:
    if authenticate(session, user.email, current) is None:
        raise DomainError(tr("Текущий пароль неверен"), details={"field": "current_password"})
    set_password(user, new)
    end_sessions(session, user)
    audit.record(session, "user.password_changed", "user", user.id, user_id=user.id)


@unit_of_work
def approve_exhibitor(session: Session, exhibitor: Exhibitor, by_user: User) -> None:
    if exhibitor.approved:
        return
    exhibitor.approved = True
    audit.record(
        session, "exhibitor.approved", "exhibitor", exhibitor.id,
        before={"approved": False}, after={"approved": True}, user_id=by_user.id,
    )  # fmt: skip
    notices.approved(session, exhibitor, session.get(Exhibition, exhibitor.exhibition_id).slug)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@unit_of_work
def issue_token(session: Session, user: User, label: str = "") -> str:
    """A new API token for the user; only its hash is stored, the token is shown once."""
    token = "exh_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_token_hash(token), label=label.strip()[:100])
    session.add(row)
    session.flush()
    audit.record(
        session, "token.issued", "api_token", row.id, after={"label": row.label}, user_id=user.id
    )
    return token


@unit_of_work
def revoke_token(session: Session, user: User, token_id: int) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(tr("Токен не найден"))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, "token.revoked", "api_token", row.id, user_id=user.id)


def user_for_token(session: Session, token: str) -> User | None:
    """The active user a bearer token belongs to, unless it is unknown or revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    return row.user
