"""Schemathesis (a tool nobody here wrote) against the live API, with every check on.

A real server in a thread serves the demo exhibition; Schemathesis reads the generated
``/api/v1/openapi.json`` and sends what the document allows (and what it forbids): no server
errors, every status and content type documented, every body matching its schema, invalid
data refused with a 4xx, valid data accepted, authentication enforced. Once with an
exhibitor's token over the whole API, once with an organiser's over what needs a token.

Bounded and deterministic: ``--generation-deterministic`` and a few examples per operation.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from exhibit.accounts.services import issue_token
from exhibit.catalogue.models import Exhibitor
from exhibit.db import db
from exhibit.demo import DEMO_SLUG
from exhibit.floorplan.models import Hall
from tests.factories import make_user

# Only the organiser's token changes what these operations do; the exhibitor's run covers all.
ORGANISER_PATHS = r"/reservations|/(hold|block|unblock)$"

CONFIG = """
[parameters]
# The demo's names, so that requests reach the catalogue, the booths and the printed maps
# instead of stopping at 404 (booth numbers and ids are still drawn by Schemathesis).
"path.slug" = "{slug}"
"path.hall_name" = "{hall}"

[[operations]]
# Well formed but impossible (a 100 m hall at 1:100 on A4): a rule the schema cannot express.
include-path-regex = "map\\\\.pdf$"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "401", "403", "404", "409", "422", "429",
]
"""


@pytest.fixture
def live_api(demo_app) -> Iterator[dict]:
    exhibitor = db.session.scalar(
        select(Exhibitor).where(Exhibitor.approved.is_(True)).order_by(Exhibitor.id)
    )
    tokens = {
        "exhibitor": issue_token(db.session, make_user("st-a@example.ru", exhibitor=exhibitor)),
        "organiser": issue_token(db.session, make_user("st-o@example.ru", "organiser")),
    }
    hall = db.session.scalar(select(Hall.name).order_by(Hall.id))
    db.session.commit()
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{server.server_port}", "tokens": tokens, "hall": hall}
    finally:
        server.shutdown()
        thread.join(5)


def run_schemathesis(live_api: dict, role: str, workdir: Path, *options: str) -> str:
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG.format(slug=DEMO_SLUG, hall=live_api["hall"]), encoding="utf-8")
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config),
        "run", f"{live_api['url']}/api/v1/openapi.json",
        "--checks", "all",
        "--header", f"Authorization: Bearer {live_api['tokens'][role]}",
        "--max-examples", "5",
        "--generation-deterministic",
        "--workers", "1",
        "--request-timeout", "60",
        "--no-color",
        *options,
    ]  # fmt: skip
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, timeout=600, check=False
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


# On PostgreSQL it finds nothing either, in as long again (35 s): the API's own tests
# (tests/web/test_api*.py) run on both databases.
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("role", "options"),
    [("exhibitor", ()), ("organiser", ("--include-path-regex", ORGANISER_PATHS))],
)
def test_schemathesis_finds_nothing(live_api, tmp_path, role, options):
    output = run_schemathesis(live_api, role, tmp_path, *options)
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", output).groups())
    assert generated == passed and generated > (1000 if role == "exhibitor" else 200), output
    selected, total = map(int, re.search(r"Selected: (\d+)/(\d+)", output).groups())
    assert selected == total if role == "exhibitor" else selected >= 8, output
