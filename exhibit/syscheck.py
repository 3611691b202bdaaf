"""Which Debian packages exhibit needs, and which of them this machine lacks.

Runs with the standard library only, before the virtualenv exists (the Makefile runs it
first): ``python3 exhibit/syscheck.py [--test] [--packages]``.

- Without options it checks what the application needs at run time and prints, for what
  is missing, the ``apt-get install`` line. It exits 1 when something *required* is
  missing; what only makes things faster or is only for the test suite is reported, not
  fatal.
- ``--test`` adds what the test suite uses when it is there (PostgreSQL, Chromium, poppler,
  npm, Redis, nginx); without them those tests skip with the same message.
- ``--packages`` prints the Debian packages of every check (missing or not), one line,
  for ``.ci/run`` to install.
"""

from __future__ import annotations

import ctypes.util
import glob
import importlib.util
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

REQUIRED = "required"
FASTER = "faster"
TESTS = "tests"


@dataclass(frozen=True)
class Need:
    """Something exhibit needs from the system: what for, how to see it, its packages."""

    what: str
    packages: tuple[str, ...]
    level: str  # REQUIRED, FASTER or TESTS
    present: Callable[[], bool]


def _libraries(*names: str) -> Callable[[], bool]:
    return lambda: all(ctypes.util.find_library(name) for name in names)


def _command(*paths: str) -> Callable[[], bool]:
    return lambda: any(shutil.which(path) for path in paths)


def _module(*names: str) -> Callable[[], bool]:
    return lambda: all(importlib.util.find_spec(name) is not None for name in names)


def _dejavu() -> bool:
    return bool(glob.glob("/usr/share/fonts/**/DejaVuSans.ttf", recursive=True))


def _postgresql() -> bool:
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb"))


NEEDS = (
    Need("Python 3.11 or newer", ("python3",), REQUIRED, lambda: sys.version_info >= (3, 11)),
    Need("the venv module", ("python3-venv",), REQUIRED, _module("venv", "ensurepip")),
    Need(
        "Pango and fontconfig (the catalogue and confirmations: WeasyPrint; fonts for the map)",
        ("libpango-1.0-0", "libpangoft2-1.0-0", "libfontconfig1"),
        REQUIRED,
        _libraries("pango-1.0", "pangoft2-1.0", "fontconfig"),
    ),
    Need(
        "Cairo (the printed map: CairoSVG and cairo)", ("libcairo2",), REQUIRED, _libraries("cairo")
    ),
    Need(
        "DejaVu fonts (Cyrillic in every PDF; label widths are measured on them)",
        ("fonts-dejavu-core",),
        REQUIRED,
        _dejavu,
    ),
    Need(
        "HarfBuzz subset (WeasyPrint subsets fonts with it; without it, with fontTools, "
        "slower — see docs/benchmarks.md)",
        ("libharfbuzz-subset0",),
        FASTER,
        _libraries("harfbuzz-subset"),
    ),
    Need(
        "PostgreSQL 15 server (the database tests' second backend)",
        ("postgresql",),
        TESTS,
        _postgresql,
    ),
    Need("Chromium (the browser tests)", ("chromium",), TESTS, _command("/usr/bin/chromium")),
    Need(
        "poppler (PDF checks: pdftotext, pdffonts)",
        ("poppler-utils",),
        TESTS,
        _command("pdftotext"),
    ),
    Need("npm (axe-core for the accessibility tests)", ("npm",), TESTS, _command("npm")),
    Need(
        "Redis (the two-server tests: shared rate limits)",
        ("redis-server",),
        TESTS,
        _command("redis-server"),
    ),
    Need(
        "nginx (the two-server tests: the proxy in front)",
        ("nginx",),
        TESTS,
        _command("nginx", "/usr/sbin/nginx"),
    ),
    Need(
        "LibreOffice Calc (the spreadsheet exports open in it)",
        ("libreoffice-calc-nogui",),
        TESTS,
        _command("soffice"),
    ),
)


def report(needs: tuple[Need, ...] = NEEDS, *, tests: bool = False) -> tuple[list[str], bool]:
    """Lines describing what is missing, and whether something required is."""
    lines: list[str] = []
    missing: dict[str, list[Need]] = {REQUIRED: [], FASTER: [], TESTS: []}
    for need in needs:
        if (need.level != TESTS or tests) and not need.present():
            missing[need.level].append(need)
    headings = {
        REQUIRED: "exhibit needs these Debian packages and cannot run without them:",
        FASTER: "exhibit runs without these, but is faster with them:",
        TESTS: "the test suite skips the tests that need these:",
    }
    for level, needs_missing in missing.items():
        if not needs_missing:
            continue
        lines.append(headings[level])
        lines.extend(f"  - {need.what}" for need in needs_missing)
        packages = " ".join(p for need in needs_missing for p in need.packages)
        lines.append(f"  apt-get install {packages}")
    return lines, bool(missing[REQUIRED])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--packages" in args:
        print(" ".join(p for need in NEEDS if need.packages != ("python3",) for p in need.packages))
        return 0
    lines, fatal = report(tests="--test" in args)
    for line in lines:
        print(f"syscheck: {line}", file=sys.stderr)
    return 1 if fatal else 0


if __name__ == "__main__":
    sys.exit(main())
