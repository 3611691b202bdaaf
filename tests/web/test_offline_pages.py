"""What the service worker may save (issue 19): only public pages, the compact index, the
manifest; the data version moves with the data and the language."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.catalogue.services import ProfileData, update_profile
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.search.text import stems
from tests.factories import make_user


def test_the_bundle_lists_public_pages_only_and_its_version_follows_the_data(client):
    bundle = client.get(f"/{DEMO_SLUG}/offline.json")
    assert bundle.headers["Cache-Control"] == "no-store"
    pages = bundle.get_json()["pages"]
    assert f"/{DEMO_SLUG}/map" in pages and f"/{DEMO_SLUG}/visit" in pages
    public = db.session.scalars(select(Exhibitor).where(Exhibitor.is_public)).all()
    hidden = db.session.scalars(select(Exhibitor).where(~Exhibitor.is_public)).all()
    assert {f"/{DEMO_SLUG}/exhibitors/{e.id}" for e in public} <= set(pages)
    assert not {f"/{DEMO_SLUG}/exhibitors/{e.id}" for e in hidden} & set(pages)
    solutions = {s.id for e in public for s in e.solutions}
    assert {f"/{DEMO_SLUG}/solutions/{i}" for i in solutions} <= set(pages)
    points = [p for p in pages if "/map?at=" in p]
    assert f"/{DEMO_SLUG}/map?at=P2" in points  # the posters' QR codes work offline too
    assert len(pages) == 6 + len(points) + len(public) + len(solutions)
    for page in pages[:8]:  # every page it names is there for an anonymous visitor
        assert client.get(page).status_code == 200, page

    version = bundle.get_json()["version"]
    assert client.get(f"/{DEMO_SLUG}/offline.json?lang=en").get_json()["version"] != version
    exhibitor = public[0]
    data = ProfileData.of(exhibitor)
    data.name = exhibitor.name + " — новое"
    organiser = make_user("offline-pages@example.ru", role="organiser")
    update_profile(db.session, exhibitor, data, organiser)
    assert client.get(f"/{DEMO_SLUG}/offline.json").get_json()["version"] != version


def test_the_index_holds_public_entries_with_their_words_and_booths(client):
    index = client.get(f"/{DEMO_SLUG}/offline/index.json").get_json()
    items = index["items"]
    solutions = db.session.scalars(
        select(Solution).join(Exhibitor).where(Exhibitor.is_public)
    ).all()
    assert sum(1 for i in items if i["k"] == "s") == len(solutions)
    titles = {i["title"] for i in items}
    hidden = db.session.scalars(select(Exhibitor).where(~Exhibitor.is_public)).all()
    assert not {e.name for e in hidden} & titles
    entry = next(i for i in items if i["k"] == "s" and i["booth"])
    assert entry["url"].startswith(f"/{DEMO_SLUG}/solutions/")
    assert entry["w"] == entry["w"].lower() and "ё" not in entry["w"]
    # The thesaurus's other ways to say an entry's terms, as stems (the online search's
    # synonyms, for the browser): «отходы» brings «мусор».
    waste = next(i for i in items if "отход" in stems(i["title"]))
    assert "мусор" in waste["t"].split()
    assert not set(waste["t"].split()) & set(stems(waste["title"]))


def test_service_worker_and_manifest(client):
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    assert 'credentials: "omit"' in worker.get_data(as_text=True)
    manifest = client.get(f"/{DEMO_SLUG}/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    document = manifest.get_json(force=True)
    assert document["start_url"] == f"/{DEMO_SLUG}/map" and document["display"] == "standalone"
    icon = client.get(document["icons"][0]["src"])
    assert icon.status_code == 200 and icon.get_data().startswith(b"<svg")
    icon.close()
    # PNGs beside the SVG (Android and desktop install icons, the iOS home screen).
    pngs = {i["sizes"]: i["src"] for i in document["icons"] if i["type"] == "image/png"}
    assert set(pngs) == {"192x192", "512x512"}
    for sizes, src in pngs.items():
        image = client.get(src)
        assert image.status_code == 200 and image.mimetype == "image/png"
        with Image.open(io.BytesIO(image.get_data())) as png:
            assert f"{png.width}x{png.height}" == sizes
            assert png.getpixel((png.width // 2, png.height // 10))[:3] == (11, 79, 138)
    assert client.get("/icon-100.png").status_code == 404
    page = client.get(f"/{DEMO_SLUG}/map").get_data(as_text=True)
    assert f'href="/{DEMO_SLUG}/manifest.webmanifest"' in page
    assert client.get(f"/{DEMO_SLUG}/offline").status_code == 200
