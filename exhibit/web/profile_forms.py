"""Forms for an exhibitor's profile, logo and solutions (Flask-WTF: each carries a CSRF token).

The forms check what a person can fix in the form (required, lengths, numbers, the website's
scheme); the services check everything again, and what needs the database (names that
clash, regions and tracks that exist).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    EmailField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from exhibit.catalogue import services
from exhibit.catalogue.rules import SIZE_CLASSES, STAGES
from exhibit.errors import DomainError
from exhibit.web.forms import EXHIBITOR_KIND_CHOICES

STAGE_CHOICES = [
    SelectChoice("idea", _l("Идея")),
    SelectChoice("pilot", _l("Пилот")),
    SelectChoice("operation", _l("Работает")),
    SelectChoice("scaled", _l("Тиражируется")),
]
SIZE_CLASS_CHOICES = [
    SelectChoice("small", _l("малый (< 50 тыс.)")),
    SelectChoice("medium", _l("средний (50–100 тыс.)")),
    SelectChoice("large", _l("большой (100–250 тыс.)")),
    SelectChoice("big", _l("крупный (250 тыс. – 1 млн)")),
    SelectChoice("largest", _l("крупнейший (> 1 млн)")),
]
assert tuple(c.value for c in STAGE_CHOICES) == STAGES
assert tuple(c.value for c in SIZE_CLASS_CHOICES) == SIZE_CLASSES


class PopulationField(IntegerField):
    """A whole number as people type it: «32 000» and «32 000» are 32000."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        text = "".join(valuelist[0].split()).replace("\u202f", "")
        if not text:
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Население — целое число, например 36 000")) from None
        if self.data < 0:
            raise ValueError(_l("Население не может быть отрицательным"))


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def website_scheme(form: FlaskForm, field: Field) -> None:
    """Only http and https addresses, written out in full."""
    try:
        services.normalise_website(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


def tags_rules(form: FlaskForm, field: Field) -> None:
    try:
        services.parse_tags(field.data)
    except DomainError as error:
        raise ValidationError(error.message) from None


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Название организации"),
        validators=[DataRequired(_l("Укажите название организации")), Length(max=200)],
    )
    short_name = StringField(_l("Краткое название"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Тип организации"), choices=EXHIBITOR_KIND_CHOICES)
    region_code = SelectField(_l("Регион"), choices=[])
    municipality = StringField(_l("Муниципалитет"), validators=[Optional(), Length(max=120)])
    population = PopulationField(_l("Население, человек"), validators=[Optional()])
    website = StringField(_l("Сайт"), validators=[Optional(), Length(max=300), website_scheme])
    description = TextAreaField(_l("О себе"), validators=[Length(max=5000)])
    contact_person = StringField(_l("Контактное лицо"), validators=[Length(max=120)])
    contact_email = EmailField(
        _l("Электронная почта"),
        validators=[Optional(), Email(_l("Неверный адрес электронной почты"))],
    )
    contact_phone = StringField(
        _l("Телефон"),
        validators=[
            Length(max=40),
            Regexp(
                r"^[0-9+()\-.\s]*$",
                message=_l("Телефон: цифры, пробелы, «+», скобки и дефисы"),
            ),
        ],
    )

    def set_regions(self, regions: list[tuple[str, str]]) -> None:
        self.region_code.choices = [
            SelectChoice("", _l("— не указан —")),
            *(SelectChoice(code, name) for code, name in regions),
        ]

    def fill_from(self, data: services.ProfileData) -> None:
        """Show the saved profile (on the first, unsubmitted view of the page)."""
        self.name.data = data.name
        self.short_name.data = data.short_name or ""
        self.kind.data = data.kind
        self.region_code.data = data.region_code or ""
        self.municipality.data = data.municipality or ""
        self.population.data = data.population
        self.website.data = data.website or ""
        self.description.data = data.description
        self.contact_person.data = data.contacts.get("person", "")
        self.contact_email.data = data.contacts.get("email", "")
        self.contact_phone.data = data.contacts.get("phone", "")

    def to_data(self) -> services.ProfileData:
        return services.ProfileData(
            name=self.name.data or "",
            kind=self.kind.data,
            short_name=self.short_name.data,
            region_code=self.region_code.data or None,
            municipality=self.municipality.data,
            population=self.population.data,
            website=self.website.data,
            description=self.description.data or "",
            contacts={
                "person": self.contact_person.data or "",
                "email": self.contact_email.data or "",
                "phone": self.contact_phone.data or "",
            },
        )


class LogoForm(FlaskForm):
    logo = FileField(
        _l("Файл изображения"), validators=[FileRequired(_l("Выберите файл PNG или JPEG"))]
    )


class SolutionForm(FlaskForm):
    title = StringField(
        _l("Название"),
        validators=[DataRequired(_l("Укажите название решения")), Length(max=250)],
    )
    summary = TextAreaField(_l("Кратко"), validators=[Length(max=500)])
    description = TextAreaField(_l("Описание"), validators=[Length(max=10000)])
    track_code = SelectField(_l("Направление"), choices=[])
    tags = StringField(_l("Теги"), validators=[Length(max=500), tags_rules])
    stage = SelectField(_l("Стадия"), choices=STAGE_CHOICES)
    results = TextAreaField(_l("Результаты в цифрах"), validators=[Length(max=5000)])
    size_classes = MultiCheckboxField(
        _l("Каким городам подходит"), choices=SIZE_CLASS_CHOICES, validate_choice=True
    )

    def set_tracks(self, tracks: list[tuple[str, str]]) -> None:
        self.track_code.choices = [SelectChoice(code, name) for code, name in tracks]

    def fill_from(self, data: services.SolutionData) -> None:
        self.title.data = data.title
        self.summary.data = data.summary
        self.description.data = data.description
        self.track_code.data = data.track_code
        self.tags.data = ", ".join(data.tags)
        self.stage.data = data.stage
        self.results.data = data.results
        self.size_classes.data = list(data.size_classes)

    def to_data(self) -> services.SolutionData:
        return services.SolutionData(
            title=self.title.data or "",
            track_code=self.track_code.data,
            stage=self.stage.data,
            summary=self.summary.data or "",
            description=self.description.data or "",
            tags=services.parse_tags(self.tags.data),
            results=self.results.data or "",
            size_classes=list(self.size_classes.data or []),
        )
