"""Generated halls for tests and benchmarks: blocks of back-to-back booths between aisles."""

from __future__ import annotations

import math
import random

from shapely.geometry import LineString, box

from .evacuation import DEFAULT_MAX_EXIT_DISTANCE
from .plan import Plan, PlanBooth, PlanFeature


def synthetic_hall(
    n_booths: int,
    *,
    module: float = 3.0,
    aisle: float = 3.0,
    block: int = 10,
    noise: float = 0.0,
    seed: int = 0,
) -> Plan:
    """A rectangular hall holding exactly ``n_booths`` square booths of ``module`` m.

    Booths stand in blocks of 2 × ``block`` (back to back) separated by ``aisle`` m aisles,
    with an aisle round the walls; the main entrance is in the middle of the south wall and
    two exits in the north wall. ``noise`` (metres) jitters every coordinate the way real
    drawings do (booths that should share a wall differ by ~1e-6), reproducibly by ``seed``.
    The plan passes ``validate_plan`` with ``min_aisle=aisle`` when ``noise`` is tiny: a
    hall too big for the default 60 m walk to an exit gets a ``max_exit_distance`` that
    every booth keeps (the rule still measures every booth).
    """
    if n_booths < 1:
        raise ValueError("n_booths must be at least 1")
    rng = random.Random(seed)
    per_block = 2 * block
    blocks = math.ceil(n_booths / per_block)
    block_w, block_h = block * module + aisle, 2 * module + aisle
    # Roughly square hall: columns × rows of blocks.
    cols = max(1, round(math.sqrt(blocks * block_h / block_w)))
    rows = math.ceil(blocks / cols)
    width = aisle + cols * block_w
    height = aisle + rows * block_h

    def jitter(v: float) -> float:
        return v + rng.uniform(-noise, noise) if noise else v

    booths: list[PlanBooth] = []
    k = 0
    for r in range(rows):
        for c in range(cols):
            x0 = aisle + c * block_w
            y0 = aisle + r * block_h
            for half in range(2):
                for i in range(block):
                    if len(booths) >= n_booths:
                        break
                    k += 1
                    x, y = x0 + i * module, y0 + half * module
                    poly = box(jitter(x), jitter(y), jitter(x + module), jitter(y + module))
                    booths.append(PlanBooth(f"S{k}", poly))
    mid = width / 2
    properties: dict = {"units": "m", "min_aisle": aisle}
    if width / 2 + height > DEFAULT_MAX_EXIT_DISTANCE:
        # No venue has fire-safety documents for a made-up hall: a limit that every booth
        # keeps, so that the plan is valid and the distances are still all computed.
        properties["max_exit_distance"] = math.ceil(1.5 * (width + height))
    return Plan(
        hall=box(0, 0, width, height),
        booths=booths,
        entrances=[
            PlanFeature(
                "entrance", LineString([(mid - 2, 0), (mid + 2, 0)]), "Вход", {"main": True}
            )
        ],
        exits=[
            PlanFeature("exit", LineString([(1, height), (2.5, height)]), "Выход 1"),
            PlanFeature(
                "exit", LineString([(width - 2.5, height), (width - 1, height)]), "Выход 2"
            ),
        ],
        name=f"Синтетический зал на {n_booths} стендов",
        properties=properties,
    )
