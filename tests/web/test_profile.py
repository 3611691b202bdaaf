"""The exhibitor's profile pages: forms that keep input, errors next to fields, own data only."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.db import db
from tests.factories import make_exhibition, make_exhibitor, make_user
from tests.web.test_accounts import csrf_token, login


@pytest.fixture
def site(app: Flask, tmp_path):
    app.instance_path = str(tmp_path)  # uploads of this test only
    exhibition = make_exhibition()
    irbit = make_exhibitor(exhibition, "Администрация Ирбита")
    tagil = make_exhibitor(exhibition, "Нижний Тагил")
    make_user("a@example.ru", exhibitor=irbit)
    make_user("b@example.ru", exhibitor=tagil)
    make_user("org@example.ru", "organiser")
    solution = Solution(
        exhibitor_id=irbit.id, title="Ярмарка", track_code="tourism", stage="idea", tags=["ярмарка"]
    )
    db.session.add(solution)
    db.session.commit()
    return {"slug": exhibition.slug, "irbit": irbit.id, "tagil": tagil.id, "solution": solution.id}


def signed_in(app: Flask, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def _profile_form(token: str, **changes) -> dict:
    form = {
        "csrf_token": token,
        "name": "Администрация Ирбита",
        "short_name": "Ирбит",
        "kind": "municipality",
        "region_code": "66",
        "municipality": "Ирбит",
        "population": "36 000",
        "website": "https://moirbit.ru",
        "description": "Город ярмарки",
        "contact_person": "Анна Петрова",
        "contact_email": "anna@example.ru",
        "contact_phone": "+7 (343) 000-00-00",
    }
    form.update(changes)
    return form


def _error_of(page: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert match, f"no error next to {field}"
    return match.group(1)


def test_the_profile_page_shows_the_saved_profile_and_the_header_link(app, site):
    client = signed_in(app, "a@example.ru")
    assert client.get("/profile").headers["Location"].endswith(f"/{site['slug']}/profile")
    page = client.get(f"/{site['slug']}/profile").get_data(as_text=True)
    assert 'value="Администрация Ирбита"' in page
    assert page.count("<option") >= 89 + 5  # regions (and a blank) and the kinds
    assert "Свердловская область" in page
    assert "Ярмарка" in page  # the solutions list
    assert 'href="/profile" aria-current="page"' in page


def test_a_valid_profile_is_saved_with_one_audit_event(app, site):
    client = signed_in(app, "a@example.ru")
    url = f"/{site['slug']}/profile"
    response = client.post(url, data=_profile_form(csrf_token(client, url)))
    assert response.status_code == 302
    irbit = db.session.get(Exhibitor, site["irbit"])
    assert (irbit.population, irbit.region_code, irbit.website) == (
        36000,
        "66",
        "https://moirbit.ru",
    )
    assert irbit.contacts["email"] == "anna@example.ru"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exhibitor.updated"))
    assert event.after["population"] == 36000
    assert "Профиль сохранён" in client.get(url).get_data(as_text=True)


def test_errors_stay_next_to_their_fields_and_the_input_is_kept(app, site):
    client = signed_in(app, "a@example.ru")
    url = f"/{site['slug']}/profile"
    before = _events()
    form = _profile_form(
        csrf_token(client, url),
        website="javascript:alert(1)",
        population="тридцать тысяч",
        contact_email="anna@",
        municipality="Ирбит <b>жирный</b>",
    )
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "http:// или https://" in _error_of(page, "website")
    assert "целое число" in _error_of(page, "population")
    assert "почты" in _error_of(page, "contact_email")
    assert 'value="javascript:alert(1)"' in page
    assert 'value="тридцать тысяч"' in page
    assert 'value="Ирбит &lt;b&gt;жирный&lt;/b&gt;"' in page  # kept, and escaped
    assert re.search(
        r'id="website"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="website"', page
    )
    assert _events() == before
    assert db.session.get(Exhibitor, site["irbit"]).website is None


def test_a_website_without_a_scheme_is_explained(app, site):
    client = signed_in(app, "a@example.ru")
    url = f"/{site['slug']}/profile"
    page = client.post(url, data=_profile_form(csrf_token(client, url), website="www.irbit.ru"))
    assert "начиная с https://" in _error_of(page.get_data(as_text=True), "website")


def test_a_name_another_exhibitor_has_is_refused_next_to_the_name(app, site):
    client = signed_in(app, "a@example.ru")
    url = f"/{site['slug']}/profile"
    before = _events()
    response = client.post(url, data=_profile_form(csrf_token(client, url), name="нижний тагил"))
    page = response.get_data(as_text=True)
    assert "«Нижний Тагил» уже есть" in _error_of(page, "name")
    assert 'value="нижний тагил"' in page
    assert _events() == before
    assert db.session.get(Exhibitor, site["irbit"]).name == "Администрация Ирбита"


def test_posts_without_the_csrf_token_are_refused_and_change_nothing(app, site):
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    before = _events()
    form = _profile_form("")
    del form["csrf_token"]
    assert client.post(f"/{slug}/profile", data=form).status_code == 400
    assert client.post(f"/{slug}/profile/solutions/{site['solution']}/delete").status_code == 400
    assert client.post(f"/{slug}/profile/solutions/new", data={"title": "X"}).status_code == 400
    assert _events() == before
    assert db.session.get(Solution, site["solution"]) is not None


def test_another_exhibitor_cannot_see_change_or_delete_a_solution(app, site):
    client = signed_in(app, "b@example.ru")
    slug, solution_id = site["slug"], site["solution"]
    token = csrf_token(client, f"/{slug}/profile")
    before = _events()
    edit = f"/{slug}/profile/solutions/{solution_id}/edit"
    assert client.get(edit).status_code == 404
    data = {"csrf_token": token, "title": "Захвачено", "track_code": "living", "stage": "pilot"}
    assert client.post(edit, data=data).status_code == 404
    delete = f"/{slug}/profile/solutions/{solution_id}/delete"
    assert client.post(delete, data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Solution, solution_id).title == "Ярмарка"
    assert _events() == before
    assert "Ярмарка" not in client.get(f"/{slug}/profile").get_data(as_text=True)


def test_a_solution_is_created_edited_and_deleted(app, site):
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    url = f"/{slug}/profile/solutions/new"
    page = client.get(url).get_data(as_text=True)
    assert "малый (&lt; 50 тыс.)" in page
    assert page.count('type="checkbox"') == 5
    form = {
        "csrf_token": csrf_token(client, url), "title": "Пешеходный центр",
        "summary": "Улицы для людей", "track_code": "living", "stage": "pilot",
        "tags": "Благоустройство; пешеходы, благоустройство", "size_classes": ["small", "medium"],
        "results": "+30 % пешеходов",
    }  # fmt: skip
    assert client.post(url, data=form).status_code == 302
    solution = db.session.scalar(select(Solution).where(Solution.title == "Пешеходный центр"))
    assert solution.exhibitor_id == site["irbit"]
    assert solution.tags == ["благоустройство", "пешеходы"]
    assert solution.size_classes == ["small", "medium"]

    edit = f"/{slug}/profile/solutions/{solution.id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="благоустройство, пешеходы"' in page
    assert len(re.findall(r'type="checkbox"[^>]*checked|checked[^>]*type="checkbox"', page)) == 2
    form.update(stage="operation", size_classes=[])
    del form["size_classes"]  # nothing ticked: the browser sends nothing
    assert client.post(edit, data=form).status_code == 302
    db.session.expire_all()
    assert (solution.stage, solution.size_classes) == ("operation", [])

    solution_id = solution.id
    delete = f"/{slug}/profile/solutions/{solution_id}/delete"
    assert client.post(delete, data={"csrf_token": form["csrf_token"]}).status_code == 302
    db.session.expunge_all()
    assert db.session.get(Solution, solution_id) is None
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "solution"))
    assert list(actions) == ["solution.created", "solution.updated", "solution.deleted"]


def test_solution_errors_keep_the_input(app, site):
    client = signed_in(app, "a@example.ru")
    url = f"/{site['slug']}/profile/solutions/new"
    form = {
        "csrf_token": csrf_token(client, url), "title": "", "summary": "Кратко о главном",
        "track_code": "living", "stage": "pilot", "size_classes": ["big"],
        "tags": ",".join(f"тег{i}" for i in range(12)),
    }  # fmt: skip
    page = client.post(url, data=form).get_data(as_text=True)
    assert _error_of(page, "title")
    assert "Не больше 10 тегов" in _error_of(page, "tags")
    assert "Кратко о главном" in page
    assert re.search(r'checked[^>]*value="big"|value="big"[^>]*checked', page)
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 1


def _upload(client, url: str, token: str, content: bytes, filename: str = "logo.png"):
    """Post a file as a browser does. The body is built here: for big files Werkzeug's test
    client would spool it to a temporary file that it never closes (a ResourceWarning)."""
    boundary = "exhibit-test-boundary"
    disposition = "Content-Disposition: form-data; name="
    head = (
        f'--{boundary}\r\n{disposition}"csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\n{disposition}"logo"; filename="{filename}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def _png(size=(800, 300)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (11, 79, 138)).save(out, format="PNG")
    return out.getvalue()


def test_a_logo_is_uploaded_served_and_shown_on_the_public_page(app, site, tmp_path):
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    token = csrf_token(client, f"/{slug}/profile")
    response = _upload(client, f"/{slug}/profile/logo", token, _png(), "логотип.png")
    assert response.status_code == 302
    name = db.session.get(Exhibitor, site["irbit"]).logo
    assert re.fullmatch(r"[0-9a-f]{32}\.png", name)
    assert (tmp_path / "uploads" / "logos" / name).exists()

    served = app.test_client().get(f"/logos/{name}")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.data)).size == (512, 192)
    served.close()
    page = app.test_client().get(f"/{slug}/exhibitors/{site['irbit']}").get_data(as_text=True)
    assert f'src="/logos/{name}" alt="Администрация Ирбита"' in page

    _upload(client, f"/{slug}/profile/logo", token, _png((100, 100)), "new.jpg")
    new_name = db.session.get(Exhibitor, site["irbit"]).logo
    assert new_name != name
    assert sorted(p.name for p in (tmp_path / "uploads" / "logos").iterdir()) == [new_name]
    assert app.test_client().get(f"/logos/{name}").status_code == 404

    client.post(f"/{slug}/profile/logo/delete", data={"csrf_token": token})
    assert db.session.get(Exhibitor, site["irbit"]).logo is None
    assert list((tmp_path / "uploads" / "logos").iterdir()) == []


REFUSED_LOGOS = [
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "не изображение"),
    (b"<html><script>alert(1)</script></html>", "не изображение"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024), "больше 2 МБ"),
]


def test_a_refused_logo_is_explained_next_to_the_field(app, site, tmp_path):
    client = signed_in(app, "a@example.ru")
    slug = site["slug"]
    token = csrf_token(client, f"/{slug}/profile")
    before = _events()
    for content, says in REFUSED_LOGOS:
        response = _upload(client, f"/{slug}/profile/logo", token, content)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert says in _error_of(page, "logo")
        assert 'aria-invalid="true"' in page
        assert 'value="Администрация Ирбита"' in page  # the rest of the page is there
    assert db.session.get(Exhibitor, site["irbit"]).logo is None
    logos = tmp_path / "uploads" / "logos"
    assert not logos.exists() or not any(logos.iterdir())
    assert _events() == before


def test_only_stored_logo_names_are_served(app, site, tmp_path):
    (tmp_path / "secret_key").write_text("s3cret")
    client = app.test_client()
    for name in ("secret_key", "..%2Fsecret_key", "ABCDEF0123456789ABCDEF0123456789.png", "x.svg"):
        assert client.get(f"/logos/{name}").status_code == 404, name
    assert client.get(f"/logos/{'0' * 32}.png").status_code == 404  # the right shape, no file


def test_an_organiser_edits_any_profile_and_exhibitors_cannot(app, site):
    url = f"/{site['slug']}/exhibitors/{site['tagil']}/edit"
    assert signed_in(app, "a@example.ru").get(url).status_code == 403
    client = signed_in(app, "org@example.ru")
    page = client.get(url).get_data(as_text=True)
    assert 'value="Нижний Тагил"' in page
    form = _profile_form(csrf_token(client, url), name="Администрация Нижнего Тагила")
    assert client.post(url, data=form).status_code == 302
    assert db.session.get(Exhibitor, site["tagil"]).name == "Администрация Нижнего Тагила"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "exhibitor.updated"))
    assert event.user_id is not None and event.entity_id == str(site["tagil"])
    assert client.get(f"/{site['slug']}/profile").status_code == 403


def test_a_deleted_exhibitor_can_not_change_its_profile(app, site):
    client = signed_in(app, "a@example.ru")
    db.session.get(Exhibitor, site["irbit"]).deleted_at = db.func.now()
    db.session.commit()
    page = client.get(f"/{site['slug']}/profile")
    assert page.status_code == 403 and "удалён организаторами" in page.get_data(as_text=True)
    token = csrf_token(client, "/account")
    events = _events()
    sent = client.post(f"/{site['slug']}/profile", data=_profile_form(token, description="x"))
    assert sent.status_code == 403 and _events() == events  # nothing changed
