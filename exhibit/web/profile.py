"""An exhibitor's own pages: the profile, the logo and the solutions (HTML views).

An exhibitor edits only its own data: the URLs carry no exhibitor id, it is always the
signed-in user's exhibitor, and another exhibitor's solution is «not found». Organisers
edit any exhibitor's profile at ``/<slug>/exhibitors/<id>/edit``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from exhibit.accounts.decorators import exhibitor_required, organiser_required
from exhibit.catalogue import logos, services
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.errors import DomainError, Forbidden, tr
from exhibit.floorplan.models import Exhibition
from exhibit.floorplan.services import get_exhibition
from exhibit.web.forms import ConfirmForm
from exhibit.web.profile_forms import LogoForm, ProfileForm, SolutionForm

bp = Blueprint("profile", __name__)

#: Logos never change under a name (a new upload gets a new one), so they can be cached.
LOGO_MAX_AGE = 30 * 24 * 3600


def logo_directory() -> Path:
    return Path(current_app.instance_path) / "uploads" / "logos"


def _own_exhibitor(slug: str) -> tuple[Exhibition, Exhibitor]:
    exhibition = get_exhibition(db.session, slug)
    exhibitor = current_user.exhibitor
    if exhibitor.exhibition_id != exhibition.id:
        abort(404)
    if exhibitor.is_deleted:
        raise Forbidden(
            tr(
                "Экспонент «%(name)s» удалён организаторами: профиль и решения можно менять "
                "после восстановления",
                name=exhibitor.name,
            )
        )
    return exhibition, exhibitor


def _english() -> bool:
    return str(get_locale()) == "en"


def _region_choices() -> list[tuple[str, str]]:
    english = _english()
    regions = services.list_regions(db.session)
    if english:
        regions = sorted(regions, key=lambda r: r.name_en)
    return [(r.code, r.name_en if english else r.name) for r in regions]


def _track_choices() -> list[tuple[str, str]]:
    english = _english()
    return [(t.code, t.name_en if english else t.name) for t in services.list_tracks(db.session)]


def _save(form: FlaskForm, action: Callable[[], object]) -> bool:
    """Run a service (it commits its own change); a refusal goes next to its field (or into
    a message)."""
    try:
        action()  # the service is the unit of work: it commits or rolls back
    except DomainError as error:
        field = error.details.get("field") if isinstance(error.details, dict) else None
        if field and hasattr(form, field):
            getattr(form, field).errors = [*getattr(form, field).errors, error.message]
        else:
            flash(error.message, "error")
        return False
    return True


def _profile_page(
    exhibition: Exhibition,
    exhibitor: Exhibitor,
    form: ProfileForm,
    *,
    own: bool,
    logo_form: LogoForm | None = None,
) -> str:
    return render_template(
        "profile/profile.html",
        exhibition=exhibition,
        exhibitor=exhibitor,
        form=form,
        own=own,
        logo_form=logo_form or LogoForm(),
        confirm_form=ConfirmForm(),
    )


def _edit_profile(exhibition: Exhibition, exhibitor: Exhibitor, *, own: bool) -> Response | str:
    form = ProfileForm()
    form.set_regions(_region_choices())
    if request.method == "GET":
        form.fill_from(services.ProfileData.of(exhibitor))
    elif form.validate_on_submit():
        changed: dict = {}

        def save() -> None:
            changed.update(
                services.update_profile(db.session, exhibitor, form.to_data(), current_user)
            )

        if _save(form, save):
            if changed:
                flash(_("Профиль сохранён."), "success")
            else:
                flash(_("Изменений нет: профиль остался прежним."), "info")
            return redirect(request.path)
    return _profile_page(exhibition, exhibitor, form, own=own)


@bp.get("/profile")
@exhibitor_required
def mine() -> Response:
    """The signed-in exhibitor's profile, in whichever exhibition it takes part."""
    exhibition = db.session.get(Exhibition, current_user.exhibitor.exhibition_id)
    return redirect(url_for("profile.edit", slug=exhibition.slug))


@bp.route("/<slug>/profile", methods=["GET", "POST"])
@exhibitor_required
def edit(slug: str) -> Response | str:
    exhibition, exhibitor = _own_exhibitor(slug)
    return _edit_profile(exhibition, exhibitor, own=True)


@bp.route("/<slug>/exhibitors/<int:exhibitor_id>/edit", methods=["GET", "POST"])
@organiser_required
def organiser_edit(slug: str, exhibitor_id: int) -> Response | str:
    exhibition = get_exhibition(db.session, slug)
    exhibitor = db.session.get(Exhibitor, exhibitor_id)
    if exhibitor is None or exhibitor.exhibition_id != exhibition.id:
        abort(404)
    return _edit_profile(exhibition, exhibitor, own=False)


@bp.post("/<slug>/profile/logo")
@exhibitor_required
def upload_logo(slug: str) -> Response | str:
    exhibition, exhibitor = _own_exhibitor(slug)
    logo_form = LogoForm()
    if logo_form.validate_on_submit():
        # One byte more than allowed is enough to tell a file that is too big.
        data = logo_form.logo.data.read(logos.MAX_BYTES + 1)
        if _save(
            logo_form,
            lambda: services.replace_logo(
                db.session, exhibitor, data, logo_directory(), current_user
            ),
        ):
            flash(_("Логотип загружен."), "success")
            return redirect(url_for("profile.edit", slug=slug))
    form = ProfileForm()
    form.set_regions(_region_choices())
    form.fill_from(services.ProfileData.of(exhibitor))
    return _profile_page(exhibition, exhibitor, form, own=True, logo_form=logo_form)


@bp.post("/<slug>/profile/logo/delete")
@exhibitor_required
def delete_logo(slug: str) -> Response:
    exhibitor = _own_exhibitor(slug)[1]
    form = ConfirmForm()
    if (
        form.validate_on_submit()
        and exhibitor.logo is not None
        and _save(
            form,
            lambda: services.remove_logo(db.session, exhibitor, logo_directory(), current_user),
        )
    ):
        flash(_("Логотип удалён."), "success")
    return redirect(url_for("profile.edit", slug=slug))


@bp.get("/logos/<name>")
def logo(name: str) -> Response:
    """A stored logo: only names of the random pattern, always served as PNG."""
    if not logos.is_logo_name(name):
        abort(404)
    response = send_from_directory(
        logo_directory(), name, mimetype="image/png", max_age=LOGO_MAX_AGE
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response


def _solution_page(
    exhibition: Exhibition, exhibitor: Exhibitor, form: SolutionForm, solution_id: int | None
) -> str:
    return render_template(
        "profile/solution.html",
        exhibition=exhibition,
        exhibitor=exhibitor,
        form=form,
        solution_id=solution_id,
    )


@bp.route("/<slug>/profile/solutions/new", methods=["GET", "POST"])
@exhibitor_required
def new_solution(slug: str) -> Response | str:
    exhibition, exhibitor = _own_exhibitor(slug)
    form = SolutionForm()
    form.set_tracks(_track_choices())
    if form.validate_on_submit() and _save(
        form,
        lambda: services.create_solution(db.session, exhibitor, form.to_data(), current_user),
    ):
        flash(_("Решение «%(title)s» добавлено.", title=form.title.data.strip()), "success")
        return redirect(url_for("profile.edit", slug=slug) + "#solutions")
    return _solution_page(exhibition, exhibitor, form, None)


@bp.route("/<slug>/profile/solutions/<int:solution_id>/edit", methods=["GET", "POST"])
@exhibitor_required
def edit_solution(slug: str, solution_id: int) -> Response | str:
    exhibition, exhibitor = _own_exhibitor(slug)
    solution = services.get_own_solution(db.session, exhibitor, solution_id)  # else 404
    form = SolutionForm()
    form.set_tracks(_track_choices())
    if request.method == "GET":
        form.fill_from(services.SolutionData.of(solution))
    elif form.validate_on_submit() and _save(
        form,
        lambda: services.update_solution(
            db.session, exhibitor, solution_id, form.to_data(), current_user
        ),
    ):
        flash(_("Решение «%(title)s» сохранено.", title=form.title.data.strip()), "success")
        return redirect(url_for("profile.edit", slug=slug) + "#solutions")
    return _solution_page(exhibition, exhibitor, form, solution_id)


@bp.post("/<slug>/profile/solutions/<int:solution_id>/delete")
@exhibitor_required
def delete_solution(slug: str, solution_id: int) -> Response:
    exhibitor = _own_exhibitor(slug)[1]
    solution = services.get_own_solution(db.session, exhibitor, solution_id)  # else 404
    title = solution.title
    form = ConfirmForm()
    if form.validate_on_submit() and _save(
        form,
        lambda: services.delete_solution(db.session, exhibitor, solution_id, current_user),
    ):
        flash(_("Решение «%(title)s» удалено.", title=title), "success")
    return redirect(url_for("profile.edit", slug=slug) + "#solutions")
