"""Start-up: every command builds the app, so it must not import what only some paths use;
a web server imports all of it before its first request (exhibit/preload.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from exhibit.preload import HEAVY_MODULES

ROOT = Path(__file__).resolve().parents[2]
#: Libraries that cost tenths of a second to import, and the paths that need them.
LAZY = ("scipy", "networkx", "weasyprint", "cairosvg", "ezdxf", "pypdf", "segno", "PIL",
        "alembic", "flask_migrate", "email_validator", "fontTools", "jsonschema",
        "jsonschema_rs")  # fmt: skip

PROBE = """
import json, sys
from exhibit import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def imported_at_start(tmp_path: Path, code: str = PROBE) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "EXHIBIT_INSTANCE_PATH": str(tmp_path)},
    )  # fmt: skip
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_app_starts_without_the_heavy_libraries(tmp_path):
    assert imported_at_start(tmp_path) & set(LAZY) == set()


def test_a_server_preloads_them(tmp_path):
    code = PROBE.replace("print(", "from exhibit.preload import preload\npreload(app)\nprint(", 1)
    loaded = imported_at_start(tmp_path, code)
    assert {"scipy", "networkx", "weasyprint", "cairosvg", "pypdf", "segno", "PIL"} <= loaded
    assert {name.split(".")[0] for name in HEAVY_MODULES} - {"exhibit"} <= loaded
