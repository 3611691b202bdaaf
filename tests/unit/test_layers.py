"""The house's layers, checked by import-linter (the contracts are in setup.cfg and drawn in
docs/architecture.md): the pure core imports no Flask or SQLAlchemy, models import no
views, and the packages form layers without cycles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT), "--no-logo", "--no-cache", str(cwd / "setup.cfg")],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_contracts_are_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_breaking_a_rule_fails(tmp_path):
    """A copy of the package with three rules broken: each contract notices its own."""
    skip = shutil.ignore_patterns("__pycache__", "translations", "static")
    shutil.copytree(ROOT / "exhibit", tmp_path / "exhibit", ignore=skip)
    shutil.copy(ROOT / "setup.cfg", tmp_path / "setup.cfg")

    def add_import(module: str, line: str) -> None:
        path = tmp_path / "exhibit" / module
        path.write_text(f"{line}\n" + path.read_text(encoding="utf-8"), encoding="utf-8")

    add_import("floorplan/geometry.py", "import flask  # noqa")  # the core takes Flask
    add_import("catalogue/models.py", "import exhibit.web.site  # noqa")  # a model, a view
    add_import("floorplan/services.py", "import exhibit.booking.services  # noqa")  # a cycle
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "0 kept, 3 broken" in result.stdout, result.stdout
    assert "exhibit.floorplan.geometry -> flask" in result.stdout
    assert "exhibit.floorplan.services -> exhibit.booking.services" in result.stdout
