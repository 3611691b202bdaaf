"""Exhibitors' logos: untrusted uploads checked by content and re-encoded as clean PNGs.

Pure apart from the file system: no Flask, no database. :func:`process_logo` takes the
uploaded bytes and returns PNG bytes (or raises :class:`LogoRejected`); :func:`save_logo`
and :func:`delete_logo` keep the results under random names in one directory.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from exhibit.errors import DomainError, tr

if TYPE_CHECKING:  # Pillow is imported where a logo is read (not at the app's start)
    from PIL import Image

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
MAX_PIXELS = 16_000_000
#: The long side of a stored logo: enough for a page and the printed catalogue.
STORED_SIDE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG")

#: Stored logos are named by a random token: nothing from the upload reaches the path.
NAME_PATTERN = re.compile(r"[0-9a-f]{32}\.png")


class LogoRejected(DomainError):
    """The upload is not a PNG or JPEG we are willing to decode."""

    code = "logo_rejected"

    def __init__(self, message: str) -> None:
        super().__init__(message, details={"field": "logo"})


def process_logo(data: bytes) -> bytes:
    """Check an uploaded logo by its content and return it re-encoded as PNG.

    Only PNG and JPEG are accepted, whatever the file was called; the size of the file is
    checked before decoding and the pixel size before the pixels are loaded, so that a
    decompression bomb is refused cheaply. The result has no metadata (EXIF, ICC, text),
    is RGB or RGBA, and is at most :data:`STORED_SIDE` pixels on its long side.
    """
    if not data:
        raise LogoRejected(tr("Файл пуст: выберите изображение PNG или JPEG."))
    if len(data) > MAX_BYTES:
        raise LogoRejected(
            tr(
                "Файл больше %(megabytes)s МБ: уменьшите изображение и загрузите снова.",
                megabytes=MAX_BYTES // (1024 * 1024),
            )
        )
    from PIL import Image, ImageOps

    _check_header(data)
    # A JPEG ends with its EOI marker. Checked here rather than left to Pillow, because
    # another library in the process (WeasyPrint) tells Pillow to accept truncated images.
    if data[:3] == b"\xff\xd8\xff" and not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise LogoRejected(
            tr("Изображение повреждено или обрезано: сохраните его заново и загрузите снова.")
        )
    try:
        # verify() checks the structure (chunks, checksums) but leaves the image unusable,
        # so the pixels are read from a second, fresh open.
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            image.verify()
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            return _to_png(image)
    except LogoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:
        # Pillow reports damaged data with many exception types (OSError, SyntaxError,
        # ValueError, struct.error, …): for an upload they all mean the same thing.
        raise LogoRejected(
            tr("Изображение повреждено или обрезано: сохраните его заново и загрузите снова.")
        ) from None


def _check_header(data: bytes) -> None:
    """Identify the format and the pixel size from the header alone, before any decoding."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as image:
            width, height = image.size
            if image.format not in ACCEPTED_FORMATS:
                raise _not_an_image()
    except LogoRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception:
        raise _not_an_image() from None
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise _too_many_pixels()
    if width < 1 or height < 1:
        raise _not_an_image()


def _not_an_image() -> LogoRejected:
    return LogoRejected(
        tr(
            "Это не изображение PNG или JPEG. Логотип принимается только в этих форматах "
            "(SVG, GIF, WebP и другие сохраните как PNG)."
        )
    )


def _too_many_pixels() -> LogoRejected:
    return LogoRejected(
        tr(
            "Изображение слишком большое: не больше %(side)s × %(side)s пикселей "
            "и не больше %(megapixels)s мегапикселей.",
            side=MAX_SIDE,
            megapixels=MAX_PIXELS // 1_000_000,
        )
    )


def _to_png(image: Image.Image) -> bytes:
    from PIL import Image

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    converted = image.convert(mode)
    converted.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    # A new image from the bare pixels carries no metadata at all (EXIF, ICC, text chunks).
    clean = Image.frombytes(mode, converted.size, converted.tobytes())
    out = io.BytesIO()
    clean.save(out, format="PNG", optimize=True)
    return out.getvalue()


def is_logo_name(name: str) -> bool:
    """Whether ``name`` looks like a stored logo's name (and so is safe as a path)."""
    return NAME_PATTERN.fullmatch(name) is not None


def save_logo(directory: Path, png: bytes) -> str:
    """Write a processed logo under a new random name in ``directory``; return the name."""
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".png"
    partial = directory / (name + ".part")
    partial.write_bytes(png)
    os.replace(partial, directory / name)  # readers never see a half-written file
    return name


def delete_logo(directory: Path, name: str | None) -> None:
    """Remove a stored logo; names that are not ours are ignored."""
    if name and is_logo_name(name):
        (directory / name).unlink(missing_ok=True)
