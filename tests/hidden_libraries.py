"""Run the suite as on a machine without an optional system library.

``EXHIBIT_TEST_HIDE_HARFBUZZ_SUBSET=1`` makes WeasyPrint (imported after this) find no
libharfbuzz-subset0, as on a fresh Debian machine without it: it then warns on import and
subsets fonts with fontTools. ``tests/web/test_without_optional_libraries.py`` runs the PDF
tests that way, so a product path that lets that warning through fails here, not on a
newcomer's machine.
"""

from __future__ import annotations

import os

HIDE_SUBSETTER = "EXHIBIT_TEST_HIDE_HARFBUZZ_SUBSET"


def hide_harfbuzz_subset() -> None:
    """Make every cffi ``dlopen`` of HarfBuzz subset fail, as when it is not installed."""
    import cffi

    original = cffi.FFI.dlopen

    def dlopen(self: cffi.FFI, name: object, flags: int = 0) -> object:
        if "harfbuzz-subset" in str(name):
            raise OSError(f"{name}: hidden by the test suite ({HIDE_SUBSETTER})")
        return original(self, name, flags)

    cffi.FFI.dlopen = dlopen  # type: ignore[method-assign]


def hiding_asked() -> bool:
    return os.environ.get(HIDE_SUBSETTER, "") not in ("", "0")
