"""Offline visits (issue 19): the web app manifest, the service worker and what it saves.

After one visit online, the service worker (``static/js/sw.js``, served from ``/sw.js`` so
that it may answer for the whole site) keeps in the browser the exhibition's map, visit
page, catalogue lists, every exhibitor and solution page and the compact search index
(:mod:`exhibit.search.offline`). What it saves it fetches itself, without cookies, from the
list :func:`bundle` gives: only pages every anonymous visitor sees, never a signed-in one.
Each visit online asks :func:`bundle` again; a new data version (the page cache's: the
newest audit event and the search index's state, and the language) fetches the pages again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.services import get_exhibition, hall_plan
from exhibit.i18n import current_locale
from exhibit.pagecache import cached_page, known_data_version
from exhibit.search.offline import offline_index

bp = Blueprint("offline", __name__)


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the site's root so that its scope is the whole site."""
    path = Path(current_app.static_folder or "static") / "js" / "sw.js"
    response = Response(path.read_text(encoding="utf-8"), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


#: PNG sizes of the app icon: the home screen on iOS (180) and the install icons of Android
#: and desktop Chromium (192, 512), which want PNGs beside the SVG.
ICON_SIZES = (180, 192, 512)


@functools.lru_cache(maxsize=len(ICON_SIZES))
def _icon_png(svg: str, size: int) -> bytes:
    import cairosvg

    return cairosvg.svg2png(bytestring=svg.encode(), output_width=size, output_height=size)


@bp.get("/icon-<int:size>.png")
def icon(size: int) -> Response:
    """The app icon (``static/img/icon.svg``) as a PNG of ``size`` pixels (ICON_SIZES only),
    drawn from the SVG once per worker."""
    if size not in ICON_SIZES:
        abort(404)
    path = Path(current_app.static_folder or "static") / "img" / "icon.svg"
    response = Response(_icon_png(path.read_text(encoding="utf-8"), size), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


def data_version() -> str:
    """A short name of the data version and the language: what the browser compares."""
    version = (known_data_version()[1:], current_locale())
    return hashlib.sha256(repr(version).encode()).hexdigest()[:16]


@bp.get("/<slug>/manifest.webmanifest")
def manifest(slug: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    document = {
        "name": exhibition.title,
        "short_name": exhibition.title[:12],
        "description": _("Карта зала, экспоненты, решения и план визита — и без сети"),
        "lang": current_locale(),
        "start_url": url_for("maps.hall_map", slug=slug),
        "scope": url_for("catalogue.home", slug=slug),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": url_for("static", filename="img/icon.svg"), "sizes": "any",
             "type": "image/svg+xml", "purpose": "any"},
            *({"src": url_for("offline.icon", size=size), "sizes": f"{size}x{size}",
               "type": "image/png", "purpose": "any"} for size in ICON_SIZES[1:]),
        ],
    }  # fmt: skip
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/manifest+json")


def _pages(exhibition: Exhibition) -> list[str]:
    slug = exhibition.slug
    pages = [
        url_for("catalogue.home", slug=slug),
        url_for("maps.hall_map", slug=slug),
        url_for("maps.visit", slug=slug),
        url_for("catalogue.exhibitors", slug=slug),
        url_for("catalogue.solutions", slug=slug),
        url_for("offline.saved", slug=slug),
    ]
    pages += [url_for("maps.hall_map", slug=slug, hall=hall.name) for hall in exhibition.halls[1:]]
    # The maps the "you are here" posters open: a QR code scanned with no network too.
    for number, hall in enumerate(exhibition.halls):
        which = {"hall": hall.name} if number else {}
        pages += [
            url_for("maps.hall_map", slug=slug, at=point.id, **which)
            for point in hall_plan(hall).points
        ]
    public = db.session.scalars(
        select(Exhibitor.id)
        .where(Exhibitor.exhibition_id == exhibition.id, Exhibitor.is_public)
        .order_by(Exhibitor.id)
    ).all()
    pages += [url_for("catalogue.exhibitor", slug=slug, exhibitor_id=i) for i in public]
    solutions = db.session.scalars(
        select(Solution.id).where(Solution.exhibitor_id.in_(public)).order_by(Solution.id)
    ).all()
    pages += [url_for("catalogue.solution", slug=slug, solution_id=i) for i in solutions]
    return pages


@bp.get("/<slug>/offline.json")
def bundle(slug: str) -> Response:
    """What the service worker keeps for ``slug``, and the data version it was made from."""
    exhibition = get_exhibition(db.session, slug)
    document: dict[str, Any] = {
        "version": data_version(),
        "lang": current_locale(),
        "index": url_for("offline.index", slug=slug),
        "pages": _pages(exhibition),
    }
    response = Response(json.dumps(document), mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<slug>/offline/index.json")
def index(slug: str) -> Response:
    """The compact search index the browser searches with no network."""

    def render() -> str:
        exhibition = get_exhibition(db.session, slug)
        entries = offline_index(db.session, exhibition)
        return json.dumps({"version": data_version(), "items": entries}, ensure_ascii=False,
                          separators=(",", ":"))  # fmt: skip

    response = Response(cached_page(render), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<slug>/offline")
def saved(slug: str) -> str:
    """Shown with no network for a page that was not saved: what was."""
    exhibition = get_exhibition(db.session, slug)
    return render_template("maps/offline.html", exhibition=exhibition)
