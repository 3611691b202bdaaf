"""The money side's pages: requisites, billing settings and the price list, invoices and
payments (marking, statements), a reservation's documents and service orders, downloads."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from exhibit.accounts.decorators import exhibitor_required, organiser_required
from exhibit.billing import exports, orders, payments, services
from exhibit.billing.documents import document_pdf, file_name
from exhibit.booking import services as booking
from exhibit.db import db
from exhibit.errors import DomainError
from exhibit.floorplan.services import get_exhibition
from exhibit.maps.svg import Frame
from exhibit.web.billing_forms import (
    OrderForm,
    OrganiserForm,
    PaymentForm,
    PriceItemForm,
    RequisitesForm,
    SettleForm,
    StatementForm,
)
from exhibit.web.forms import ConfirmForm, run_change

bp = Blueprint("billing", __name__)


def _download(data: bytes, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


def _save_requisites(form: RequisitesForm, party: object) -> bool:
    """Save the form's requisites; a refused field gets its message beside it."""
    try:
        services.save_requisites(db.session, party, form.data, current_user)
    except services.RequisitesInvalid as error:
        for name, message in (error.details or {}).items():
            getattr(form, name).errors = [message]
        flash(error.message, "error")
        return False
    return True


# --- exhibitors --------------------------------------------------------------------------


@bp.route("/<slug>/profile/requisites", methods=["GET", "POST"])
@exhibitor_required
def requisites(slug: str) -> Response | str:
    """The exhibitor's requisites (for contracts and invoices)."""
    exhibition = get_exhibition(db.session, slug)
    exhibitor = current_user.exhibitor
    if exhibitor is None or exhibitor.exhibition_id != exhibition.id:
        abort(404)
    saved = services.exhibitor_requisites(db.session, exhibitor)
    form = RequisitesForm(data=saved.as_dict() if saved else {"name": exhibitor.name})
    if form.validate_on_submit() and _save_requisites(form, exhibitor):
        flash(_("Реквизиты сохранены."), "success")
        return redirect(url_for("billing.requisites", slug=slug))
    return render_template("billing/requisites.html", exhibition=exhibition, form=form,
                           party=exhibitor.name)  # fmt: skip


@bp.get("/reservations/<int:reservation_id>/billing")
@login_required
def reservation(reservation_id: int) -> str:
    """A reservation's documents and service orders (its exhibitor's, or an organiser's)."""
    found = booking.visible_reservation(db.session, reservation_id, current_user)
    exhibition = found.booth.hall.exhibition
    docs = services.documents(db.session, current_user, reservation_id=found.id)
    placed = orders.orders(db.session, current_user, reservation_id=found.id)
    items = orders.price_list(db.session, exhibition)
    form = OrderForm()
    form.item.choices = [SelectChoice(i.code, f"{i.name} — {i.price} ₽/{i.unit}") for i in items]
    frame = Frame.around(found.booth.polygon, margin=0.5)
    return render_template(
        "billing/reservation.html", reservation=found, exhibition=exhibition, documents=docs,
        orders=placed, form=form, confirm=ConfirmForm(), frame=frame,
        settings=services.settings_of(db.session, exhibition),
        booth_path=frame.path(found.booth.polygon),
        sockets=[frame.point(o.point_x, o.point_y) for o in placed if o.point_x is not None],
        bounds=found.booth.polygon.bounds,
    )  # fmt: skip


@bp.post("/reservations/<int:reservation_id>/orders")
@login_required
def order(reservation_id: int) -> Response:
    back = url_for("billing.reservation", reservation_id=reservation_id)
    form = OrderForm()
    form.item.choices = [SelectChoice(request.form.get("item", ""), "")]
    if not form.validate_on_submit():
        flash(_("Форма устарела или пришла без защитного токена; попробуйте ещё раз."), "error")
        return redirect(back)
    point = None
    if form.x.data and form.y.data:
        try:
            point = (float(form.x.data.replace(",", ".")), float(form.y.data.replace(",", ".")))
        except ValueError:
            flash(_("Координаты розетки — числа в метрах"), "error")
            return redirect(back)
    try:
        orders.place_order(db.session, reservation_id, current_user, item_code=form.item.data,
                           quantity=form.quantity.data, point=point)  # fmt: skip
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Услуга заказана."), "success")
    return redirect(back)


@bp.post("/orders/<int:order_id>/cancel")
@login_required
def cancel_order(order_id: int) -> Response:
    back = request.form.get("back") or url_for("booking.dashboard")
    if not back.startswith("/"):
        back = url_for("booking.dashboard")
    return run_change(lambda: orders.cancel_order(db.session, order_id, current_user),
                      _("Заказ отменён."), back)  # fmt: skip


@bp.get("/documents/<int:document_id>.pdf")
@login_required
def document(document_id: int) -> Response:
    found = services.visible_document(db.session, document_id, current_user)
    return _download(document_pdf(found), file_name(found), "application/pdf")


# --- organisers --------------------------------------------------------------------------


@bp.post("/reservations/<int:reservation_id>/issue/<kind>")
@organiser_required
def issue(reservation_id: int, kind: str) -> Response:
    action = {"invoice": services.issue_invoice, "contract": services.issue_contract,
              "act": services.issue_act}.get(kind)  # fmt: skip
    if action is None:
        abort(404)
    return run_change(
        lambda: _("Документ № %(number)s", number=action(db.session, reservation_id,
                                                         current_user).number),
        None, url_for("billing.reservation", reservation_id=reservation_id),
    )  # fmt: skip


@bp.route("/<slug>/organiser/billing", methods=["GET", "POST"])
@organiser_required
def settings(slug: str) -> Response | str:
    """The organiser's requisites, billing settings and the price list."""
    exhibition = get_exhibition(db.session, slug)
    saved = services.organiser_requisites(db.session, exhibition)
    current = services.settings_of(db.session, exhibition)
    form = OrganiserForm(data=(saved.as_dict() if saved else {}) | {
        "vat": "none" if current.vat_rate is None else f"{current.vat_rate.normalize():f}",
        "payment_days": current.payment_days, "pay_to_confirm": current.pay_to_confirm,
        "order_deadline": current.order_deadline, "late_policy": current.late_policy,
        "late_surcharge_percent": current.late_surcharge_percent,
    })  # fmt: skip
    if form.validate_on_submit() and _save_requisites(form, exhibition):
        try:
            services.save_settings(
                db.session, exhibition, current_user,
                vat_rate=None if form.vat.data == "none" else Decimal(form.vat.data),
                payment_days=form.payment_days.data, pay_to_confirm=form.pay_to_confirm.data,
                order_deadline=form.order_deadline.data, late_policy=form.late_policy.data,
                late_surcharge_percent=form.late_surcharge_percent.data or Decimal(0),
            )  # fmt: skip
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Реквизиты и настройки сохранены."), "success")
            return redirect(url_for("billing.settings", slug=slug))
    return render_template(
        "billing/settings.html", exhibition=exhibition, form=form,
        items=orders.price_list(db.session, exhibition, all_items=True),
        price_form=PriceItemForm(),
    )  # fmt: skip


@bp.post("/<slug>/organiser/prices")
@organiser_required
def price_item(slug: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    back = url_for("billing.settings", slug=slug)
    form = PriceItemForm()
    if not form.validate_on_submit():
        flash(_("Заполните код, название и цену позиции"), "error")
        return redirect(back)
    try:
        orders.save_price_item(db.session, exhibition, current_user, code=form.code.data,
                               category=form.category.data, name=form.name.data,
                               unit=form.unit.data or "шт.", price=form.price.data,
                               contractor=form.contractor.data or "")  # fmt: skip
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Прайс-лист обновлён."), "success")
    return redirect(back)


@bp.get("/<slug>/organiser/invoices")
@organiser_required
def invoices(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    docs = services.documents(db.session, current_user, exhibition=exhibition, kind="invoice")
    received = payments.payments_of(db.session, current_user, exhibition)
    return render_template(
        "billing/invoices.html", exhibition=exhibition, invoices=docs,
        open_payments=[p for p in received if p.state != "matched"],
        overdue={d.id for d in docs if services.is_overdue(d)}, pay=PaymentForm(),
        statement=StatementForm(), confirm=ConfirmForm(), result=None,
        pending=[d for d in docs if d.settlement == "pending"], settle=SettleForm(),
    )  # fmt: skip


def _invoice_change(
    document_id: int,
    form: PaymentForm | SettleForm,
    refused: str,
    change: Callable[..., object],
    done: str,
) -> Response:
    """Run ``change(document, form)`` on an invoice from the invoices page and go back there;
    an invalid form is ``refused``, a refused change its message, success ``done``."""
    document = services.visible_document(db.session, document_id, current_user)
    back = url_for("billing.invoices", slug=document.reservation.booth.hall.exhibition.slug)
    if not form.validate_on_submit():
        flash(refused, "error")
        return redirect(back)
    try:
        change(document, form)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(done % {"number": document.number}, "success")
    return redirect(back)


@bp.post("/invoices/<int:document_id>/paid")
@organiser_required
def mark_paid(document_id: int) -> Response:
    return _invoice_change(
        document_id, PaymentForm(),
        _("Форма устарела или пришла без защитного токена; попробуйте ещё раз."),
        lambda d, form: payments.mark_paid(db.session, d.id, current_user,
                                           amount=form.amount.data),
        _("Оплата счёта № %(number)s отмечена.", number="%(number)s"),
    )  # fmt: skip


@bp.post("/invoices/<int:document_id>/settle")
@organiser_required
def settle(document_id: int) -> Response:
    """The decision on an annulled invoice's money: refund, or credit to another invoice."""
    return _invoice_change(
        document_id, SettleForm(), _("Выберите: вернуть деньги или зачесть их в другой счёт"),
        lambda d, form: payments.settle(db.session, d.id, current_user, form.decision.data,
                                        credit_to=form.credit_to.data, note=form.note.data or ""),
        _("Решение по счёту № %(number)s записано.", number="%(number)s"),
    )  # fmt: skip


@bp.post("/<slug>/organiser/statement")
@organiser_required
def import_statement(slug: str) -> Response | str:
    exhibition = get_exhibition(db.session, slug)
    form = StatementForm()
    if not form.validate_on_submit():
        flash(_("Выберите файл выписки"), "error")
        return redirect(url_for("billing.invoices", slug=slug))
    try:
        result = payments.import_statement(db.session, exhibition, form.statement.data.read(),
                                           current_user)  # fmt: skip
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("billing.invoices", slug=slug))
    return render_template("billing/statement.html", exhibition=exhibition, result=result)


@bp.post("/payments/<int:payment_id>/confirm")
@organiser_required
def confirm_payment(payment_id: int) -> Response:
    back = request.form.get("back") or "/"
    if not back.startswith("/"):
        back = "/"
    number = request.form.get("invoice", type=int)
    return run_change(
        lambda: payments.confirm_payment(db.session, payment_id, current_user, number),
        _("Платёж учтён."), back,
    )  # fmt: skip


@bp.get("/<slug>/organiser/documents.zip")
@organiser_required
def all_documents(slug: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for found in services.documents(db.session, current_user, exhibition=exhibition,
                                        kind=request.args.get("kind") or None,
                                        include_superseded=False):  # fmt: skip
            archive.writestr(file_name(found), document_pdf(found))
    return _download(buffer.getvalue(), f"{slug}-documents.zip", "application/zip")


@bp.get("/<slug>/organiser/contractors.<any(pdf, xlsx):fmt>")
@organiser_required
def contractors(slug: str, fmt: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    lists = orders.contractor_lists(db.session, exhibition, current_user)
    if fmt == "pdf":
        from exhibit.billing.documents import contractors_pdf

        return _download(contractors_pdf(exhibition, lists), f"{slug}-contractors.pdf",
                         "application/pdf")  # fmt: skip
    tables = [exports.contractor_table(name, rows) for name, rows in lists.items()]
    return _download(exports.to_xlsx(tables or [exports.contractor_table("—", [])]),
                     f"{slug}-contractors.xlsx", exports.XLSX_TYPE)  # fmt: skip


@bp.get("/<slug>/organiser/export.<any(xlsx, csv):fmt>")
@organiser_required
def export(slug: str, fmt: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    what = request.args.get("what", "invoices")
    data = exports.export(db.session, exhibition, what, fmt, current_user)
    mimetype = exports.XLSX_TYPE if fmt == "xlsx" else "text/csv; charset=utf-8"
    return _download(data, f"{slug}-{what}.{fmt}", mimetype)
