"""The search page, suggestions as you type, and the organisers' search page (queries that
found nothing, the thesaurus); the API's search is in exhibit/api/views.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import Length

from exhibit.accounts.decorators import organiser_required
from exhibit.catalogue.models import Region, Track
from exhibit.db import db
from exhibit.errors import DomainError, InvalidParameter, tr
from exhibit.extensions import limiter
from exhibit.floorplan.services import get_exhibition
from exhibit.i18n import current_locale
from exhibit.pagecache import cached_page
from exhibit.search import insights
from exhibit.search.services import FACETS, search, suggestions
from exhibit.web.forms import ConfirmForm

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


def _count_noted(note: Any) -> None:
    exhibition_id, query = note
    insights.log_if_nothing_found(db.session, exhibition_id, query, True)


@bp.get("/<slug>/search")
@limiter.exempt  # public and cached; rate limits guard sign-in and the API
def page(slug: str) -> str:
    def render() -> str:
        exhibition, result, limit, offset = _run(slug, PAGE_SIZE)
        if result.found_nothing:
            g.page_note = (exhibition.id, result.query)  # counted on every answer, cached or not
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
    return cached_page(render, after=_count_noted)


@bp.get("/<slug>/search/suggest")
@limiter.exempt  # typed letter by letter; cheap (a cached index per worker)
def suggest(slug: str) -> Response:
    """Suggestions for the search box as JSON: ``{"query", "suggestions": [{"type",
    "label", "detail", "url"}]}``."""
    exhibition = get_exhibition(db.session, slug)
    q = request.args.get("q", "")[:200]
    found = suggestions(db.session, exhibition, q)
    urls = {
        "solution": lambda ref: url_for("catalogue.solution", slug=slug, solution_id=int(ref)),
        "exhibitor": lambda ref: url_for("catalogue.exhibitor", slug=slug, exhibitor_id=int(ref)),
        "town": lambda ref: url_for("search.page", slug=slug, q=ref),
        "booth": lambda ref: url_for("booking.booth", slug=slug, number=ref),
    }
    kinds = {
        "solution": _("Решение"),
        "exhibitor": _("Участник"),
        "town": _("Город"),
        "booth": _("Стенд"),
    }
    response = jsonify(
        {
            "query": q,
            "suggestions": [
                {
                    "type": s.kind,
                    "type_label": kinds[s.kind],
                    "label": s.label,
                    "detail": s.detail,
                    "url": urls[s.kind](s.ref),
                }
                for s in found
            ],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


class ThesaurusForm(FlaskForm):
    lines = TextAreaField(_l("Новые строки"), validators=[Length(max=20_000)])


@bp.get("/<slug>/organiser/search")
@organiser_required
def organiser(slug: str) -> str:
    """Queries that found nothing (with counts) and the thesaurus, for organisers."""
    exhibition = get_exhibition(db.session, slug)
    days = 30
    form = ThesaurusForm()
    if not form.lines.data and request.args.get("line"):
        form.lines.data = request.args["line"][:500]
    return render_template(
        "search/organiser.html",
        exhibition=exhibition,
        days=days,
        misses=insights.misses(db.session, exhibition.id, days=days),
        lines=insights.thesaurus_lines(db.session),
        curated=insights.curated_lines(),
        form=form,
        confirm=ConfirmForm(),
    )


@bp.post("/<slug>/organiser/search/thesaurus")
@organiser_required
def add_thesaurus(slug: str) -> Response | tuple[str, int]:
    exhibition = get_exhibition(db.session, slug)
    form = ThesaurusForm()
    back = url_for("search.organiser", slug=slug)
    if not form.validate_on_submit():
        flash(_("Форма устарела или пришла без защитного токена; попробуйте ещё раз."), "error")
        return redirect(back)
    try:
        added = insights.add_thesaurus_lines(db.session, form.lines.data or "", current_user)
    except DomainError as error:
        flash(error.message, "error")
        return render_template(
            "search/organiser.html",
            exhibition=exhibition,
            days=30,
            misses=insights.misses(db.session, exhibition.id),
            lines=insights.thesaurus_lines(db.session),
            curated=insights.curated_lines(),
            form=form,
            confirm=ConfirmForm(),
        ), 422
    if added:
        flash(
            _("Добавлено строк тезауруса: %(n)d. Поиск учитывает их сразу.", n=len(added)),
            "success",
        )
    else:
        flash(_("Эти строки уже есть в тезаурусе."), "success")
    return redirect(back)


@bp.post("/<slug>/organiser/search/thesaurus/<int:line_id>/delete")
@organiser_required
def delete_thesaurus(slug: str, line_id: int) -> Response:
    get_exhibition(db.session, slug)
    back = url_for("search.organiser", slug=slug)
    if not ConfirmForm().validate_on_submit():
        flash(_("Форма устарела или пришла без защитного токена; попробуйте ещё раз."), "error")
        return redirect(back)
    try:
        line = insights.delete_thesaurus_line(db.session, line_id, current_user)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Строка «%(line)s» удалена из тезауруса.", line=line), "success")
    return redirect(back)
