"""A refusal built with ``tr`` outside a request (the command line) stays Russian."""

from __future__ import annotations

import copy
import pickle

from exhibit.errors import BoothUnavailable, DomainError, tr


def test_outside_a_request_the_refusal_is_russian_with_its_values():
    message = tr("Стенд %(number)s уже занят", number="A1")
    assert message == "Стенд A1 уже занят"
    assert message.lang == "ru"
    error = BoothUnavailable(message)
    assert (error.message, error.lang, str(error)) == ("Стенд A1 уже занят", "ru", message)
    assert error.to_dict()["error"]["message"] == "Стенд A1 уже занят"


def test_a_plain_string_refusal_is_taken_as_russian():
    assert DomainError("Что-то не так").lang == "ru"


def test_a_message_without_placeholders_keeps_a_percent_sign():
    assert tr("Скидка 10% не действует") == "Скидка 10% не действует"


def test_a_refusal_keeps_its_language_when_copied_or_pickled():
    message = tr("Стенд %(number)s уже занят", number="A1")
    for twin in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert (twin, twin.lang) == ("Стенд A1 уже занят", "ru")
