"""The command line of §10: init-db and demo, and their behaviour on bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from exhibit.catalogue.models import Region
from exhibit.db import db

ROOT = Path(__file__).resolve().parents[2]


def test_init_db_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "добавлено направлений: 0, регионов: 0" in result.output
    assert db.session.scalar(select(func.count()).select_from(Region)) == 89


def test_demo_twice_says_it_is_loaded(demo_app):
    result = demo_app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "уже загружена" in result.output


def test_demo_before_init_db_is_refused(tmp_path):
    result = run_flask(["demo"], tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result.returncode != 0


def run_flask(args: list[str], tmp_path: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EXHIBIT_DATABASE_URL": url, "EXHIBIT_INSTANCE_PATH": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "exhibit", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_wrong_database_url_fails_with_one_clear_line(tmp_path):
    result = run_flask(["init-db"], tmp_path, "nosuchdb://x/y")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "EXHIBIT_DATABASE_URL" in lines[0]


def test_unreachable_database_fails_with_one_clear_line(tmp_path):
    url = f"postgresql://nobody@/exhibit?host={tmp_path}/nosocket"
    result = run_flask(["init-db"], tmp_path, url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "cannot be used" in lines[0]


def test_secret_key_is_generated_and_kept_in_the_instance_folder(tmp_path):
    from exhibit import create_app

    os.environ["EXHIBIT_INSTANCE_PATH"] = str(tmp_path)
    try:
        url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
        first = create_app({"SQLALCHEMY_DATABASE_URI": url})
        second = create_app({"SQLALCHEMY_DATABASE_URI": url})
    finally:
        del os.environ["EXHIBIT_INSTANCE_PATH"]
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 32
