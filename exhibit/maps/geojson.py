"""Booths as GeoJSON features for the API and the interactive maps."""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping

from exhibit.booking.services import BoothState


def booth_feature(state: BoothState, hall: str) -> dict[str, Any]:
    booth = state.booth
    exhibitor = state.exhibitor if state.status == "confirmed" else None
    return {
        "type": "Feature",
        "geometry": mapping(booth.polygon),
        "properties": {
            "number": booth.number,
            "hall": hall,
            "kind": booth.kind,
            "area_m2": float(booth.area_m2),
            "price": float(state.price),
            "status": state.status,
            "exhibitor": {"id": exhibitor.id, "name": exhibitor.name} if exhibitor else None,
        },
    }
