"""Organisers' view of the outbox: what was sent, what waits, what failed and why."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from exhibit.accounts.decorators import organiser_required
from exhibit.db import db
from exhibit.errors import DomainError
from exhibit.mail import outbox as outbox_service
from exhibit.mail.sending import retry as retry_message
from exhibit.web.forms import ConfirmForm

bp = Blueprint("mail", __name__)

STATES = ("queued", "sent", "failed")


@bp.get("/organiser/mail")
@organiser_required
def outbox() -> str:
    state = request.args.get("state")
    state = state if state in STATES else None
    rows = outbox_service.messages(db.session, state=state, limit=300)
    failed = outbox_service.messages(db.session, state="failed", limit=300)
    return render_template(
        "mail/outbox.html", rows=rows, state=state, failed=len(failed), form=ConfirmForm()
    )


@bp.post("/organiser/mail/<int:message_id>/retry")
@organiser_required
def retry(message_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        try:
            retry_message(db.session, message_id)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Письмо %(id)s снова в очереди.", id=message_id), "success")
    return redirect(url_for("mail.outbox", state="failed"))
