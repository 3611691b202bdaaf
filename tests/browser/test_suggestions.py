"""Suggestions as you type in Chromium: the ARIA combobox pattern, used by keyboard alone,
announced to screen readers, and free of serious axe-core findings while open."""

from __future__ import annotations

import pytest

from exhibit.demo import DEMO_SLUG
from tests.browser.conftest import axe_violations, new_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def open_search(browser, live_server, size: str = "desktop"):
    page = new_page(browser, size)
    page.goto(f"{live_server}/{DEMO_SLUG}/search")
    return page


def test_keyboard_alone_chooses_a_suggestion(browser, live_server, axe_source):
    page = open_search(browser, live_server)
    box = page.get_by_role("combobox", name="Что ищете")
    assert box.get_attribute("aria-expanded") == "false"
    box.focus()
    page.keyboard.type("набережная ис", delay=30)
    listbox = page.get_by_role("listbox")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    options = page.get_by_role("option")
    assert options.count() >= 1
    # The count is announced in a polite live region.
    status = page.locator("#q-status")
    assert status.get_attribute("aria-live") == "polite"
    page.wait_for_function("document.querySelector('#q-status').textContent.includes('Подсказок')")
    assert f"Подсказок: {options.count()}" in status.text_content()

    page.keyboard.press("ArrowDown")
    first = options.nth(0)
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    # Focus stays in the box while moving through the list.
    assert page.evaluate("document.activeElement.id") == "q"
    screenshot(page, "search-suggestions")
    assert axe_violations(page, axe_source) == []

    label = first.locator(".suggestion-label").text_content()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/solutions/" in page.url
    assert label in page.content()
    assert page.errors == []


def test_escape_closes_then_clears_and_enter_without_a_choice_searches(browser, live_server):
    page = open_search(browser, live_server)
    box = page.get_by_role("combobox", name="Что ищете")
    box.focus()
    page.keyboard.type("ирб", delay=30)
    page.get_by_role("listbox").wait_for(state="visible")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")  # wraps to the last one
    options = page.get_by_role("option")
    assert options.nth(options.count() - 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("listbox").is_visible()
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "ирб"
    page.keyboard.press("Escape")
    assert box.input_value() == ""

    page.keyboard.type("ирбит", delay=30)
    page.get_by_role("listbox").wait_for(state="visible")
    page.keyboard.press("Enter")  # nothing chosen: the form searches
    page.wait_for_url("**/search?q=*")
    assert "Найдено:" in page.content()
    assert page.errors == []


def test_a_tap_opens_a_suggestion_on_a_phone(browser, live_server):
    page = open_search(browser, live_server, "phone")
    page.get_by_role("combobox", name="Что ищете").fill("тагил")
    option = page.get_by_role("option").first
    option.wait_for(state="visible")
    screenshot(page, "search-suggestions-phone")
    label = option.locator(".suggestion-label").text_content()
    with page.expect_navigation():
        option.click()
    assert label in page.content()
    assert page.errors == []


def test_a_word_not_found_and_a_correction_are_shown(browser, live_server, axe_source):
    page = new_page(browser)
    page.goto(f"{live_server}/{DEMO_SLUG}/search?q=диспетчиризацыя")
    assert page.get_by_text("Возможно, вы имели в виду").is_visible()
    assert page.get_by_role("heading", name="Ближайшее, что есть").is_visible()
    screenshot(page, "search-did-you-mean")
    assert axe_violations(page, axe_source) == []
    page.goto(f"{live_server}/{DEMO_SLUG}/search?q=ремонт тротуаров марсоходом")
    assert page.locator(".search-missing").is_visible()
    screenshot(page, "search-missing-word")
