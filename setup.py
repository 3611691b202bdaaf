"""Installs the folders that stand beside the package as data files (share/exhibit/…).

Everything else is declared in setup.cfg.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).parent


def tree(folder: str) -> list[tuple[str, list[str]]]:
    entries: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            relative = path.relative_to(ROOT)
            entries.setdefault(str(Path("share/exhibit") / relative.parent), []).append(
                str(relative)
            )
    return sorted(entries.items())


setup(data_files=tree("templates") + tree("floorplans") + tree("migrations"))
