"""The Dutch analyzer shared by BM25 and the refusal check: fold case and accents, drop stopwords, stem."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def is_function_word(word: str) -> bool:
    """A stopword, a closed-class word or a verb of saying, or a typo of a long one ("volgns", "eigelijk")."""
    if word in FUNCTION_WORDS or is_saying_verb(word):
        return True
    return len(word) >= 5 and bool(difflib.get_close_matches(word, _LONG_FUNCTION_WORDS, n=1, cutoff=0.85))


def content_words(text: str) -> list[str]:
    """Folded words of ``text`` without function words: what the question is about."""
    return [w for w in words(text) if len(w) > 1 and not w.isdigit() and not is_function_word(w)]


def strip_meta(text: str) -> str:
    """``"Wat zegt het advies over experimenteren?"`` → ``"het advies over experimenteren"``: what BM25 should see."""
    kept = [w for w in re.findall(r"\S+", text) if not _is_framing(fold(w).strip("?!.,:;'\"‘’“”()"))]
    return " ".join(kept) or text


def _is_framing(word: str) -> bool:
    return word in QUESTION_WORDS or is_saying_verb(word)
