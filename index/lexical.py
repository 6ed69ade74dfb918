"""BM25 over the units' context text, with the Dutch analyzer.

>>> idx = LexicalIndex(["Werk samen met andere landen", "Zorg voor kennisbeleid"])
>>> idx.scores("samenwerken met landen").argmax()
0
"""

from __future__ import annotations

import bm25s
import numpy as np

from index.text import analyze


class LexicalIndex:
    """A BM25 index (bm25s) over a fixed list of texts; scores come back in the same order."""

    def __init__(self, texts: list[str]) -> None:
        self._size = len(texts)
        corpus = [analyze(t) or ["_"] for t in texts]
        self._vocabulary = {term for doc in corpus for term in doc}
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def scores(self, query: str) -> np.ndarray:
        terms = [t for t in analyze(query) if t in self._vocabulary]
        if not terms or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def known_terms(self, text: str) -> tuple[list[str], list[str]]:
        """Split the analyzed terms of ``text`` into those the corpus contains and those it does not."""
        terms = analyze(text)
        return [t for t in terms if t in self._vocabulary], [t for t in terms if t not in self._vocabulary]
