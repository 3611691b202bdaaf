"""Booths: ``assign`` (automatic assignment) and ``sweep-holds``."""

from __future__ import annotations

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
    if do_apply:
        applied = assignment.apply(db.session, exhibition, time_limit=time_limit)
        result, merges = applied.result, applied.merges
    else:
        result = assignment.preview(db.session, exhibition, time_limit=time_limit)
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
        f"Размещено {q.placed_share:.0%}, в зоне своего направления {q.in_zone_share:.0%}, "
        f"средняя разница площади {q.mean_area_diff:.1%}, соседств конкурентов "
        f"{q.competitor_adjacencies}, разрыв с оптимумом не больше {q.optimality_gap:.1%}."
        + (" Стенды удержаны за экспонентами." if do_apply else " Ничего не изменено.")
    )


@click.command("sweep-holds")
@database_command
def sweep_holds_command() -> None:
    """Expire requests and holds past their time, offering the booths to the waitlists."""
    from exhibit.booking.services import expire_lapsed

    click.echo(f"Истекло удержаний: {expire_lapsed(db.session)}.")
