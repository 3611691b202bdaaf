"""HTML to PDF with WeasyPrint, behind one door.

WeasyPrint is slow to import (about 0.7 s), so it is imported on first use, never at the
app's start. It subsets the embedded fonts with Debian's libharfbuzz-subset0 when that is
installed, and otherwise with fontTools — slower, the same PDF — after a DeprecationWarning
on import. A warning that depends on what the machine has installed must never fail a
product path (the suite turns warnings into errors), so that one is logged once instead;
``exhibit/syscheck.py`` names the package. The URL fetcher serves only in-memory resources:
no text an exhibitor typed can make the renderer open a network address or a local file.
"""

from __future__ import annotations

import functools
import logging
import warnings
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

#: The start of WeasyPrint's warning when libharfbuzz-subset0 is missing.
NO_SUBSETTER_WARNING = "HarfBuzz-Subset will be required"


@functools.cache
def weasyprint() -> ModuleType:
    """The ``weasyprint`` module, imported once, its optional-library warning logged."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NO_SUBSETTER_WARNING, category=DeprecationWarning)
        import weasyprint as module
    if not _subsetter_loaded():
        log.warning(
            "WeasyPrint subsets fonts with fontTools: libharfbuzz-subset0 is not installed "
            "(PDFs are slower; apt-get install libharfbuzz-subset0)"
        )
    return module


def has_harfbuzz_subset() -> bool:
    """Whether WeasyPrint found libharfbuzz-subset0 (it then subsets fonts with it)."""
    weasyprint()
    return _subsetter_loaded()


def _subsetter_loaded() -> bool:
    from weasyprint.text import ffi

    return getattr(ffi, "harfbuzz_subset", None) is not None


def fetch_only_memory(resources: dict[str, bytes]) -> Any:
    """A WeasyPrint URL fetcher that serves ``resources`` and refuses everything else."""
    weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class MemoryFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url not in resources:
                raise ValueError(f"the renderer fetches nothing from outside: {url[:80]}")
            return URLFetcherResponse(
                url, body=resources[url], headers={"Content-Type": "image/svg+xml"}
            )

    return MemoryFetcher(allowed_protocols=("memory",))


def html_to_pdf(html: str, resources: dict[str, bytes] | None = None) -> bytes:
    """A document of HTML as PDF; it may fetch only ``resources``, from memory."""
    fetcher = fetch_only_memory(resources or {})
    return weasyprint().HTML(string=html, base_url="memory:", url_fetcher=fetcher).write_pdf()
