"""Every printed document is tagged for accessibility: a structure tree, marked content and
the document's language (municipal and state sites must publish accessible files)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from exhibit.demo import DEMO_SLUG

HALL = "Павильон 1"
pytestmark = pytest.mark.sqlite_only  # rendering does not depend on the database engine


def structure(path) -> tuple[str | None, bool, list[str]]:
    """The document's language, whether it is marked, and the types of its structure
    elements (depth first)."""
    root = PdfReader(path).trailer["/Root"]
    kinds: list[str] = []

    def walk(node, depth=0):
        if depth > 50:
            return
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid, depth + 1)
            return
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            kinds.append(str(node["/S"]))
            if "/Alt" in node:
                kinds.append(f"alt:{node['/Alt']}")
        if "/K" in node:
            walk(node["/K"], depth + 1)

    assert "/StructTreeRoot" in root, "no structure tree"
    walk(root["/StructTreeRoot"])
    marked = bool(root.get("/MarkInfo", {}).get("/Marked"))
    return (str(root["/Lang"]) if "/Lang" in root else None), marked, kinds


@pytest.mark.parametrize(
    "args",
    [
        ["map", "pdf", "--exhibition", DEMO_SLUG, "--hall", HALL, "--paper", "A2"],
        ["map", "here", "--exhibition", DEMO_SLUG, "--hall", HALL, "--point", "P1"],
        ["map", "posters", "--exhibition", DEMO_SLUG, "--hall", HALL],
        ["catalogue", "pdf", "--exhibition", DEMO_SLUG],
        ["map", "signs", "--exhibition", DEMO_SLUG, "--hall", HALL, "--size", "1000x300"],
    ],
    ids=["map", "here", "posters", "catalogue", "signs"],
)
def test_printed_documents_are_tagged_and_in_russian(demo_app, tmp_path, args):
    out = tmp_path / "out.pdf"
    result = demo_app.test_cli_runner().invoke(args=[*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    lang, marked, kinds = structure(out)
    assert lang == "ru"
    assert marked
    assert kinds, "an empty structure tree"
    if args[:2] in (["map", "pdf"], ["map", "here"]):
        # A drawing is a figure (with its alternative text); the index's lines paragraphs.
        assert "/Figure" in kinds
        assert any(k.startswith("alt:План") and HALL in k for k in kinds), kinds[:10]
    elif args[:2] == ["map", "signs"]:
        # One figure a booth, its alternative text naming the booth (and its exhibitor).
        alts = [k for k in kinds if k.startswith("alt:Вывеска стенда ")]
        assert len(alts) == kinds.count("/Figure") > 100, kinds[:10]
        assert any(":" in k[len("alt:Вывеска стенда ") :] for k in alts)  # a named one
    else:
        assert {"/P", "/H1", "/H2", "/Div", "/Sect", "/Document", "/Part"} & set(kinds)
