"""The solver's words: reasons, warnings and input errors as message ids with parameters.

Every text the solver gives a person is a :class:`Reason`: a ``str`` holding the Russian
text (so the command line, JSON and the tests read it as before) that also carries its
``msgid`` — the Russian message with ``%(name)s`` placeholders, extracted by ``make
messages`` (keyword ``phrase``, a name used for nothing else) — and its ``params``. A page
says it in the reader's language with :func:`exhibit.i18n.say`, which translates the msgid
and writes the numbers the reader's way; this module stays pure (no Flask).

Parameter values: a number (written «16,2» in Russian, «16.2» in English), a name (as it
is), a :class:`Named` code (a track: its name in the reader's language) or another
:class:`Reason` (translated too, e.g. a kind of booth).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def russian_number(value: float) -> str:
    """A number the Russian way: 16,2 rather than 16.2; whole numbers without decimals."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


class Reason(str):
    """A message in Russian (the string itself), with what a translation needs."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Reason:
        self = super().__new__(cls, _fill(msgid, params, str, russian_number))
        self.msgid = msgid
        self.params = params
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # type: ignore[override]
        return (self.msgid,), self.params  # copies and pickles keep the message id

    def render(
        self,
        translate: Callable[[str], str],
        number: Callable[[float], str],
        language: str = "ru",
    ) -> str:
        """The message in another language: ``translate`` maps a msgid to its translation,
        ``number`` writes a number, ``language`` picks the names of :class:`Named` codes."""
        return _fill(translate(self.msgid), self.params, translate, number, language)


class Named(str):
    """A code that is also a name: equal to the code (the solver compares and looks it up
    as the plain string), said by its name in the reader's language in a :class:`Reason`
    (the Russian name in the Russian text)."""

    names: dict[str, str]

    def __new__(cls, code: str, **names: str) -> Named:
        self = super().__new__(cls, code)
        self.names = names
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, str]]:  # type: ignore[override]
        return (str(self),), self.names

    def name(self, language: str = "ru") -> str:
        """The name in ``language``, else the Russian one, else the code."""
        return self.names.get(language) or self.names.get("ru") or str(self)


def _fill(
    text: str,
    params: dict[str, Any],
    translate: Callable[[str], str],
    number: Callable[[float], str],
    language: str = "ru",
) -> str:
    if not params:
        return text
    values: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, Reason):
            values[key] = value.render(translate, number, language)
        elif isinstance(value, Named):
            values[key] = value.name(language)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[key] = number(float(value))
        else:
            values[key] = str(value)
    return text % values


def phrase(msgid: str, **params: Any) -> Reason:
    """A reason (the keyword ``make messages`` extracts)."""
    return Reason(msgid, **params)


#: Kinds of booth, as the reasons name them.
KIND_NAMES = {
    "linear": phrase("линейный"),
    "corner": phrase("угловой"),
    "peninsula": phrase("полуостровной"),
    "island": phrase("островной"),
}

#: "Next to a partner" in the explanations (m between centroids).
NEAR_PARTNER = 15.0


def area_taken(least_area: float) -> Reason:
    """Why an applicant is left out when the booths large enough went to earlier ones."""
    return phrase(
        "свободные стенды площадью от %(area)s м² заняты участниками с более ранней заявкой",
        area=least_area,
    )


def no_booth_large_enough(least_area: float) -> Reason:
    return phrase(
        "нет свободного стенда площадью от %(area)s м², и соседние свободные стенды не "
        "складываются в такую площадь",
        area=least_area,
    )


def partner_reason(name: str, distance: float) -> Reason:
    """How far a partner is, and why not nearer."""
    metres = float(round(distance))
    if distance <= NEAR_PARTNER:
        return phrase("рядом с партнёром %(name)s (%(metres)s м)", name=name, metres=metres)
    return phrase(
        "партнёр %(name)s в %(metres)s м: ближе свободных подходящих стендов не нашлось",
        name=name,
        metres=metres,
    )
