"""Reading and writing plan files: GeoJSON (native), DXF (import and export), SVG (export).

``load_plan(path)`` and ``read_plan(data, filename=…)`` pick the format from the file name or,
failing that, from the content. Every failure to read is a :class:`PlanFormatError` with a
one-line human message — never a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ..errors import PlanFormatError
from ..plan import Plan

__all__ = ["MAX_PLAN_BYTES", "PlanFormatError", "detect_format", "load_plan", "read_plan"]

#: Largest plan file accepted (bytes): 20 MB.
MAX_PLAN_BYTES = 20 * 1024 * 1024


def _too_big(size: int) -> PlanFormatError:
    return PlanFormatError(
        f"Файл плана слишком большой: {size / 1024 / 1024:.1f} МБ (предел "
        f"{MAX_PLAN_BYTES // 1024 // 1024} МБ).".replace(".", ",", 1)
    )


def detect_format(data: bytes, filename: str | None = None) -> str:
    """``"geojson"`` or ``"dxf"``, by the file's extension, else by its first bytes."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".dxf":
        return "dxf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"{", b"[")):
        return "geojson"
    if head.startswith(b"AutoCAD Binary DXF") or b"SECTION" in head[:200]:
        return "dxf"
    name = f"«{filename}» " if filename else ""
    raise PlanFormatError(
        f"Файл {name}не похож ни на GeoJSON, ни на DXF: ожидается план зала (.geojson или .dxf)."
    )


def read_plan(
    data: bytes,
    *,
    filename: str | None = None,
    layer_map: Mapping[str, str] | None = None,
) -> Plan:
    """Parse the bytes of a plan file (GeoJSON or DXF); for uploads as well as files.

    ``layer_map`` (DXF only) maps layer names to feature kinds, see ``formats.dxf``.
    DXF is parsed in a sandboxed subprocess with time and memory limits.
    """
    if len(data) > MAX_PLAN_BYTES:
        raise _too_big(len(data))
    fmt = detect_format(data, filename)
    if fmt == "geojson":
        from .geojson import parse_geojson

        return parse_geojson(data)
    from .dxf import read_dxf_bytes

    return read_dxf_bytes(data, layer_map=layer_map)


def load_plan(path: str | os.PathLike[str], layer_map: Mapping[str, str] | None = None) -> Plan:
    """Read a plan file from disk: GeoJSON or DXF by extension (or content)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_PLAN_BYTES:
            raise _too_big(size)
        data = path.read_bytes()
    except PlanFormatError:
        raise
    except OSError as exc:
        raise PlanFormatError(
            f"Не удаётся прочитать файл плана «{path}»: {exc.strerror}."
        ) from None
    return read_plan(data, filename=path.name, layer_map=layer_map)
