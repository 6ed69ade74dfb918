"""The Dutch analyzer shared by BM25 and the refusal check: fold case and accents, drop stopwords, stem."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import Stemmer
import stopwordsiso
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

from knowledge.dutch import fold
from knowledge.vocabulary import QUESTION_WORDS, closed_classes, is_saying_verb

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
    return analyze_words(words(text))


def analyze_words(tokens: list[str]) -> list[str]:
    """:func:`analyze` for text already split by :func:`words`."""
    kept = [t for t in tokens if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
    return list(_stemmer().stemWords(kept))


# Function words for deciding what a question is about: the stopword lists of two libraries (bm25s, stopwords-iso)
# and the closed classes of knowledge.vocabulary. BM25 keeps its own, smaller list (STOPWORDS).
FUNCTION_WORDS: frozenset[str] = (
    STOPWORDS | frozenset(fold(w) for w in stopwordsiso.stopwords("nl")) | frozenset().union(*closed_classes().values())
)
_LONG_FUNCTION_WORDS = sorted(w for w in FUNCTION_WORDS if len(w) >= 5)
TYPO_CUTOFF = 0.85


class _CloseMatch:
    """Whether ``difflib.get_close_matches(word, candidates, n=1, cutoff)`` finds anything, without its Python loop.

    difflib tries each candidate in turn with three ever tighter bounds (lengths, shared letters, matching blocks).
    The first two are computed here for all candidates at once with numpy, in the same floating-point steps, so
    only the few that pass reach ``SequenceMatcher.ratio``: the same answer, ~20× sooner (it ran for every new
    word of the documents when an index is built).

    >>> close = _CloseMatch(["eigenlijk", "volgens"], cutoff=0.85)
    >>> close("eigelijk"), close("volgns"), close("vergeten")
    (True, True, False)
    """

    def __init__(self, candidates: Sequence[str], cutoff: float) -> None:
        self._candidates = list(candidates)
        self._cutoff = cutoff
        letters = sorted({c for w in self._candidates for c in w})
        self._column = {c: i for i, c in enumerate(letters)}
        self._counts = np.zeros((len(self._candidates), len(letters)), dtype=np.int64)
        for row, candidate in enumerate(self._candidates):
            for c in candidate:
                self._counts[row, self._column[c]] += 1
        self._lengths = np.array([len(w) for w in self._candidates], dtype=np.int64)

    def __call__(self, word: str) -> bool:
        length = self._lengths + len(word)
        real_quick = 2.0 * np.minimum(self._lengths, len(word)) / length
        counts = np.zeros(self._counts.shape[1], dtype=np.int64)
        for c in word:
            if c in self._column:
                counts[self._column[c]] += 1
        quick = 2.0 * np.minimum(self._counts, counts).sum(axis=1) / length
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        for row in np.flatnonzero((real_quick >= self._cutoff) & (quick >= self._cutoff)):
            matcher.set_seq1(self._candidates[row])
            if matcher.ratio() >= self._cutoff:
                return True
        return False


_near_long_function_word = _CloseMatch(_LONG_FUNCTION_WORDS, TYPO_CUTOFF)


@lru_cache(maxsize=4096)
def is_function_word(word: str) -> bool:
    """A stopword, a closed-class word or a verb of saying, or a typo of a long one ("volgns", "eigelijk")."""
    if word in FUNCTION_WORDS or is_saying_verb(word):
        return True
    return len(word) >= 5 and _near_long_function_word(word)


def content_words(text: str) -> list[str]:
    """Folded words of ``text`` without function words: what the question is about."""
    return [w for w in words(text) if len(w) > 1 and not w.isdigit() and not is_function_word(w)]


def strip_meta(text: str) -> str:
    """``"Wat zegt het advies over experimenteren?"`` → ``"het advies over experimenteren"``: what BM25 should see."""
    kept = [w for w in re.findall(r"\S+", text) if not _is_framing(fold(w).strip("?!.,:;'\"‘’“”()"))]
    return " ".join(kept) or text


def _is_framing(word: str) -> bool:
    return word in QUESTION_WORDS or is_saying_verb(word)
