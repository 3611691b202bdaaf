"""Organisers' plan pages: upload, see the report on the plan, publish, lay out, export.

In ``booking`` rather than ``floorplan`` because publishing a version must respect the
reservations made on the old one (imports run floorplan ← booking).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from exhibit.accounts.decorators import organiser_required
from exhibit.booking import plans
from exhibit.db import db
from exhibit.errors import DomainError, tr
from exhibit.floorplan.formats import PlanFormatError, read_plan
from exhibit.floorplan.formats.geojson import dumps_geojson, from_geojson
from exhibit.floorplan.formats.svg import to_svg
from exhibit.floorplan.layout import parse_module
from exhibit.floorplan.services import get_exhibition, get_hall, hall_plan
from exhibit.maps.svg import Frame
from exhibit.web.forms import ConfirmForm

bp = Blueprint("plans", __name__)


def _index(slug: str, *, upload_error: str | None = None, status: int = 200):
    exhibition = get_exhibition(db.session, slug)
    drafts = db.session.scalars(
        db.select(plans.PlanDraft)
        .where(plans.PlanDraft.exhibition_id == exhibition.id)
        .order_by(plans.PlanDraft.id.desc())
        .limit(20)
    ).all()
    page = render_template(
        "plans/index.html",
        exhibition=exhibition,
        drafts=drafts,
        form=ConfirmForm(),
        upload_error=upload_error,
        hall_name=request.form.get("hall_name", ""),
    )
    return page, status


@bp.get("/<slug>/plans")
@organiser_required
def index(slug: str):
    return _index(slug)


@bp.post("/<slug>/plans/upload")
@organiser_required
def upload(slug: str):
    """Read the file, check it, keep it as a draft; an unreadable file stores nothing."""
    exhibition = get_exhibition(db.session, slug)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(slug, upload_error=_("Выберите файл плана (.geojson или .dxf)."), status=422)
    try:
        plan = read_plan(upload.read(), filename=upload.filename)
        draft = plans.create_draft(
            db.session,
            exhibition,
            request.form.get("hall_name", ""),
            plan,
            source_name=upload.filename,
            user_id=current_user.id,
        )
    except (PlanFormatError, DomainError) as error:
        return _index(slug, upload_error=str(getattr(error, "message", error)), status=422)
    return redirect(url_for("plans.draft", slug=slug, draft_id=draft.id))


@bp.get("/<slug>/plans/drafts/<int:draft_id>")
@organiser_required
def draft(slug: str, draft_id: int) -> str:
    exhibition = get_exhibition(db.session, slug)
    item = plans.get_draft(db.session, exhibition, draft_id)
    plan = from_geojson(item.document)
    frame = Frame.around(plan.hall, margin=2.5)
    return render_template(
        "plans/draft.html",
        exhibition=exhibition,
        draft=item,
        plan=plan,
        frame=frame,
        faults=_faults(item.report, frame),
        form=ConfirmForm(),
    )


def _faults(report: dict, frame: Frame) -> dict:
    """What the page marks for each finding of the report (errors numbered from 1, then
    warnings from ``w1``): the booths it names (``booths``, or its ``booth`` in reports
    made before findings named them all) and its geometry as SVG path data (a line or an
    area; points are the numbered markers)."""
    from shapely.geometry import shape

    named: dict[str, list[str]] = {}
    paths = []
    findings = [(str(n), e) for n, e in enumerate(report.get("errors", []), start=1)]
    findings += [(f"w{n}", w) for n, w in enumerate(report.get("warnings", []), start=1)]
    for key, issue in findings:
        booths = issue.get("booths") or ([issue["booth"]] if issue.get("booth") else [])
        for number in booths:
            named.setdefault(number, []).append(key)
        geometry = issue.get("geometry")
        if geometry and geometry.get("type") not in (None, "Point", "MultiPoint"):
            paths.append({"key": key, "d": frame.path(shape(geometry)),
                          "error": not key.startswith("w")})  # fmt: skip
    in_errors = {n for n, keys in named.items() if any(not k.startswith("w") for k in keys)}
    return {"named": named, "errors": in_errors, "paths": paths}


def _parse_moves(text: str) -> dict[str, str]:
    moves = {}
    for line in text.replace(",", "\n").splitlines():
        if not line.strip():
            continue
        old, sep, new = line.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise DomainError(
                tr("Перенос записывается как «A4=B1», по одному в строке: %(line)s", line=line)
            )
        moves[old.strip()] = new.strip()
    return moves


@bp.post("/<slug>/plans/drafts/<int:draft_id>/publish")
@organiser_required
def publish(slug: str, draft_id: int) -> Response:
    exhibition = get_exhibition(db.session, slug)
    back = url_for("plans.draft", slug=slug, draft_id=draft_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(back)
    try:
        result = plans.publish_draft(
            db.session,
            exhibition,
            draft_id,
            moves=_parse_moves(request.form.get("moves", "")),
            user_id=current_user.id,
        )
    except DomainError as error:
        flash(error.message, "error")
        for detail in error.details or [] if isinstance(error.details, list) else []:
            if isinstance(detail, dict):
                flash(
                    _("Стенд %(booth)s: бронь №%(id)s «%(name)s» (%(status)s)",
                      booth=detail.get("booth"), id=detail.get("reservation"),
                      name=detail.get("exhibitor"), status=detail.get("status")),
                    "error",
                )  # fmt: skip
            else:
                flash(str(detail), "error")
        return redirect(back)
    flash(
        _("Опубликована версия %(version)s плана зала «%(hall)s».", version=result.version,
          hall=result.hall.name),
        "success",
    )  # fmt: skip
    return redirect(url_for("booking.plan", slug=slug, hall=result.hall.name))


@bp.post("/<slug>/halls/<hall_name>/layout")
@organiser_required
def layout(slug: str, hall_name: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    hall = get_hall(db.session, exhibition, hall_name)
    try:
        if not ConfirmForm().validate_on_submit():
            raise DomainError(tr("Форма устарела; попробуйте ещё раз."))
        module = parse_module(request.form.get("module", "3x3"))
        aisle = float(request.form.get("aisle", "3").replace(",", "."))
        item = plans.layout_draft(
            db.session, exhibition, hall, module=module, aisle=aisle, user_id=current_user.id
        )
    except (DomainError, ValueError) as error:
        flash(getattr(error, "message", str(error)), "error")
        return redirect(url_for("plans.index", slug=slug))
    return redirect(url_for("plans.draft", slug=slug, draft_id=item.id))


def _draft_action(slug: str, hall_name: str, make) -> Response:
    """Run an edit that produces a draft; show the draft, or say why it can't be made."""
    exhibition = get_exhibition(db.session, slug)
    hall = get_hall(db.session, exhibition, hall_name)
    try:
        if not ConfirmForm().validate_on_submit():
            raise DomainError(tr("Форма устарела; попробуйте ещё раз."))
        item = make(exhibition, hall)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(request.referrer or url_for("plans.index", slug=slug))
    return redirect(url_for("plans.draft", slug=slug, draft_id=item.id))


@bp.post("/<slug>/halls/<hall_name>/booths/<number>/split")
@organiser_required
def split(slug: str, hall_name: str, number: str) -> Response:
    return _draft_action(
        slug,
        hall_name,
        lambda exhibition, hall: plans.split_booth_draft(
            db.session, exhibition, hall, number, user_id=current_user.id
        ),
    )


@bp.post("/<slug>/halls/<hall_name>/booths/<number>/merge")
@organiser_required
def merge(slug: str, hall_name: str, number: str) -> Response:
    others = request.form.get("with", "").replace(",", " ").split()
    # The organiser chooses the surviving number: this booth's, or (empty) the first other's.
    keep = request.form.get("keep", number).strip() or (others[0] if others else number)
    return _draft_action(
        slug,
        hall_name,
        lambda exhibition, hall: plans.merge_booths_draft(
            db.session, exhibition, hall, [number, *others], keep, user_id=current_user.id
        ),
    )


@bp.post("/<slug>/halls/<hall_name>/renumber")
@organiser_required
def renumber(slug: str, hall_name: str) -> Response:
    return _draft_action(
        slug,
        hall_name,
        lambda exhibition, hall: plans.renumber_draft(
            db.session, exhibition, hall, user_id=current_user.id
        ),
    )


@bp.get("/<slug>/print")
@organiser_required
def print_page(slug: str) -> str:
    """Printing for organisers: the map PDF with its choices, and the catalogue."""
    exhibition = get_exhibition(db.session, slug)
    return render_template("plans/print.html", exhibition=exhibition)


@bp.get("/<slug>/catalogue.pdf")
@organiser_required
def catalogue(slug: str) -> Response:
    from exhibit.maps.catalogue_pdf import catalogue_pdf

    exhibition = get_exhibition(db.session, slug)
    paper = request.args.get("paper", "A4")
    if paper not in ("A4", "A5"):
        raise DomainError(tr("Формат каталога: A4 или A5"))
    response = Response(
        catalogue_pdf(db.session, exhibition, paper=paper), mimetype="application/pdf"
    )
    response.headers["Content-Disposition"] = f"attachment; filename={slug}-catalogue.pdf"
    return response


EXPORTS = {"geojson": "application/geo+json", "svg": "image/svg+xml", "dxf": "application/dxf"}


@bp.get("/<slug>/halls/<hall_name>/plan.<fmt>")
@organiser_required
def export(slug: str, hall_name: str, fmt: str) -> Response:
    exhibition = get_exhibition(db.session, slug)
    hall = get_hall(db.session, exhibition, hall_name)
    if fmt not in EXPORTS:
        return Response(_("Формат: geojson, svg или dxf"), status=404)
    plan = hall_plan(hall)
    if fmt == "geojson":
        body: str | bytes = dumps_geojson(plan)
    elif fmt == "svg":
        body = to_svg(plan)
    else:
        from exhibit.floorplan.formats.dxf import to_dxf

        buffer = io.StringIO()
        to_dxf(plan, buffer)
        body = buffer.getvalue()
    filename = f"{exhibition.slug}-{hall.name}-v{hall.plan_version}.{fmt}"
    response = Response(body, mimetype=EXPORTS[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
