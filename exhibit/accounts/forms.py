"""Account forms (Flask-WTF: every form carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length

from exhibit.accounts.services import MIN_PASSWORD_LENGTH

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


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Текущий пароль"), validators=[DataRequired()])
    password = PasswordField(
        _l("Новый пароль"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)]
    )
    confirm = PasswordField(
        _l("Новый пароль ещё раз"),
        validators=[DataRequired(), EqualTo("password", message=_l("Пароли не совпадают"))],
    )


class TokenForm(FlaskForm):
    label = StringField(_l("Назначение токена"), validators=[Length(max=100)])


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token: for buttons that change something."""
