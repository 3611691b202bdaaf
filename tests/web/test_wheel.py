"""A built wheel carries what stands beside the package (templates, plans, migrations).

Builds the wheel, installs it (not editable) into a new virtualenv that borrows the
dependencies of the running one, then creates the schema, loads the demo and serves a page
from a folder outside the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path = ROOT) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, cwd=cwd, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_non_editable_install_serves_pages(tmp_path):
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
        "-w", dist, ROOT)  # fmt: skip
    (wheel,) = dist.glob("exhibit-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    python = venv / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    # Borrow the dependencies (a plain path: the editable install's hooks are not loaded).
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel)

    script = textwrap.dedent(
        f"""
        import exhibit, os
        from exhibit import create_app
        assert exhibit.__file__.startswith({str(venv)!r}), exhibit.__file__
        os.environ["EXHIBIT_INSTANCE_PATH"] = {str(tmp_path / "instance")!r}
        app = create_app({{"SQLALCHEMY_DATABASE_URI": "sqlite:///{tmp_path}/w.sqlite3",
                           "SESSION_COOKIE_SECURE": False}})
        runner = app.test_cli_runner()
        for command in ("init-db", "demo"):
            result = runner.invoke(args=[command])
            assert result.exit_code == 0, (result.output, repr(result.exception))
        client = app.test_client()
        page = client.get("/goroda-rossii-2025/", headers={{"Accept-Language": "ru"}})
        assert page.status_code == 200, page.status_code
        assert "Города России — 2025" in page.get_data(as_text=True)
        css = client.get("/static/css/site.css")
        assert css.status_code == 200
        print("served")
        """
    )
    assert run(python, "-c", script, cwd=tmp_path).strip().endswith("served")
