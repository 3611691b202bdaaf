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

#: Every PDF is tagged for accessibility (PDF/UA-1: a structure tree, the document's language
#: from ``<html lang>``, its title): municipal and state sites must publish accessible files.
PDF_VARIANT = "pdf/ua-1"

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
    return html_document(html, resources=resources).write_pdf(pdf_variant=PDF_VARIANT)


def html_document(
    html: str, resources: dict[str, bytes] | None = None, *, fonts: Any = None
) -> Any:
    """HTML laid out in pages (a WeasyPrint ``Document``: its ``pages`` and each page's
    ``anchors``), fetching only ``resources``; ``fonts`` (:func:`font_configuration`) is
    shared by documents that are joined later."""
    fetcher = fetch_only_memory(resources or {})
    html_class = weasyprint().HTML
    return html_class(string=html, base_url="memory:", url_fetcher=fetcher).render(
        font_config=fonts
    )


def font_configuration() -> Any:
    """Fonts for several documents laid out to be joined into one PDF."""
    weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def documents_to_pdf(documents: list[Any], finisher: Any = None) -> bytes:
    """One PDF of the pages of ``documents`` in order; links from one to another's anchors
    work, and the metadata is the first's. ``finisher(document, pdf)`` may add to the PDF
    (a ``pydyf.PDF``) before it is written."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf(finisher=finisher, pdf_variant=PDF_VARIANT)
