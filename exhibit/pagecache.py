"""Rendered pages for anonymous visitors, cached per worker until the data changes.

The key holds the data version: the newest audit event (every change the services make
writes one) and the search index's state (every document rewrite moves it). A page is
cached only for a visitor without a session of their own (not signed in, no flash
messages), whose page is the same as every other anonymous visitor's in that language.

Reading the data version is a database round trip; a worker reads it at most once every
``PAGECACHE_RECHECK`` seconds (one by default). A commit in the same worker forgets it at
once, so a change made here is seen by the next request; a change made by another worker or
process is seen within that interval.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request, session
from flask_login import current_user
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from exhibit.db import db

MAX_PAGES = 256
_pages: OrderedDict[tuple, tuple[str | bytes, Any]] = OrderedDict()
_lock = threading.Lock()  # the development server and gthread workers use threads


_VERSION = text(
    "SELECT (SELECT coalesce(max(id), 0) FROM audit_event),"
    " (SELECT count(*) FROM search_document), (SELECT coalesce(max(id), 0) FROM search_document)"
)


def data_version() -> tuple[str, int, int, int]:
    """The newest audit event and the search index's state, in one round trip."""
    newest_event, documents, newest_document = db.session.execute(_VERSION).one()
    return (str(db.engine.url), int(newest_event), int(documents), int(newest_document))


_known: dict[str, tuple[float, tuple[str, int, int, int]]] = {}  # database → (read at, version)


def known_data_version() -> tuple[str, int, int, int]:
    """The data version, read again when the one known is older than ``PAGECACHE_RECHECK``."""
    database = str(db.engine.url)
    now = time.monotonic()
    known = _known.get(database)
    if known is not None and now - known[0] < current_app.config["PAGECACHE_RECHECK"]:
        return known[1]
    version = data_version()
    _known[database] = (now, version)
    return version


@event.listens_for(Session, "after_commit")
def _forget_version(session: Any) -> None:
    _known.clear()


def cached_page(
    render: Callable[[], str | bytes], after: Callable[[Any], None] | None = None
) -> str | bytes:
    """``render()``'s page, from the cache when this anonymous request was rendered before.

    A page may leave a note for every request it answers, cached or not: what ``render``
    puts in ``g.page_note`` is kept with the page, and ``after(note)`` is called each time
    the page is served (the search page counts a query that found nothing this way, so a
    cached answer is counted too).
    """
    if current_user.is_authenticated or session.get("_flashes"):
        page = render()
        note = g.pop("page_note", None)
        if after is not None and note is not None:
            after(note)
        return page
    from exhibit.i18n import current_locale

    key = (request.full_path, current_locale(), known_data_version())
    with _lock:
        cached = _pages.get(key)
        if cached is not None:
            _pages.move_to_end(key)
    if cached is None:
        cached = (render(), g.pop("page_note", None))
        with _lock:
            _pages[key] = cached
            if len(_pages) > MAX_PAGES:
                _pages.popitem(last=False)
    page, note = cached
    if after is not None and note is not None:
        after(note)
    return page


def clear() -> None:
    """Forget every cached page and data version (a server's preload renders pages once)."""
    with _lock:
        _pages.clear()
    _known.clear()
