"""Neighbours by word meaning, from word embeddings shipped inside a package — offline.

Word embeddings place words used alike near each other: «туризм» near «туристический»,
«свалка» near «полигон». When the index is rebuilt (``flask search-reindex``), every word of
the catalogue that the embeddings know is compared with every other one; each stem keeps its
few nearest stems above a similarity threshold, and the pairs are stored
(:class:`~exhibit.search.models.SearchNeighbour`). A query then reaches those neighbours at
a weight below every other kind of match (:data:`exhibit.search.rank.EMBEDDING_WEIGHT` ×
similarity). Nothing is computed per query and nothing is downloaded: the vectors are
navec's (``navec_news_v1_1B_250K_300d_100q``, 250,000 Russian words), the file that the
``natasha`` package ships. Without it installed, neighbours are simply not computed.

:func:`nearest` is pure (NumPy); :func:`load_vectors` finds the file.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from exhibit.search.text import match_prefix, stem

NAVEC_FILE = ("data", "emb", "navec_news_v1_1B_250K_300d_100q.tar")
#: Pairs less similar than this are dropped (cosine of the mean vectors of two stems' words).
THRESHOLD = 0.5
#: Neighbours kept per stem.
PER_TERM = 4


def navec_path() -> Path | None:
    """natasha's navec file, found without importing natasha (whose import is slow)."""
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*NAVEC_FILE)
    return path if path.exists() else None


def load_vectors() -> Callable[[str], np.ndarray | None] | None:
    """A word → vector look-up from navec, or None when natasha or navec is not installed."""
    path = navec_path()
    if path is None or importlib.util.find_spec("navec") is None:
        return None
    from navec import Navec

    navec = Navec.load(str(path))

    def vector(word: str) -> np.ndarray | None:
        return navec.get(word)

    return vector


def nearest(
    words: Iterable[str],
    vector: Callable[[str], np.ndarray | None],
    threshold: float = THRESHOLD,
    per_term: int = PER_TERM,
) -> list[tuple[str, str, float]]:
    """(stem, neighbour stem, similarity) for the catalogue's ``words``.

    Words are grouped by stem (their vectors averaged); stems that the query would already
    match by prefix (one's match prefix starts the other) are not neighbours.
    """
    grouped: dict[str, list[np.ndarray]] = {}
    for word in set(words):
        if not word.isalpha():
            continue
        found = vector(word)
        if found is not None:
            grouped.setdefault(stem(word), []).append(np.asarray(found, dtype=np.float32))
    stems = sorted(grouped)
    if len(stems) < 2:
        return []
    matrix = np.vstack([np.mean(grouped[s], axis=0) for s in stems])
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    matrix = matrix / np.where(norms == 0, 1, norms)
    pairs: list[tuple[str, str, float]] = []
    for start in range(0, len(stems), 1024):
        block = matrix[start : start + 1024] @ matrix.T
        for offset, row in enumerate(block):
            i = start + offset
            row[i] = -1
            best = np.argsort(row)[::-1][: per_term * 3]
            kept = 0
            prefix = match_prefix(stems[i])
            for j in best:
                similarity = float(row[j])
                if similarity < threshold or kept == per_term:
                    break
                other = stems[j]
                if other.startswith(prefix) or stems[i].startswith(match_prefix(other)):
                    continue
                pairs.append((stems[i], other, round(similarity, 3)))
                kept += 1
    return pairs
