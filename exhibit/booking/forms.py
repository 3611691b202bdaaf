"""Booking forms (each carries a CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class BlockForm(FlaskForm):
    reason = StringField(_l("Причина"), validators=[Length(max=200)])


class HoldForm(FlaskForm):
    exhibitor_id = SelectField(_l("Экспонент"), coerce=int, validators=[DataRequired()])
    hours = IntegerField(
        _l("Срок удержания, часов"), validators=[Optional(), NumberRange(min=1, max=24 * 60)]
    )


class MoveForm(FlaskForm):
    target = StringField(_l("Новый стенд"), validators=[DataRequired(), Length(max=20)])
