"""BM25 over the units' context text, with the Dutch analyzer.

>>> idx = LexicalIndex(["Werk samen met andere landen", "Zorg voor kennisbeleid"])
>>> int(idx.scores("samenwerken met landen").argmax())
0
"""

from __future__ import annotations

import difflib
import logging
import os
from collections import Counter

import bm25s
import numpy as np

from index.text import analyze, analyze_words, words

MATCH_CACHE_SIZE = 50_000

# bm25s sets its logger to DEBUG when imported, which would print a line for every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """A BM25 index (bm25s) over a fixed list of texts; scores come back in the same order."""

    def __init__(self, texts: list[str]) -> None:
        self._size = len(texts)
        tokens = [words(t) for t in texts]
        self._surface_frequency = Counter(w for doc in tokens for w in set(doc))
        self._by_prefix: dict[str, list[str]] = {}
        for word in self._surface_frequency:
            self._by_prefix.setdefault(word[:3], []).append(word)
        corpus = [(analyze_words(doc) + self._compound_parts(doc)) or ["_"] for doc in tokens]
        self._vocabulary = {term for doc in corpus for term in doc}
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._matches: dict[str, str | None] = {}

    def _compound_parts(self, tokens: list[str]) -> list[str]:
        """Stems of the known words inside compounds: "bedrijvenbeleid" also counts as "bedrijven" + "beleid"."""
        parts: list[str] = []
        for word in tokens:
            if len(word) < 9:
                continue
            for i in range(4, len(word) - 3):
                head, tail = word[:i], word[i:]
                if tail in self._surface_frequency and (
                    head in self._surface_frequency or head.rstrip("s") in self._surface_frequency
                ):
                    parts.extend(analyze(f"{head.rstrip('s')} {tail}"))
                    break
        return parts

    def expand(self, query: str) -> list[str]:
        """The query's terms, with words the corpus lacks replaced by the corpus word they stand for."""
        terms = analyze(query)
        for word in words(query):
            if len(word) >= 5 and word not in self._surface_frequency and not (set(analyze(word)) & self._vocabulary):
                known = self.match(word)
                if known:
                    terms.extend(analyze(known))
        return terms

    def scores(self, query: str) -> np.ndarray:
        terms = [t for t in self.expand(query) if t in self._vocabulary]
        if not terms or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def match(self, word: str) -> str | None:
        """The corpus word that ``word`` stands for: itself, its stem, a one-typo variant, or a compound part.

        ``"markt"`` → ``"marktfalen"``, ``"overheidsbemoeienis"`` → ``"overheid"``, ``"werkplaatsinovatie"`` →
        ``"werkplaatsinnovatie"``.
        """
        if word in self._surface_frequency:
            return word
        if word not in self._matches:
            if len(self._matches) >= MATCH_CACHE_SIZE:  # questions bring endless new words; keep memory bounded
                self._matches.clear()
            self._matches[word] = self._match_unknown(word)
        return self._matches[word]

    def _match_unknown(self, word: str) -> str | None:
        stems = analyze(word)
        if stems and stems[0] in self._vocabulary:
            return stems[0]
        if len(word) < 5:
            return None
        close = difflib.get_close_matches(word, self._by_prefix.get(word[:3], []), n=1, cutoff=0.8)
        if close:
            return close[0]
        for known in self._surface_frequency:
            if len(known) < 5:
                continue
            if word.startswith(known) or word.endswith(known) or known.startswith(word) or known.endswith(word):
                return known  # a compound: "overheidsbemoeienis", "marktfalen"
            shared = len(os.path.commonprefix([word, known]))
            if shared >= 5 and shared >= 0.8 * min(len(word), len(known)):
                return known  # an inflection the stemmer misses: "europa" / "europese"
        return None

    def coverage(self, words_: list[str]) -> float | None:
        """Share of the question's content words the corpus knows (typos, inflections and compounds allowed);
        ``None`` when there are none."""
        if not words_:
            return None
        return sum(self.match(w) is not None for w in words_) / len(words_)
