"""The evidence a decision weighs, as numbers: computed from a retrieval, or given directly in tests.

Every signal is general: dense scores read against a background of everyday Dutch (per corpus), coverage of the
question's words by the corpus (typos, inflections and compounds allowed) weighted by how specific each word is
in general Dutch (wordfreq), the structural references the question makes, and what kind of fact it asks for.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from index.text import analyze, content_words, words
from knowledge.dutch import is_number_word
from knowledge.vocabulary import (
    CAUSAL_WORDS,
    DAY_WORDS,
    ENGLISH_NOUNS,
    FIRST_PERSON_POSSESSIVES,
    MODAL_VERBS,
    MONEY_WORDS,
    MONTHS,
    NAME_PARTICLES,
    NOW_WORDS,
    SECOND_PERSON,
    TIME_WORDS,
)
from knowledge.word_frequency import zipf

if TYPE_CHECKING:
    from assistant.retrieval import Retrieval

# The fact kinds a question can ask for that a passage must visibly contain.
AMOUNT, PERSON, DAY, YEAR, COUNT = "bedrag", "persoon", "datum", "jaar", "aantal"

_MONEY_EVIDENCE = re.compile(r"€|\b(?:euro|eur|miljoen|miljard)\b", re.IGNORECASE)
_PARTICLES = "|".join(NAME_PARTICLES)
_PERSON_EVIDENCE = re.compile(
    rf"\b(?:prof|dr|drs|mr|ir|ing)\.\s*[A-Z]|\b[A-Z]\.(?:\s?[A-Z]\.)*\s(?:(?:{_PARTICLES})\s)*[A-Z][a-z]+"
)
_MONTH = "|".join(sorted(MONTHS))
_DAY_EVIDENCE = re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTH})\b|\b\d{{1,2}}-\d{{1,2}}-\d{{2,4}}\b", re.IGNORECASE)
_YEAR_EVIDENCE = re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTH})\b", re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhoeveel\s+(?P<noun>[^\W\d]+)|\bhow many\s+(?P<en>[^\W\d]+)", re.IGNORECASE)

#: The signals that say what a question is about (not how it is asked): the topic model reads only these.
TOPIC_FEATURES: tuple[str, ...] = (
    "dense_rel",
    "world_gap",
    "margin",
    "coverage",
    "specific_coverage",
    "passage_coverage",
    "unknown_specificity",
    "lexical_top",
    "english",
    "content_words",
    "soft_coverage",
    "soft_weakest",
)

#: Every numeric signal (the answer model reads them all); models store the names they use.
FEATURES: tuple[str, ...] = (
    *TOPIC_FEATURES,
    "structural",
    "asks_year_unseen",
    "follow_up",
    "addresses_you",
    "own_situation",
    "after_document",
    "why_unexplained",
    "soft_passage_coverage",
    "soft_passage_weakest",
)

WORLD_NEIGHBOURS = 5  # world_gap reads the mean of this many nearest world questions


@dataclass(frozen=True)
class Signals:
    """What is known about one question and its best passages (all numbers, so tests can write them down)."""

    has_question: bool = True  # something is left after instructions were removed
    missing_reference: bool = False  # names a numbered part the documents do not have
    asked_kind: str | None = None  # bedrag, persoon, datum, jaar, aantal
    kind_found: bool = True  # the best passages contain a fact of that kind
    dense_rel: float = 0.0  # best dense score, in background spreads above the background mean
    world_gap: float = 0.0  # best dense score minus the mean score of the nearest world questions (x100)
    margin: float = 0.0  # best dense score minus the fifth best (how much one passage stands out)
    coverage: float = 1.0  # share of content words the corpus knows
    specific_coverage: float = 1.0  # the same, each word weighted by how specific it is in general Dutch
    passage_coverage: float = 1.0  # share of (specificity-weighted) content words found in the best passages
    unknown_specificity: float = 0.0  # the most specific content word the corpus does not know (0..1)
    lexical_top: float = 0.0  # best BM25 score, squashed to 0..1
    structural: bool = False  # the question names a part that exists ("de tweede aanbeveling")
    pointer_only: bool = False  # ... and asks nothing else: every content word names the part
    english: float = 0.0  # share of the question's words that are English rather than Dutch
    content_words: int = 0
    follow_up: bool = False
    addresses_you: bool = False  # asks the assistant itself ("wat vind jij"), not a request ("kun je …")
    own_situation: bool = False  # about the asker's own case ("mijn gemeente")
    after_document: bool = False  # about the present or a year after the documents' latest year
    why_unexplained: bool = False  # asks why, and the best passage gives no reason (no causal connective)
    # how close the question's words come to the documents' words in the embedding model (1 = every word is there)
    soft_coverage: float = 1.0  # each word's best cosine with the corpus vocabulary, specificity-weighted mean
    soft_weakest: float = 1.0  # ... the word that comes least close
    soft_passage_coverage: float = 1.0  # the same against the words of the best passages
    soft_passage_weakest: float = 1.0

    def vector(self) -> list[float]:
        """The numeric features in :data:`FEATURES` order."""
        values = {
            **vars(self),  # the fields as they are (asdict would deep-copy each, every question)
            "content_words": math.log1p(self.content_words),
            "asks_year_unseen": float(self.asked_kind == YEAR and not self.kind_found),
        }
        return [float(values[name]) for name in FEATURES]


@lru_cache(maxsize=8192)
def specificity(word: str) -> float:
    """0 for the commonest Dutch words, 1 for words general Dutch (wordfreq) hardly or never uses."""
    general = max(zipf(word, "nl"), zipf(word, "en"))
    return min(1.0, max(0.0, (7.0 - general) / 5.0))


@lru_cache(maxsize=8192)
def _is_english_word(word: str) -> bool:
    english, dutch = zipf(word, "en"), zipf(word, "nl")
    return english >= 2.5 and english > dutch + 0.5


def english_share(text: str) -> float:
    """Share of the words (of three letters or more) that are clearly more English than Dutch."""
    tokens = [w for w in words(text) if len(w) >= 3 and w.isalpha()]
    if not tokens:
        return 0.0
    return sum(_is_english_word(w) for w in tokens) / len(tokens)


def asked_kind(question: str) -> str | None:
    """The kind of fact the question asks for, from closed classes: question words and units of money and time."""
    tokens = words(question)
    token_set = set(tokens)
    if how_many := _HOW_MANY.search(question):
        return AMOUNT if words(how_many.group(0))[-1] in MONEY_WORDS else COUNT
    if token_set & MONEY_WORDS:
        return AMOUNT
    if token_set & DAY_WORDS:
        return DAY
    if token_set & {"wanneer", "when"} or token_set & (TIME_WORDS - DAY_WORDS):
        return YEAR
    if token_set & {"wie", "wiens", "who", "whom", "whose"}:
        return PERSON
    return None


def kind_found(kind: str | None, question: str, passages: str) -> bool:
    """Whether ``passages`` contain a fact of the asked kind."""
    if kind == AMOUNT:
        return bool(_MONEY_EVIDENCE.search(passages))
    if kind == PERSON:
        return bool(_PERSON_EVIDENCE.search(passages))
    if kind == DAY:
        return bool(_DAY_EVIDENCE.search(passages))
    if kind == YEAR:
        return bool(_YEAR_EVIDENCE.search(passages))
    if kind == COUNT:
        match = _HOW_MANY.search(question)
        return match is None or _counted(words(match.group(0))[-1], passages)
    return True


def _counted(noun: str, text: str) -> bool:
    """Does ``text`` give a number for ``noun`` ("drie aanbevelingen", "zes concrete stappen")?"""
    tokens = words(text)
    stem = noun[:5]
    return any(
        token[:5] == stem and any(is_number_word(t) or t.isdigit() for t in tokens[max(0, i - 3) : i])
        for i, token in enumerate(tokens)
    )


def addresses_you(tokens: list[str]) -> bool:
    """A second-person pronoun that is not the subject of a request ("kun je", "could you")."""
    return any(t in SECOND_PERSON and (i == 0 or tokens[i - 1] not in MODAL_VERBS) for i, t in enumerate(tokens))


def after_document(tokens: list[str], latest_year: int | None) -> bool:
    """Asks about the present, or names a year after the latest one the documents mention."""
    if set(tokens) & NOW_WORDS:
        return True
    years = [int(t) for t in tokens if t.isdigit() and len(t) == 4 and t[:2] in {"19", "20"}]
    return latest_year is not None and any(year > latest_year for year in years)


def _names_part(word: str, nouns: set[str]) -> bool:
    """Whether a question word is (a form of) one of the part nouns it references ("aanbevelingen", "stap")."""
    return any(word.startswith(noun[:5]) or noun.startswith(word) for noun in nouns) or word in ENGLISH_NOUNS


def extract(retrieval: Retrieval) -> Signals:
    """The signals of a retrieval (see :class:`assistant.answer.Retrieval`)."""
    question, hits = retrieval.question, retrieval.hits
    if not question.strip() or not hits:  # nothing asked, or nothing found: no evidence at all
        return Signals(
            has_question=bool(question.strip()),
            asked_kind=asked_kind(question),
            kind_found=False,
            coverage=0.0,
            specific_coverage=0.0,
            passage_coverage=0.0,
            dense_rel=-10.0,
            world_gap=-10.0,
        )
    refs = retrieval.result.references
    structural = any(h.structural for h in hits)
    # coverage is a Dutch lexical signal: English words are left to the (multilingual) dense score
    terms = [w for w in content_words(retrieval.query) if not _is_english_word(w)]
    lexical = retrieval.lexical
    top_text = " ".join(f"{h.unit.lead_in or ''} {h.unit.text}" for h in hits[:3])
    matches = [lexical.match(w) for w in terms]
    known = [m is not None for m in matches]
    weights = [max(0.05, specificity(w)) for w in terms]
    unknown = [specificity(w) for w, k in zip(terms, known, strict=True) if not k]
    passage_terms = set(analyze(top_text))
    in_passages = [bool(set(analyze(m or w)) & passage_terms) for w, m in zip(terms, matches, strict=True)]
    dense = sorted((h.dense for h in hits), reverse=True)
    best = retrieval.result.best_dense
    background = retrieval.background
    vector = retrieval.result.query_vector
    kind = asked_kind(question)
    tokens = words(question)
    best_text = words(hits[0].unit.text)
    soft = _soft_coverage(retrieval, terms, weights, top_text)
    specific_coverage = sum(w for w, k in zip(weights, known, strict=True) if k) / sum(weights) if weights else 1.0
    passage_coverage = sum(w for w, k in zip(weights, in_passages, strict=True) if k) / sum(weights) if weights else 1.0
    return Signals(
        has_question=True,
        missing_reference=bool(refs.pairs) and not structural,
        asked_kind=kind,
        kind_found=kind_found(kind, question, top_text),
        dense_rel=background.relative(best) if background else 0.0,
        world_gap=(best - retrieval.world.nearest(vector, WORLD_NEIGHBOURS)) * 100
        if retrieval.world and vector
        else 0.0,
        margin=(dense[0] - dense[min(4, len(dense) - 1)]) * 100 if dense else 0.0,
        coverage=sum(known) / len(known) if known else 1.0,
        specific_coverage=specific_coverage,
        passage_coverage=passage_coverage,
        unknown_specificity=max(unknown, default=0.0),
        lexical_top=1 - math.exp(-max(h.lexical for h in hits) / 5.0),
        structural=structural,
        pointer_only=structural and all(_names_part(w, refs.nouns()) for w in content_words(question)),
        english=english_share(question),
        content_words=len(terms),
        follow_up=retrieval.follow_up,
        addresses_you=addresses_you(tokens),
        own_situation=bool(set(tokens) & FIRST_PERSON_POSSESSIVES),
        after_document=after_document(tokens, lexical.latest_year()),
        why_unexplained=bool(set(tokens) & {"waarom", "why"}) and not set(best_text) & CAUSAL_WORDS,
        **soft,
    )


def _soft_coverage(retrieval: Retrieval, terms: list[str], weights: list[float], passages: str) -> dict[str, float]:
    """The ``soft_*`` signals: each question word's best cosine with the corpus words and the passages' words."""
    vectors = retrieval.word_vectors
    if vectors is None or not terms:
        return {}
    weight = np.array(weights)
    corpus = vectors.closeness(terms)
    passage = vectors.closeness(terms, among=words(passages))
    return {
        "soft_coverage": float(corpus @ weight / weight.sum()),
        "soft_weakest": float(corpus.min()),
        "soft_passage_coverage": float(passage @ weight / weight.sum()),
        "soft_passage_weakest": float(passage.min()),
    }
