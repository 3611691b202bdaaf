"""Hostile text in every field an exhibitor fills stays text: in the pages' markup, in the
SVG of the printed map, and in the PDFs (read back with pypdf). The browser test
(tests/browser/test_xss.py) checks the same pages in Chromium."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Hall
from tests.factories import make_user
from tests.payloads import LIVE_MARKUP, SCRIPT, poison
from tests.web.test_accounts import login

pytestmark = pytest.mark.sqlite_only  # escaping does not depend on the database engine

SVG_NS = "{http://www.w3.org/2000/svg}"


def public_pages(p) -> list[str]:
    s = DEMO_SLUG
    pages = [
        f"/{s}/", f"/{s}/exhibitors/", f"/{s}/exhibitors/{p.exhibitor_id}", f"/{s}/solutions/",
        f"/{s}/solutions/{p.solution_id}", f"/{s}/tracks/{p.track}", f"/{s}/search?q=Ирбит",
        f"/{s}/map", f"/{s}/visit", f"/{s}/visit?s={p.solution_id}", f"/{s}/booths/{p.booth}",
        f"/{s}/plan",
    ]  # fmt: skip
    if p.region:
        pages.append(f"/{s}/regions/{p.region}")
    return pages


def organiser_pages(p) -> list[str]:
    s = DEMO_SLUG
    return [f"/{s}/organiser", f"/{s}/exhibitors/{p.exhibitor_id}/edit", f"/{s}/print"]


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", markup)


def test_payloads_are_escaped_in_every_page(demo_app):
    poisoned = poison()
    make_user("xss-org@example.ru", "organiser")
    anonymous = demo_app.test_client()
    organiser = demo_app.test_client()
    login(organiser, "xss-org@example.ru")
    shown_by_name = 0
    for client, urls in (
        (anonymous, public_pages(poisoned)),
        (organiser, organiser_pages(poisoned)),
    ):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            for live in LIVE_MARKUP:
                assert live not in html, (url, live)
            assert "javascript:" not in re.findall(r'href="([^"]*)"', html), url
            if "Ирбит &lt;script&gt;alert(" in html or "Ирбит \\u003cscript\\u003e" in html:
                shown_by_name += 1
    # The name really reached the pages (as text), or the test would prove nothing.
    assert shown_by_name >= 8
    # The organiser's form shows the contacts as values, escaped.
    edit = organiser.get(f"/{DEMO_SLUG}/exhibitors/{poisoned.exhibitor_id}/edit")
    assert 'value="&lt;script&gt;alert(&#39;xss-script&#39;)&lt;/script&gt;"' in edit.get_data(
        as_text=True
    )


def test_the_printed_map_svg_has_the_payloads_as_text_only(demo_app):
    from exhibit.maps.pdf import hall_map_document

    poisoned = poison()
    hall = db.session.scalar(select(Hall).order_by(Hall.id))
    with demo_app.test_request_context():
        document = hall_map_document(db.session, hall)
    root = ET.fromstring(document.sheet)  # well-formed: nothing broke out of a text node
    for element in root.iter():
        tag = element.tag.removeprefix(SVG_NS)
        assert tag not in ("script", "foreignObject", "iframe", "img", "image", "use"), tag
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (tag, attribute)
            assert "href" not in attribute.lower(), (tag, attribute)
            assert not value.strip().lower().startswith("javascript:"), (tag, attribute)
    texts = list(root.itertext())
    # The booth's label (the short name, shortened to fit) is there, as text.
    assert any(t.startswith('"><img src') for t in texts)
    assert poisoned.booth in texts
    # The index of exhibitors after the sheet is lines of plain text (cairo draws them as
    # glyphs: there is no markup to break out of); the name is there as it was typed.
    lines = [line.text for page in document.pages for line in page]
    assert any(SCRIPT in line and line.endswith(poisoned.booth) for line in lines)


def _pdf(response) -> tuple[str, PdfReader, bytes]:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return _text(" ".join(page.extract_text() for page in reader.pages)), reader, response.data


def _link_targets(reader: PdfReader) -> list[str]:
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def test_the_pdfs_print_the_payloads_as_text(demo_app):
    poison()
    make_user("xss-org@example.ru", "organiser")
    client = demo_app.test_client()
    login(client, "xss-org@example.ru")
    hall = db.session.scalar(select(Hall).order_by(Hall.id))
    map_text, map_reader, map_bytes = _pdf(
        client.get(f"/api/v1/exhibitions/{DEMO_SLUG}/halls/{hall.name}/map.pdf")
    )
    catalogue_text, catalogue_reader, catalogue_bytes = _pdf(
        client.get(f"/{DEMO_SLUG}/catalogue.pdf")
    )
    assert SCRIPT in map_text  # the exhibitor index prints the name literally
    assert SCRIPT in catalogue_text
    assert "<img src=x onerror" in catalogue_text  # the description, printed, not parsed
    for reader, raw in ((map_reader, map_bytes), (catalogue_reader, catalogue_bytes)):
        assert b"/JavaScript" not in raw and b"/JS " not in raw
        assert not any(t.lower().startswith("javascript:") for t in _link_targets(reader))
