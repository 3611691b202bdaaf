"""Organisers' pages: deleting and restoring exhibitors, and the audit log with its filters."""

from __future__ import annotations

from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.booking.models import Reservation
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from tests.factories import make_user
from tests.web.test_accounts import csrf_token, login

SLUG = "goroda-rossii-2025"


def organiser(client) -> None:
    make_user("boss@example.ru", "organiser")
    assert login(client, "boss@example.ru").status_code == 302


def exhibitor_with_booth() -> tuple[Exhibitor, str]:
    row = db.session.execute(
        select(Exhibitor, Reservation)
        .join(Reservation, Reservation.exhibitor_id == Exhibitor.id)
        .where(Reservation.status == "confirmed")
        .limit(1)
    ).first()
    return row[0], row[1].booth.number


def test_the_dashboard_links_to_the_exhibitors_and_the_audit_log(client):
    organiser(client)
    page = client.get(f"/{SLUG}/organiser").get_data(as_text=True)
    assert f"/{SLUG}/organiser/exhibitors" in page
    assert f"/{SLUG}/organiser/audit" in page


def test_delete_and_restore_from_the_exhibitors_page(client):
    organiser(client)
    exhibitor, number = exhibitor_with_booth()
    name, exhibitor_id = exhibitor.name, exhibitor.id
    page = client.get(f"/{SLUG}/organiser/exhibitors").get_data(as_text=True)
    assert f"/{SLUG}/exhibitors/{exhibitor_id}/delete" in page
    token = csrf_token(client, f"/{SLUG}/organiser/exhibitors")

    response = client.post(
        f"/{SLUG}/exhibitors/{exhibitor_id}/delete", data={"csrf_token": token},
        follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "освобождены стенды" in page and number in page
    assert f"/{SLUG}/exhibitors/{exhibitor_id}/restore" in page
    assert client.get(f"/{SLUG}/exhibitors/{exhibitor_id}").status_code == 404
    assert name not in client.get(f"/{SLUG}/exhibitors/").get_data(as_text=True)
    assert name not in client.get(f"/{SLUG}/map").get_data(as_text=True)
    booths = client.get(f"/api/v1/exhibitions/{SLUG}/booths").get_json()["features"]
    assert all((f["properties"]["exhibitor"] or {}).get("id") != exhibitor_id for f in booths)

    response = client.post(
        f"/{SLUG}/exhibitors/{exhibitor_id}/restore", data={"csrf_token": token},
        follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "не забронированы заново" in page and number in page
    assert client.get(f"/{SLUG}/exhibitors/{exhibitor_id}").status_code == 200


def test_a_delete_without_the_csrf_token_changes_nothing(client):
    organiser(client)
    exhibitor, _ = exhibitor_with_booth()
    client.post(f"/{SLUG}/exhibitors/{exhibitor.id}/delete")
    db.session.expire_all()
    assert db.session.get(Exhibitor, exhibitor.id).deleted_at is None


def test_the_audit_log_filters_and_pages(client):
    organiser(client)
    exhibitor, number = exhibitor_with_booth()
    token = csrf_token(client, f"/{SLUG}/organiser/exhibitors")
    client.post(f"/{SLUG}/exhibitors/{exhibitor.id}/delete", data={"csrf_token": token})

    page = client.get(f"/{SLUG}/organiser/audit?booth={number}").get_data(as_text=True)
    assert "reservation.released" in page
    assert "exhibitor.deleted" not in page  # the exhibitor's event names no booth
    page = client.get(f"/{SLUG}/organiser/audit?exhibitor={exhibitor.id}").get_data(as_text=True)
    assert "exhibitor.deleted" in page and "reservation.released" in page
    boss = db.session.scalar(
        select(AuditEvent.user_id).where(AuditEvent.action == "exhibitor.deleted")
    )
    page = client.get(f"/{SLUG}/organiser/audit?user={boss}").get_data(as_text=True)
    assert "exhibitor.deleted" in page and "demo.loaded" not in page

    total = db.session.scalar(select(func.count(AuditEvent.id)))
    assert total > 3
    first = client.get(f"/{SLUG}/organiser/audit?per_page=3").get_data(as_text=True)
    assert 'rel="next"' in first and 'rel="prev"' not in first
    assert f"{total} событ" in first
    assert "per_page=3&amp;page=2" in first or "page=2&amp;per_page=3" in first
    last = -(-total // 3)
    final = client.get(f"/{SLUG}/organiser/audit?per_page=3&page={last}").get_data(as_text=True)
    assert 'rel="prev"' in final and 'rel="next"' not in final

    response = client.get(f"/{SLUG}/organiser/audit?booth=Z999")
    assert response.status_code == 422
    assert "Стенда Z999 нет" in response.get_data(as_text=True)
