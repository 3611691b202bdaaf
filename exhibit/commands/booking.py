"""Booths: ``assign`` (automatic assignment) and ``sweep-holds``."""

from __future__ import annotations

import math
import sys
from typing import Any

import click

from exhibit.commands.common import database_command
from exhibit.db import db


@click.command("assign")
@click.option("--exhibition", "slug", required=True, help="Slug of the exhibition.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--apply", "do_apply", is_flag=True, help="Hold the assigned booths.")
@click.option(
    "--time-limit",
    type=float,
    default=5.0,
    show_default=True,
    help="Seconds the solver may search (it stops sooner when it finds nothing better).",
)
@database_command
def assign_command(slug: str, as_json: bool, do_apply: bool, time_limit: float) -> None:
    """Preview (or apply) the automatic assignment of "any booth" applications."""
    import json

    from exhibit.booking import assignment
    from exhibit.floorplan.services import get_exhibition

    if not time_limit > 0:
        raise click.BadParameter("ожидается число секунд больше нуля", param_hint="--time-limit")
    merges: list[assignment.Merge] = []
    exhibition = get_exhibition(db.session, slug)
    with SearchBar(enabled=not as_json) as bar:
        if do_apply:
            applied = assignment.apply(
                db.session, exhibition, time_limit=time_limit, progress=bar.progress
            )
            result, merges = applied.result, applied.merges
        else:
            result = assignment.preview(
                db.session, exhibition, time_limit=time_limit, progress=bar.progress
            )
    if as_json:
        body = result.to_dict()
        if merges:
            body["merged"] = [{"booths": m.booths, "number": m.number} for m in merges]
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    for a in result.assignments:
        costs = ", ".join(f"{k} {v:.2f}" for k, v in a.cost.items() if v)
        click.echo(f"{a.exhibitor}: {', '.join(a.booths)} — {'; '.join(a.reasons)}"
                   + (f" [{costs}]" if costs else ""))  # fmt: skip
    for u in result.unplaced:
        click.echo(f"не размещён: {u.exhibitor} — {u.reason}")
    for m in merges:
        click.echo(f"объединены: {' + '.join(m.booths)} → {m.number} ({m.exhibitor})")
    q = result.quality
    click.echo(
        f"Размещено {q.placed_share:.0%}, в зоне своего направления {q.in_zone_share:.0%}"
        + (
            f" (вместимость зон позволяет не больше {q.in_zone_possible:.0%})"
            if q.in_zone_possible is not None and q.in_zone_possible < 0.995
            else ""
        )
        + ", "
        f"средняя разница площади {q.mean_area_diff:.1%}, соседств конкурентов "
        f"{q.competitor_adjacencies}, разрыв с оптимумом не больше {q.optimality_gap:.1%}."
        + (" Стенды удержаны за экспонентами." if do_apply else " Ничего не изменено.")
    )


class SearchBar:
    """On a terminal, a bar on stderr that fills with the time limit and shows the best
    cost so far and the certified gap (a worst case) falling; elsewhere, nothing."""

    STEPS = 100

    def __init__(self, enabled: bool = True) -> None:
        self.shown = enabled and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
        self._bar = click.progressbar(
            length=self.STEPS,
            label="Поиск",
            file=sys.stderr,
            item_show_func=lambda s: s,
            show_eta=False,
        )
        self._at = 0

    def __enter__(self) -> SearchBar:
        if self.shown:
            self._bar.__enter__()
        return self

    def progress(self, objective: float, bound: float, done: float) -> None:
        if not self.shown:
            return
        gap = (objective - bound) / max(abs(bound), 1.0) if bound > -math.inf else None
        text = f"стоимость {objective:.1f}" + (
            f", разрыв не больше {gap:.1%}" if gap is not None else ""
        )
        step = min(self.STEPS, round(done * self.STEPS))
        self._bar.update(max(step - self._at, 0), text)
        self._at = max(step, self._at)

    def __exit__(self, *exc: Any) -> None:
        if self.shown:
            self._bar.update(self.STEPS - self._at, "готово")
            self._bar.__exit__(*exc)


@click.command("sweep-holds")
@database_command
def sweep_holds_command() -> None:
    """Expire requests and holds past their time, offering the booths to the waitlists."""
    from exhibit.booking.services import expire_lapsed

    click.echo(f"Истекло удержаний: {expire_lapsed(db.session)}.")
