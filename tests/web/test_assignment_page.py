"""The organiser's assignment page: the preview on the plans, and Apply (as `assign --apply`)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.booking.assignment import ASSIGNED
from exhibit.booking.models import Reservation
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from tests.factories import make_user
from tests.services.test_assignment_merge import applicant, current, zoned_exhibition
from tests.web.test_accounts import csrf_token, login

URL = f"/{DEMO_SLUG}/assignment"


def assigned_holds() -> list[tuple[int, int]]:
    return sorted(
        db.session.execute(
            select(Reservation.booth_id, Reservation.exhibitor_id).where(
                Reservation.note == ASSIGNED, Reservation.status == "held"
            )
        ).all()
    )


def organiser(client) -> None:
    make_user("org@example.ru", "organiser")
    assert login(client, "org@example.ru").status_code == 302


def test_the_dashboard_links_to_the_page_and_the_page_shows_the_preview(client):
    organiser(client)
    dashboard = client.get(f"/{DEMO_SLUG}/organiser").get_data(as_text=True)
    assert f'href="{URL}"' in dashboard
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Two plans per hall: before (by status) and after (by proposed exhibitor).
    assert html.count('class="hall-plan"') == html.count('class="hall-plan assign-plan"') >= 1
    assert 'id="assign-quality"' in html and "Применить" in html
    coloured = re.findall(r'data-number="([^"]+)" data-exhibitor="([^"]+)"', html)
    assert len(coloured) >= 40
    assert "в зоне направления" in html  # the reasons are listed
    # The demo's zones cannot hold every track's applicants: the page says how many could.
    assert 'id="assign-zone-capacity"' in html and "вместимость зон позволяет" in html
    assert assigned_holds() == []  # the preview stores nothing


def test_apply_holds_what_the_preview_showed(client):
    organiser(client)
    html = client.get(URL).get_data(as_text=True)
    shown = {(n, e) for n, e in re.findall(r'data-number="([^"]+)" data-exhibitor="([^"]+)"', html)}
    response = client.post(
        f"{URL}/apply", data={"csrf_token": csrf_token(client, URL)}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Размещение применено" in response.get_data(as_text=True)
    db.session.rollback()
    held = {
        (r.booth.number, r.exhibitor.name)
        for r in db.session.scalars(
            select(Reservation).where(Reservation.note == ASSIGNED, Reservation.status == "held")
        )
    }
    assert held == shown
    events = select(func.count()).select_from(AuditEvent)
    assert db.session.scalar(events.where(AuditEvent.action == "assignment.applied")) == 1


def test_apply_without_the_token_changes_nothing(client):
    organiser(client)
    response = client.post(f"{URL}/apply")
    assert response.status_code in (302, 400)
    assert assigned_holds() == []


def test_the_page_shows_the_merge_and_apply_merges(app):
    exhibition = zoned_exhibition()
    applicant(exhibition, "Ирбит", 18)
    make_user("org@example.ru", "organiser")
    client = app.test_client()
    login(client, "org@example.ru")
    url = f"/{exhibition.slug}/assignment"
    html = client.get(url).get_data(as_text=True)
    assert "assign-merged" in html and "(объединение)" in html
    client.post(f"{url}/apply", data={"csrf_token": csrf_token(client, url)})
    db.session.rollback()
    assert len(current(exhibition)) == 5
    after = client.get(url).get_data(as_text=True)
    assert "assign-merged" not in after  # already one booth: nothing left to merge


def test_a_refusal_is_shown_not_raised(app):
    exhibition = zoned_exhibition()
    applicant(exhibition, "Ирбит", 0)
    make_user("org@example.ru", "organiser")
    client = app.test_client()
    login(client, "org@example.ru")
    page = client.get(f"/{exhibition.slug}/assignment")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Ирбит" in html and "запрошенная площадь" in html
    assert "Применить" not in html


def test_the_reasons_name_a_track_in_the_readers_language_not_by_its_code(client):
    from exhibit.catalogue.models import Track

    organiser(client)
    living = db.session.get(Track, "living")
    ru = client.get(URL).get_data(as_text=True)
    assert f"направления «{living.name}»" in ru
    assert "«living»" not in ru
    client.get("/lang/en")
    en = client.get(URL).get_data(as_text=True)
    assert f"track “{living.name_en}”" in en or f"track «{living.name_en}»" in en
    assert "“living”" not in en and "«living»" not in en
