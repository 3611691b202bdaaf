"""The printed catalogue read back with pypdf: contents and indexes point at the right pages."""

from __future__ import annotations

import re
import subprocess

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select, update

from exhibit.catalogue.models import Exhibitor, Track
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from tests.pdfpage import need_poppler

pytestmark = pytest.mark.sqlite_only  # rendering does not depend on the database engine


def render(app, tmp_path, *options) -> PdfReader:
    out = tmp_path / "catalogue.pdf"
    result = app.test_cli_runner().invoke(
        args=["catalogue", "pdf", "--exhibition", DEMO_SLUG, *options, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return PdfReader(out)


def test_catalogue_contents_entries_and_indexes(demo_app, tmp_path):
    reader = render(demo_app, tmp_path)
    pages = [page.extract_text() for page in reader.pages]
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210  # A4
    assert "Каталог участников и решений" in pages[0]
    text = "\n".join(pages)
    for exhibitor in db.session.scalars(select(Exhibitor).where(Exhibitor.approved.is_(True))):
        assert exhibitor.name.split("«")[0].strip()[:30] in text
    hidden = db.session.scalar(select(Exhibitor).where(Exhibitor.approved.is_(False)))
    assert hidden.name not in text
    # Every entry of the contents names the page its track starts on.
    contents = pages[1]
    for track in db.session.scalars(select(Track)):
        match = re.search(rf"{re.escape(track.name)}\s*\.*\s*(\d+)", contents)
        if match is None:
            continue  # a track without exhibitors is not listed
        page = int(match.group(1))
        assert pages[page - 1].lstrip().startswith(track.name), track.name
    assert "Указатель по номерам стендов" in text and "стенд " in text


def test_a5_and_a_wrong_paper(demo_app, tmp_path):
    reader = render(demo_app, tmp_path, "--paper", "A5")
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 148
    result = demo_app.test_cli_runner().invoke(
        args=["catalogue", "pdf", "--exhibition", DEMO_SLUG, "--paper", "A3", "-o", "x.pdf"]
    )
    assert result.exit_code != 0


def test_every_entry_has_the_qr_code_of_its_page_beside_it(demo_app, tmp_path):
    """The codes read back by a QR decoder from the printed pages: one per exhibitor with an
    entry, with the address of its page, on the page that shows its name."""
    need_poppler()
    reader = render(demo_app, tmp_path)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "catalogue.pdf"),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    found: dict[str, list[int]] = {}
    for png in sorted(tmp_path.glob("page-*.png")):
        page = int(png.stem.rsplit("-", 1)[1])
        # QR codes only: zxing-cpp's other readers can fail on a page of index text.
        for code in zxingcpp.read_barcodes(Image.open(png), formats=zxingcpp.BarcodeFormat.QRCode):
            found.setdefault(code.text, []).append(page)
    base = demo_app.config["PUBLIC_URL"].rstrip("/")
    public = db.session.scalars(select(Exhibitor).where(Exhibitor.approved.is_(True))).all()
    with_entries = [e for e in public if e.solutions]
    assert len(found) == len(with_entries) > 50
    for exhibitor in with_entries:
        (page,) = found.pop(f"{base}/{DEMO_SLUG}/exhibitors/{exhibitor.id}")
        name = exhibitor.name.split("«")[0].strip()[:30]
        assert name in reader.pages[page - 1].extract_text(), exhibitor.name
    assert not found


def test_a_catalogue_without_exhibitors_has_no_empty_page(demo_app, tmp_path):
    db.session.execute(update(Exhibitor).values(approved=False))
    db.session.commit()
    pages = [page.extract_text() for page in render(demo_app, tmp_path).pages]
    assert "Каталог участников и решений" in pages[0] and "Содержание" in pages[1]
    assert "Указатель по регионам" in pages[2]
    assert all(text.strip() for text in pages)
