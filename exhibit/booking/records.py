"""Organisers' records: every exhibitor (deleting and restoring them) and the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from exhibit import audit
from exhibit.accounts.decorators import organiser_required
from exhibit.accounts.forms import ConfirmForm
from exhibit.accounts.models import User
from exhibit.booking.views import run_change
from exhibit.catalogue import deletion
from exhibit.catalogue.models import Exhibitor
from exhibit.catalogue.rules import russian_sort_key
from exhibit.db import db
from exhibit.floorplan.models import Booth
from exhibit.floorplan.services import get_exhibition

bp = Blueprint("records", __name__)


@bp.get("/<slug>/organiser/exhibitors")
@organiser_required
def exhibitors(slug: str) -> str:
    """Every exhibitor of the exhibition, deleted ones too, with delete / restore buttons."""
    exhibition = get_exhibition(db.session, slug)
    rows = db.session.scalars(select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id))
    everyone = sorted(rows, key=lambda e: russian_sort_key(e.name))
    return render_template(
        "booking/exhibitors.html",
        exhibition=exhibition,
        active=[e for e in everyone if not e.is_deleted],
        deleted=deletion.deleted_exhibitors(db.session, exhibition),
        form=ConfirmForm(),
    )


@bp.post("/<slug>/exhibitors/<int:exhibitor_id>/delete")
@organiser_required
def delete_exhibitor(slug: str, exhibitor_id: int) -> Response:
    exhibition = get_exhibition(db.session, slug)

    def act() -> str:
        result = deletion.delete_exhibitor(db.session, exhibition, exhibitor_id, current_user)
        name = result.exhibitor.name
        if result.booths:
            return _(
                "Экспонент «%(name)s» удалён; освобождены стенды: %(booths)s.",
                name=name,
                booths=", ".join(result.booths),
            )
        return _("Экспонент «%(name)s» удалён.", name=name)

    return run_change(act, None, url_for("records.exhibitors", slug=slug))


@bp.post("/<slug>/exhibitors/<int:exhibitor_id>/restore")
@organiser_required
def restore_exhibitor(slug: str, exhibitor_id: int) -> Response:
    exhibition = get_exhibition(db.session, slug)

    def act() -> str:
        result = deletion.restore_exhibitor(db.session, exhibition, exhibitor_id, current_user)
        name = result.exhibitor.name
        if result.booths:
            return _(
                "Экспонент «%(name)s» восстановлен. Стенды %(booths)s, освобождённые при "
                "удалении, не забронированы заново: при необходимости забронируйте их.",
                name=name,
                booths=", ".join(result.booths),
            )
        return _("Экспонент «%(name)s» восстановлен.", name=name)

    return run_change(act, None, url_for("records.exhibitors", slug=slug))


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return int(value) if value.isdigit() else None


@bp.get("/<slug>/organiser/audit")
@organiser_required
def audit_log(slug: str) -> tuple[str, int]:
    """The audit log, newest first; filtered by booth number, exhibitor and user; paged."""
    exhibition = get_exhibition(db.session, slug)
    booth_number = request.args.get("booth", "").strip()
    exhibitor_id = _int_arg("exhibitor")
    user_id = _int_arg("user")
    page = _int_arg("page") or 1
    per_page = min(max(_int_arg("per_page") or audit.PAGE_SIZE, 1), 500)
    exhibitors = sorted(
        db.session.scalars(select(Exhibitor).where(Exhibitor.exhibition_id == exhibition.id)),
        key=lambda e: russian_sort_key(e.name),
    )
    users = list(db.session.scalars(select(User).order_by(User.email)))
    problems = []
    booth_ids = None
    if booth_number:
        booth_ids = list(
            db.session.scalars(
                select(Booth.id).where(
                    Booth.exhibition_id == exhibition.id, Booth.number == booth_number
                )
            )
        )
        if not booth_ids:
            problems.append(_("Стенда %(number)s нет в этой выставке.", number=booth_number))
    if exhibitor_id is not None and exhibitor_id not in {e.id for e in exhibitors}:
        problems.append(_("Такого экспонента нет в этой выставке."))
    if user_id is not None and user_id not in {u.id for u in users}:
        problems.append(_("Такого пользователя нет."))
    if problems:
        result = audit.EventPage([], 0, 1, audit.PAGE_SIZE)
    else:
        result = audit.events(
            db.session,
            booth_ids=booth_ids,
            exhibitor_id=exhibitor_id,
            user_id=user_id,
            page=page,
            per_page=per_page,
        )
    booth_numbers = dict(
        db.session.execute(
            select(Booth.id, Booth.number).where(
                Booth.id.in_({e.booth_id for e in result.events if e.booth_id})
            )
        ).all()
    )
    filters = {
        key: value
        for key, value in (("booth", booth_number), ("exhibitor", exhibitor_id), ("user", user_id))
        if value
    }
    if per_page != audit.PAGE_SIZE:
        filters["per_page"] = per_page
    return render_template(
        "booking/audit.html",
        exhibition=exhibition,
        result=result,
        problems=problems,
        filters=filters,
        exhibitors=exhibitors,
        exhibitor_names={e.id: e.name for e in exhibitors},
        users=users,
        user_emails={u.id: u.email for u in users},
        booth_numbers=booth_numbers,
    ), (422 if problems else 200)
