"""Sign in and out, self-registration, the account page (password, API tokens)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from exhibit.accounts import notices, recovery, services
from exhibit.accounts.models import ApiToken
from exhibit.db import db
from exhibit.errors import DomainError
from exhibit.extensions import limiter
from exhibit.floorplan.services import get_exhibition
from exhibit.i18n import current_locale
from exhibit.web import forms

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    target = request.args.get("next", "")
    # Only paths on this site: never an absolute URL to elsewhere.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def _field_error(form, error: DomainError) -> None:
    field = (error.details or {}).get("field") if isinstance(error.details, dict) else None
    if field and hasattr(form, field):
        getattr(form, field).errors = [*getattr(form, field).errors, error.message]
    else:
        flash(error.message, "error")


def _fresh_session() -> None:
    """A new session at sign-in, sign-up and sign-out (nothing carried over from before,
    against session fixation) — but the language the visitor chose stays."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def login() -> Response | str:
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data)
        if user is None:
            form.password.errors = [_("Неверная почта или пароль")]
        else:
            _fresh_session()
            login_user(user)
            return redirect(_safe_next(url_for("booking.dashboard")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        services.end_sessions(db.session, current_user)
        logout_user()
        _fresh_session()
    return redirect(url_for("catalogue.index"))


@bp.route("/<slug>/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register(slug: str) -> Response | str:
    exhibition = get_exhibition(db.session, slug)
    form = forms.RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register_exhibitor(
                db.session,
                exhibition,
                email=form.email.data,
                password=form.password.data,
                organisation=form.organisation.data,
                kind=form.kind.data,
                language=current_locale(),
            )
        except DomainError as error:
            _field_error(form, error)
        else:
            _fresh_session()
            login_user(user)
            flash(_("Заявка принята: после одобрения организаторами можно бронировать."), "success")
            return redirect(url_for("booking.dashboard"))
    return render_template("accounts/register.html", form=form, exhibition=exhibition)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str:
    password_form = forms.PasswordForm(prefix="pw")
    token_form = forms.TokenForm(prefix="tok")
    email_form = forms.EmailChangeForm(prefix="em")
    notice_form = _notice_form()
    new_token = None
    if request.method == "POST" and "pw-password" in request.form and password_form.validate():
        try:
            services.change_password(
                db.session,
                current_user,
                password_form.current_password.data,
                password_form.password.data,
            )
        except DomainError as error:
            _field_error(password_form, error)
        else:
            login_user(current_user)  # this session goes on with the new version
            flash(_("Пароль изменён; другие сеансы завершены."), "success")
            return redirect(url_for("accounts.account"))
    elif request.method == "POST" and "tok-label" in request.form and token_form.validate():
        new_token = services.issue_token(db.session, current_user, token_form.label.data or "")
    elif request.method == "POST" and "em-email" in request.form and email_form.validate():
        try:
            recovery.request_email_change(
                db.session, current_user, email_form.email.data, email_form.current_password.data
            )
        except DomainError as error:
            _field_error(email_form, error)
        else:
            flash(_("Если адрес свободен, на него отправлена ссылка для подтверждения; "
                    "она действует час."), "success")  # fmt: skip
            return redirect(url_for("accounts.account"))
    elif request.method == "POST" and "nt-language" in request.form and notice_form.validate():
        recovery.save_notice_settings(
            db.session, current_user, notice_form.language.data,
            {key: notice_form[_field_name(key)].data for key in _notice_keys()},
        )  # fmt: skip
        flash(_("Настройки писем сохранены."), "success")
        return redirect(url_for("accounts.account"))
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "accounts/account.html",
        password_form=password_form,
        token_form=token_form,
        email_form=email_form,
        notice_form=notice_form,
        notice_fields=[_field_name(key) for key in _notice_keys()],
        tokens=tokens,
        new_token=new_token,
        revoke_form=forms.ConfirmForm(),
    )


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    if forms.ConfirmForm().validate_on_submit():
        services.revoke_token(db.session, current_user, token_id)
        flash(_("Токен отозван."), "success")
    return redirect(url_for("accounts.account"))


def _notice_keys() -> dict:
    return notices.ORGANISER_NOTICES if current_user.is_organiser else notices.EXHIBITOR_OPTIONAL


def _field_name(key: str) -> str:
    return "notice_" + key.replace(".", "_")


def _notice_form() -> forms.NoticeForm:
    """The language of the user's mail and a box per notice they may turn on or off."""
    from wtforms import BooleanField

    class Form(forms.NoticeForm):
        pass

    for key, label in _notice_keys().items():
        setattr(Form, _field_name(key), BooleanField(label))
    form = Form(prefix="nt")
    if request.method == "GET":
        form.language.data = current_user.language
        for key in _notice_keys():
            form[_field_name(key)].data = notices.wants(current_user, key)
    return form


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes; 20 per day", methods=["POST"])
def forgot_password() -> Response | str:
    """Ask for a reset link: the same answer whether the address has an account or not."""
    form = forms.ForgotForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset(db.session, form.email.data)
        except DomainError as error:
            _field_error(form, error)
        else:
            flash(_("Если такая учётная запись есть, на её адрес отправлена ссылка для смены "
                    "пароля; она действует час."), "success")  # fmt: skip
            return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def reset_password(token: str) -> Response | str:
    form = forms.ResetForm()
    try:
        recovery.user_for_token(db.session, token, "reset")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.forgot_password"))
    if form.validate_on_submit():
        try:
            recovery.reset_password(db.session, token, form.password.data)
        except DomainError as error:
            _field_error(form, error)
        else:
            _fresh_session()
            flash(_("Пароль изменён; все сеансы завершены. Войдите с новым паролем."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def confirm_email(token: str) -> Response | str:
    """The link from the new address: a button confirms the change (a GET changes nothing)."""
    form = forms.ConfirmForm()
    try:
        _user, data = recovery.user_for_token(db.session, token, "email")
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.login"))
    if form.validate_on_submit():
        try:
            recovery.confirm_email_change(db.session, token)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Адрес почты изменён."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/confirm_email.html", form=form, address=data.get("e"))
