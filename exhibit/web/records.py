"""Organisers' records: every exhibitor (deleting and restoring them) and the audit log."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from exhibit import audit
from exhibit.accounts.decorators import organiser_required
from exhibit.booking import dashboard, deletion
from exhibit.db import db
from exhibit.floorplan.services import get_exhibition
from exhibit.web.forms import ConfirmForm, run_change

bp = Blueprint("records", __name__)


@bp.get("/<slug>/organiser/exhibitors")
@organiser_required
def exhibitors(slug: str) -> str:
    """Every exhibitor of the exhibition, deleted ones too, with delete / restore buttons."""
    exhibition = get_exhibition(db.session, slug)
    everyone = deletion.exhibitors_on_record(db.session, exhibition)
    return render_template(
        "booking/exhibitors.html",
        exhibition=exhibition,
        active=[e for e in everyone if not e.is_deleted],
        deleted=sorted(
            (e for e in everyone if e.is_deleted), key=lambda e: e.deleted_at, reverse=True
        ),
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
    per_page = min(max(_int_arg("per_page") or audit.PAGE_SIZE, 1), 500)
    log = dashboard.audit_log(
        db.session,
        exhibition,
        booth_number=booth_number,
        exhibitor_id=exhibitor_id,
        user_id=user_id,
        page=_int_arg("page") or 1,
        per_page=per_page,
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
        result=log.page,
        problems=log.problems,
        filters=filters,
        exhibitors=log.exhibitors,
        exhibitor_names={e.id: e.name for e in log.exhibitors},
        users=log.users,
        user_emails={u.id: u.email for u in log.users},
        booth_numbers=log.booth_numbers,
    ), (422 if log.problems else 200)
