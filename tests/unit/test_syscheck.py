"""exhibit/syscheck.py: which Debian packages are missing, and whether that stops the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from exhibit import syscheck
from exhibit.syscheck import FASTER, REQUIRED, TESTS, Need, report

ROOT = Path(__file__).resolve().parents[2]


def need(level: str, present: bool, package: str) -> Need:
    return Need(f"the {package} thing", (package,), level, lambda: present)


def test_a_missing_required_package_is_fatal_and_named_with_its_apt_line():
    lines, fatal = report((need(REQUIRED, False, "libpango-1.0-0"), need(FASTER, True, "x")))
    assert fatal
    assert "  apt-get install libpango-1.0-0" in lines
    assert any("cannot run without" in line for line in lines)


def test_what_only_makes_things_faster_is_named_but_not_fatal():
    lines, fatal = report((need(REQUIRED, True, "a"), need(FASTER, False, "libharfbuzz-subset0")))
    assert not fatal
    assert "  apt-get install libharfbuzz-subset0" in lines
    assert any("faster" in line for line in lines)


def test_test_tools_are_named_only_for_the_test_suite():
    needs = (need(TESTS, False, "chromium"), need(TESTS, False, "poppler-utils"))
    assert report(needs) == ([], False)
    lines, fatal = report(needs, tests=True)
    assert not fatal and "  apt-get install chromium poppler-utils" in lines


def test_every_runtime_library_the_pdfs_use_is_checked():
    packages = {p for n in syscheck.NEEDS for p in n.packages}
    assert {"libpango-1.0-0", "libcairo2", "fonts-dejavu-core", "libharfbuzz-subset0"} <= packages
    levels = {p: n.level for n in syscheck.NEEDS for p in n.packages}
    assert levels["libharfbuzz-subset0"] == FASTER and levels["libcairo2"] == REQUIRED


def test_it_runs_with_the_standard_library_alone_and_lists_packages_for_ci():
    # -S -I: no site-packages, as before the virtualenv exists.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "exhibit/syscheck.py", "--packages"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    packages = result.stdout.split()
    assert "libharfbuzz-subset0" in packages and "postgresql" in packages
    assert "python3" not in packages  # the interpreter is there already


def test_the_two_server_tests_name_redis_and_nginx():
    levels = {p: n.level for n in syscheck.NEEDS for p in n.packages}
    assert levels["redis-server"] == TESTS and levels["nginx"] == TESTS
