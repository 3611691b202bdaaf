"""Every route × every role: who may see and do what (HTML pages and the API).

The matrix must name every route of the app: a new route without a row fails the test.
Each case runs on a fresh copy of the same small world; a refused action must change
nothing (a fingerprint of the data is compared before and after).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from exhibit.accounts.models import ApiToken, User
from exhibit.accounts.services import issue_token
from exhibit.audit import AuditEvent
from exhibit.booking import services
from exhibit.booking.deletion import delete_exhibitor
from exhibit.booking.models import Reservation, WaitlistEntry
from exhibit.booking.plans import create_draft
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from exhibit.floorplan.models import Booth, Hall
from exhibit.floorplan.services import hall_plan
from exhibit.mail.outbox import OutboxMessage
from exhibit.search.models import ThesaurusLine
from exhibit.timeutil import utcnow
from tests.conftest import make_app
from tests.factories import PASSWORD, make_exhibition, make_exhibitor, make_user, requisites

ROLES = ("anonymous", "exhibitor_a", "exhibitor_b", "organiser")
CHANGE, SAME = True, False

# endpoint: (method, url template, {role: (status, changes data?)})
ALL_200 = {role: (200, SAME) for role in ROLES}
ALL_302 = {role: (302, SAME) for role in ROLES}


def signed_in(anonymous, a, b, organiser):
    return {"anonymous": anonymous, "exhibitor_a": a, "exhibitor_b": b, "organiser": organiser}


MATRIX = {
    "catalogue.index": ("GET", "/", ALL_302),
    "catalogue.home": ("GET", "/{slug}/", ALL_200),
    "catalogue.exhibitors": ("GET", "/{slug}/exhibitors/", ALL_200),
    "catalogue.exhibitor": ("GET", "/{slug}/exhibitors/{a_id}", ALL_200),
    "catalogue.solution": ("GET", "/{slug}/solutions/{solution_id}", ALL_200),
    "catalogue.solutions": ("GET", "/{slug}/solutions/", ALL_200),
    "catalogue.tracks": ("GET", "/{slug}/tracks/", ALL_200),
    "catalogue.track": ("GET", "/{slug}/tracks/living", ALL_200),
    "catalogue.regions": ("GET", "/{slug}/regions/", ALL_200),
    "catalogue.region": ("GET", "/{slug}/regions/66", ALL_200),
    "set_language": ("GET", "/lang/en", ALL_302),
    "healthz": ("GET", "/healthz", ALL_200),
    "accounts.login": ("GET", "/login", ALL_200),
    "accounts.register": ("GET", "/{slug}/register", ALL_200),
    "accounts.logout": ("POST", "/logout", signed_in(
        (302, SAME), (302, CHANGE), (302, CHANGE), (302, CHANGE))),
    "accounts.account": ("GET", "/account", signed_in(
        (302, SAME), (200, SAME), (200, SAME), (200, SAME))),
    "accounts.forgot_password": ("GET", "/password/forgot", ALL_200),
    "accounts.reset_password": ("GET", "/password/reset/forged-token", ALL_302),
    "accounts.confirm_email": ("GET", "/account/email/forged-token", ALL_302),
    "accounts.revoke_token": ("POST", "/account/tokens/{a_token_id}/revoke", signed_in(
        (302, SAME), (302, CHANGE), (404, SAME), (404, SAME))),
    "booking.dashboard": ("GET", "/dashboard", ALL_302),
    "booking.plan": ("GET", "/{slug}/plan", ALL_200),
    "booking.booth": ("GET", "/{slug}/booths/A3", ALL_200),
    "booking.request_booth": ("POST", "/{slug}/booths/A3/request", signed_in(
        (302, SAME), (302, CHANGE), (302, CHANGE), (403, SAME))),
    "booking.join_waitlist": ("POST", "/{slug}/booths/A1/waitlist", signed_in(
        (302, SAME), (302, SAME), (302, CHANGE), (403, SAME))),
    "booking.leave_waitlist": ("POST", "/waitlist/{a_entry_id}/leave", signed_in(
        (302, SAME), (302, CHANGE), (302, SAME), (403, SAME))),
    "booking.block": ("POST", "/{slug}/booths/A3/block", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.unblock": ("POST", "/{slug}/booths/A6/unblock", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.hold": ("POST", "/{slug}/booths/A3/hold?exhibitor_id={b_id}", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.confirm": ("POST", "/reservations/{a_reservation_id}/confirm", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.decline": ("POST", "/reservations/{a_reservation_id}/decline", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.cancel": ("POST", "/reservations/{a_reservation_id}/cancel", signed_in(
        (302, SAME), (302, CHANGE), (302, SAME), (302, CHANGE))),
    "booking.move": ("POST", "/reservations/{a_reservation_id}/move?target=A4", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.confirmation": ("GET", "/reservations/{a_reservation_id}/confirmation.pdf", signed_in(
        (302, SAME), (200, SAME), (404, SAME), (200, SAME))),
    "booking.mine": ("GET", "/{slug}/my", signed_in(
        (302, SAME), (200, SAME), (200, SAME), (403, SAME))),
    "booking.organiser": ("GET", "/{slug}/organiser", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "booking.assignment_page": ("GET", "/{slug}/assignment", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "booking.apply_assignment": ("POST", "/{slug}/assignment/apply", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "booking.approve": ("POST", "/{slug}/exhibitors/{pending_id}/approve", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "records.exhibitors": ("GET", "/{slug}/organiser/exhibitors", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "records.audit_log": ("GET", "/{slug}/organiser/audit?booth=A1", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "records.delete_exhibitor": ("POST", "/{slug}/exhibitors/{b_id}/delete", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "records.restore_exhibitor": ("POST", "/{slug}/exhibitors/{deleted_id}/restore", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "profile.mine": ("GET", "/profile", signed_in(
        (302, SAME), (302, SAME), (302, SAME), (403, SAME))),
    "profile.edit": ("GET", "/{slug}/profile", signed_in(
        (302, SAME), (200, SAME), (200, SAME), (403, SAME))),
    "profile.organiser_edit": ("GET", "/{slug}/exhibitors/{a_id}/edit", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "profile.upload_logo": ("POST", "/{slug}/profile/logo", signed_in(  # no file: the form again
        (302, SAME), (200, SAME), (200, SAME), (403, SAME))),
    "profile.delete_logo": ("POST", "/{slug}/profile/logo/delete", signed_in(
        (302, SAME), (302, SAME), (302, SAME), (403, SAME))),
    "profile.logo": ("GET", "/logos/" + "0" * 32 + ".png", {role: (404, SAME) for role in ROLES}),
    "profile.new_solution": ("GET", "/{slug}/profile/solutions/new", signed_in(
        (302, SAME), (200, SAME), (200, SAME), (403, SAME))),
    "profile.edit_solution": ("GET", "/{slug}/profile/solutions/{solution_id}/edit", signed_in(
        (302, SAME), (200, SAME), (404, SAME), (403, SAME))),
    "profile.delete_solution": ("POST", "/{slug}/profile/solutions/{solution_id}/delete", signed_in(
        (302, SAME), (302, CHANGE), (404, SAME), (403, SAME))),
    "plans.index": ("GET", "/{slug}/plans", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "plans.upload": ("POST", "/{slug}/plans/upload", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (422, SAME))),
    "plans.draft": ("GET", "/{slug}/plans/drafts/{draft_id}", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "plans.publish": ("POST", "/{slug}/plans/drafts/{draft_id}/publish", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "plans.layout": ("POST", "/{slug}/halls/Зал 1/layout?module=3x3&aisle=3", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "plans.print_page": ("GET", "/{slug}/print", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "plans.catalogue": ("GET", "/{slug}/catalogue.pdf", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "plans.export": ("GET", "/{slug}/halls/Зал 1/plan.svg", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "plans.split": ("POST", "/{slug}/halls/Зал 1/booths/A3/split", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "plans.merge": ("POST", "/{slug}/halls/Зал 1/booths/A3/merge?with=A4&keep=A3", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "plans.renumber": ("POST", "/{slug}/halls/Зал 1/renumber", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "search.page": ("GET", "/{slug}/search?q=сквер", ALL_200),
    "search.suggest": ("GET", "/{slug}/search/suggest?q=ск", ALL_200),
    "search.organiser": ("GET", "/{slug}/organiser/search", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "search.add_thesaurus": ("POST", "/{slug}/organiser/search/thesaurus?lines=свалка ~ полигон",
                             signed_in((302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "search.delete_thesaurus": ("POST", "/{slug}/organiser/search/thesaurus/{line_id}/delete",
                                signed_in((302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "mail.outbox": ("GET", "/organiser/mail", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "mail.retry": ("POST", "/organiser/mail/{failed_mail_id}/retry", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "maps.hall_map": ("GET", "/{slug}/map", ALL_200),
    "maps.visit": ("GET", "/{slug}/visit", ALL_200),
    "maps.shared": ("GET", "/{slug}/shared?f=1.2.zz", ALL_200),
    "offline.service_worker": ("GET", "/sw.js", ALL_200),
    "offline.manifest": ("GET", "/{slug}/manifest.webmanifest", ALL_200),
    "offline.icon": ("GET", "/icon-192.png", ALL_200),
    "offline.bundle": ("GET", "/{slug}/offline.json", ALL_200),
    "offline.index": ("GET", "/{slug}/offline/index.json", ALL_200),
    "offline.saved": ("GET", "/{slug}/offline", ALL_200),
    "api-docs.openapi_json": ("GET", "/api/v1/openapi.json", ALL_200),
    "api.exhibitions": ("GET", "/api/v1/exhibitions", ALL_200),
    "api.exhibition": ("GET", "/api/v1/exhibitions/{slug}", ALL_200),
    "api.halls": ("GET", "/api/v1/exhibitions/{slug}/halls", ALL_200),
    "api.hall": ("GET", "/api/v1/exhibitions/{slug}/halls/Зал 1", ALL_200),
    "api.map_pdf": ("GET", "/api/v1/exhibitions/{slug}/halls/Зал 1/map.pdf", ALL_200),
    "api.booths": ("GET", "/api/v1/exhibitions/{slug}/booths", ALL_200),
    "api.route": ("GET", "/api/v1/exhibitions/{slug}/route?stops=A3", ALL_200),
    "api.booth": ("GET", "/api/v1/exhibitions/{slug}/booths/A3", ALL_200),
    "api.search_catalogue": ("GET", "/api/v1/exhibitions/{slug}/search?q=сквер", ALL_200),
    "api.exhibition_exhibitors": ("GET", "/api/v1/exhibitions/{slug}/exhibitors", ALL_200),
    "api.exhibition_solutions": ("GET", "/api/v1/exhibitions/{slug}/solutions", ALL_200),
    "api.exhibitor": ("GET", "/api/v1/exhibitors/{a_id}", ALL_200),
    "api.solution": ("GET", "/api/v1/solutions/{solution_id}", ALL_200),
    "api.tracks": ("GET", "/api/v1/tracks", ALL_200),
    "api.regions": ("GET", "/api/v1/regions", ALL_200),
    "api.reservations": ("GET", "/api/v1/reservations", signed_in(
        (401, SAME), (200, SAME), (200, SAME), (200, SAME))),
    "api.reservation": ("GET", "/api/v1/reservations/{a_reservation_id}", signed_in(
        (401, SAME), (200, SAME), (404, SAME), (200, SAME))),
    "api.hold": ("POST", "/api/v1/exhibitions/{slug}/booths/A3/hold", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (201, CHANGE))),
    "api.block": ("POST", "/api/v1/exhibitions/{slug}/booths/A3/block", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (200, CHANGE))),
    "api.unblock": ("POST", "/api/v1/exhibitions/{slug}/booths/A6/unblock", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (200, CHANGE))),
    "api.decline": ("POST", "/api/v1/reservations/{a_reservation_id}/decline", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (200, CHANGE))),
    "api.move": ("POST", "/api/v1/reservations/{a_reservation_id}/move", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (200, CHANGE))),
    "api.request_booth": ("POST", "/api/v1/exhibitions/{slug}/booths/A3/reservations", signed_in(
        (401, SAME), (201, CHANGE), (201, CHANGE), (403, SAME))),
    "api.confirm": ("POST", "/api/v1/reservations/{a_reservation_id}/confirm", signed_in(
        (401, SAME), (403, SAME), (403, SAME), (200, CHANGE))),
    "api.cancel": ("POST", "/api/v1/reservations/{a_reservation_id}/cancel", signed_in(
        (401, SAME), (200, CHANGE), (404, SAME), (200, CHANGE))),
    # The money side (issue 16): an exhibitor sees and orders only for their own booths.
    "billing.requisites": ("GET", "/{slug}/profile/requisites", signed_in(
        (302, SAME), (200, SAME), (200, SAME), (403, SAME))),
    "billing.reservation": ("GET", "/reservations/{a_confirmed_id}/billing", signed_in(
        (302, SAME), (200, SAME), (404, SAME), (200, SAME))),
    "billing.order": ("POST", "/reservations/{a_confirmed_id}/orders?item=chair&quantity=2",
                      signed_in((302, SAME), (302, CHANGE), (302, SAME), (302, CHANGE))),
    "billing.cancel_order": ("POST", "/orders/{a_order_id}/cancel", signed_in(
        (302, SAME), (302, CHANGE), (302, SAME), (302, CHANGE))),
    "billing.document": ("GET", "/documents/{a_invoice_id}.pdf", signed_in(
        (302, SAME), (200, SAME), (404, SAME), (200, SAME))),
    "billing.issue": ("POST", "/reservations/{a_confirmed_id}/issue/act", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "billing.settings": ("GET", "/{slug}/organiser/billing", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "billing.price_item": ("POST",
                           "/{slug}/organiser/prices?code=tea&category=other&name=Чай&price=100",
                           signed_in((302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "billing.invoices": ("GET", "/{slug}/organiser/invoices", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "billing.mark_paid": ("POST", "/invoices/{a_invoice_id}/paid?amount=100", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "billing.settle": ("POST", "/invoices/{a_invoice_id}/settle?decision=refund", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, SAME))),  # not annulled: refused
    "billing.import_statement": ("POST", "/{slug}/organiser/statement", signed_in(  # no file
        (302, SAME), (403, SAME), (403, SAME), (302, SAME))),
    "billing.confirm_payment": ("POST", "/payments/{payment_id}/confirm", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (302, CHANGE))),
    "billing.all_documents": ("GET", "/{slug}/organiser/documents.zip", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "billing.contractors": ("GET", "/{slug}/organiser/contractors.pdf", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
    "api.invoices": ("GET", "/api/v1/invoices", signed_in(
        (401, SAME), (200, SAME), (200, SAME), (200, SAME))),
    "api.invoice": ("GET", "/api/v1/invoices/{a_invoice_id}", signed_in(
        (401, SAME), (200, SAME), (404, SAME), (200, SAME))),
    "api.payments": ("GET", "/api/v1/payments", signed_in(
        (401, SAME), (200, SAME), (200, SAME), (200, SAME))),
    "api.orders": ("GET", "/api/v1/orders", signed_in(
        (401, SAME), (200, SAME), (200, SAME), (200, SAME))),
    "api.place_order": ("POST", "/api/v1/orders", signed_in(
        (401, SAME), (201, CHANGE), (404, SAME), (201, CHANGE))),
    "billing.export": ("GET", "/{slug}/organiser/export.xlsx?what=invoices", signed_in(
        (302, SAME), (403, SAME), (403, SAME), (200, SAME))),
}  # fmt: skip

#: JSON bodies of the API's POST routes that take one (the other routes get a form).
JSON_BODIES = {
    "api.hold": {"exhibitor_id": "{b_id}"},
    "api.block": {"reason": "Пресс-центр"},
    "api.move": {"booth": "A4"},
    "api.place_order": {"reservation_id": "{a_confirmed_id}", "item": "chair", "quantity": "1"},
}


class World:
    """A small exhibition saved once as an SQLite file; every case starts from a copy."""

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "matrix.sqlite3"
        self.template = workdir / "matrix-template.sqlite3"
        self.app = make_app(f"sqlite:///{self.path}", workdir)
        with self.app.app_context():
            result = self.app.test_cli_runner().invoke(args=["init-db"])
            assert result.exit_code == 0, result.output
            self.ids = self._build()
            self.clients = {role: self._sign_in(role) for role in ROLES}
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        shutil.copyfile(self.path, self.template)

    def _build(self) -> dict:
        exhibition = make_exhibition(slug="matrix")
        a = make_exhibitor(exhibition, "Ирбит")
        b = make_exhibitor(exhibition, "Тагил")
        pending = make_exhibitor(exhibition, "Шадринск", approved=False)
        # An "any booth" application in a zoned hall, for the automatic assignment.
        rezh = make_exhibitor(exhibition, "Реж")
        rezh.application = {"requested_area": 9, "track": "living"}
        for booth in db.session.scalars(select(Booth)):
            booth.zone_track = "living"
        db.session.commit()  # the services below are units of work of their own
        user_a = make_user("a@example.ru", exhibitor=a)
        user_b = make_user("b@example.ru", exhibitor=b)
        organiser = make_user("org@example.ru", "organiser")
        solution = Solution(exhibitor_id=a.id, title="Сквер", track_code="living", stage="idea")
        db.session.add(solution)
        db.session.commit()
        reservation = services.request_booth(db.session, exhibition, "A1", a, user_a)
        services.request_booth(db.session, exhibition, "A2", b, user_b)
        entry = services.join_waitlist(db.session, exhibition, "A2", a, user_a)
        services.block_booth(db.session, exhibition, "A6", organiser, "Пресс-центр")
        deleted = make_exhibitor(exhibition, "Камышлов")
        delete_exhibitor(db.session, exhibition, deleted.id, organiser)
        hall = db.session.scalar(select(Hall))
        draft = create_draft(db.session, exhibition, hall.name, hall_plan(hall))
        line = ThesaurusLine(
            line="помойка ~ мусор", created_at=utcnow(), created_by_id=organiser.id
        )
        db.session.add(line)
        db.session.commit()
        billing = self._build_billing(exhibition, a, organiser, user_a)
        tokens = {
            "exhibitor_a": issue_token(db.session, user_a),
            "exhibitor_b": issue_token(db.session, user_b),
            "organiser": issue_token(db.session, organiser),
        }
        db.session.commit()
        a_token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user_a.id))
        failed_mail = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
        failed_mail.status, failed_mail.last_error = "failed", "550 5.1.1 User unknown"
        db.session.commit()
        self.tokens = tokens
        return {
            "slug": "matrix", "a_id": a.id, "b_id": b.id, "pending_id": pending.id,
            "solution_id": solution.id, "a_reservation_id": reservation.id,
            "a_entry_id": entry.id, "a_token_id": a_token_id, "draft_id": draft.id,
            "deleted_id": deleted.id, "line_id": line.id, "failed_mail_id": failed_mail.id,
            **billing,
        }  # fmt: skip

    def _build_billing(self, exhibition, a, organiser, user_a) -> dict:
        """A confirmed booth (A5) of A's with its contract and invoice, a service order and a
        doubtful payment."""
        from exhibit.billing import orders as billing_orders
        from exhibit.billing import services as billing
        from exhibit.billing.models import Payment

        billing.save_requisites(db.session, exhibition, requisites("АНО «Матрица»", 1), organiser)
        billing.save_requisites(db.session, a, requisites("Администрация г. Ирбит", 2), user_a)
        for code, category in (("chair", "furniture"), ("power", "electricity")):
            billing_orders.save_price_item(db.session, exhibition, organiser, code=code,
                                           category=category, name=code, price="500")  # fmt: skip
        reservation = services.request_booth(db.session, exhibition, "A5", a, user_a)
        services.confirm_reservation(db.session, reservation.id, organiser)
        order = billing_orders.place_order(db.session, reservation.id, user_a,
                                           item_code="chair", quantity=1)  # fmt: skip
        invoice = billing.current_document(db.session, reservation.id, "invoice")
        payment = Payment(exhibition_id=exhibition.id, document_id=invoice.id, amount=100,
                          paid_on=utcnow().date(), state="doubtful", source="statement",
                          key="matrix")  # fmt: skip
        db.session.add(payment)
        db.session.commit()
        return {"a_confirmed_id": reservation.id, "a_order_id": order.id,
                "a_invoice_id": invoice.id, "payment_id": payment.id}  # fmt: skip

    def _sign_in(self, role: str) -> tuple[str | None, str]:
        """The role's session cookie and CSRF token, to replay in every case."""
        client = self.app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        if role != "anonymous":
            email = {"exhibitor_a": "a", "exhibitor_b": "b", "organiser": "org"}[role]
            response = client.post(
                "/login", data={"email": f"{email}@example.ru", "password": PASSWORD,
                                "csrf_token": token},
            )  # fmt: skip
            assert response.status_code == 302, role
            page = client.get("/account").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        cookie = client.get_cookie("session")
        return (cookie.value if cookie else None, token)

    def reset(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.path)

    def fingerprint(self) -> tuple:
        with self.app.app_context():
            state = (
                tuple(db.session.execute(select(Reservation.booth_id, Reservation.exhibitor_id,
                                                Reservation.status).order_by(Reservation.id))),
                tuple(db.session.scalars(select(Booth.blocked).order_by(Booth.id))),
                tuple(db.session.scalars(select(Exhibitor.approved).order_by(Exhibitor.id))),
                tuple(db.session.scalars(select(Exhibitor.deleted_at).order_by(Exhibitor.id))),
                tuple(db.session.execute(select(WaitlistEntry.status).order_by(WaitlistEntry.id))),
                tuple(db.session.execute(select(ApiToken.revoked_at).order_by(ApiToken.id))),
                tuple(db.session.scalars(select(User.session_version).order_by(User.id))),
                db.session.scalar(select(db.func.count()).select_from(AuditEvent)),
                tuple(db.session.scalars(select(Hall.plan_version).order_by(Hall.id))),
                tuple(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id))),
                tuple(db.session.execute(select(User.email, User.password_hash, User.language,
                                                User.notice_settings).order_by(User.id))),
            )  # fmt: skip
            db.session.remove()
            return state


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("matrix"))


def test_the_matrix_names_every_route(world):
    endpoints = {rule.endpoint for rule in world.app.url_map.iter_rules()} - {"static"}
    assert endpoints - MATRIX.keys() == set(), "routes without a row in the access matrix"
    assert MATRIX.keys() - endpoints == set(), "rows for routes that no longer exist"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(world, endpoint):
    method, template, expected = MATRIX[endpoint]
    url = template.format(**world.ids)
    path, _, query = url.partition("?")
    form = dict(pair.split("=") for pair in query.split("&")) if query else {}
    failures = []
    for role in ROLES:
        world.reset()
        before = world.fingerprint()
        client = world.app.test_client()
        cookie, csrf = world.clients[role]
        if cookie:
            client.set_cookie("session", cookie)
        headers = {}
        if path.startswith("/api/") and role in world.tokens:
            headers["Authorization"] = f"Bearer {world.tokens[role]}"
        if method == "GET":
            response = client.get(path, query_string=form, headers=headers)
        elif endpoint in JSON_BODIES:
            body = {
                key: int(value.format(**world.ids)) if value.startswith("{") else value
                for key, value in JSON_BODIES[endpoint].items()
            }
            response = client.post(path, json=body, headers=headers)
        else:
            response = client.post(path, data={**form, "csrf_token": csrf}, headers=headers)
        changed = world.fingerprint() != before
        status, may_change = expected[role]
        if response.status_code != status or changed != may_change:
            failures.append(
                f"{role}: {method} {url} gave {response.status_code}, changed={changed}; "
                f"expected {status}, changed={may_change}"
            )
    assert failures == []


def test_the_api_ignores_session_cookies(world):
    """A signed-in browser cannot be made to call the API: only bearer tokens count."""
    world.reset()
    client = world.app.test_client()
    client.set_cookie("session", world.clients["exhibitor_a"][0])
    url = "/api/v1/exhibitions/matrix/booths/A3/reservations"
    assert client.post(url).status_code == 401
