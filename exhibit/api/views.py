"""API views: parse (schemas) → one service → serialise (schemas).

Authentication is a bearer token only (never the session cookie), so the API needs no CSRF
token and a page on another site cannot act with a visitor's cookies. Errors, paging and
validation are described in docs/api.md and in the generated ``/api/v1/openapi.json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from flask import abort, request
from werkzeug.wrappers import Response

from exhibit.accounts.decorators import api_user, token_required
from exhibit.api import schemas
from exhibit.api.extension import BEARER, Blueprint
from exhibit.booking import services as booking
from exhibit.booking.models import Reservation
from exhibit.catalogue import services as catalogue
from exhibit.catalogue.models import Exhibitor, Region, Solution
from exhibit.catalogue.rules import russian_sort_key
from exhibit.db import db
from exhibit.errors import DomainError, Forbidden, NotFound, tr
from exhibit.floorplan.models import Exhibition, Hall
from exhibit.floorplan.services import get_exhibition, get_hall
from exhibit.maps.geojson import booth_feature
from exhibit.maps.pdf import hall_map_pdf
from exhibit.maps.printing import PrintError
from exhibit.maps.wayfinding import RouteError, find_start, hall_walk
from exhibit.pagecache import cached_page
from exhibit.search.insights import log_if_nothing_found
from exhibit.search.services import FACETS, search

bp = Blueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Exhibitions, halls, booths, the catalogue, search and reservations",
)

ID = "int(min=1, max=2147483647)"  # ids are 32-bit in the database: larger ones are 404


@bp.before_request
def _refuse_nul_in_path() -> None:
    """A NUL is in no name or number (and PostgreSQL refuses it as a parameter)."""
    if any("\x00" in str(value) for value in (request.view_args or {}).values()):
        abort(404)


def page_of(items: Sequence[Any], limit: int, offset: int) -> dict[str, Any]:
    return {
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "items": list(items[offset : offset + limit]),
    }


# --- serialisers: the models as the schemas' input ------------------------------------


def exhibition_json(exhibition: Exhibition) -> dict[str, Any]:
    return {
        "slug": exhibition.slug,
        "title": exhibition.title,
        "title_en": exhibition.title_en,
        "venue": exhibition.venue,
        "city": exhibition.city,
        "starts_on": exhibition.starts_on,
        "ends_on": exhibition.ends_on,
        "currency": exhibition.currency,
        "hold_hours": exhibition.hold_hours,
        "halls": [hall.name for hall in exhibition.halls],
    }


def hall_json(hall: Hall) -> dict[str, Any]:
    return {
        "name": hall.name,
        "plan_version": hall.plan_version,
        "booths": len(hall.current_booths),
        "area_m2": round(hall.outline.area, 2),
        "bounds": [round(v, 3) for v in hall.outline.bounds],
    }


def exhibitor_json(exhibitor: Exhibitor, booths: list[str]) -> dict[str, Any]:
    region: Region | None = exhibitor.region
    return {
        "id": exhibitor.id,
        "exhibition": exhibitor_exhibition_slug(exhibitor),
        "name": exhibitor.name,
        "short_name": exhibitor.short_name,
        "kind": exhibitor.kind,
        "region": {"code": region.code, "name": region.name} if region else None,
        "municipality": exhibitor.municipality,
        "population": exhibitor.population,
        "size_class": exhibitor.size_class,
        "description": exhibitor.description,
        "website": exhibitor.website,
        "booths": booths,
        "solutions": exhibitor.solutions,
    }


def exhibitor_exhibition_slug(exhibitor: Exhibitor) -> str:
    return db.session.get(Exhibition, exhibitor.exhibition_id).slug


def solution_json(solution: Solution, booths: list[str]) -> dict[str, Any]:
    return {
        "id": solution.id,
        "exhibition": exhibitor_exhibition_slug(solution.exhibitor),
        "title": solution.title,
        "summary": solution.summary,
        "description": solution.description,
        "track": solution.track_code,
        "tags": solution.tags or [],
        "stage": solution.stage,
        "results": solution.results,
        "size_classes": solution.size_classes or [],
        "exhibitor": {"id": solution.exhibitor.id, "name": solution.exhibitor.name},
        "booths": booths,
    }


def reservation_json(reservation: Reservation) -> dict[str, Any]:
    booth = reservation.booth
    return {
        "id": reservation.id,
        "exhibition": booth.hall.exhibition.slug,
        "hall": booth.hall.name,
        "booth": booth.number,
        "exhibitor": {"id": reservation.exhibitor_id, "name": reservation.exhibitor.name},
        "status": reservation.status,
        "expires_at": reservation.expires_at,
        "created_at": reservation.created_at,
        "decided_at": reservation.decided_at,
    }


def booth_numbers(exhibitor_ids: Sequence[int]) -> dict[int, list[str]]:
    found = booking.confirmed_booths(db.session, exhibitor_ids)
    return {i: [b.number for b in found.get(i, [])] for i in exhibitor_ids}


# --- exhibitions, halls, booths ---------------------------------------------------------


@bp.get("/exhibitions")
@bp.arguments(schemas.PageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ExhibitionPage)
@bp.errors(422)
def exhibitions(limit: int, offset: int) -> dict[str, Any]:
    """Exhibitions, newest first."""
    rows = db.session.scalars(db.select(Exhibition).order_by(Exhibition.starts_on.desc())).all()
    page = page_of(rows, limit, offset)
    page["items"] = [exhibition_json(e) for e in page["items"]]
    return page


@bp.get("/exhibitions/<slug>")
@bp.response(200, schemas.ExhibitionOut)
@bp.errors(404)
def exhibition(slug: str) -> dict[str, Any]:
    """One exhibition."""
    return exhibition_json(get_exhibition(db.session, slug))


@bp.get("/exhibitions/<slug>/halls")
@bp.arguments(schemas.PageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.HallPage)
@bp.errors(404, 422)
def halls(slug: str, limit: int, offset: int) -> dict[str, Any]:
    """The halls of an exhibition with their current plan version."""
    exhibition = get_exhibition(db.session, slug)
    page = page_of(exhibition.halls, limit, offset)
    page["items"] = [hall_json(h) for h in page["items"]]
    return page


@bp.get("/exhibitions/<slug>/halls/<hall_name>")
@bp.response(200, schemas.HallSummary)
@bp.errors(404)
def hall(slug: str, hall_name: str) -> dict[str, Any]:
    """One hall."""
    return hall_json(get_hall(db.session, get_exhibition(db.session, slug), hall_name))


@bp.get("/exhibitions/<slug>/halls/<hall_name>/map.pdf")
@bp.arguments(schemas.MapArgs, location="query", as_kwargs=True)
@bp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/pdf",
    description="The hall map (vector PDF, fonts embedded)",
)
@bp.errors(404, 422)
def map_pdf(
    slug: str, hall_name: str, paper: str, edition: str, landscape: bool, scale: str
) -> Response:
    """The hall map as PDF: visitor, sales or fire-safety edition."""
    exhibition = get_exhibition(db.session, slug)
    hall = get_hall(db.session, exhibition, hall_name)

    def render() -> bytes:
        try:
            return hall_map_pdf(
                db.session,
                hall,
                paper=paper,
                landscape=landscape,
                edition=edition,
                scale=None if scale == "fit" else int(scale),
            )
        except PrintError as error:
            # Well-formed but impossible (the hall does not fit the paper at that scale).
            raise DomainError(str(error), details={"fields": {"scale": [str(error)]}}) from None

    # An unchanged plan and unchanged reservations give the same PDF: served from the cache.
    response = Response(cached_page(render), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={slug}-map.pdf"
    return response


@bp.get("/exhibitions/<slug>/booths")
@bp.arguments(schemas.BoothArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.BoothCollection)
@bp.errors(404, 422)
def booths(slug: str, hall: str | None = None, status: str | None = None) -> dict[str, Any]:
    """Booths as a GeoJSON FeatureCollection (coordinates in metres); not paged: a map needs
    the whole hall."""
    exhibition = get_exhibition(db.session, slug)
    halls = [get_hall(db.session, exhibition, hall)] if hall else exhibition.halls
    features = [
        booth_feature(state, h.name)
        for h in halls
        for state in booking.booth_states(db.session, h)
        if status is None or state.status == status
    ]
    return {"type": "FeatureCollection", "features": features}


@bp.get("/exhibitions/<slug>/booths/<number>")
@bp.response(200, schemas.BoothFeature)
@bp.errors(404)
def booth(slug: str, number: str) -> dict[str, Any]:
    """One booth as a GeoJSON Feature."""
    return _booth_json(get_exhibition(db.session, slug), number)


def _booth_json(exhibition: Exhibition, number: str) -> dict[str, Any]:
    found = booking.get_booth(db.session, exhibition, number)
    state = next(s for s in booking.booth_states(db.session, found.hall) if s.booth.id == found.id)
    return booth_feature(state, found.hall.name)


@bp.get("/exhibitions/<slug>/route")
@bp.arguments(schemas.RouteArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.RouteOut)
@bp.errors(404, 422)
def route(
    slug: str, stops: str, start: str, step_free: bool, lang: str, hall: str | None = None
) -> dict[str, Any]:
    """The shortest walk through the booths `stops`, as a line and as numbered steps in words
    (`lang`), from a poster point or an entrance (`from`), step-free on request."""
    exhibition = get_exhibition(db.session, slug)
    if not exhibition.halls:
        raise DomainError(tr("В выставке ещё нет залов"), details={"field": "hall"})
    where = get_hall(db.session, exhibition, hall) if hall else exhibition.halls[0]
    numbers = [n for n in re.split(r"[\s,;]+", stops) if n]
    try:
        walk = hall_walk(
            where,
            numbers,
            start=find_start(where, start, step_free=step_free),
            step_free=step_free,
            lang=lang,
        )
    except RouteError as error:
        details = {"field": "stops", "code": error.code, "booth": error.booth}
        if error.code == "unknown_booth":
            raise NotFound(error.message, details=details) from None
        raise DomainError(
            error.message, details={"field": "stops", "code": error.code, "booth": error.booth}
        ) from None
    return walk.to_dict()


# --- the catalogue ----------------------------------------------------------------------


@bp.get("/exhibitions/<slug>/search")
@bp.arguments(schemas.SearchArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.SearchOut)
@bp.errors(404, 422)
def search_catalogue(slug: str, q: str, limit: int, offset: int, **filters: str) -> dict:
    """Search solutions and exhibitors (Russian word forms, typos, keyboard layout,
    transliteration, booth numbers), best first, with facet counts."""
    exhibition = get_exhibition(db.session, slug)
    chosen = {name: filters[name] for name in FACETS if name in filters}
    result = search(db.session, exhibition, q, chosen, limit=limit, offset=offset)
    log_if_nothing_found(db.session, exhibition.id, result.query, result.found_nothing)
    return {
        "total": result.total,
        "limit": limit,
        "offset": offset,
        "results": [r.to_dict() for r in result.results],
        "facets": {
            name: [{"value": v, "label": label, "count": n} for v, label, n in values]
            for name, values in result.facets.items()
        },
        "missing": list(result.missing),
        "did_you_mean": result.did_you_mean,
        "closest": [r.to_dict() for r in result.closest],
    }


@bp.get("/exhibitions/<slug>/exhibitors")
@bp.arguments(schemas.ExhibitorListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ExhibitorPage)
@bp.errors(404, 422)
def exhibition_exhibitors(
    slug: str, limit: int, offset: int, region: str | None = None, kind: str | None = None
) -> dict[str, Any]:
    """Approved exhibitors in Russian alphabetical order."""
    exhibition = get_exhibition(db.session, slug)
    rows = [
        e
        for e in catalogue.list_exhibitors(db.session, exhibition.id)
        if region in (None, e.region_code) and kind in (None, e.kind)
    ]
    page = page_of(rows, limit, offset)
    numbers = booth_numbers([e.id for e in page["items"]])
    page["items"] = [exhibitor_json(e, numbers[e.id]) for e in page["items"]]
    return page


@bp.get("/exhibitions/<slug>/solutions")
@bp.arguments(schemas.SolutionListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.SolutionPage)
@bp.errors(404, 422)
def exhibition_solutions(
    slug: str, limit: int, offset: int, track: str | None = None, stage: str | None = None
) -> dict[str, Any]:
    """Solutions of approved exhibitors, by title."""
    exhibition = get_exhibition(db.session, slug)
    rows = sorted(
        (
            s
            for e in catalogue.list_exhibitors(db.session, exhibition.id)
            for s in e.solutions
            if track in (None, s.track_code) and stage in (None, s.stage)
        ),
        key=lambda s: russian_sort_key(s.title),
    )
    page = page_of(rows, limit, offset)
    numbers = booth_numbers(list({s.exhibitor_id for s in page["items"]}))
    page["items"] = [solution_json(s, numbers[s.exhibitor_id]) for s in page["items"]]
    return page


@bp.get(f"/exhibitors/<{ID}:exhibitor_id>")
@bp.response(200, schemas.ExhibitorOut)
@bp.errors(404)
def exhibitor(exhibitor_id: int) -> dict[str, Any]:
    """One approved exhibitor with their solutions and confirmed booths."""
    item = catalogue.get_exhibitor(db.session, exhibitor_id, None)
    return exhibitor_json(item, booth_numbers([item.id])[item.id])


@bp.get(f"/solutions/<{ID}:solution_id>")
@bp.response(200, schemas.SolutionOut)
@bp.errors(404)
def solution(solution_id: int) -> dict[str, Any]:
    """One solution of an approved exhibitor."""
    item = catalogue.get_solution(db.session, solution_id, None)
    return solution_json(item, booth_numbers([item.exhibitor_id])[item.exhibitor_id])


@bp.get("/tracks")
@bp.arguments(schemas.PageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.TrackPage)
@bp.errors(422)
def tracks(limit: int, offset: int) -> dict[str, Any]:
    """The forum's seven tracks, the exhibition's themes."""
    return page_of(catalogue.list_tracks(db.session), limit, offset)


@bp.get("/regions")
@bp.arguments(schemas.PageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.RegionPage)
@bp.errors(422)
def regions(limit: int, offset: int) -> dict[str, Any]:
    """The subjects of the Russian Federation, in Russian alphabetical order."""
    return page_of(catalogue.list_regions(db.session), limit, offset)


# --- reservations -------------------------------------------------------------------------


def _exhibitor_of_token() -> Exhibitor:
    user = api_user()
    if user is None or user.exhibitor is None:
        raise Forbidden(tr("Бронировать может только экспонент"))
    return user.exhibitor


@bp.get("/reservations")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.ReservationListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ReservationPage)
@bp.errors(401, 403, 404, 422)
def reservations(
    limit: int, offset: int, exhibition: str | None = None, status: str | None = None
) -> dict[str, Any]:
    """An exhibitor's own reservations; an organiser sees everybody's. Newest first."""
    rows = booking.list_reservations(
        db.session,
        api_user(),
        exhibition=get_exhibition(db.session, exhibition) if exhibition else None,
        status=status,
    )
    page = page_of(rows, limit, offset)
    page["items"] = [reservation_json(r) for r in page["items"]]
    return page


@bp.get(f"/reservations/<{ID}:reservation_id>")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.ReservationOut)
@bp.errors(401, 403, 404)
def reservation(reservation_id: int) -> dict[str, Any]:
    """One reservation: its exhibitor's or, for organisers, anybody's."""
    return reservation_json(booking.visible_reservation(db.session, reservation_id, api_user()))


@bp.post("/exhibitions/<slug>/booths/<number>/reservations")
@bp.doc(security=BEARER)
@token_required
@bp.response(201, schemas.ReservationOut)
@bp.errors(401, 403, 404, 409)
def request_booth(slug: str, number: str) -> dict[str, Any]:
    """An approved exhibitor requests an available booth; it is held until an organiser
    confirms or the hold lapses. 409 when the booth is not available or a limit is reached."""
    exhibitor = _exhibitor_of_token()
    exhibition = get_exhibition(db.session, slug)
    reservation = booking.request_booth(db.session, exhibition, number, exhibitor, api_user())
    return reservation_json(reservation)


@bp.post("/exhibitions/<slug>/booths/<number>/hold")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.HoldBody)
@bp.response(201, schemas.ReservationOut)
@bp.errors(400, 401, 403, 404, 409, 422)
def hold(body: dict[str, Any], slug: str, number: str) -> dict[str, Any]:
    """An organiser holds an available booth for a named exhibitor."""
    exhibition = get_exhibition(db.session, slug)
    user = api_user()
    if not user.is_organiser:
        raise Forbidden(tr("Это могут только организаторы"))
    exhibitor = catalogue.get_exhibitor(db.session, body["exhibitor_id"], exhibition.id)
    reservation = booking.hold_booth(
        db.session, exhibition, number, exhibitor, user, hours=body.get("hours")
    )
    return reservation_json(reservation)


@bp.post("/exhibitions/<slug>/booths/<number>/block")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.BlockBody, required=False)
@bp.response(200, schemas.BoothFeature)
@bp.errors(400, 401, 403, 404, 409, 422)
def block(body: dict[str, Any], slug: str, number: str) -> dict[str, Any]:
    """An organiser takes a booth off sale (a booth somebody has must be freed first)."""
    exhibition = get_exhibition(db.session, slug)
    booking.block_booth(db.session, exhibition, number, api_user(), body["reason"])
    return _booth_json(exhibition, number)


@bp.post("/exhibitions/<slug>/booths/<number>/unblock")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.BoothFeature)
@bp.errors(401, 403, 404)
def unblock(slug: str, number: str) -> dict[str, Any]:
    """An organiser puts a blocked booth back on sale (the waitlist is offered it first)."""
    exhibition = get_exhibition(db.session, slug)
    booking.unblock_booth(db.session, exhibition, number, api_user())
    return _booth_json(exhibition, number)


@bp.post(f"/reservations/<{ID}:reservation_id>/confirm")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.ReservationOut)
@bp.errors(401, 403, 404, 409)
def confirm(reservation_id: int) -> dict[str, Any]:
    """An organiser confirms a requested or held booth."""
    reservation = booking.confirm_reservation(db.session, reservation_id, api_user())
    return reservation_json(reservation)


@bp.post(f"/reservations/<{ID}:reservation_id>/decline")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.ReservationOut)
@bp.errors(401, 403, 404, 409)
def decline(reservation_id: int) -> dict[str, Any]:
    """An organiser declines a request (the booth goes to the waitlist or back on sale)."""
    reservation = booking.decline_reservation(db.session, reservation_id, api_user())
    return reservation_json(reservation)


@bp.post(f"/reservations/<{ID}:reservation_id>/cancel")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.ReservationOut)
@bp.errors(401, 403, 404, 409)
def cancel(reservation_id: int) -> dict[str, Any]:
    """The exhibitor cancels their own reservation, or an organiser cancels any."""
    reservation = booking.cancel_reservation(db.session, reservation_id, api_user())
    return reservation_json(reservation)


@bp.post(f"/reservations/<{ID}:reservation_id>/move")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.MoveBody)
@bp.response(200, schemas.ReservationOut)
@bp.errors(400, 401, 403, 404, 409, 422)
def move(body: dict[str, Any], reservation_id: int) -> dict[str, Any]:
    """An organiser moves an active reservation to another available booth."""
    reservation = booking.move_reservation(db.session, reservation_id, body["booth"], api_user())
    return reservation_json(reservation)


# --- the money side (issue 16) -------------------------------------------------------------


def _number_of(document_id: int | None) -> str | None:
    from exhibit.billing.models import Document

    found = db.session.get(Document, document_id) if document_id else None
    return found.number if found else None


def invoice_json(document: Any) -> dict[str, Any]:
    from exhibit.billing.services import is_overdue

    return {
        "id": document.id, "number": document.number,
        "exhibition": document.reservation.booth.hall.exhibition.slug,
        "exhibitor": {"id": document.exhibitor_id, "name": document.exhibitor.name},
        "reservation_id": document.reservation_id, "booth": document.reservation.booth.number,
        "issued": document.issued_on, "due": document.due_on, "total": document.total,
        "vat": document.vat, "paid": document.paid, "status": document.status,
        "payment_state": document.payment_state, "overdue": is_overdue(document),
        "replaces": _number_of(document.replaces_id), "lines": document.content["lines"],
        "settlement": document.settlement,
        "pdf": f"/documents/{document.id}.pdf",
    }  # fmt: skip


def payment_json(payment: Any) -> dict[str, Any]:
    return {
        "id": payment.id, "invoice": payment.document.number if payment.document else None,
        "amount": payment.amount, "paid_on": payment.paid_on, "payer": payment.payer,
        "payer_inn": payment.payer_inn, "purpose": payment.purpose, "source": payment.source,
        "state": payment.state, "overpaid": payment.overpaid,
    }  # fmt: skip


def order_json(order: Any) -> dict[str, Any]:
    reservation = order.reservation
    return {
        "id": order.id, "reservation_id": reservation.id, "booth": reservation.booth.number,
        "exhibitor": {"id": reservation.exhibitor_id, "name": reservation.exhibitor.name},
        "item": order.item.code, "name": order.item.name, "quantity": order.quantity,
        "unit_price": order.unit_price, "amount": order.amount, "late": order.late,
        "point": None if order.point_x is None else [order.point_x, order.point_y],
    }  # fmt: skip


def _billing_user() -> Any:
    user = api_user()
    if user is None or (not user.is_organiser and user.exhibitor_id is None):
        raise Forbidden(tr("Документы видят организаторы и экспоненты"))
    return user


@bp.get("/invoices")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.InvoiceListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.InvoicePage)
@bp.errors(401, 403, 404, 422)
def invoices(
    limit: int, offset: int, exhibition: str | None = None, state: str | None = None
) -> dict[str, Any]:
    """Invoices: an exhibitor's own, every one for organisers. Newest first."""
    from exhibit.billing.services import documents

    rows = documents(
        db.session, _billing_user(), kind="invoice",
        exhibition=get_exhibition(db.session, exhibition) if exhibition else None,
    )  # fmt: skip
    if state is not None:
        rows = [d for d in rows if d.status == "issued" and d.payment_state == state]
    page = page_of(rows, limit, offset)
    page["items"] = [invoice_json(d) for d in page["items"]]
    return page


@bp.get(f"/invoices/<{ID}:invoice_id>")
@bp.doc(security=BEARER)
@token_required
@bp.response(200, schemas.InvoiceOut)
@bp.errors(401, 403, 404)
def invoice(invoice_id: int) -> dict[str, Any]:
    """One invoice: its exhibitor's or, for organisers, anybody's."""
    from exhibit.billing.services import visible_document

    found = visible_document(db.session, invoice_id, _billing_user())
    if found.kind != "invoice":
        raise NotFound(tr("Счёт %(id)s не найден", id=invoice_id))
    return invoice_json(found)


@bp.get("/payments")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.BillingListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.PaymentPage)
@bp.errors(401, 403, 404, 422)
def payments(limit: int, offset: int, exhibition: str | None = None) -> dict[str, Any]:
    """Payments received: for an exhibitor those of their invoices; for organisers all,
    the doubtful and unmatched ones included."""
    from exhibit.billing.payments import payments_of

    rows = payments_of(
        db.session, _billing_user(),
        get_exhibition(db.session, exhibition) if exhibition else None,
    )  # fmt: skip
    page = page_of(rows, limit, offset)
    page["items"] = [payment_json(p) for p in page["items"]]
    return page


@bp.get("/orders")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.BillingListArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.OrderPage)
@bp.errors(401, 403, 404, 422)
def orders(limit: int, offset: int, exhibition: str | None = None) -> dict[str, Any]:
    """Service orders: an exhibitor's own, every one for organisers."""
    from exhibit.billing.orders import orders as list_orders

    rows = list_orders(
        db.session, _billing_user(),
        exhibition=get_exhibition(db.session, exhibition) if exhibition else None,
    )  # fmt: skip
    page = page_of(rows, limit, offset)
    page["items"] = [order_json(o) for o in page["items"]]
    return page


@bp.post("/orders")
@bp.doc(security=BEARER)
@token_required
@bp.arguments(schemas.OrderBody)
@bp.response(201, schemas.OrderOut)
@bp.errors(400, 401, 403, 404, 409, 422)
def place_order(body: dict[str, Any]) -> dict[str, Any]:
    """Order a service from the price list for a reservation's booth (its exhibitor, or an
    organiser). Electricity needs ``point``, inside the booth; after the deadline the
    exhibition's setting applies (a surcharge, or 409)."""
    from exhibit.billing.orders import place_order as place

    point = body.get("point")
    order = place(
        db.session, body["reservation_id"], _billing_user(), item_code=body["item"],
        quantity=str(body["quantity"]), point=tuple(point) if point else None,
    )  # fmt: skip
    return order_json(order)
