"""Three journeys as people make them, in Chromium, at desktop and at phone size:
a visitor plans a walk, an exhibitor gets a booth, an organiser publishes and prints a plan."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.accounts.models import User
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth
from exhibit.floorplan.services import get_exhibition
from exhibit.search.services import search
from tests.browser.conftest import SIZES, new_page, screenshot, sign_in
from tests.factories import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]
PLAN_FILE = Path(__file__).resolve().parents[2] / "floorplans" / "goroda-rossii-2025.geojson"


def _region_with_two_placed_solutions(query: str) -> tuple[str, list[tuple[int, str, str]]]:
    """A region whose exhibitors show two solutions matching ``query`` at different booths."""
    exhibition = get_exhibition(db.session, DEMO_SLUG)
    found = search(db.session, exhibition, query, limit=100)
    by_region: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for r in found.results:
        if r.type == "solution" and r.booths:
            by_region[r.exhibitor.region_name].append((r.id, r.title, r.booths[0]))
    for region, items in sorted(by_region.items()):
        if len({booth for _, _, booth in items}) >= 2:
            return region, items[:2]
    raise AssertionError(f"the demo has no region with two placed «{query}» solutions")


def _open_main_menu_link(page, name: str) -> None:
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name=name).click()


@pytest.mark.parametrize("size", SIZES)
def test_visitor_searches_filters_and_plans_a_walk(browser, live_server, size):
    region, ((_, first_title, first_booth), (_, second_title, _)) = (
        _region_with_two_placed_solutions("благоустройство")
    )
    page = new_page(browser, size)
    page.goto(f"{live_server}/{DEMO_SLUG}/")
    _open_main_menu_link(page, "Поиск")
    page.fill("#q", "благоустройство")
    page.press("#q", "Enter")
    page.wait_for_url(re.compile(r"q=%D0%B1"))
    total = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    assert total > 5
    screenshot(page, f"visitor-1-search-{size}")

    # Filter by region (on a phone the filters are folded: open «Регион» first).
    facet = page.locator("details.facet", has=page.get_by_role("heading", name="Регион"))
    if size == "phone":
        assert not facet.evaluate("d => d.open")
        facet.locator("summary").click()
    facet.get_by_role("link", name=region).click()
    page.wait_for_url(re.compile(r"region="))
    filtered = int(re.search(r"\d+", page.get_by_role("status").inner_text()).group())
    assert 2 <= filtered < total
    metas = page.locator(".results .meta").all_inner_texts()
    assert metas and all(region in meta for meta in metas)
    screenshot(page, f"visitor-2-region-{size}")

    # Open a solution: its booth is highlighted on the small map; then on the hall map.
    page.get_by_role("link", name=first_title).click()
    page.get_by_role("heading", level=1, name=first_title).wait_for()
    excerpt = page.locator(".map-excerpt")
    assert first_booth in excerpt.get_by_role("img").get_attribute("aria-label")
    assert excerpt.locator(".booth-hit").count() >= 1
    page.get_by_role("link", name="Показать на карте зала").click()
    booth = page.locator(f"#booth-{first_booth}")
    booth.wait_for()
    assert "booth-hit" in booth.get_attribute("class")
    card = page.locator("#exhibitor-card")
    card.get_by_text(first_title).wait_for()
    screenshot(page, f"visitor-3-map-{size}")

    # First solution into the visit plan from the map's card …
    card.locator("li", has_text=first_title).get_by_role("button", name="В план визита").click()
    card.get_by_role("button", name="В плане визита").wait_for()
    # … the second from its own page.
    page.go_back()
    page.go_back()
    page.get_by_role("link", name=second_title).click()
    page.get_by_role("button", name="В план визита").click()
    added = page.get_by_role("button", name="В плане визита")
    assert added.get_attribute("aria-pressed") == "true"

    _open_main_menu_link(page, "План визита")
    page.wait_for_url(re.compile(r"solutions="))
    lead = page.locator(".lead").inner_text()
    assert re.search(r"Маршрут: 2 стенда, около \d+ м", lead), lead
    stops = page.locator(".visit-stops > li")
    assert stops.count() == 2
    assert {first_title, second_title} <= set(page.locator(".visit-stops a").all_inner_texts())
    points = page.locator("#route-line").get_attribute("points").split()
    assert len(points) >= 2
    screenshot(page, f"visitor-4-route-{size}")
    assert page.errors == []
    page.context.close()


def _free_booth() -> str:
    """A booth nobody holds and the organisers sell, in the middle of the plan's list."""
    taken = select(Reservation.booth_id).where(
        Reservation.status.in_(("requested", "held", "confirmed"))
    )
    numbers = db.session.scalars(
        select(Booth.number)
        .where(Booth.id.not_in(taken), Booth.blocked.is_(False), Booth.retired.is_(False))
        .order_by(Booth.id)
    ).all()
    return numbers[len(numbers) // 2]


def _account_menu(page, name: str) -> None:
    menu = page.locator("details.user-menu")
    menu.locator("summary").click()
    menu.get_by_role("link", name=name).click()


@pytest.mark.parametrize("size", SIZES)
def test_exhibitor_registers_reserves_and_gets_the_confirmation(browser, live_server, size):
    make_user(f"organiser-{size}@example.ru", role="organiser")
    number = _free_booth()
    organisation = f"Администрация города Лесной ({size})"
    email = f"lesnoy-{size}@example.ru"

    exhibitor = new_page(browser, size, accept_downloads=True)
    exhibitor.goto(f"{live_server}/{DEMO_SLUG}/")
    exhibitor.locator(".header-tools").get_by_role("link", name="Регистрация").click()
    exhibitor.get_by_label("Организация").fill(organisation)
    exhibitor.get_by_label("Тип организации").select_option("municipality")
    exhibitor.get_by_label("Электронная почта").fill(email)
    exhibitor.get_by_label("Пароль", exact=True).fill(PASSWORD)
    exhibitor.get_by_label("Пароль ещё раз").fill(PASSWORD)
    exhibitor.get_by_role("button", name="Зарегистрироваться").click()
    exhibitor.get_by_text("ждёт одобрения организаторов").wait_for()
    screenshot(exhibitor, f"exhibitor-1-registered-{size}")

    organiser = new_page(browser, size)
    sign_in(organiser, live_server, f"organiser-{size}@example.ru", PASSWORD)
    _account_menu(organiser, "Организатору")
    organiser.get_by_role("button", name=f"Одобрить «{organisation}»").click()
    organiser.get_by_text(f"Экспонент «{organisation}» одобрен.").wait_for()

    # The exhibitor picks the booth on the interactive plan and asks for it.
    exhibitor.reload()
    assert exhibitor.get_by_text("ждёт одобрения организаторов").count() == 0
    exhibitor.get_by_role("link", name="Выбрать стенд на плане").click()
    booth = exhibitor.locator(f".hall-plan a.booth[data-number='{number}']")
    assert booth.get_attribute("data-status") == "available"
    screenshot(exhibitor, f"exhibitor-2-plan-{size}")
    booth.click()
    exhibitor.get_by_role("heading", level=1, name=f"Стенд {number}").wait_for()
    exhibitor.get_by_role("button", name=f"Забронировать стенд {number}").click()
    exhibitor.get_by_text(f"Стенд {number} удерживается за вами").wait_for()
    screenshot(exhibitor, f"exhibitor-3-requested-{size}")

    # The organiser confirms it from the dashboard.
    _account_menu(organiser, "Организатору")
    organiser.get_by_role("button", name=f"Подтвердить стенд {number}").click()
    organiser.get_by_text("Бронирование подтверждено.").wait_for()
    screenshot(organiser, f"organiser-confirmed-{size}")

    # The exhibitor downloads the confirmation: a PDF naming the booth.
    _account_menu(exhibitor, "Мои стенды")
    row = exhibitor.locator("tr", has=exhibitor.get_by_role("link", name=number, exact=True))
    assert "забронирован" in row.inner_text()
    with exhibitor.expect_download() as done:
        row.get_by_role("link", name=re.compile("Подтверждение")).click()
    pdf = Path(done.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert number in text and organisation.split(" (")[0] in text
    screenshot(exhibitor, f"exhibitor-4-mine-{size}")
    assert exhibitor.errors == organiser.errors == []
    exhibitor.context.close()
    organiser.context.close()


def test_reserving_a_booth_with_the_keyboard_alone(browser, live_server):
    exhibition = get_exhibition(db.session, DEMO_SLUG)
    keyboard_exhibitor = Exhibitor(
        exhibition_id=exhibition.id, name="Клавиатурный район", kind="municipality", approved=True
    )
    db.session.add(keyboard_exhibitor)
    db.session.commit()
    make_user("keys@example.ru", exhibitor=keyboard_exhibitor)
    number = _free_booth()
    page = new_page(browser)
    keys = page.keyboard

    def tab_to(predicate: str, limit: int = 600) -> None:
        for _ in range(limit):
            keys.press("Tab")
            if page.evaluate(
                f"(() => {{ const el = document.activeElement; return {predicate}; }})()"
            ):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    page.goto(f"{live_server}/login")
    tab_to("el.id === 'email'")
    keys.type("keys@example.ru")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/my$"))
    tab_to("el.textContent.trim() === 'Выбрать стенд на плане'")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/plan$"))
    tab_to(f"el.classList.contains('booth') && el.dataset.number === {json.dumps(number)}")
    # Focus shows the booth's details beside the plan.
    assert number in page.locator("#booth-details").inner_text()
    keys.press("Enter")
    page.wait_for_url(re.compile(rf"/booths/{number}$"))
    tab_to(f"el.tagName === 'BUTTON' && el.textContent.includes({json.dumps(number)})")
    keys.press("Enter")
    page.get_by_text(f"Стенд {number} удерживается за вами").wait_for()
    db.session.rollback()  # end the test's read snapshot: see what the server wrote
    reservation = db.session.scalar(
        select(Reservation).where(Reservation.exhibitor_id == keyboard_exhibitor.id)
    )
    assert reservation.booth.number == number and reservation.status == "requested"
    screenshot(page, "keyboard-reservation")
    assert page.errors == []
    page.context.close()


BUSY_WATCH = """() => {
  // Remember every busy state a form shows, across the navigation that follows it.
  new MutationObserver(changes => changes.forEach(c => {
    if (c.target.getAttribute("aria-busy") === "true") {
      const button = c.target.querySelector("button");
      sessionStorage.setItem("busy-seen", JSON.stringify(
        {text: button.textContent, disabled: button.disabled}));
    }
  })).observe(document.body, {attributes: true, subtree: true, attributeFilter: ["aria-busy"]});
}"""


def _busy_seen(page) -> dict | None:
    seen = page.evaluate("sessionStorage.getItem('busy-seen')")
    page.evaluate("sessionStorage.removeItem('busy-seen')")
    return json.loads(seen) if seen else None


@pytest.mark.parametrize("size", SIZES)
def test_organiser_fixes_publishes_and_prints_a_plan(browser, live_server, size, tmp_path):
    make_user(f"plans-{size}@example.ru", role="organiser")
    plan = json.loads(PLAN_FILE.read_text(encoding="utf-8"))
    for feature in plan["features"]:
        if feature["properties"].get("number") == "G8":  # pushed 1.5 m into G9
            ring = feature["geometry"]["coordinates"][0]
            feature["geometry"]["coordinates"] = [[[x + 1.5, y] for x, y in ring]]
    broken = tmp_path / "pavilion-broken.geojson"
    broken.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")

    page = new_page(browser, size, accept_downloads=True)
    sign_in(page, live_server, f"plans-{size}@example.ru", PASSWORD)
    _account_menu(page, "Планы")
    page.get_by_label("Зал", exact=True).fill("Павильон 1")
    page.get_by_label("Файл плана").set_input_files(str(broken))
    page.evaluate(BUSY_WATCH)
    page.get_by_role("button", name="Проверить план").click()
    page.get_by_role("heading", level=1, name=re.compile("Черновик плана")).wait_for()
    assert _busy_seen(page) == {"text": "Загрузка и проверка…", "disabled": True}
    # The error is listed with its booth and rule, and marked on the plan.
    issues = page.locator("ol.issues").inner_text()
    assert "booth-overlap" in issues and "G8" in issues and "G9" in issues
    assert page.locator(".draft-booth-error").count() >= 1
    assert page.locator(".error-marker").count() == 1
    # Tabbing to (or pointing at) the finding highlights both booths and the overlap itself.
    page.locator("ol.issues li", has_text="booth-overlap").first.focus()
    assert page.locator(".draft-booth.issue-focus").count() == 2
    assert page.locator("path.fault.issue-focus").count() == 1
    assert page.get_by_role("button", name="Опубликовать").count() == 0
    page.get_by_text("План с ошибками нельзя опубликовать.").wait_for()
    screenshot(page, f"organiser-1-error-{size}")

    # The fixed file: checked clean, published as a new version.
    page.get_by_role("link", name="Планы залов").click()
    page.get_by_label("Файл плана").set_input_files(str(PLAN_FILE))
    page.get_by_role("button", name="Проверить план").click()
    page.get_by_text("Ошибок нет — план можно опубликовать.").wait_for()
    assert page.locator(".error-marker").count() == 0
    screenshot(page, f"organiser-2-clean-{size}")
    page.get_by_role("button", name="Опубликовать").click()
    page.get_by_text(re.compile(r"Опубликована версия 2 плана зала «Павильон 1»")).wait_for()

    # The A1 visitors' map: the page stays busy until the PDF arrives.
    _account_menu(page, "Печать")
    form = page.locator("form.print-form").first
    assert form.get_by_label("Издание").input_value() == "visitor"
    assert form.get_by_label("Формат").input_value() == "A1"
    page.evaluate(BUSY_WATCH)
    with page.expect_download(timeout=120_000) as done:
        form.get_by_role("button", name="Получить PDF").click()
    assert _busy_seen(page) == {"text": "Готовится PDF…", "disabled": True}
    form.get_by_role("button", name="Получить PDF").wait_for()  # ready again
    assert form.get_attribute("aria-busy") == "false"
    download = done.value
    assert download.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in pdf.pages[0].mediabox[2:])
    assert sorted((round(width_mm), round(height_mm))) == [594, 841]  # A1
    text = pdf.pages[0].extract_text()
    assert "Павильон 1" in text
    screenshot(page, f"organiser-3-print-{size}")
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_form_with_mistakes_keeps_the_input_and_marks_each_field(browser, live_server, size):
    page = new_page(browser, size)
    page.goto(f"{live_server}/{DEMO_SLUG}/")
    page.locator(".header-tools .lang").click()  # English, remembered
    page.goto(f"{live_server}/{DEMO_SLUG}/register")
    page.get_by_label("Email").fill("not-an-address")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Confirm password").fill("different")
    page.get_by_role("button", name="Register").click()
    page.wait_for_load_state()
    # What was typed stays (passwords are never sent back); each problem sits by its field.
    assert page.get_by_label("Email").input_value() == "not-an-address"
    for field in ("organisation", "email", "password", "confirm"):
        box = page.locator(f"#{field}")
        assert box.get_attribute("aria-invalid") == "true", field
        error = page.locator(f"#{field}-error")
        assert error.is_visible() and field + "-error" in box.get_attribute("aria-describedby")
        assert not re.search(r"[А-Яа-яЁё]", error.inner_text()), error.inner_text()
    assert db.session.scalar(select(User).where(User.email == "not-an-address")) is None
    screenshot(page, f"register-errors-{size}")
    assert page.errors == []
    page.context.close()


def test_deleting_an_exhibitor_asks_first(browser, live_server):
    """A click on «Удалить» asks; «Отмена» changes nothing, «OK» deletes (and can be undone)."""
    make_user("records@example.ru", role="organiser")
    name = "Администрация города Вологды"
    page = new_page(browser, "desktop")
    sign_in(page, live_server, "records@example.ru", PASSWORD)
    page.goto(f"{live_server}/{DEMO_SLUG}/organiser/exhibitors")
    questions: list[str] = []
    answer = {"accept": False}

    def on_dialog(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", on_dialog)
    delete = page.get_by_role("button", name=f"Удалить «{name}»")
    delete.click()
    assert questions == [f"Удалить экспонента «{name}»? Его брони будут сняты."]
    db.session.rollback()  # a fresh look at the database
    assert db.session.scalar(select(Exhibitor).where(Exhibitor.name == name)).deleted_at is None

    answer["accept"] = True
    delete.click()
    page.get_by_role("button", name=f"Восстановить «{name}»").wait_for()
    db.session.rollback()  # a fresh look at the database
    assert db.session.scalar(select(Exhibitor).where(Exhibitor.name == name)).deleted_at
