"""Public catalogue pages: the exhibition's home, exhibitors, solutions."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from exhibit.booking.services import confirmed_booths
from exhibit.catalogue import services
from exhibit.db import db
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.services import get_exhibition

bp = Blueprint("catalogue", __name__)


@bp.get("/")
def index() -> Response | str:
    """The newest exhibition's home page (the forum is yearly: one exhibition a year)."""
    exhibition = db.session.scalar(select(Exhibition).order_by(Exhibition.starts_on.desc()))
    if exhibition is None:
        return render_template("catalogue/empty.html")
    return redirect(url_for("catalogue.home", slug=exhibition.slug))


@bp.get("/<slug>/")
def home(slug: str) -> str:
    exhibition = get_exhibition(db.session, slug)
    stats = services.exhibition_stats(db.session, exhibition.id)
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


@bp.get("/<slug>/exhibitors/<int:exhibitor_id>")
def exhibitor(slug: str, exhibitor_id: int) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = services.get_exhibitor(db.session, exhibitor_id, exhibition.id)
    booths = confirmed_booths(db.session, [item.id])[item.id]
    return render_template(
        "catalogue/exhibitor.html", exhibition=exhibition, exhibitor=item, booths=booths
    )


@bp.get("/<slug>/solutions/<int:solution_id>")
def solution(slug: str, solution_id: int) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = services.get_solution(db.session, solution_id, exhibition.id)
    booths = confirmed_booths(db.session, [item.exhibitor_id])[item.exhibitor_id]
    return render_template(
        "catalogue/solution.html", exhibition=exhibition, solution=item, booths=booths
    )
