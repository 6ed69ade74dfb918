"""Answer-quality metrics as pure, deterministic functions (no model, no I/O).

Ranking: the answer's citations ordered by ``n`` (``[1]`` first) are the retrieval ranking.
Labels are compared after :func:`normalise_label` and a label that occurs again lower in the
list is dropped, so ``ranked_labels`` is a ranking of distinct labels.

Example::

    >>> ranked = ["Samenvatting", "Hoofdstuk 2", "Hoofdstuk 3"]
    >>> recall_at_k(ranked, ["Hoofdstuk 2", "Hoofdstuk 5"], k=3)
    0.5
    >>> reciprocal_rank(ranked, ["Hoofdstuk 2"])
    0.5
    >>> key_fact_recall("Het advies komt uit België.", [["belgie", "vlaanderen"], ["2014"]])
    0.5
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from assistant.contract import Citation
from evals.support import SupportChecker
from evals.text import contains_phrase, content_tokens, fold, marker_numbers, split_sentences, strip_markers

#: The parts of a label as :func:`knowledge.citation.citation_label` writes it: "<label>[ van ‘<title>’][, p. <n>]".
_LABEL = re.compile(r"^(?P<label>.+?)(?: van ‘(?P<title>[^’]+)’)?(?:, p\. (?P<page>\d+))?$", re.DOTALL)


@dataclass(frozen=True)
class LabelParts:
    """A citation label taken apart: the structural label, the document's title (several documents), the page."""

    label: str
    title: str | None = None
    page: int | None = None


def label_parts(label: str) -> LabelParts:
    """Split a citation label into its structural part, document title and page.

    >>> label_parts("Aanbeveling 2 van ‘Zuinig met zoet water’, p. 3")
    LabelParts(label='Aanbeveling 2', title='Zuinig met zoet water', page=3)
    >>> label_parts("Aanbeveling 3, stap 6")
    LabelParts(label='Aanbeveling 3, stap 6', title=None, page=None)
    """
    match = _LABEL.match(label.strip())
    if match is None:  # an empty label
        return LabelParts(label)
    page = match["page"]
    return LabelParts(match["label"], match["title"], int(page) if page else None)


def normalise_label(label: str) -> str:
    """Compare labels case-, accent- and whitespace-insensitively, by their structural part only.

    The document title and page that a label carries with several documents loaded are left out: which document
    a citation comes from is scored apart (:func:`cites_document`).

    >>> normalise_label("  Hoofdstuk  3 ") == normalise_label("hoofdstuk 3")
    True
    >>> normalise_label("Bijlage 2 van ‘Zuinig met zoet water’, p. 5")
    'bijlage 2'
    """
    return fold(label_parts(label).label)


def document_names(citation: Citation) -> set[str]:
    """The names a citation's document goes by, folded: file name, stem and (with several documents) title."""
    path = PurePosixPath(citation.document)
    names = {fold(citation.document), fold(path.name), fold(path.stem)}
    title = label_parts(citation.label).title
    if title:
        names.add(fold(title))
    return names


def cites_document(citation: Citation, document: str) -> bool:
    """Whether ``citation`` comes from ``document`` (a file name, stem or title).

    >>> c = Citation(n=1, label="Stap 1 van ‘Notitie’", document="n.docx", quote="q", score=1, unit_id="n#s", start=0,
    ...     end=1)
    >>> cites_document(c, "n.docx"), cites_document(c, "Notitie"), cites_document(c, "ander.pdf")
    (True, True, False)
    """
    return fold(document) in document_names(citation)


def ranked_labels(citations: Sequence[Citation]) -> list[str]:
    """Distinct normalised labels in citation order (by ``n``); the retrieval ranking."""
    ranking: list[str] = []
    for citation in sorted(citations, key=lambda c: c.n):
        label = normalise_label(citation.label)
        if label not in ranking:
            ranking.append(label)
    return ranking


def _expected_set(expected: Iterable[str]) -> set[str]:
    return {normalise_label(label) for label in expected}


def recall_at_k(ranked: Sequence[str], expected: Sequence[str], k: int) -> float:
    """|expected ∩ top-k| / min(k, |expected|): 1.0 when the top k is as good as it can be.

    Dividing by ``min(k, |expected|)`` keeps list questions with more expected labels than
    ``k`` from being capped below 1. ``ranked`` must hold distinct labels; ``expected`` must
    not be empty.

    >>> recall_at_k(["a", "b", "c"], ["c"], k=1), recall_at_k(["a", "b", "c"], ["c"], k=3)
    (0.0, 1.0)
    """
    wanted = _expected_set(expected)
    if not wanted:
        raise ValueError("recall_at_k needs at least one expected label")
    if k < 1:
        raise ValueError("k must be at least 1")
    top = {normalise_label(label) for label in ranked[:k]}
    return len(wanted & top) / min(k, len(wanted))


def reciprocal_rank(ranked: Sequence[str], expected: Sequence[str]) -> float:
    """1 / rank of the first expected label in ``ranked``; 0.0 when none is there.

    >>> reciprocal_rank(["a", "b", "c"], ["c", "b"])
    0.5
    """
    wanted = _expected_set(expected)
    for rank, label in enumerate(ranked, start=1):
        if normalise_label(label) in wanted:
            return 1.0 / rank
    return 0.0


def top_label_correct(ranked: Sequence[str], expected: Sequence[str]) -> bool:
    """Whether the first citation's label is one of the expected labels (label accuracy)."""
    return bool(ranked) and normalise_label(ranked[0]) in _expected_set(expected)


def missing_labels(ranked: Sequence[str], expected: Sequence[str]) -> list[str]:
    """The expected labels (as given) that no citation carries; empty means strictly correct."""
    cited = {normalise_label(label) for label in ranked}
    return [label for label in expected if normalise_label(label) not in cited]


def quote_is_verbatim(quote: str, document_text: str) -> bool:
    """Whether ``quote`` occurs character for character in the document (an empty quote does not).

    >>> quote_is_verbatim("kracht van", "De kracht van sociale innovatie")
    True
    >>> quote_is_verbatim("Kracht", "de kracht")
    False
    """
    return bool(quote) and quote in document_text


def quote_offsets_match(citation: Citation, document_text: str) -> bool:
    """Whether ``document_text[start:end]`` is exactly the quote (the offsets can be trusted)."""
    start, end = citation.start, citation.end
    return 0 <= start <= end and document_text[start:end] == citation.quote


def missing_support(support: Sequence[str], quotes: Sequence[str]) -> list[str]:
    """The support strings that no cited quote contains (case/accent/punctuation-insensitive).

    >>> missing_support(["sociale innovatie", "2014"], ["De kracht van Sociale Innovatie."])
    ['2014']
    """
    return [text for text in support if not any(contains_phrase(quote, text) for quote in quotes)]


def key_facts_met(answer: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """Per key-fact group: does the answer contain at least one of its alternatives?

    Matching ignores case, accents, curly quotes, punctuation and ``[n]`` markers, and an
    alternative has to start at a word boundary (see :func:`evals.text.contains_phrase`).
    """
    return [any(contains_phrase(answer, alternative) for alternative in group) for group in groups]


def key_fact_recall(answer: str, groups: Sequence[Sequence[str]]) -> float:
    """Fraction of key-fact groups the answer satisfies; ``groups`` must not be empty."""
    if not groups:
        raise ValueError("key_fact_recall needs at least one group")
    met = key_facts_met(answer, groups)
    return sum(met) / len(met)


def refusal_correct(answerable: bool, refused: bool) -> bool:
    """An answerable question must be answered, an out-of-scope one refused."""
    return refused != answerable


@dataclass(frozen=True)
class SentenceCheck:
    """The support verdict for one answer sentence and the citations it points at."""

    sentence: str
    cited: list[int]
    supported: bool
    precise: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SentenceSupport:
    """ALCE-style support of an answer by its own citations.

    ``support_rate`` (ALCE citation recall): share of content sentences whose cited passages
    together support them; a sentence without markers is unsupported.
    ``citation_precision``: share of ``[n]`` references that are needed and relevant. As in
    ALCE, a reference in an unsupported sentence is imprecise, and in a supported sentence a
    reference is imprecise only when its passage alone does not support the sentence while the
    other cited passages do. Both are None when the answer has no content sentences / markers.
    """

    checks: list[SentenceCheck]
    support_rate: float | None
    citation_precision: float | None

    @property
    def unsupported(self) -> list[SentenceCheck]:
        """The sentences their cited passages do not support."""
        return [check for check in self.checks if not check.supported]


def sentence_support(answer: str, citations: Sequence[Citation], checker: SupportChecker) -> SentenceSupport:
    """Check every content sentence of ``answer`` against the quotes its ``[n]`` markers cite.

    Claims come from :func:`evals.text.split_sentences`; skipped are sentences without content
    tokens and lead-ins without markers that end in a colon ("Volgens het advies:"). As ALCE
    passes "title + text" to its NLI model, a passage is given as "label: quote", so a claim may
    name the section it quotes. A marker whose number has no citation cites nothing.
    """
    quotes: Mapping[int, str] = {citation.n: f"{citation.label}: {citation.quote}" for citation in citations}
    checks: list[SentenceCheck] = []
    references = precise_references = 0
    for sentence in split_sentences(answer):
        lead_in = sentence.rstrip().endswith(":") and not marker_numbers(sentence)
        if lead_in or not content_tokens(sentence):
            continue
        claim = strip_markers(sentence)
        cited = marker_numbers(sentence)
        passages = {n: quotes[n] for n in cited if n in quotes}
        supported = bool(passages) and checker.supports(claim, list(passages.values()))
        precise: list[int] = []
        if supported:
            for n in cited:
                if n not in passages:
                    continue
                alone = checker.supports(claim, [passages[n]])
                others = [quote for m, quote in passages.items() if m != n]
                if alone or not (others and checker.supports(claim, others)):
                    precise.append(n)
        references += len(cited)
        precise_references += len(precise)
        checks.append(SentenceCheck(sentence=sentence, cited=cited, supported=supported, precise=precise))
    support_rate = sum(check.supported for check in checks) / len(checks) if checks else None
    precision = precise_references / references if references else None
    return SentenceSupport(checks=checks, support_rate=support_rate, citation_precision=precision)


def removed_count(answer: object) -> int:
    """Number of sentences verification removed, from an optional ``removed`` list; 0 if absent.

    Works on an :class:`~assistant.contract.Answer` (attribute or pydantic extra) and on dicts.
    """
    removed: object
    if isinstance(answer, Mapping):
        removed = answer.get("removed")
    else:
        removed = getattr(answer, "removed", None)
        extra = getattr(answer, "model_extra", None)
        if removed is None and isinstance(extra, Mapping):
            removed = extra.get("removed")
    return len(removed) if isinstance(removed, (list, tuple)) else 0


def mean(values: Iterable[float | bool | None]) -> float | None:
    """Average of the values that are not None; None when there are none.

    >>> mean([1.0, None, False])
    0.5
    """
    present = [float(value) for value in values if value is not None]
    return sum(present) / len(present) if present else None


def robustness_drop(pairs: Iterable[tuple[float | bool | None, float | bool | None]]) -> float | None:
    """Mean of (original − variant) over (original score, variant score) pairs; lower is better.

    Pairs with a missing score are skipped; negative means variants did better.

    >>> robustness_drop([(1.0, 0.5), (1.0, 1.0), (None, 0.0)])
    0.25
    """
    drops = [float(before) - float(after) for before, after in pairs if before is not None and after is not None]
    return sum(drops) / len(drops) if drops else None
