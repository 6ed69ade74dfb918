"""Text normalisation shared by the metrics: folding, phrase matching, content tokens, sentences.

Everything here is deterministic and language-aware only through fixed lists (Dutch stopwords)
and the Snowball Dutch stemmer, so metric values never depend on a model.

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

#: ``[1]``, ``[1, 2]`` and ``[1;2]`` markers that point at citations.
MARKER_RE = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_WORD_RE = re.compile(r"\w+")
_LEADING_MARKERS_RE = re.compile(rf"^(?:\s*{MARKER_RE.pattern}[.;,]?)+")

#: Dutch function words; a token in this set carries no content for the support check.
DUTCH_STOPWORDS: frozenset[str] = frozenset(
    """
    aan af al alle alleen alles als altijd ander andere anders ben bij binnen
    daar daarbij daardoor daarin daarmee daarna daarom daarop daarvan dan dat de deze die
    dit doch doen door dus een eens eigen en er ergens even geen geweest gij haar had hadden heb
    hebben heeft hem hen het hier hierbij hierin hiermee hiervan hij hoe hoewel hun iemand iets
    ik in is ja je jij jou jouw kan kon konden kun kunnen maar me meer men met mij mijn moet
    moeten na naar namelijk nee niet niets nog nu of om omdat onder ons onze ook op over reeds
    te tegen ten ter toch toen tot u uit uw van veel voor vooral waar waarbij waardoor waarin
    waarmee waarom waarop waarvan wat we wel welk welke werd werden wie wij wil wilde worden
    wordt zal ze zelf zich zij zijn zo zoals zodat zonder zou zouden zullen
    alsook bovendien echter eveneens evenals hierdoor hiertoe daartoe zeer
    """.split()
)

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


def marker_numbers(text: str) -> list[int]:
    """The citation numbers referred to by the ``[n]`` markers in ``text``, in order, unique.

    >>> marker_numbers("A [2]. B [1; 2] en [3].")
    [2, 1, 3]
    """
    numbers: list[int] = []
    for match in MARKER_RE.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            number = int(part)
            if number not in numbers:
                numbers.append(number)
    return numbers


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


def split_sentences(text: str) -> list[str]:
    """Split an answer into sentences with pysbd (Dutch rules).

    Markers written after the full stop (as in "Zo is het. [1] Verder ...") are moved back to
    the sentence before them, so they still belong to the claim they support.

    >>> split_sentences("Eerste zin [1]. Tweede zin. [2] Derde zin. [3]")
    ['Eerste zin [1].', 'Tweede zin. [2]', 'Derde zin. [3]']
    """
    segmenter = _segmenter()
    sentences: list[str] = []
    for raw in segmenter.segment(text):  # type: ignore[attr-defined]
        piece = str(raw).strip()
        # pysbd puts the markers of "claim. [2] Next claim." at the start of the next sentence.
        leading = _LEADING_MARKERS_RE.match(piece)
        if sentences and leading:
            sentences[-1] = f"{sentences[-1]} {leading.group(0).strip()}"
            piece = piece[leading.end() :].strip()
        if not piece:
            continue
        if sentences and not MARKER_RE.sub("", piece).strip(" .;,"):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return sentences
