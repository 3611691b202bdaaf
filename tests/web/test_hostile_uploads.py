"""Hostile uploads through the web forms: oversized bodies (413), decompression bombs, SVG or
HTML renamed ``.png``: refused with a message, nothing stored, no audit event.

(The logo checks themselves are in exhibit/catalogue/logos.py; tests/web/test_profile.py
covers a renamed SVG/HTML logo and the 2 MB logo limit.)
"""

from __future__ import annotations

import io
import os
import struct
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.floorplan.models import PlanDraft
from tests.web import test_plan_pages, test_profile
from tests.web.test_accounts import csrf_token
from tests.web.test_plan_pages import upload
from tests.web.test_profile import _error_of, _events, _upload, signed_in

# The fixtures of those modules: an exhibitor's profile, an organiser on the plan pages.
site = test_profile.site
organiser = test_plan_pages.organiser


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` × ``height`` pixels (a classic bomb: the
    pixels would be gigabytes once decoded, the file is a few hundred bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * 4096, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def real_bomb() -> bytes:
    """A complete, valid PNG of 12 000 × 12 000 black pixels: 144 MB decoded, ~20 kB stored."""
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _nothing_stored(app, site) -> None:
    assert db.session.get(Exhibitor, site["irbit"]).logo is None
    logos = app.instance_path + "/uploads/logos"
    assert not os.path.isdir(logos) or os.listdir(logos) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(png_claiming(100_000, 100_000), id="header-claims-10-gigapixels"),
        pytest.param(png_claiming(4_000, 4_001), id="just-over-the-pixel-limit"),
        pytest.param(real_bomb(), id="valid-12000x12000"),
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(app, site, content):
    assert len(content) < 64 * 1024
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    token = csrf_token(client, f"/{slug}/profile")
    before = _events()
    response = _upload(client, f"/{slug}/profile/logo", token, content, "bomb.png")
    assert response.status_code == 200
    assert "слишком большое" in _error_of(response.get_data(as_text=True), "logo")
    _nothing_stored(app, site)
    assert _events() == before


def test_an_oversized_logo_request_is_a_413_page_and_stores_nothing(app, site):
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    token = csrf_token(client, f"/{slug}/profile")
    before = _events()
    response = _upload(client, f"/{slug}/profile/logo", token, b"\x89PNG" + b"\0" * 300_000)
    assert response.status_code == 413
    assert "Файл слишком большой: можно загрузить не больше 256 КБ." in response.get_data(
        as_text=True
    )
    _nothing_stored(app, site)
    assert _events() == before


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "plan.png"),
        (b"<html><body><script>alert(1)</script></body></html>", "plan.png"),
        (b"<html><body><script>alert(1)</script></body></html>", "plan.geojson"),
        (png_claiming(100_000, 100_000), "plan.dxf"),
    ],
)
def test_a_plan_upload_that_is_no_plan_is_refused_and_nothing_is_stored(
    organiser, app, content, name
):
    _, client, token = organiser
    response = upload(client, token, content, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error"' in page or "flash-error" in page
    assert "<script>alert(1)" not in page
    assert db.session.scalar(select(PlanDraft)) is None
