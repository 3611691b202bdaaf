"""Where the folders beside the package live: ``templates/``, ``floorplans/``, ``migrations/``.

In a checkout (and an editable install) they stand beside ``exhibit/``; a built wheel
installs them as data files under ``<prefix>/share/exhibit/``.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent


def resource_dir(name: str) -> Path:
    """The folder ``name`` (``templates``, ``floorplans`` or ``migrations``)."""
    candidates = [
        SOURCE_ROOT / name,
        Path(sysconfig.get_path("data")) / "share" / "exhibit" / name,
        Path(sys.prefix) / "share" / "exhibit" / name,
    ]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"folder {name!r} not found in {', '.join(map(str, candidates))}")
