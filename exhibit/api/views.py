"""API views: parse → service → serialise; the services take their own write locks.

Errors are ``{"error": {code, message, details}}``.

Authentication is a bearer token only (never the session cookie), so the API needs no CSRF
token and a page on another site cannot act with a visitor's cookies.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from exhibit.accounts.decorators import api_user, token_required
from exhibit.booking import services
from exhibit.booking.models import Reservation
from exhibit.booking.views import guard_options
from exhibit.db import db
from exhibit.errors import Forbidden
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.services import get_exhibition
from exhibit.maps.geojson import booth_feature

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def reservation_json(reservation: Reservation) -> dict[str, Any]:
    return {
        "id": reservation.id,
        "booth": reservation.booth.number,
        "exhibitor": {"id": reservation.exhibitor_id, "name": reservation.exhibitor.name},
        "status": reservation.status,
        "expires_at": reservation.expires_at.isoformat() + "Z" if reservation.expires_at else None,
        "created_at": reservation.created_at.isoformat() + "Z",
    }


@bp.get("/exhibitions")
def exhibitions() -> Response:
    rows = db.session.scalars(db.select(Exhibition).order_by(Exhibition.starts_on.desc()))
    return jsonify(
        [
            {
                "slug": e.slug,
                "title": e.title,
                "venue": e.venue,
                "city": e.city,
                "starts_on": e.starts_on.isoformat(),
                "ends_on": e.ends_on.isoformat(),
                "currency": e.currency,
                "halls": [h.name for h in e.halls],
            }
            for e in rows
        ]
    )


@bp.get("/exhibitions/<slug>/booths")
def booths(slug: str) -> Response:
    """Booths as a GeoJSON FeatureCollection (coordinates in metres)."""
    exhibition = get_exhibition(db.session, slug)
    hall_name = request.args.get("hall")
    features = []
    for hall in exhibition.halls:
        if hall_name and hall.name != hall_name:
            continue
        for state in services.booth_states(db.session, hall):
            features.append(booth_feature(state, hall.name))
    return jsonify({"type": "FeatureCollection", "features": features})


@bp.post("/exhibitions/<slug>/booths/<number>/reservations")
@token_required
def request_booth(slug: str, number: str) -> tuple[Response, int]:
    user = api_user()
    if user.exhibitor is None:
        raise Forbidden("Бронировать может только экспонент")
    exhibition = get_exhibition(db.session, slug)
    reservation = services.request_booth(
        db.session, exhibition, number, user.exhibitor, user, **guard_options()
    )
    db.session.commit()
    return jsonify(reservation_json(reservation)), 201


@bp.post("/reservations/<int:reservation_id>/confirm")
@token_required
def confirm(reservation_id: int) -> Response:
    reservation = services.confirm_reservation(db.session, reservation_id, api_user())
    db.session.commit()
    return jsonify(reservation_json(reservation))


@bp.post("/reservations/<int:reservation_id>/cancel")
@token_required
def cancel(reservation_id: int) -> Response:
    reservation = services.cancel_reservation(db.session, reservation_id, api_user())
    db.session.commit()
    return jsonify(reservation_json(reservation))
