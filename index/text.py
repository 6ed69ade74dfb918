"""The Dutch analyzer shared by BM25 and the refusal check: fold case and accents, drop stopwords, stem."""

from __future__ import annotations

import difflib
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
    return analyze_words(words(text))


def analyze_words(tokens: list[str]) -> list[str]:
    """:func:`analyze` for text already split by :func:`words`."""
    kept = [t for t in tokens if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]
    return list(_stemmer().stemWords(kept))


# Words that say *how* something is asked, not *what*: they neither make a question about the documents nor
# should they pull passages that merely mention "het advies" or "de AWT".
META_WORDS: frozenset[str] = frozenset(
    fold(w)
    for w in (
        "advies adviezen awt adviesraad raad rapport tekst document documenten zegt zeggen staat staan vindt vinden "
        "volgens noem noemt beschrijf beschrijft beschreven uitleg leg uit vertel geef gegeven precies eigenlijk "
        "nou graag kort kun kunt je jij u mij me wat welke welk wie waar wanneer hoe waarom hoeveel gaat over "
        "ergens iets daar hier ff even alweer nog weer dan toch zeg zegt eens dus waarmee waarover waarin waarom "
        "moeten moete gewoon soort genoemd noemen lees lezen vind deel staan alle allemaal "
        "voordat nadat omdat terwijl zodat hoewel zoals welk welke"
        "the what which does say says about advice report tell me please"
    ).split()
)

# Words that ask about the document itself (its title, number, date, origin): answerable from its front matter.
DOCUMENT_WORDS: frozenset[str] = frozenset(
    (
        "titel naam nummer adviesnummer afkorting jaar maand datum verschenen verscheen uitgekomen gepubliceerd "
        "publicatie bron thema sector stuk title number year published"
    ).split()
)


_FUNCTION_WORDS = sorted(w for w in STOPWORDS | META_WORDS if len(w) >= 5)


def _is_function_word(word: str) -> bool:
    if word in STOPWORDS or word in META_WORDS or word in DOCUMENT_WORDS:
        return True
    # a typo of a long function word ("volgns", "eigelijk") is still a function word
    return len(word) >= 5 and bool(difflib.get_close_matches(word, _FUNCTION_WORDS, n=1, cutoff=0.85))


def content_words(text: str) -> list[str]:
    """Folded words of ``text`` without stopwords, meta and document words: what the question is about."""
    return [w for w in words(text) if len(w) > 1 and not _is_function_word(w)]


def asks_about_document(text: str) -> bool:
    """Does the question ask about the document itself (title, number, date, theme)?"""
    return any(w in DOCUMENT_WORDS for w in words(text))


def strip_meta(text: str) -> str:
    """``"Wat zegt het advies over experimenteren?"`` → ``"het over experimenteren"``-like text for search."""
    kept = [w for w in re.findall(r"\S+", text) if fold(w).strip("?!.,:;'\"‘’“”()") not in META_WORDS]
    return " ".join(kept) or text
