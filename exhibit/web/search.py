"""The search page (HTML); the API's search is in exhibit/api/views.py."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from exhibit.catalogue.models import Region, Track
from exhibit.db import db
from exhibit.errors import InvalidParameter, tr
from exhibit.extensions import limiter
from exhibit.floorplan.services import get_exhibition
from exhibit.i18n import current_locale
from exhibit.pagecache import cached_page
from exhibit.search.services import FACETS, search

bp = Blueprint("search", __name__)

PAGE_SIZE = 20


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if not raw:
        return default
    if not raw.isdigit():
        raise InvalidParameter(
            tr("Параметр «%(name)s» должен быть целым числом", name=name), details={"field": name}
        )
    return int(raw)


def _run(slug: str, default_limit: int):
    exhibition = get_exhibition(db.session, slug)
    filters = {name: request.args.get(name, "") for name in FACETS}
    unknown = set(request.args) - set(FACETS) - {"q", "limit", "offset", "page", "lang"}
    if unknown:
        raise InvalidParameter(
            tr("Неизвестный параметр «%(name)s»", name=sorted(unknown)[0]),
            details={"field": sorted(unknown)[0]},
        )
    limit = _int_arg("limit", default_limit)
    offset = _int_arg("offset", (_int_arg("page", 1) - 1) * default_limit)
    result = search(
        db.session, exhibition, request.args.get("q", ""), filters, limit=limit, offset=offset
    )
    return exhibition, result, limit, offset


@bp.get("/<slug>/search")
@limiter.exempt  # public and cached; rate limits guard sign-in and the API
def page(slug: str) -> str:
    def render() -> str:
        exhibition, result, limit, offset = _run(slug, PAGE_SIZE)
        english = current_locale() == "en"
        return render_template(
            "search/page.html",
            exhibition=exhibition,
            result=result,
            q=request.args.get("q", ""),
            limit=limit,
            offset=offset,
            # Facet labels come in Russian from the search; reference data has English names.
            names_en={
                "track": {t.code: t.name_en for t in db.session.scalars(select(Track))},
                "region": {r.code: r.name_en for r in db.session.scalars(select(Region))},
            }
            if english
            else {},
        )

    # Visitors repeat the same searches; anonymous pages are shared until the data changes.
    return cached_page(render)
