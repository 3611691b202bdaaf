"""The PDFs on a machine without libharfbuzz-subset0 (slower, never failing).

The PDF tests run again in a child pytest with the library hidden from WeasyPrint
(``tests/hidden_libraries.py``): WeasyPrint warns on import there, and with
``filterwarnings = error`` any product path that lets the warning through fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.hidden_libraries import HIDE_SUBSETTER

ROOT = Path(__file__).resolve().parents[2]
PDF_TESTS = (
    "tests/web/test_map_pdf.py::test_visitor_edition_a1_landscape",
    "tests/web/test_map_pdf.py::test_confirmation_pdf_for_the_exhibitor_only",
    "tests/web/test_catalogue_pdf.py::test_catalogue_contents_entries_and_indexes",
    # Every route that answers with a PDF, as each kind of user calls it.
    "tests/web/test_access_matrix.py::test_access[api.map_pdf]",
    "tests/web/test_access_matrix.py::test_access[booking.confirmation]",
    "tests/web/test_access_matrix.py::test_access[plans.catalogue]",
)


def test_pdfs_render_without_harfbuzz_subset(tmp_path):
    environment = {**os.environ, HIDE_SUBSETTER: "1", "EXHIBIT_REQUIRE_POSTGRES": ""}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "not postgresql",
    ]
    command += ["--basetemp", str(tmp_path / "child"), *PDF_TESTS]
    child = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    output = child.stdout + child.stderr
    assert child.returncode == 0, output[-4000:]
    assert "WeasyPrint font subsetter: fontTools (no libharfbuzz-subset0)" in output, output
    assert " passed" in output and " failed" not in output
