"""Public catalogue pages: the exhibition's home, exhibitors, solutions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, url_for
from shapely.ops import unary_union
from werkzeug.wrappers import Response

from exhibit.booking.dashboard import exhibition_stats
from exhibit.booking.services import confirmed_booths
from exhibit.catalogue import services
from exhibit.catalogue.models import Region, Solution, Track
from exhibit.catalogue.rules import russian_sort_key
from exhibit.db import db
from exhibit.errors import NotFound, tr
from exhibit.floorplan.models import Booth
from exhibit.floorplan.services import get_exhibition, newest_exhibition
from exhibit.i18n import localised
from exhibit.maps.presenter import map_context

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index() -> Response | str:
    """The newest exhibition's home page (the forum is yearly: one exhibition a year)."""
    exhibition = newest_exhibition(db.session)
    if exhibition is None:
        return render_template("catalogue/empty.html")
    return redirect(url_for("catalogue.home", slug=exhibition.slug))


@bp.get("/<slug>/")
def home(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    stats = exhibition_stats(db.session, exhibition.id)
    tracks = services.tracks_with_counts(db.session, exhibition.id)
    return render_template("catalogue/home.html", exhibition=exhibition, stats=stats, tracks=tracks)


@bp.get("/<slug>/exhibitors/")
def exhibitors(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    rows = services.list_exhibitors(db.session, exhibition.id)
    booths = confirmed_booths(db.session, (e.id for e in rows))
    return render_template(
        "catalogue/exhibitors.html", exhibition=exhibition, exhibitors=rows, booths=booths
    )


def _excerpt(booths: list[Booth], slug: str) -> dict[str, Any]:
    """A small map around the exhibitor's booths (first hall), or nothing without a booth."""
    if not booths:
        return {"frame": None}
    hall = booths[0].hall
    shapes = [b.polygon for b in booths if b.hall_id == hall.id]
    context = map_context(hall, slug, around=unary_union(shapes), margin=9)
    return {**context, "highlighted": {b.number for b in booths}, "selected": ""}


@bp.get("/<slug>/exhibitors/<int:exhibitor_id>")
def exhibitor(slug: str, exhibitor_id: int) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = services.get_exhibitor(db.session, exhibitor_id, exhibition.id)
    booths = confirmed_booths(db.session, [item.id])[item.id]
    return render_template(
        "catalogue/exhibitor.html",
        exhibition=exhibition,
        exhibitor=item,
        booths=booths,
        **_excerpt(booths, slug),
    )


@bp.get("/<slug>/solutions/<int:solution_id>")
def solution(slug: str, solution_id: int) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = services.get_solution(db.session, solution_id, exhibition.id)
    booths = confirmed_booths(db.session, [item.exhibitor_id])[item.exhibitor_id]
    return render_template(
        "catalogue/solution.html",
        exhibition=exhibition,
        solution=item,
        booths=booths,
        **_excerpt(booths, slug),
    )


@bp.get("/<slug>/solutions/")
def solutions(slug: str) -> str:
    """Every solution, by track."""
    exhibition = get_exhibition(db.session, slug)
    rows = services.list_exhibitors(db.session, exhibition.id)
    by_track: dict[str, list[Solution]] = {}
    for exhibitor in rows:
        for item in exhibitor.solutions:
            by_track.setdefault(item.track_code, []).append(item)
    for items in by_track.values():
        items.sort(key=lambda s: russian_sort_key(s.title))
    booths = confirmed_booths(db.session, (e.id for e in rows))
    return render_template(
        "catalogue/solutions.html",
        exhibition=exhibition,
        tracks=services.list_tracks(db.session),
        by_track=by_track,
        booths=booths,
    )


@bp.get("/<slug>/tracks/")
def tracks(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    return render_template(
        "catalogue/tracks.html",
        exhibition=exhibition,
        tracks=services.tracks_with_counts(db.session, exhibition.id),
    )


@bp.get("/<slug>/tracks/<code>")
def track(slug: str, code: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = db.session.get(Track, code)
    if item is None:
        raise NotFound(tr("Направления «%(code)s» нет", code=code))
    rows = services.list_exhibitors(db.session, exhibition.id)
    items = sorted(
        (s for e in rows for s in e.solutions if s.track_code == code),
        key=lambda s: russian_sort_key(s.title),
    )
    booths = confirmed_booths(db.session, {s.exhibitor_id for s in items})
    return render_template(
        "catalogue/track.html", exhibition=exhibition, track=item, solutions=items, booths=booths
    )


@bp.get("/<slug>/regions/")
def regions(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    groups = services.exhibitors_by_region(services.list_exhibitors(db.session, exhibition.id))
    return render_template("catalogue/regions.html", exhibition=exhibition, groups=groups)


@bp.get("/<slug>/regions/<code>")
def region(slug: str, code: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = db.session.get(Region, code)
    if item is None:
        raise NotFound(tr("Региона с кодом «%(code)s» нет", code=code))
    rows = [e for e in services.list_exhibitors(db.session, exhibition.id) if e.region_code == code]
    booths = confirmed_booths(db.session, (e.id for e in rows))
    return render_template(
        "catalogue/exhibitors.html",
        exhibition=exhibition,
        exhibitors=rows,
        booths=booths,
        heading=localised(item),
    )
