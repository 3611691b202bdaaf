"""Whole commands, as a person waits for them: ``flask --app exhibit …`` run as a process.

Each command runs ``repeats`` times; the figures are the median wall time and the median CPU
time of the process (user + system: on a shared machine it moves far less with the load than
the wall time does). The same command can
run with WeasyPrint's optional font subsetter (libharfbuzz-subset0) hidden, as on a machine
without it: the child hides it before anything imports WeasyPrint
(``tests/hidden_libraries.py``, the same hiding the suite uses).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent

#: ``flask`` as a module run by this Python, optionally with the subsetter hidden first.
_LAUNCH = """
import sys
sys.path.append({root!r})  # for tests.hidden_libraries; exhibit comes from the install
if {hide}:
    from tests.hidden_libraries import hide_harfbuzz_subset
    hide_harfbuzz_subset()
from flask.cli import main
sys.argv = ["flask", *sys.argv[1:]]
main()
"""


def flask_command(args: list[str], *, hide_subsetter: bool = False) -> list[str]:
    """The argv of ``flask --app exhibit ARGS`` in a fresh Python process."""
    code = _LAUNCH.format(root=str(ROOT), hide=hide_subsetter)
    return [sys.executable, "-c", code, "--app", "exhibit", *args]


def timed_runs(argv: list[str], env: dict[str, str] | None = None, repeats: int = 5) -> Timing:
    """Median wall and CPU time of running ``argv`` (which must succeed) ``repeats`` times."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            argv, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[-6:])} failed:\n{done.stderr[-2000:]}")
    return Timing(statistics.median(walls), statistics.median(cpus))


class Timing(NamedTuple):
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:.2f} s ({self.cpu:.2f} s CPU)"


def flask_times(
    args: list[str], env: dict[str, str], *, hide_subsetter: bool = False, repeats: int = 5
) -> Timing:
    """Median wall and CPU time of ``flask --app exhibit ARGS`` as a process."""
    return timed_runs(flask_command(args, hide_subsetter=hide_subsetter), env, repeats)


def startup(env: dict[str, str], repeats: int = 5) -> Timing:
    """``flask --app exhibit --help``: what every command pays first."""
    return flask_times(["--help"], env, repeats=repeats)


def environment(database_url: str, instance: Path) -> dict[str, str]:
    """The environment of a command on the given database."""
    return {
        **os.environ,
        "EXHIBIT_DATABASE_URL": database_url,
        "EXHIBIT_INSTANCE_PATH": str(instance),
    }


def load() -> str:
    return ", ".join(f"{v:.1f}" for v in os.getloadavg())
