"""The printed catalogue read back with pypdf: contents and indexes point at the right pages."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.catalogue.models import Exhibitor, Track
from exhibit.db import db
from exhibit.demo import DEMO_SLUG

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
