"""Reserving booths (exhibitors) and running the floor (organisers): HTML views."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from exhibit.accounts.decorators import exhibitor_required, organiser_required
from exhibit.accounts.services import approve_exhibitor
from exhibit.booking import assignment as assignment_service
from exhibit.booking import dashboard as dashboard_service
from exhibit.booking import services
from exhibit.catalogue.models import Exhibitor, Track
from exhibit.db import db
from exhibit.errors import DomainError, NotFound, tr
from exhibit.floorplan.models import Exhibition, Hall
from exhibit.floorplan.services import get_exhibition, hall_plan, newest_exhibition
from exhibit.maps.svg import Frame
from exhibit.web.forms import BlockForm, ConfirmForm, HoldForm, MoveForm, run_change

bp = Blueprint("booking", __name__)


def _current_exhibition() -> Exhibition | None:
    if current_user.is_authenticated and current_user.exhibitor is not None:
        return db.session.get(Exhibition, current_user.exhibitor.exhibition_id)
    return newest_exhibition(db.session)


def _hall(exhibition: Exhibition, name: str | None) -> Hall:
    halls = exhibition.halls
    if not halls:
        raise NotFound(tr("В выставке ещё нет залов"))
    if name is None:
        return halls[0]
    for hall in halls:
        if hall.name == name:
            return hall
    raise NotFound(tr("Зал не найден"))


@bp.get("/dashboard")
@login_required
def dashboard() -> Response:
    exhibition = _current_exhibition()
    if exhibition is None:
        return redirect(url_for("catalogue.index"))
    if current_user.is_organiser:
        return redirect(url_for("booking.organiser", slug=exhibition.slug))
    return redirect(url_for("booking.mine", slug=exhibition.slug))


@bp.get("/<slug>/plan")
def plan(slug: str) -> str:
    """The interactive hall plan: every booth with its status, area, kind and price."""
    exhibition = get_exhibition(db.session, slug)
    hall = _hall(exhibition, request.args.get("hall"))
    states = services.booth_states(db.session, hall)
    own = set()
    if current_user.is_authenticated and current_user.exhibitor_id:
        own = {
            s.booth.number
            for s in states
            if s.reservation and s.reservation.exhibitor_id == current_user.exhibitor_id
        }
    return render_template(
        "booking/plan.html",
        exhibition=exhibition,
        hall=hall,
        plan=hall_plan(hall),
        states=states,
        frame=Frame.around(hall.outline, margin=2.5),
        own=own,
    )


@bp.get("/<slug>/booths/<number>")
def booth(slug: str, number: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    booth = services.get_booth(db.session, exhibition, number)
    states = services.booth_states(db.session, booth.hall)
    (state,) = [s for s in states if s.booth.id == booth.id]
    hold_form = None
    if current_user.is_authenticated and current_user.is_organiser:
        hold_form = HoldForm()
        hold_form.exhibitor_id.choices = [
            SelectChoice(e.id, e.name)
            for e in db.session.scalars(
                db.select(Exhibitor)
                .where(Exhibitor.exhibition_id == exhibition.id, Exhibitor.is_public)
                .order_by(Exhibitor.name)
            )
        ]
    return render_template(
        "booking/booth.html",
        exhibition=exhibition,
        state=state,
        # A plan excerpt: the booth and about ten metres round it.
        hall=booth.hall,
        states=states,
        plan=hall_plan(booth.hall),
        frame=Frame.around(booth.polygon, margin=10),
        own={booth.number},
        form=ConfirmForm(),
        block_form=BlockForm(),
        hold_form=hold_form,
        move_form=MoveForm(),
    )


@bp.post("/<slug>/booths/<number>/request")
@exhibitor_required
def request_booth(slug: str, number: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    return run_change(
        lambda: services.request_booth(
            db.session, exhibition, number, current_user.exhibitor, current_user
        ),
        _("Стенд %(number)s удерживается за вами; организаторы подтвердят бронь.", number=number),
        url_for("booking.booth", slug=slug, number=number),
    )


@bp.post("/<slug>/booths/<number>/waitlist")
@exhibitor_required
def join_waitlist(slug: str, number: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    return run_change(
        lambda: services.join_waitlist(
            db.session, exhibition, number, current_user.exhibitor, current_user
        ),
        _("Вы в листе ожидания стенда %(number)s.", number=number),
        url_for("booking.booth", slug=slug, number=number),
    )


@bp.post("/waitlist/<int:entry_id>/leave")
@exhibitor_required
def leave_waitlist(entry_id: int) -> Response:
    return run_change(
        lambda: services.leave_waitlist(db.session, entry_id, current_user.exhibitor, current_user),
        _("Вы вышли из листа ожидания."),
        url_for("booking.dashboard"),
    )


@bp.post("/<slug>/booths/<number>/block")
@organiser_required
def block(slug: str, number: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    reason = request.form.get("reason", "")
    return run_change(
        lambda: services.block_booth(db.session, exhibition, number, current_user, reason),
        _("Стенд %(number)s снят с продажи.", number=number),
        url_for("booking.booth", slug=slug, number=number),
    )


@bp.post("/<slug>/booths/<number>/unblock")
@organiser_required
def unblock(slug: str, number: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    return run_change(
        lambda: services.unblock_booth(db.session, exhibition, number, current_user),
        _("Стенд %(number)s снова в продаже.", number=number),
        url_for("booking.booth", slug=slug, number=number),
    )


@bp.post("/<slug>/booths/<number>/hold")
@organiser_required
def hold(slug: str, number: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    back = url_for("booking.booth", slug=slug, number=number)
    exhibitor = db.session.get(Exhibitor, request.form.get("exhibitor_id", type=int) or 0)
    if exhibitor is None or exhibitor.exhibition_id != exhibition.id:
        flash(_("Выберите экспонента."), "error")
        return redirect(back)
    hours = request.form.get("hours", type=int)
    return run_change(
        lambda: services.hold_booth(
            db.session, exhibition, number, exhibitor, current_user, hours=hours
        ),
        _("Стенд %(number)s удерживается для «%(name)s».", number=number, name=exhibitor.name),
        back,
    )


def _reservation_back() -> str:
    target = request.form.get("back", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("booking.dashboard")


@bp.post("/reservations/<int:reservation_id>/confirm")
@organiser_required
def confirm(reservation_id: int) -> Response:
    return run_change(
        lambda: services.confirm_reservation(db.session, reservation_id, current_user),
        _("Бронирование подтверждено."),
        _reservation_back(),
    )


@bp.post("/reservations/<int:reservation_id>/decline")
@organiser_required
def decline(reservation_id: int) -> Response:
    return run_change(
        lambda: services.decline_reservation(db.session, reservation_id, current_user),
        _("Заявка отклонена."),
        _reservation_back(),
    )


@bp.post("/reservations/<int:reservation_id>/cancel")
@login_required
def cancel(reservation_id: int) -> Response:
    return run_change(
        lambda: services.cancel_reservation(db.session, reservation_id, current_user),
        _("Бронирование отменено."),
        _reservation_back(),
    )


@bp.post("/reservations/<int:reservation_id>/move")
@organiser_required
def move(reservation_id: int) -> Response:
    target = request.form.get("target", "").strip()
    return run_change(
        lambda: services.move_reservation(db.session, reservation_id, target, current_user),
        _("Бронирование перенесено на стенд %(number)s.", number=target),
        _reservation_back(),
    )


@bp.get("/<slug>/my")
@exhibitor_required
def mine(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    exhibitor = current_user.exhibitor
    if exhibitor.exhibition_id != exhibition.id:
        abort(404)
    return render_template(
        "booking/mine.html",
        exhibition=exhibition,
        exhibitor=exhibitor,
        reservations=services.reservations_of(db.session, exhibitor),
        waitlist=services.waitlist_of(db.session, exhibitor),
        form=ConfirmForm(),
    )


@bp.get("/<slug>/organiser")
@organiser_required
def organiser(slug: str) -> str:
    from exhibit.billing.dashboard import money_figures

    exhibition = get_exhibition(db.session, slug)
    return render_template(
        "booking/organiser.html",
        exhibition=exhibition,
        summary=dashboard_service.summary(db.session, exhibition),
        money=money_figures(db.session, exhibition),
        tracks={t.code: t for t in db.session.scalars(select(Track))},
        form=ConfirmForm(),
    )


@bp.get("/<slug>/assignment")
@organiser_required
def assignment_page(slug: str) -> str:
    """The automatic assignment's preview: each hall before and after, the list with the
    reasons and costs, the quality figures, who is left out; and the button to apply it."""
    exhibition = get_exhibition(db.session, slug)
    result = refusal = None
    try:
        result = assignment_service.preview(db.session, exhibition)
    except DomainError as error:
        refusal = error
    halls = assignment_service.plan_preview(db.session, exhibition, result)
    return render_template(
        "booking/assignment.html",
        exhibition=exhibition,
        result=result,
        refusal=refusal,
        halls=halls,
        plans={h.hall.id: hall_plan(h.hall) for h in halls},
        frames={h.hall.id: Frame.around(h.hall.outline, margin=2.5) for h in halls},
        colours={a.exhibitor: assignment_service.exhibitor_colour(k)
                 for k, a in enumerate(result.assignments)} if result else {},
        form=ConfirmForm(),
    )  # fmt: skip


@bp.post("/<slug>/assignment/apply")
@organiser_required
def apply_assignment(slug: str) -> Response:
    """Apply the assignment in one transaction, exactly as ``flask assign --apply``."""
    exhibition = get_exhibition(db.session, slug)
    back = url_for("booking.assignment_page", slug=slug)
    if not ConfirmForm().validate_on_submit():
        flash(_("Форма устарела или пришла без защитного токена; попробуйте ещё раз."), "error")
        return redirect(back)
    try:
        applied = assignment_service.apply(db.session, exhibition, user_id=current_user.id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    placed = len(applied.result.assignments)
    message = ngettext(
        "Размещение применено: %(num)d экспонент получил стенд (удержание).",
        "Размещение применено: %(num)d экспонентов получили стенды (удержание).",
        placed,
    )
    if applied.merges:
        message += " " + _(
            "Объединены стенды: %(merges)s.",
            merges="; ".join(f"{' + '.join(m.booths)} → {m.number}" for m in applied.merges),
        )
    if applied.result.unplaced:
        message += " " + _("Без стенда: %(count)d.", count=len(applied.result.unplaced))
    flash(message, "success")
    return redirect(url_for("booking.assignment_page", slug=slug, applied=1))


@bp.post("/<slug>/exhibitors/<int:exhibitor_id>/approve")
@organiser_required
def approve(slug: str, exhibitor_id: int) -> Response:
    exhibition = get_exhibition(db.session, slug)
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.exhibition_id != exhibition.id:
        abort(404)
    return run_change(
        lambda: approve_exhibitor(db.session, exhibitor, current_user),
        _("Экспонент «%(name)s» одобрен.", name=exhibitor.name),
        url_for("booking.organiser", slug=slug),
    )


@bp.get("/reservations/<int:reservation_id>/confirmation.pdf")
@login_required
def confirmation(reservation_id: int) -> Response:
    """The exhibitor's confirmation of a reservation (theirs only; organisers: any)."""
    from exhibit.maps.pdf import confirmation_pdf

    reservation = services.get_reservation(db.session, reservation_id)
    if not current_user.is_organiser and current_user.exhibitor_id != reservation.exhibitor_id:
        raise NotFound(
            tr("Бронирование %(reservation_id)s не найдено", reservation_id=reservation_id)
        )
    pdf = confirmation_pdf(db.session, reservation)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=booth-{reservation.booth.number}-confirmation.pdf"
    )
    return response
