"""Anonymous search pages are cached until the data changes; signed-in pages never are."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from exhibit import pagecache
from exhibit.accounts.models import User
from exhibit.accounts.services import set_password
from exhibit.catalogue.models import Solution
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from tests.web.test_accounts import login

URL = f"/{DEMO_SLUG}/search"


def test_a_repeated_anonymous_search_is_served_from_the_cache(client, monkeypatch):
    calls = []
    pagecache._pages.clear()
    first = client.get(URL, query_string={"q": "сквер"}).get_data(as_text=True)
    monkeypatch.setattr("exhibit.web.search.render_template", lambda *a, **k: calls.append(1))
    second = client.get(URL, query_string={"q": "сквер"}).get_data(as_text=True)
    assert second == first and calls == []


def test_a_change_to_the_data_is_seen_at_once(client):
    before = client.get(URL, query_string={"q": "колесо обозрения"}).get_data(as_text=True)
    assert "Колесо обозрения над прудом" not in before
    solution = db.session.scalar(select(Solution))
    solution.title = "Колесо обозрения над прудом"
    db.session.commit()
    after = client.get(URL, query_string={"q": "колесо обозрения"}).get_data(as_text=True)
    assert "Колесо обозрения над прудом" in after


def test_signed_in_pages_are_not_shared(demo_app, client):
    anonymous = client.get(URL, query_string={"q": "сквер"}).get_data(as_text=True)
    irbit = db.session.scalar(select(User).where(User.email == "irbit@example.ru"))
    set_password(irbit, "a long test password")
    db.session.commit()
    member = demo_app.test_client()
    login(member, "irbit@example.ru", "a long test password")
    page = member.get(URL, query_string={"q": "сквер"}).get_data(as_text=True)
    assert "Выйти" in page and "Выйти" not in anonymous


def test_a_change_made_elsewhere_is_seen_within_the_recheck_interval(demo_app, client, monkeypatch):
    """Another worker's change shows once this worker reads the data version again, at most
    ``PAGECACHE_RECHECK`` seconds later."""
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    pagecache._pages.clear()
    pagecache._known.clear()
    # Another worker's commit never reaches this worker's listener.
    event.remove(Session, "after_commit", pagecache._forget_version)
    try:
        before = client.get(URL, query_string={"q": "сквер"}).get_data(as_text=True)
        titles = db.session.scalars(select(Solution).order_by(Solution.id))
        solution = next(s for s in titles if s.title in before)
        assert "Сквер с качелями" not in before
        solution.title = "Сквер с качелями"
        db.session.commit()
        clock[0] += 0.5
        assert client.get(URL, query_string={"q": "сквер"}).get_data(as_text=True) == before
        clock[0] += demo_app.config["PAGECACHE_RECHECK"]
        assert "Сквер с качелями" in client.get(URL, query_string={"q": "сквер"}).get_data(True)
    finally:
        event.listen(Session, "after_commit", pagecache._forget_version)
