"""Text normalisation shared by the metrics: folding, phrase matching, content tokens, sentences.

Everything here is deterministic and language-aware only through fixed lists (Dutch stopwords)
and the Snowball Dutch stemmer, so metric values never depend on a model.

The evals judge answers that ``assistant.generative.verify`` has already checked, so the judge keeps its own
sentence splitting, quotation handling and content tokens (the verifier uses ``index.text.analyze`` and other
split rules) on purpose: a rule both shared would agree with itself, and a verifier mistake in it (a claim cut
in two, a quotation split, a word dropped) could never show up in the metrics. Only the citation notation is
shared (:mod:`knowledge.citation`: ``MARKER``, ``marker_numbers``): it is the answer contract both read, not a
judgement, and one definition keeps what the product writes and what the evals count from drifting apart.

Example::

    >>> fold("België “sociaal”")
    'belgie "sociaal"'
    >>> contains_phrase("De overheid in België [1] investeert.", "belgie investeert")
    True
    >>> content_tokens("De overheid investeert in innovaties.")
    ['over', 'investeert', 'innoveer']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from knowledge.citation import MARKER as MARKER_RE
from knowledge.citation import marker_numbers

__all__ = [
    "DUTCH_STOPWORDS",
    "MARKER_RE",
    "contains_phrase",
    "content_tokens",
    "fold",
    "marker_numbers",
    "split_sentences",
    "strip_markers",
    "word_string",
]

_QUOTE_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)

_WORD_RE = re.compile(r"\w+")
_QUOTATION_RE = re.compile(r"„[^”“\n]*[”“]|“[^”\n]*”|\"[^\"\n]*\"|«[^»\n]*»")
_PLACEHOLDER_RE = re.compile(r"QQ(\d+)QQ")
_CONTINUATION_START = frozenset(":;,)]”’»")
_LEADING_MARKERS_RE = re.compile(rf"^(?:\s*{MARKER_RE.pattern}[.;,]?)+")

#: Dutch function words; a token in this set carries no content for the support check.
# (not formatted: a word list reads better as lines of words than as one word per line)
# fmt: off
DUTCH_STOPWORDS: frozenset[str] = frozenset([
    "aan", "af", "al", "alle", "alleen", "alles", "als", "altijd", "ander", "andere", "anders", "ben", "bij", "binnen",
    "daar", "daarbij", "daardoor", "daarin", "daarmee", "daarna", "daarom", "daarop", "daarvan", "dan", "dat", "de",
    "deze", "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "eigen", "en", "er", "ergens", "even", "geen",
    "geweest", "gij", "haar", "had", "hadden", "heb", "hebben", "heeft", "hem", "hen", "het", "hier", "hierbij",
    "hierin", "hiermee", "hiervan", "hij", "hoe", "hoewel", "hun", "iemand", "iets", "ik", "in", "is", "ja", "je",
    "jij", "jou", "jouw", "kan", "kon", "konden", "kun", "kunnen", "maar", "me", "meer", "men", "met", "mij", "mijn",
    "moet", "moeten", "na", "naar", "namelijk", "nee", "niet", "niets", "nog", "nu", "of", "om", "omdat", "onder",
    "ons", "onze", "ook", "op", "over", "reeds", "te", "tegen", "ten", "ter", "toch", "toen", "tot", "u", "uit", "uw",
    "van", "veel", "voor", "vooral", "waar", "waarbij", "waardoor", "waarin", "waarmee", "waarom", "waarop", "waarvan",
    "wat", "we", "wel", "welk", "welke", "werd", "werden", "wie", "wij", "wil", "wilde", "worden", "wordt", "zal", "ze",
    "zelf", "zich", "zij", "zijn", "zo", "zoals", "zodat", "zonder", "zou", "zouden", "zullen", "alsook", "bovendien",
    "echter", "eveneens", "evenals", "hierdoor", "hiertoe", "daartoe", "zeer", "volgens", "hierover", "daarover",
    "erover", "ervan", "erbij", "ertoe", "zie",
])
# fmt: on

_stemmer = Stemmer.Stemmer("dutch")


def fold(text: str) -> str:
    """Lowercase, strip accents, straighten curly quotes/dashes and collapse whitespace.

    >>> fold("  Ćafé\u00a0‘x’ ")
    "cafe 'x'"
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTE_MAP))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def strip_markers(text: str) -> str:
    """Remove ``[n]`` citation markers and collapse the whitespace they leave behind.

    >>> strip_markers("Zo is het [1, 2].")
    'Zo is het .'
    """
    return " ".join(MARKER_RE.sub(" ", text).split())


def word_string(text: str) -> str:
    """``text`` folded and reduced to its word characters separated by single spaces.

    Punctuation becomes a word break, so "AWT-advies" and "AWT advies" compare equal.

    >>> word_string("Het AWT-advies (2014) [1].")
    'het awt advies 2014'
    """
    return " ".join(_WORD_RE.findall(fold(strip_markers(text))))


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` starting at a word boundary.

    Case-, accent-, punctuation- and whitespace-insensitive (see :func:`word_string`).
    The phrase may end inside a word, so "innovatie" matches "innovaties" but "EU" does not
    match "neutraal". An empty phrase never matches.

    >>> contains_phrase("Sociale innovaties in België", "belgie")
    True
    """
    needle = word_string(phrase)
    if not needle:
        return False
    return f" {needle}" in f" {word_string(text)} "


@lru_cache(maxsize=65536)
def _stem(token: str) -> str:
    return str(_stemmer.stemWord(token))


def content_tokens(text: str) -> list[str]:
    """Stemmed content tokens: folded words minus markers, Dutch stopwords and single letters.

    >>> content_tokens("Het is [1] een goed plan.")
    ['goed', 'plan']
    """
    tokens: list[str] = []
    for word in word_string(text).split():
        if word in DUTCH_STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        tokens.append(_stem(word))
    return tokens


@lru_cache(maxsize=1)
def _segmenter() -> object:
    import pysbd

    return pysbd.Segmenter(language="nl", clean=False)


def _protect_quotations(text: str) -> tuple[str, list[str]]:
    """Replace double-quoted passages by placeholders that a sentence splitter leaves whole."""
    quotations: list[str] = []

    def stash(match: re.Match[str]) -> str:
        quotations.append(match.group(0))
        return f"QQ{len(quotations) - 1}QQ"

    return _QUOTATION_RE.sub(stash, text), quotations


def _restore_quotations(text: str, quotations: list[str]) -> str:
    def restore(match: re.Match[str]) -> str:
        index = int(match.group(1))
        return quotations[index] if index < len(quotations) else match.group(0)

    return _PLACEHOLDER_RE.sub(restore, text)


def split_sentences(text: str) -> list[str]:
    """Split an answer into claims: sentences by pysbd (Dutch rules), per line.

    A double-quoted passage („…”, “…”, "…", «…») stays whole, so the ``[n]`` after a quoted
    multi-sentence passage covers all of it. Markers written after the full stop (as in
    "Zo is het. [1] Verder ...") are moved back to the sentence before them, and a piece that
    starts with ":" or "," continues the previous one.

    >>> split_sentences("Eerste zin [1]. Tweede zin. [2] Derde zin. [3]")
    ['Eerste zin [1].', 'Tweede zin. [2]', 'Derde zin. [3]']
    >>> split_sentences("Zie ook Wat is het?: „Een zin. Nog een zin.” [2]")
    ['Zie ook Wat is het?: „Een zin. Nog een zin.” [2]']
    """
    segmenter = _segmenter()
    sentences: list[str] = []
    for line in text.splitlines():
        protected, quotations = _protect_quotations(line)
        first_of_line = True
        for raw in segmenter.segment(protected) if protected.strip() else []:  # type: ignore[attr-defined]
            piece = _restore_quotations(str(raw), quotations).strip()
            if not first_of_line:
                # pysbd puts the markers of "claim. [2] Next claim." at the start of the next sentence.
                leading = _LEADING_MARKERS_RE.match(piece)
                if leading:
                    sentences[-1] = f"{sentences[-1]} {leading.group(0).strip()}"
                    piece = piece[leading.end() :].strip()
            if not piece:
                continue
            continuation = piece[0] in _CONTINUATION_START or not MARKER_RE.sub("", piece).strip(" .;,")
            if not first_of_line and continuation:
                glue = "" if piece[0] in _CONTINUATION_START else " "
                sentences[-1] = f"{sentences[-1]}{glue}{piece}"
            else:
                sentences.append(piece)
            first_of_line = False
    return sentences
