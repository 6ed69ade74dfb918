"""The Dutch analyzer shared by BM25 and the refusal check: fold case and accents, drop stopwords, stem."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

from knowledge.dutch import fold

_TOKEN = re.compile(r"\w+", re.UNICODE)
STOPWORDS: frozenset[str] = frozenset(fold(w) for w in (*STOPWORDS_DUTCH, *STOPWORDS_EN))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch")


def words(text: str) -> list[str]:
    """Folded word tokens of ``text`` (no stopword removal, no stemming)."""
    return _TOKEN.findall(fold(text))


def analyze(text: str) -> list[str]:
    """``"Werk samen met andere landen"`` → ``['werk', 'sam', 'land']``: the terms BM25 indexes."""
    tokens = [t for t in words(text) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
    return list(_stemmer().stemWords(tokens))
