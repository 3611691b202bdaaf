"""The site's forms: accounts, booking, and the confirm form every state change posts
(Flask-WTF: each carries a CSRF token). The exhibitor's profile forms: profile_forms.py."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from exhibit.accounts.services import MIN_PASSWORD_LENGTH
from exhibit.errors import DomainError

EXHIBITOR_KIND_CHOICES = [
    SelectChoice("municipality", _l("Администрация муниципалитета")),
    SelectChoice("region", _l("Региональный орган власти")),
    SelectChoice("company", _l("Компания")),
    SelectChoice("university", _l("Университет")),
    SelectChoice("federal-body", _l("Федеральный орган")),
]


class LoginForm(FlaskForm):
    email = EmailField(_l("Электронная почта"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Пароль"), validators=[DataRequired()])


class RegisterForm(FlaskForm):
    organisation = StringField(_l("Организация"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Тип организации"), choices=EXHIBITOR_KIND_CHOICES)
    email = EmailField(_l("Электронная почта"), validators=[DataRequired(), Email()])
    password = PasswordField(
        _l("Пароль"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Пароль ещё раз"),
        validators=[DataRequired(), EqualTo("password", message=_l("Пароли не совпадают"))],
    )


class ForgotForm(FlaskForm):
    email = EmailField(_l("Электронная почта"), validators=[DataRequired(), Email()])


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("Новый пароль"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Новый пароль ещё раз"),
        validators=[DataRequired(), EqualTo("password", message=_l("Пароли не совпадают"))],
    )


class PasswordForm(ResetForm):
    current_password = PasswordField(_l("Текущий пароль"), validators=[DataRequired()])


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("Новый адрес почты"), validators=[DataRequired(), Email()])
    current_password = PasswordField(_l("Текущий пароль"), validators=[DataRequired()])


class NoticeForm(FlaskForm):
    """The language of one's mail; the notices one may turn off are added per user."""

    language = SelectField(
        _l("Язык писем"),
        choices=[
            SelectChoice("ru", "Русский", render_kw={"lang": "ru"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
    )


class TokenForm(FlaskForm):
    label = StringField(_l("Назначение токена"), validators=[Length(max=100)])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons that change something."""


class BlockForm(FlaskForm):
    reason = StringField(_l("Причина"), validators=[Length(max=200)])


class HoldForm(FlaskForm):
    exhibitor_id = SelectField(_l("Экспонент"), coerce=int, validators=[DataRequired()])
    hours = IntegerField(
        _l("Срок удержания, часов"), validators=[Optional(), NumberRange(min=1, max=24 * 60)]
    )


class MoveForm(FlaskForm):
    target = StringField(_l("Новый стенд"), validators=[DataRequired(), Length(max=20)])


def run_change(action: Callable[[], object], success: str | None, back: str) -> Response:
    """Run a state change from a confirm form and go ``back``; a refused one becomes a
    message, never a 500. The message on success is ``success``, or (``None``) what
    ``action`` returns."""
    if not ConfirmForm().validate_on_submit():
        flash(_("Форма устарела или пришла без защитного токена; попробуйте ещё раз."), "error")
        return redirect(back)
    try:
        result = action()  # the service is the unit of work: it commits or rolls back
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(success if success is not None else str(result), "success")
    return redirect(back)
