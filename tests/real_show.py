"""The real show's booths (../shared/data/real-show-booths.json) as plan booths in metres."""

from __future__ import annotations

import json
from pathlib import Path

from shapely.geometry import box

from exhibit.floorplan.plan import PlanBooth

# The project's shared/ folder stands beside the checkout (not in it: data is not copied in).
REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-show-booths.json"
#: Metres per unit of the show's feed (10 ft = 2.27353477 units).
UNIT = 10 * 0.3048 / 2.27353477


def real_show_rows() -> list[dict]:
    return json.loads(REAL.read_text())


def real_show_booths() -> list[PlanBooth]:
    """One booth per row: the rectangle x … x+w, y−h … y, in metres."""
    booths = []
    for r in real_show_rows():
        x, y, w, h = (r[k] * UNIT for k in ("x", "y", "w", "h"))
        booths.append(PlanBooth(r["number"], box(x, y - h, x + w, y)))
    return booths
