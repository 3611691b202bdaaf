"""Which track's zone each booth stands in (pure: Shapely only)."""

from __future__ import annotations

from shapely import STRtree

from exhibit.floorplan.plan import Plan


def zone_tracks(plan: Plan) -> dict[str | None, str | None]:
    """Booth number → track code of the zone holding most of the booth (None outside zones)."""
    zones = [z for z in plan.zones if z.track]
    result: dict[str | None, str | None] = {b.number: None for b in plan.booths}
    if not zones:
        return result
    tree = STRtree([z.geometry for z in zones])
    for booth in plan.booths:
        best, best_area = None, 0.0
        for index in tree.query(booth.polygon, predicate="intersects"):
            area = zones[int(index)].geometry.intersection(booth.polygon).area
            if area > best_area:
                best, best_area = zones[int(index)].track, area
        result[booth.number] = best
    return result
