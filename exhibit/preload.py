"""Readying a web server before it serves: what a fresh worker would otherwise do on its
first requests.

Commands start fast because heavy libraries are imported where they are used. A web
server is the other way round: ``wsgi.py`` calls :func:`preload` once, in gunicorn's
master with ``--preload`` (its workers are forked with all of it in shared memory) or in
each worker as it boots. It imports those libraries, compiles every template, configures
the ORM, and renders the home, map and search pages of the newest exhibition once, which
fills the statement cache and the per-process caches of search and maps. The rendered
pages themselves are dropped, so a worker's first request still renders its page; the
database connections are closed, so no worker shares one with another.
"""

from __future__ import annotations

import importlib
import logging
import time

from flask import Flask

log = logging.getLogger(__name__)

#: Imported by the paths that need them (so commands start fast); a server takes them all.
HEAVY_MODULES = (
    "exhibit.booking.assign",  # SciPy
    "networkx",
    "cairosvg",
    "pypdf",
    "segno",
    "PIL.Image",
    "email_validator",
    "ezdxf",
)


def preload(app: Flask) -> None:
    """Import, compile and warm everything a worker's first requests would; never fails
    (a database that is down at start is logged, and the server starts anyway)."""
    start = time.perf_counter()
    for name in HEAVY_MODULES:
        importlib.import_module(name)
    from exhibit.html_pdf import weasyprint

    weasyprint()
    for name in app.jinja_env.list_templates(extensions=("html", "svg", "txt", "xml")):
        app.jinja_env.get_template(name)
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    from exhibit.extensions import check_rate_limit_storage

    check_rate_limit_storage(app)  # an unreachable Redis is a warning, not a crash
    _render_pages_once(app)
    log.info("preloaded in %.1f s", time.perf_counter() - start)


def _render_pages_once(app: Flask) -> None:
    from exhibit import pagecache
    from exhibit.db import db
    from exhibit.floorplan.services import newest_exhibition

    try:
        with app.app_context():
            exhibition = newest_exhibition(db.session)
            slug = exhibition.slug if exhibition else None
            db.session.remove()
        paths = ["/"]
        if slug:
            paths += [f"/{slug}/map", f"/{slug}/search?q=благоустройство"]
        client = app.test_client()
        for path in paths:
            client.get(path)
    except Exception:  # a server must start even when its database is down
        log.warning("preload: the pages could not be rendered once", exc_info=True)
    finally:
        pagecache.clear()
        with app.app_context():
            db.engine.dispose()
