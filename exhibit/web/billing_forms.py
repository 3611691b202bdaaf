"""Forms of the money side: requisites, billing settings, a price-list item, an order, a
payment, a statement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from exhibit.billing.models import PRICE_CATEGORIES


class RequisitesForm(FlaskForm):
    name = StringField(_l("Наименование"), validators=[Length(max=300)])
    inn = StringField(_l("ИНН"), validators=[Length(max=20)])
    kpp = StringField(_l("КПП"), validators=[Length(max=20)])
    ogrn = StringField(_l("ОГРН/ОГРНИП"), validators=[Length(max=20)])
    address = StringField(_l("Юридический адрес"), validators=[Length(max=300)])
    bank = StringField(_l("Банк"), validators=[Length(max=200)])
    bik = StringField(_l("БИК"), validators=[Length(max=20)])
    corr_account = StringField(_l("Корреспондентский счёт"), validators=[Length(max=30)])
    account = StringField(_l("Расчётный счёт"), validators=[Length(max=30)])
    signatory = StringField(_l("Подписант"), validators=[Length(max=200)])


class OrganiserForm(RequisitesForm):
    """The organiser's requisites and the exhibition's billing settings, saved together."""

    vat = SelectField(_l("НДС"), choices=[SelectChoice("20", "20 %"), SelectChoice("22", "22 %"),
                                          SelectChoice("10", "10 %"), SelectChoice("0", "0 %"),
                                          SelectChoice("none", _l("без НДС"))])  # fmt: skip
    payment_days = IntegerField(
        _l("Срок оплаты, дней"), validators=[DataRequired(), NumberRange(min=1, max=365)]
    )
    pay_to_confirm = BooleanField(_l("Подтверждать бронь только после оплаты"))
    order_deadline = DateField(_l("Заказ услуг до"), validators=[Optional()])
    late_policy = SelectField(_l("Заказ после срока"),
                              choices=[SelectChoice("surcharge", _l("с надбавкой")),
                                       SelectChoice("refuse", _l("не принимается"))])  # fmt: skip
    late_surcharge_percent = DecimalField(
        _l("Надбавка, %"), places=2, validators=[Optional(), NumberRange(min=0, max=500)]
    )


class PriceItemForm(FlaskForm):
    code = StringField(_l("Код"), validators=[DataRequired(), Length(max=40)])
    category = SelectField(_l("Раздел"), choices=[SelectChoice(c, c) for c in PRICE_CATEGORIES])
    name = StringField(_l("Название"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Единица"), validators=[Length(max=20)])
    price = StringField(_l("Цена"), validators=[DataRequired(), Length(max=20)])
    contractor = StringField(_l("Подрядчик"), validators=[Length(max=200)])


class OrderForm(FlaskForm):
    item = SelectField(_l("Услуга"), validators=[DataRequired()])
    quantity = StringField(
        _l("Количество"), default="1", validators=[DataRequired(), Length(max=10)]
    )
    x = StringField(_l("Розетка: x, м"), validators=[Optional(), Length(max=20)])
    y = StringField(_l("Розетка: y, м"), validators=[Optional(), Length(max=20)])


class PaymentForm(FlaskForm):
    amount = StringField(_l("Сумма"), validators=[Optional(), Length(max=30)])


class SettleForm(FlaskForm):
    """The decision on an annulled invoice's money."""

    decision = RadioField(
        _l("Решение"),
        choices=[SelectChoice("refund", _l("вернуть")), SelectChoice("credit", _l("зачесть"))],
    )
    credit_to = StringField(_l("Номер счёта для зачёта"), validators=[Optional(), Length(max=30)])
    note = StringField(_l("Примечание"), validators=[Optional(), Length(max=200)])


class StatementForm(FlaskForm):
    statement = FileField(_l("Выписка банка (1CClientBankExchange)"), validators=[FileRequired()])
