"""Every benchmark in one go (``make bench``), each recording its section of
docs/benchmarks.md: first what people wait for (whole commands, first requests), then the
inner functions behind them.

    .venv/bin/python bench/run.py [--quick] [--all]

``--quick`` runs only the whole-command figures; ``--all`` adds the long runs (the load test,
the search throughput under wrk, the hall map in Chromium). A script that fails is reported
and the others still run; the exit status says whether all succeeded.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
#: (script, arguments): what people wait for first, then the inner figures.
WHOLE = [("commands.py", ["--write"])]
INNER = [
    ("plan_check.py", ["--write", "docs/benchmarks.md"]),
    ("map_pdf.py", ["--write"]),
    ("route.py", []),
]
LONG = [
    ("search.py", ["--write"]),
    ("hall_map.py", ["--write"]),
    ("map_gestures.py", ["--write"]),
    ("load.py", ["--write"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="whole commands only")
    parser.add_argument("--all", action="store_true", help="add the long runs")
    args = parser.parse_args()
    scripts = WHOLE + ([] if args.quick else INNER) + (LONG if args.all else [])
    failed = []
    for script, extra in scripts:
        print(f"== bench/{script} {' '.join(extra)}", flush=True)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(BENCH / script), *extra],
                                cwd=BENCH.parent)  # fmt: skip
        print(f"== bench/{script}: exit {result.returncode}, "
              f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
        if result.returncode:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
