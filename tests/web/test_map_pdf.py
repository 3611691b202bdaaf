"""Hall map PDFs read back with real readers (pdfinfo, pdffonts, pdftotext, pypdf)."""

from __future__ import annotations

import socket
import subprocess
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Hall
from exhibit.floorplan.services import hall_plan
from exhibit.maps.pdf import EDITION_CLASSES, MAP_STAGES, hall_map_document, hall_map_pdf
from exhibit.maps.printing import EDITIONS
from tests.pdfpage import need_poppler, stroked_outlines, words

HALL = "Павильон 1"
URL = f"/api/v1/exhibitions/{DEMO_SLUG}/halls/{HALL}/map.pdf"
pytestmark = pytest.mark.sqlite_only  # rendering does not depend on the database engine


def poppler(tool: str, path) -> str:
    need_poppler()
    args = [tool, str(path), "-"] if tool == "pdftotext" else [tool, str(path)]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def cli_pdf(app, tmp_path, *options) -> tuple:
    out = tmp_path / "map.pdf"
    result = app.test_cli_runner().invoke(
        args=["map", "pdf", "--exhibition", DEMO_SLUG, "--hall", HALL, *options, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out, PdfReader(out)


def test_visitor_edition_a1_landscape(demo_app, tmp_path):
    path, reader = cli_pdf(demo_app, tmp_path, "--paper", "A1", "--landscape")
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (841, 594)
    fonts = [line for line in poppler("pdffonts", path).splitlines()[2:] if line.strip()]
    assert fonts and all(" yes yes yes " in line for line in fonts)  # embedded, subset, unicode
    text = poppler("pdftotext", path)
    assert "Павильон 1: план для посетителей" in text
    assert "версия плана 1" in text
    confirmed = db.session.execute(
        select(Reservation.booth_id, Exhibitor.name)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed")
    ).all()
    for _, name in confirmed:
        assert name in text  # the index of exhibitors on the following page
    assert "A1" in text and "P16" in text


def test_true_scale_and_the_scale_that_cannot_fit(demo_app, tmp_path):
    path, _ = cli_pdf(demo_app, tmp_path, "--paper", "A0", "--landscape", "--scale", "200")
    assert "масштаб 1:200" in poppler("pdftotext", path)
    result = demo_app.test_cli_runner().invoke(args=[
        "map", "pdf", "--exhibition", DEMO_SLUG, "--hall", HALL, "--paper", "A3",
        "--scale", "100", "-o", str(tmp_path / "x.pdf")])  # fmt: skip
    assert result.exit_code != 0 and "не помещается" in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_sales_and_fire_editions(demo_app, tmp_path):
    sales, _ = cli_pdf(demo_app, tmp_path, "--edition", "sales", "--paper", "A2", "--landscape")
    text = poppler("pdftotext", sales)
    assert "план продаж" in text and "₽" in text and "Состояние" in text
    fire, _ = cli_pdf(demo_app, tmp_path, "--edition", "fire", "--paper", "A2", "--landscape")
    text = poppler("pdftotext", fire)
    assert "пожарной безопасности" in text and "эвакуационный выход" in text
    assert "₽" not in text  # no commercial data
    assert "3,0 м" in text  # aisle widths are dimensioned
    assert "ВЫХОД" in text and "ширина прохода, м" in text
    for legend in (
        "огнетушитель (F001; F04)",
        "пожарный кран (F002; F02)",
        "ручной пожарный извещатель (F005; F10)",
        "аптечка первой помощи (E003; EC01)",
    ):
        assert legend in text  # fmt: skip


def test_fire_edition_draws_every_piece_of_equipment_and_the_others_none(demo_app):
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    assert len(plan.equipment) >= 10
    red, green = 'fill="#c8102e"', 'fill="#00843d" stroke="#ffffff"'
    with demo_app.test_request_context():
        fire = hall_map_document(db.session, hall, edition="fire").sheet
        visitor = hall_map_document(db.session, hall, edition="visitor").sheet
    aid = sum(e.equipment_type == "first-aid" for e in plan.equipment)
    # One sign per piece on the plan, one per type in the legend; one exit sign per exit
    # and one in the legend; the assembly point's sign (E007) when the plan names one.
    assembly = 1 if plan.properties.get("assembly_point") else 0
    assert assembly == 1  # the demo plan names its assembly point
    assert fire.count(green) == aid + 1 + len(plan.exits) + 1 + assembly
    assert fire.count(red) == len(plan.equipment) - aid + 3
    assert red not in visitor and green not in visitor


def test_every_edition_the_api_offers_has_its_edition_object():
    assert tuple(EDITION_CLASSES) == EDITIONS
    assert [kind.name for kind in EDITION_CLASSES.values()] == list(EDITIONS)


def test_endpoint_and_bad_parameters(client):
    response = client.get(URL, query_string={"paper": "A3", "landscape": "1"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    for args in ({"paper": "B5"}, {"edition": "poster"}, {"scale": "abc"}, {"scale": "300"}):
        bad = client.get(URL, query_string=args)
        assert bad.status_code == 422, args
        assert list(bad.get_json()["error"]["details"]["fields"]) == list(args)


def test_hostile_names_make_no_connection_and_read_no_file(demo_app, tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections: list[object] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    reservation = db.session.scalar(select(Reservation).where(Reservation.status == "confirmed"))
    exhibitor = db.session.get(Exhibitor, reservation.exhibitor_id)
    exhibitor.short_name = f'<img src="http://127.0.0.1:{port}/x">'
    exhibitor.name = f"url(file:///etc/passwd) <style>@import 'http://127.0.0.1:{port}/'</style>"
    db.session.commit()
    try:
        cli_pdf(demo_app, tmp_path)
    finally:
        stop.set()
        thread.join(2)
        listener.close()
    assert connections == []
    text = poppler("pdftotext", tmp_path / "map.pdf")
    assert "root:" not in text  # /etc/passwd was not read
    assert "url(file:///etc/passwd)" in text  # the name is printed as text


def test_confirmation_pdf_for_the_exhibitor_only(demo_app, tmp_path):
    from exhibit.accounts.models import User
    from exhibit.accounts.services import set_password
    from tests.web.test_accounts import login

    reservation = db.session.scalar(select(Reservation).where(Reservation.status == "confirmed"))
    owner = User(email="owner@example.ru", role="exhibitor", exhibitor_id=reservation.exhibitor_id)
    stranger = next(
        e.id for e in db.session.scalars(select(Exhibitor)) if e.id != reservation.exhibitor_id
    )
    other = User(email="other@example.ru", role="exhibitor", exhibitor_id=stranger)
    for user in (owner, other):
        set_password(user, "a long test password")
        db.session.add(user)
    db.session.commit()
    url = f"/reservations/{reservation.id}/confirmation.pdf"

    client = demo_app.test_client()
    login(client, "owner@example.ru", "a long test password")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "confirmation.pdf"
    path.write_bytes(response.data)
    text = poppler("pdftotext", path)
    booth = reservation.booth
    assert f"стенда {booth.number}" in text
    assert "подтверждено" in text and "₽" in text and "м²" in text

    intruder = demo_app.test_client()
    login(intruder, "other@example.ru", "a long test password")
    assert intruder.get(url).status_code == 404


@pytest.mark.parametrize(
    ("edition", "paper", "scale"),
    [("visitor", "A0", 100), ("visitor", "A3", 500), ("sales", "A1", 200), ("fire", "A1", 200)],
)
def test_booths_measure_true_scale_and_labels_stay_inside(
    demo_app, tmp_path, edition, paper, scale
):
    """Measured in the PDF itself: every booth's outline (from the page's drawing operators)
    is its size in metres ÷ the scale, ± 0.3 mm, placed to scale from booth A1; its number
    (the word box pdftotext reports) lies inside it, and so does every other word of its
    label."""
    path, _ = cli_pdf(demo_app, tmp_path, "--edition", edition, "--paper", paper,
                      "--landscape", "--scale", str(scale))  # fmt: skip
    k = 1000 / scale  # mm of paper per metre
    outlines = stroked_outlines(path)
    page_words = words(path)
    booths = db.session.scalar(select(Hall).where(Hall.name == HALL)).current_booths
    on_paper = {}
    for booth in booths:
        (label,) = [w for w in page_words if w.text == booth.number]
        centre = label.box.centroid
        outline = min((o for o in outlines if o.contains(centre)), key=lambda o: o.area)
        minx, miny, maxx, maxy = booth.polygon.bounds
        x0, y0, x1, y1 = outline.bounds
        assert x1 - x0 == pytest.approx((maxx - minx) * k, abs=0.3), booth.number
        assert y1 - y0 == pytest.approx((maxy - miny) * k, abs=0.3), booth.number
        assert outline.buffer(0.05).contains(label.box), f"{booth.number} spills out"
        on_paper[booth.number] = (booth, outline)
    a1, a1_outline = on_paper["A1"]
    for booth, outline in on_paper.values():
        # North is up: a metre east is k mm right, a metre north k mm up the page.
        dx = (booth.polygon.bounds[0] - a1.polygon.bounds[0]) * k
        dy = (booth.polygon.bounds[1] - a1.polygon.bounds[1]) * k
        assert outline.bounds[0] - a1_outline.bounds[0] == pytest.approx(dx, abs=0.3)
        assert a1_outline.bounds[3] - outline.bounds[3] == pytest.approx(dy, abs=0.3)
    a_three_metre_booth = next(b for b, _ in on_paper.values() if b.polygon.bounds[2]
                               - b.polygon.bounds[0] == pytest.approx(3))  # fmt: skip
    width = on_paper[a_three_metre_booth.number][1].bounds
    assert width[2] - width[0] == pytest.approx(3000 / scale, abs=0.3)  # 15 mm at 1:200
    # No word of a label crosses its booth's outline (names, prices, track marks).
    booth_outlines = [o for _, o in on_paper.values()]
    inside = 0
    for word in page_words:
        home = [o for o in booth_outlines if o.contains(word.box.centroid)]
        if home:
            inside += 1
            assert home[0].buffer(0.05).contains(word.box), f"«{word.text}» leaves its booth"
    assert inside >= len(booths)


def test_a_map_reports_its_stages_and_the_command_shows_them(demo_app, tmp_path):
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    stages: list[str] = []
    with demo_app.test_request_context():
        hall_map_pdf(db.session, hall, paper="A3", edition="fire", progress=stages.append)
    assert stages == ["чертёж и подписи", "лист карты", "сборка PDF"]  # no index: fire edition

    out = tmp_path / "map.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["map", "pdf", "--exhibition", DEMO_SLUG, "--hall", HALL, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    for stage in MAP_STAGES:  # the visitor edition goes through all four, on stderr
        assert stage in result.stderr
    assert result.stdout.startswith(str(out))  # stdout: only the result


@pytest.mark.parametrize(("paper", "scale"), [("A0", 100), ("A1", 200), ("A3", 500)])
def test_fire_edition_signs_keep_their_size_and_arrows_stay_in_the_aisles(
    demo_app, tmp_path, paper, scale
):
    """Measured in the PDF: every safety sign (a square stroked white) is at least 8 mm
    whatever the scale, and the sheet's words are at least 2 mm high where they are the
    plan's own (legend, doors); the evacuation arrows lie in the aisles."""
    path, _ = cli_pdf(demo_app, tmp_path, "--edition", "fire", "--paper", paper,
                      "--landscape", "--scale", str(scale))  # fmt: skip
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    squares = []
    for outline in stroked_outlines(path):
        x0, y0, x1, y1 = outline.bounds
        w, h = x1 - x0, y1 - y0
        if abs(w - h) < 0.05 and outline.area > 0.95 * w * h and 7.5 < w < 9:
            squares.append(w)
    signs = len(plan.equipment) + len(plan.exits)
    assert len(squares) >= signs, (len(squares), signs)
    assert min(squares) >= 8.0 - 0.05
    page_words = words(path)
    for label in ("ВЫХОД", "ВХОД", "эвакуации"):
        boxes = [w.box for w in page_words if w.text == label]
        assert boxes and all(b.bounds[3] - b.bounds[1] >= 2.0 for b in boxes), label
    # Booth numbers too are at least 2 mm high, whatever the scale: measured against the
    # legend's words, set at 2.6 mm (a word's box is taller than its font size).
    legend = [w.box for w in page_words if w.text == "эвакуации"]
    per_mm = (legend[0].bounds[3] - legend[0].bounds[1]) / 2.6
    numbers = {b.number for b in plan.booths}
    printed = [w for w in page_words if w.text in numbers]
    assert len({w.text for w in printed}) >= 0.9 * len(numbers)
    small = [w.text for w in printed if (w.box.bounds[3] - w.box.bounds[1]) / per_mm < 1.99]
    assert not small, small[:10]
    with demo_app.test_request_context():
        from exhibit.maps.pdf import evacuation_arrows
        from exhibit.maps.svg import Frame

        arrows = evacuation_arrows(plan, Frame.around(hall.outline, margin=1.0), 1000 / scale)
    blocked = [b.polygon for b in plan.booths] + [o.geometry for o in plan.obstacles]
    import shapely

    aisles = shapely.difference(plan.hall, shapely.union_all(blocked))
    assert len(arrows) > 20
    for arrow in arrows:
        assert aisles.covers(arrow["line"]) and aisles.covers(arrow["polygon"])


def test_fire_edition_of_a_hall_without_exits_is_refused(demo_app):
    from exhibit.floorplan.plan import Plan
    from exhibit.maps.pdf import evacuation_arrows
    from exhibit.maps.printing import PrintError
    from exhibit.maps.svg import Frame

    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    plan = hall_plan(hall)
    bare = Plan(hall=plan.hall, booths=plan.booths, entrances=plan.entrances, exits=[])
    with pytest.raises(PrintError, match="нет ни одного эвакуационного выхода"):
        evacuation_arrows(bare, Frame.around(plan.hall), 5.0)
