"""Check the system libraries and tools exhibit needs, naming the Debian package to install.

Runs with the standard library only (before the virtualenv exists): ``python3 exhibit/syscheck.py``.
Exit status 1 when something required is missing.
"""

from __future__ import annotations

import ctypes.util
import shutil
import sys

#: (what, how to find it, Debian package, required for the app to run)
CHECKS = (
    ("Python 3.11 or newer", lambda: sys.version_info >= (3, 11), "python3 (3.11+)", True),
    (
        "the venv module",
        lambda: _has_module("venv") and _has_module("ensurepip"),
        "python3-venv",
        True,
    ),
    (
        "Pango (PDF output)",
        lambda: ctypes.util.find_library("pango-1.0") is not None,
        "libpango-1.0-0 libpangoft2-1.0-0",
        True,
    ),
    ("fonts with Cyrillic (DejaVu)", lambda: _has_dejavu(), "fonts-dejavu-core", False),
)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def _has_dejavu() -> bool:
    import glob

    return bool(
        glob.glob("/usr/share/fonts/**/DejaVuSans*.ttf", recursive=True)
    ) or not shutil.which("fc-list")


def main() -> int:
    missing_required = False
    for what, check, package, required in CHECKS:
        if check():
            continue
        level = "missing" if required else "recommended"
        print(f"exhibit: {what} {level}: apt-get install {package}", file=sys.stderr)
        missing_required |= required
    return 1 if missing_required else 0


if __name__ == "__main__":
    sys.exit(main())
