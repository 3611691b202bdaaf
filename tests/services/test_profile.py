"""Exhibitor profiles, their solutions and logos: the service rules.

The website, tag and logo rules are pure and run once; the rest runs on SQLite and
PostgreSQL through the ``app`` fixture.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from functools import cache
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from exhibit.audit import AuditEvent
from exhibit.catalogue import logos
from exhibit.catalogue.models import Exhibitor, Solution
from exhibit.catalogue.services import (
    ProfileData,
    SolutionData,
    create_solution,
    delete_solution,
    get_own_solution,
    list_regions,
    normalise_website,
    parse_tags,
    remove_logo,
    replace_logo,
    update_profile,
    update_solution,
)
from exhibit.db import db, unit_of_work
from exhibit.errors import Conflict, DomainError, NotFound
from tests.factories import make_exhibition, make_exhibitor, make_user

# --- pure rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://irbit.ru", "https://irbit.ru"),
        ("  http://irbit.ru/expo?x=1#a ", "http://irbit.ru/expo?x=1#a"),
        ("HTTPS://Irbit.ru", "https://Irbit.ru"),
        ("https://ирбит.рф/", "https://ирбит.рф/"),
        ("https://irbit.ru:8443/", "https://irbit.ru:8443/"),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_websites_that_are_kept(typed, stored):
    assert normalise_website(typed) == stored


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("javascript:alert(1)", "http:// или https://"),
        ("JaVaScRiPt:alert(document.cookie)", "http:// или https://"),
        ("data:text/html,<script>alert(1)</script>", "http:// или https://"),
        ("ftp://irbit.ru/files", "http:// или https://"),
        ("www.irbit.ru", "полностью"),
        ("irbit.ru", "полностью"),
        ("irbit.ru:8080/expo", "полностью"),
        ("//irbit.ru", "полностью"),
        ("https://", "После https://"),
        ("http:/irbit.ru", "После https://"),
        ("https://user:secret@irbit.ru", "имя пользователя"),
        ("java\tscript:alert(1)", "пробелов"),
        ("https://irbit.ru/\x00", "пробелов"),
        ("https://irbit.ru:99999/", "порт"),
        ("https://irbit.ru/" + "a" * 300, "не длиннее 300"),
    ],
)
def test_websites_that_are_refused_say_why(typed, says):
    with pytest.raises(DomainError) as caught:
        normalise_website(typed)
    assert says in caught.value.message
    assert caught.value.details == {"field": "website"}


def test_tags_are_split_trimmed_lowered_and_unique():
    typed = "Транспорт, ЖКХ;транспорт ;  Умный   город ,,; "
    assert parse_tags(typed) == ["транспорт", "жкх", "умный город"]
    assert parse_tags("") == []
    assert parse_tags(None) == []


def test_more_than_ten_tags_are_refused():
    assert len(parse_tags(";".join(f"тег{i}" for i in range(10)))) == 10
    with pytest.raises(DomainError, match="Не больше 10 тегов") as caught:
        parse_tags(",".join(f"тег{i}" for i in range(11)))
    assert caught.value.details == {"field": "tags"}


# --- logos (pure) -----------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def _noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    channels = len(mode)
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * channels))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def _png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side × side pixels that compresses to a few tens of KB."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (side + 7) // 8)
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", data)
        + _chunk(b"IEND", b"")
    )


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_png_is_reencoded_and_downscaled_keeping_transparency():
    result = logos.process_logo(_encode(_noise((1200, 300), "RGBA")))
    image = _decoded(result)
    assert image.format == "PNG"
    assert image.size == (512, 128)
    assert image.mode == "RGBA"


def test_a_jpeg_becomes_a_png_without_its_exif():
    exif = Image.Exif()
    exif[0x010F] = "Secret Camera Maker"  # Make
    exif[0x8298] = "Секретный автор"  # Copyright
    jpeg = _encode(_noise((900, 700)), "JPEG", quality=85, exif=exif.tobytes())
    assert b"Secret Camera Maker" in jpeg
    result = logos.process_logo(jpeg)
    image = _decoded(result)
    assert image.format == "PNG"
    assert max(image.size) == 512
    assert image.mode == "RGB"
    assert "exif" not in image.info
    assert len(image.getexif()) == 0
    assert b"Secret Camera Maker" not in result


def test_a_jpeg_is_turned_upright_by_its_orientation_tag():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    jpeg = _encode(_noise((400, 200)), "JPEG", exif=exif.tobytes())
    assert _decoded(logos.process_logo(jpeg)).size == (200, 400)


def test_small_logos_are_not_enlarged_and_palettes_become_rgb():
    image = Image.new("P", (120, 60), 3)
    assert _decoded(logos.process_logo(_encode(image))).size == (120, 60)
    assert _decoded(logos.process_logo(_encode(image))).mode == "RGB"


def test_png_text_chunks_and_icc_profiles_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    png = _encode(_noise((64, 64)), pnginfo=info, icc_profile=b"fake icc profile")
    result = logos.process_logo(png)
    assert b"<script>" not in result
    assert _decoded(result).info == {}


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: SVG, "не изображение PNG или JPEG"),
        (lambda: HTML, "не изображение PNG или JPEG"),
        (lambda: b"\x89PNG\r\n\x1a\n" + HTML, "не изображение PNG или JPEG"),
        (lambda: _encode(Image.new("RGB", (10, 10)), "GIF"), "не изображение PNG или JPEG"),
        (lambda: _encode(Image.new("RGB", (10, 10)), "WEBP"), "не изображение PNG или JPEG"),
        (lambda: _encode(_noise((200, 200)))[:-2000], "повреждено или обрезано"),
        (lambda: _encode(_noise((200, 200)), "JPEG")[:-3000], "повреждено или обрезано"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * (3 * 1024 * 1024), "больше 2 МБ"),
        (lambda: b"", "пуст"),
        (_png_bomb, "слишком большое"),
        (lambda: _encode(Image.new("1", (4001, 10))), "слишком большое"),
        (lambda: _encode(Image.new("1", (4000, 4001))), "слишком большое"),
    ],
    ids=[
        "svg", "html", "html-behind-png-signature", "gif", "webp", "truncated-png",
        "truncated-jpeg", "3-mb", "empty", "20000x20000-bomb", "too-wide", "over-16-mpx",
    ],
)  # fmt: skip
def test_uploads_that_are_not_safe_logos_are_refused_clearly(make, says):
    with pytest.raises(logos.LogoRejected) as caught:
        logos.process_logo(make())
    assert says in caught.value.message
    assert caught.value.details == {"field": "logo"}


def test_the_bomb_is_small_on_disk_but_huge_in_pixels():
    bomb = _png_bomb()
    assert len(bomb) < logos.MAX_BYTES
    assert struct.unpack(">II", bomb[16:24]) == (20_000, 20_000)  # IHDR width, height


def test_stored_names_are_random_and_only_those_are_deleted(tmp_path):
    first = logos.save_logo(tmp_path, b"one")
    second = logos.save_logo(tmp_path, b"two")
    assert first != second
    assert logos.is_logo_name(first)
    assert not logos.is_logo_name("../secret_key")
    assert not logos.is_logo_name(first.upper())
    (tmp_path / "keep.txt").write_text("not ours")
    logos.delete_logo(tmp_path, "keep.txt")
    logos.delete_logo(tmp_path, first)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([second, "keep.txt"])


# --- profiles (database) ----------------------------------------------------------------


@pytest.fixture
def world(app):
    exhibition = make_exhibition()
    irbit = make_exhibitor(exhibition, "Администрация Ирбита")
    tagil = make_exhibitor(exhibition, "Нижний Тагил")
    user = make_user("a@example.ru", exhibitor=irbit)
    other = make_user("b@example.ru", exhibitor=tagil)
    return exhibition, irbit, tagil, user, other


def _events(action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _profile(**changes) -> ProfileData:
    values = {
        "name": "Администрация Ирбита",
        "kind": "municipality",
        "short_name": "Ирбит",
        "region_code": "66",
        "municipality": "городской округ «Город Ирбит»",
        "population": 36_000,
        "website": "https://moirbit.ru",
        "description": "Малый город с большой ярмаркой.",
        "contacts": {"person": "Анна Петрова", "email": "expo@Irbit.RU", "phone": "+7 343 000"},
    }
    return ProfileData(**{**values, **changes})


def test_a_profile_update_saves_and_audits_the_changed_fields(world):
    _, irbit, _, user, _ = world
    changed = update_profile(db.session, irbit, _profile(), user)
    db.session.commit()
    assert set(changed) == {
        "short_name", "region_code", "municipality", "population", "website", "description",
        "contacts",
    }  # fmt: skip
    db.session.expire_all()
    assert irbit.region.name == "Свердловская область"
    assert irbit.size_class == "small"
    assert irbit.contacts == {
        "person": "Анна Петрова",
        "email": "expo@irbit.ru",
        "phone": "+7 343 000",
    }
    (event,) = _events("exhibitor.updated")
    assert event.entity == "exhibitor" and event.entity_id == str(irbit.id)
    assert event.user_id == user.id
    assert event.before["population"] is None and event.after["population"] == 36_000
    assert "name" not in event.after  # unchanged fields are not recorded

    update_profile(db.session, irbit, _profile(population=36_500, name="Город Ирбит"), user)
    db.session.commit()
    second = _events("exhibitor.updated")[-1]
    assert second.before == {"name": "Администрация Ирбита", "population": 36_000}
    assert second.after == {"name": "Город Ирбит", "population": 36_500}


def test_saving_an_unchanged_profile_writes_no_event(world):
    _, irbit, _, user, _ = world
    update_profile(db.session, irbit, _profile(), user)
    db.session.commit()
    assert update_profile(db.session, irbit, _profile(), user) == {}
    db.session.commit()
    assert len(_events("exhibitor.updated")) == 1


def test_a_name_another_exhibitor_has_is_refused(world):
    _, irbit, _, user, _ = world
    for taken in ("Нижний Тагил", "нижний тагил", "  НИЖНИЙ ТАГИЛ "):
        with pytest.raises(Conflict, match="«Нижний Тагил» уже есть") as caught:
            update_profile(db.session, irbit, _profile(name=taken), user)
        db.session.rollback()
        assert caught.value.details == {"field": "name"}
    db.session.expire_all()
    assert irbit.name == "Администрация Ирбита"
    assert _events("exhibitor.updated") == []


def test_the_same_name_in_another_exhibition_is_fine(world):
    _, irbit, _, user, _ = world
    other_year = make_exhibition(slug="other")
    make_exhibitor(other_year, "Город Ирбит")
    update_profile(db.session, irbit, _profile(name="Город Ирбит"), user)
    db.session.commit()
    assert db.session.get(Exhibitor, irbit.id).name == "Город Ирбит"


BAD_PROFILES = [
    ({"name": "   "}, "name"),
    ({"kind": "church"}, "kind"),
    ({"region_code": "999"}, "region_code"),
    ({"population": -1}, "population"),
    ({"website": "javascript:alert(1)"}, "website"),
    ({"contacts": {"email": "not an address"}}, "contact_email"),
    ({"short_name": "Ирбит" * 10}, "short_name"),
]


def test_bad_profile_values_are_refused_with_their_field(world):
    _, irbit, _, user, _ = world
    for changes, field in BAD_PROFILES:
        with pytest.raises(DomainError) as caught:
            update_profile(db.session, irbit, _profile(**changes), user)
        db.session.rollback()
        assert caught.value.details == {"field": field}, changes
    assert _events("exhibitor.updated") == []


def test_regions_are_the_89_in_alphabetical_order(app):
    names = [r.name for r in list_regions(db.session)]
    assert len(names) == 89
    assert names[0] == "Алтайский край"
    assert names == sorted(names, key=lambda n: n.lower().replace("ё", "е"))


# --- solutions --------------------------------------------------------------------------


def _solution(**changes) -> SolutionData:
    values = {
        "title": "Ирбитская ярмарка круглый год",
        "track_code": "tourism",
        "stage": "operation",
        "summary": "Туристический маршрут вокруг ярмарки.",
        "tags": ["Туризм", "ярмарка", "туризм "],
        "size_classes": ["medium", "small", "small"],
        "results": "+40 % туристов за 2 года",
    }
    return SolutionData(**{**values, **changes})


def test_solutions_are_created_updated_and_deleted_with_audit_events(world):
    _, irbit, _, user, _ = world
    solution = create_solution(db.session, irbit, _solution(), user)
    db.session.commit()
    assert solution.tags == ["туризм", "ярмарка"]
    assert solution.size_classes == ["small", "medium"]
    (created,) = _events("solution.created")
    assert created.after["title"] == "Ирбитская ярмарка круглый год"
    assert created.after["exhibitor_id"] == irbit.id

    update_solution(db.session, irbit, solution.id, _solution(stage="scaled", tags=[]), user)
    db.session.commit()
    (updated,) = _events("solution.updated")
    assert updated.before == {"stage": "operation", "tags": ["туризм", "ярмарка"]}
    assert updated.after == {"stage": "scaled", "tags": []}

    solution_id = solution.id
    delete_solution(db.session, irbit, solution_id, user)
    db.session.commit()
    assert db.session.get(Solution, solution_id) is None
    (deleted,) = _events("solution.deleted")
    assert deleted.entity_id == str(solution_id)
    assert deleted.before["title"] == "Ирбитская ярмарка круглый год"


def test_another_exhibitors_solution_is_not_found_and_stays_as_it_was(world):
    _, irbit, tagil, user, other = world
    solution = create_solution(db.session, irbit, _solution(), user)
    db.session.commit()
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(NotFound):
        get_own_solution(db.session, tagil, solution.id)
    with pytest.raises(NotFound):
        update_solution(db.session, tagil, solution.id, _solution(title="Захвачено"), other)
    db.session.rollback()
    with pytest.raises(NotFound):
        delete_solution(db.session, tagil, solution.id, other)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Solution, solution.id).title == "Ирбитская ярмарка круглый год"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


BAD_SOLUTIONS = [
    ({"title": " "}, "title"),
    ({"track_code": "space"}, "track_code"),
    ({"stage": "dream"}, "stage"),
    ({"size_classes": ["huge"]}, "size_classes"),
    ({"tags": [f"t{i}" for i in range(11)]}, "tags"),
    ({"summary": "я" * 501}, "summary"),
]


def test_bad_solutions_are_refused_with_their_field(world):
    _, irbit, _, user, _ = world
    for changes, field in BAD_SOLUTIONS:
        with pytest.raises(DomainError) as caught:
            create_solution(db.session, irbit, _solution(**changes), user)
        db.session.rollback()
        assert caught.value.details == {"field": field}, changes
    assert db.session.scalar(select(func.count()).select_from(Solution)) == 0


# --- logos (database and files) ---------------------------------------------------------


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


@unit_of_work
def _in_a_larger_change(session, change, directory: Path, refuse: bool = False):
    """Run ``change`` inside an enclosing unit of work; return what it gave and the files
    while that unit is still open (``refuse``: it then fails, and everything rolls back)."""
    result = change()
    seen = _files(directory)
    if refuse:
        raise DomainError("the larger change is refused")
    return result, seen


def test_a_new_logo_replaces_the_old_file_once_committed(world, tmp_path):
    _, irbit, _, user, _ = world
    first = replace_logo(db.session, irbit, _encode(_noise((50, 50))), tmp_path, user)
    assert _files(tmp_path) == [first]
    jpeg = _encode(_noise((60, 40)), "JPEG")
    second, during = _in_a_larger_change(
        db.session, lambda: replace_logo(db.session, irbit, jpeg, tmp_path, user), tmp_path
    )
    assert during == sorted([first, second])  # the old one stays until the commit
    assert _files(tmp_path) == [second]
    assert db.session.get(Exhibitor, irbit.id).logo == second
    assert _decoded((tmp_path / second).read_bytes()).size == (60, 40)
    events = _events("exhibitor.logo_changed")
    assert [(e.before, e.after) for e in events] == [
        ({"logo": None}, {"logo": first}),
        ({"logo": first}, {"logo": second}),
    ]


def test_a_rolled_back_logo_change_leaves_the_old_file(world, tmp_path):
    _, irbit, _, user, _ = world
    first = replace_logo(db.session, irbit, _encode(_noise((50, 50))), tmp_path, user)
    png = _encode(_noise((50, 50)))
    with pytest.raises(DomainError):
        _in_a_larger_change(
            db.session, lambda: replace_logo(db.session, irbit, png, tmp_path, user), tmp_path,
            refuse=True,
        )  # fmt: skip
    assert _files(tmp_path) == [first]
    assert db.session.get(Exhibitor, irbit.id).logo == first


def test_a_refused_logo_stores_nothing_and_changes_nothing(world, tmp_path):
    _, irbit, _, user, _ = world
    with pytest.raises(logos.LogoRejected):
        replace_logo(db.session, irbit, SVG, tmp_path, user)
    db.session.rollback()
    with pytest.raises(logos.LogoRejected):
        replace_logo(db.session, irbit, _png_bomb(), tmp_path, user)
    db.session.rollback()
    assert _files(tmp_path) == []
    assert db.session.get(Exhibitor, irbit.id).logo is None
    assert _events("exhibitor.logo_changed") == []


def test_removing_the_logo_deletes_its_file(world, tmp_path):
    _, irbit, _, user, _ = world
    name = replace_logo(db.session, irbit, _encode(_noise((50, 50))), tmp_path, user)
    db.session.commit()
    remove_logo(db.session, irbit, tmp_path, user)
    db.session.commit()
    assert _files(tmp_path) == []
    assert db.session.get(Exhibitor, irbit.id).logo is None
    assert _events("exhibitor.logo_changed")[-1].before == {"logo": name}


def test_truncated_jpegs_are_refused_even_after_weasyprint_is_imported():
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process."""
    import io

    from PIL import Image

    from exhibit.catalogue.logos import LogoRejected, process_logo
    from exhibit.html_pdf import weasyprint

    weasyprint()

    buffer = io.BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buffer, "JPEG")
    with pytest.raises(LogoRejected, match="обрезано"):
        process_logo(buffer.getvalue()[: len(buffer.getvalue()) // 2])
