"""Favourites shared by link and QR code (issue 19): the list is in the link (nothing is
stored on the server); a tampered link opens with what is valid, and a message."""

from __future__ import annotations

import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import cairosvg
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.maps.favourites import MAX_SHARED, encode
from tests.web.test_visit import placed_solutions


def shared_items(page: str) -> list[dict]:
    raw = re.search(r'<script type="application/json" id="shared-items">(.*?)</script>', page, re.S)
    return json.loads(raw.group(1)) if raw else []


def test_the_visit_page_shares_its_list_by_link_and_qr_code(client):
    ids = placed_solutions(3)
    page = client.get(f"/{DEMO_SLUG}/visit", query_string={"solutions": ",".join(map(str, ids))})
    text = page.get_data(as_text=True)
    link = html.unescape(re.search(r'id="share-link" type="url" readonly value="([^"]+)"', text)[1])
    assert urlsplit(link).path == f"/{DEMO_SLUG}/shared"
    assert parse_qs(urlsplit(link).query) == {"f": [encode(ids)]}
    svg = re.search(r'<div role="img" aria-label="QR-код ссылки на список">(<svg.*?</svg>)', text)
    drawing = svg[1].replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    png = cairosvg.svg2png(bytestring=drawing.encode(), output_width=400, output_height=400,
                           background_color="white")  # fmt: skip
    image = Image.open(io.BytesIO(png)).convert("L")
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [link]
    # The link opens the list: titles, booths, in order.
    shared = client.get(link).get_data(as_text=True)
    assert [item["id"] for item in shared_items(shared)] == ids
    assert 'id="shared-message"' not in shared


def test_a_tampered_link_opens_with_what_is_valid_and_a_message(client):
    ids = placed_solutions(2)
    hidden = db.session.scalar(
        select(Solution.id).join(Exhibitor).where(~Exhibitor.is_public).order_by(Solution.id)
    )
    unknown = (db.session.scalar(select(func.max(Solution.id))) or 0) + 1000
    parts = [encode([ids[0]]), "<script>alert(1)</script>", encode([unknown]), "%%%",
             encode([ids[1]]), encode([ids[0]])]  # fmt: skip
    if hidden:
        parts.append(encode([hidden]))
    page = client.get(f"/{DEMO_SLUG}/shared", query_string={"f": ".".join(parts)})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert [item["id"] for item in shared_items(text)] == ids
    skipped = 3 + (1 if hidden else 0)  # the script, "%%%", the unknown id, the hidden one
    assert re.search(rf"Ссылка прочитана не вся: пропущено записей — {skipped} ", text)
    assert "<script>alert" not in text

    # 10,000 entries: the first MAX_SHARED are read, the rest counted; the page stays small.
    many = client.get(f"/{DEMO_SLUG}/shared", query_string={"f": encode(list(range(1, 10_001)))})
    assert many.status_code == 200
    assert re.search(r"пропущено записей — \d{4} ", many.get_data(as_text=True))
    assert len(shared_items(many.get_data(as_text=True))) <= MAX_SHARED

    # Garbage only: the page says the link holds nothing of this exhibition.
    empty = client.get(f"/{DEMO_SLUG}/shared", query_string={"f": "\x00ÿ..;DROP TABLE"})
    assert empty.status_code == 200
    assert "В ссылке нет решений этой выставки." in empty.get_data(as_text=True)
    assert shared_items(empty.get_data(as_text=True)) == []
