"""Booth fascia signs (issue 19): one page per booth in the organiser's size, the number,
the exhibitor's name fitted to the sign, a QR code to the exhibitor's page."""

from __future__ import annotations

import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Booth, Hall
from exhibit.maps.printing import text_width
from exhibit.maps.signs import MAX_LINES, SignError, fit_name, parse_size, sign_svg
from tests.pdfpage import need_poppler

HALL = "Павильон 1"
MM = 25.4 / 72


def _sign(runner, tmp_path, size: str):
    out = tmp_path / f"signs-{size}.pdf"
    result = runner.invoke(args=["map", "signs", "--exhibition", DEMO_SLUG, "--hall", HALL,
                                 "--size", size, "-o", str(out)])  # fmt: skip
    return result, out


def test_signs_command_prints_every_booth_with_name_and_qr(demo_app, tmp_path):
    need_poppler()
    result, out = _sign(demo_app.test_cli_runner(), tmp_path, "1200x300")
    assert result.exit_code == 0, result.output
    hall = db.session.scalar(select(Hall).where(Hall.name == HALL))
    reader = PdfReader(out)
    assert len(reader.pages) == len(hall.current_booths)
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * MM), round(float(box.height) * MM)) == (1200, 300)
    texts = {page.extract_text().split("\n")[0]: i for i, page in enumerate(reader.pages)}
    number, name, exhibitor_id = db.session.execute(
        select(Booth.number, Exhibitor.name, Exhibitor.id)
        .join(Reservation, Reservation.booth_id == Booth.id)
        .join(Exhibitor, Exhibitor.id == Reservation.exhibitor_id)
        .where(Reservation.status == "confirmed")
        .order_by(Booth.number)
    ).first()
    page = next(i for first, i in texts.items() if first.startswith(number))
    text = reader.pages[page].extract_text().replace("\n", " ")
    assert text.startswith(number) and " ".join(name.split()) in text.replace(number, "", 1)
    png = tmp_path / "sign"
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page + 1), "-l", str(page + 1),
                    "-singlefile", "-png", str(out), str(png)], check=True)  # fmt: skip
    codes = zxingcpp.read_barcodes(Image.open(f"{png}.png").convert("L"))
    base = demo_app.config["PUBLIC_URL"].rstrip("/")
    assert [c.text for c in codes] == [f"{base}/{DEMO_SLUG}/exhibitors/{exhibitor_id}"]
    # A booth without a confirmed exhibitor: the number alone, no code.
    vacant = db.session.scalar(
        select(Booth.number)
        .where(Booth.hall_id == hall.id, Booth.retired.is_(False))
        .where(Booth.id.not_in(select(Reservation.booth_id)))
        .order_by(Booth.number)
    )
    assert reader.pages[texts[vacant]].extract_text().strip() == vacant


@pytest.mark.parametrize(
    "size, says",
    [("1000", "не понят"), ("10x3", "не понят"), ("5000x300", "вне допустимого"),
     ("400x300", "слишком узкая")],
)  # fmt: skip
def test_a_bad_size_is_refused_naming_it(demo_app, tmp_path, size, says):
    result, out = _sign(demo_app.test_cli_runner(), tmp_path, size)
    assert result.exit_code != 0 and says in result.output and not out.exists()
    with pytest.raises(SignError, match=says):
        parse_size(size)


@pytest.mark.parametrize(
    "name",
    ["Ирбит", "Администрация городского округа Первоуральск",
     "Муниципальное казённое учреждение «Центр информационных технологий и цифровой "
     "трансформации городского округа Верхняя Пышма Свердловской области»",
     "Сверхдлинноесловобезпробеловкотороеневлезаетникуда" * 3],
)  # fmt: skip
def test_names_fit_their_room(name):
    width, height = 500.0, 200.0
    fitted = fit_name(name, width, height)
    assert 1 <= len(fitted.lines) <= MAX_LINES
    assert all(text_width(line, fitted.size, bold=True) <= width + 1e-6 for line in fitted.lines)
    assert len(fitted.lines) * fitted.size * 1.2 <= height + 1e-6
    if len(name) < 50:  # a short name is whole, and large
        assert " ".join(fitted.lines) == name and fitted.size >= height * 0.2


def test_a_name_cannot_break_out_of_the_svg():
    svg = sign_svg("A1", 'Город <script>alert(1)</script> & «Ко"мпания»', "https://x/y", 1000, 300)
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp;" in svg
