"""A notice's text in its recipient's language, the same text as HTML, and links to the
site as the public address (``PUBLIC_URL``) names it — from a request or from the worker.

A notice's template (``templates/mail/<name>.txt``) says the subject on its first line,
then, after an empty line, the text. The HTML part is that text in ``mail/layout.html``:
paragraphs escaped, addresses made links.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def link(endpoint: str, **values: Any) -> str:
    """The full address of a page of the site, as its public address names it."""
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def _html_paragraph(paragraph: str) -> Markup:
    lines = []
    for line in paragraph.split("\n"):
        parts, last = [], 0
        for match in _URL.finditer(line):
            parts.append(escape(line[last : match.start()]))
            url = match.group(0)
            parts.append(Markup('<a href="{0}">{0}</a>').format(url))
            last = match.end()
        parts.append(escape(line[last:]))
        lines.append(Markup("").join(parts))
    return Markup("<br>\n").join(lines)


def render(name: str, language: str, **context: Any) -> Rendered:
    """Render ``templates/mail/<name>.txt`` in ``language``: subject, text and HTML."""
    with force_locale(language):
        whole = render_template(f"mail/{name}.txt", language=language, **context)
        subject, _, text = whole.strip().partition("\n")
        text = re.sub(r"\n{3,}", "\n\n", text.strip()) + "\n"
        paragraphs = [_html_paragraph(p) for p in text.split("\n\n") if p.strip()]
        html = render_template(
            "mail/layout.html",
            language=language,
            subject=subject.strip(),
            paragraphs=paragraphs,
        )
    return Rendered(" ".join(subject.split()), text, html)
