"""What the lexical index counts as a corpus word: typos and compounds of rare words, not of common ones."""

from __future__ import annotations

import pytest

from index.lexical import LexicalIndex

TEXTS = [
    "Werk samen met het Verenigd Koninkrijk en België.",
    "Sluit aan bij het Europese discours over werkplaatsinnovatie.",
    "Er is sprake van marktfalen; publieke waarde komt niet tot stand.",
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex(TEXTS)


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("werkplaatsinovatie", "werkplaatsinnovatie"),  # a typo of a rare word
        ("markt", "marktfalen"),  # a part of a compound
        ("europa", "europese"),  # an ending the stemmer misses
        ("koning", None),  # a common word is no prefix of "koninkrijk"
        ("afstand", None),  # nor a compound of "stand"
    ],
)
def test_match_is_strict_for_common_words(index: LexicalIndex, word: str, known: str | None) -> None:
    assert index.match(word) == known


def test_related_is_loose_for_ranking(index: LexicalIndex) -> None:
    assert index.related("afstand") == "stand"
    assert index.coverage(["afstand", "marktfalen"]) == 0.5
    assert index.coverage(["afstand", "marktfalen"], loose=True) == 1.0


def test_latest_year(index: LexicalIndex) -> None:
    assert index.latest_year() is None
    assert LexicalIndex(["Januari 2014, advies 84.", "Sinds 1999."]).latest_year() == 2014


def test_the_corpus_words_are_kept_in_text_order_not_in_the_hash_seeds_order() -> None:
    # the loose match takes the first fitting corpus word in this order: a set's order made answers vary per run
    first = "waterschap dijken rivieren polders grondwater zomers provincies gemeenten regenwater budget"
    second = "provincies zandgronden waterschap oosten zuiden droogte metingen"
    expected = [*first.split(), "zandgronden", "oosten", "zuiden", "droogte", "metingen"]
    assert LexicalIndex([first, second]).surface_words() == expected
