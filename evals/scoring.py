"""Score answers: per-item metric values with the problems in Dutch, and the summary over items.

Per-item values are None where a metric does not apply (e.g. retrieval on an out-of-scope
question). Summary metrics are means over the items where they apply, except
``quote_verbatim_rate``/``quote_offset_rate`` (over all citations of all answers) and
``removed_sentences`` (a total).

Example::

    >>> from assistant.contract import Answer, Citation
    >>> from evals.support import LexicalSupportChecker
    >>> document = "Stap 5. Zorg voor goede samenwerking tussen de ministeries."
    >>> quote = "Zorg voor goede samenwerking tussen de ministeries."
    >>> start = document.index(quote)
    >>> citation = Citation(
    ...     n=1, label="Stap 5", document="advies.txt", quote=quote, score=0.9, unit_id="advies#5", start=start,
    ...     end=start + len(quote),
    ... )
    >>> item = GoldItem(
    ...     id="stap-5", question="Wat is stap 5?", expected_citations=["Stap 5"], key_facts=[["samenwerking"]],
    ...     answerable=True,
    ... )
    >>> answer = Answer(
    ...     question=item.question, answer=f"{quote} [1]", citations=[citation], refused=False, backend="extractief"
    ... )
    >>> result = score_item(item, answer, {"advies.txt": document}.get, LexicalSupportChecker())
    >>> result.metrics["key_fact_recall"], result.problems
    (1.0, [])
    >>> summarise([result])["label_accuracy"]
    1.0
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.contract import Answer, Citation
from evals import metrics as m
from evals.dataset import GoldItem
from evals.judges import Judge
from evals.language import DEFAULT_LANGUAGES, detect_language
from evals.metrics import SentenceCheck
from evals.support import SupportChecker

#: Returns the full text of a document, or None when it is not available.
DocumentLookup = Callable[[str], str | None]

RECALL_KS: tuple[int, ...] = (1, 3, 5)


@dataclass
class ItemResult:
    """An answer to a gold item with its metric values and what is wrong with it."""

    item: GoldItem
    answer: Answer
    metrics: dict[str, float | None]
    problems: list[str] = field(default_factory=list)
    sentence_checks: list[SentenceCheck] = field(default_factory=list)
    n_quotes: int = 0
    n_verbatim: int = 0
    n_offsets_ok: int = 0
    removed: int = 0
    language: str | None = None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """Whether anything is wrong with the answer (see ``problems``)."""
        return bool(self.problems)

    def to_json(self) -> dict[str, Any]:
        """The ``results.jsonl`` record: id, every Answer field, metrics and problems."""
        record: dict[str, Any] = {"id": self.item.id}
        record.update(self.answer.model_dump(mode="json"))
        record.update(
            {
                "category": self.item.category,
                "variant_of": self.item.variant_of,
                "answerable": self.item.answerable,
                "metrics": self.metrics,
                "language": self.language,
                "removed_count": self.removed,
                "passed": not self.failed,
                "problems": self.problems,
                "unsupported_sentences": [c.sentence for c in self.sentence_checks if not c.supported],
                "error": self.error,
            }
        )
        return record


def _quote(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _check_quotes(citations: Sequence[Citation], documents: DocumentLookup, result: ItemResult) -> None:
    for citation in sorted(citations, key=lambda c: c.n):
        result.n_quotes += 1
        text = documents(citation.document)
        if text is None:
            result.problems.append(
                f"Brontekst van document '{citation.document}' (citaat [{citation.n}]) is niet beschikbaar."
            )
            continue
        verbatim = m.quote_is_verbatim(citation.quote, text)
        offsets_ok = m.quote_offsets_match(citation, text)
        result.n_verbatim += int(verbatim)
        result.n_offsets_ok += int(offsets_ok)
        if not verbatim:
            result.problems.append(
                f"Citaat [{citation.n}] staat niet letterlijk in '{citation.document}': {_quote(citation.quote)}"
            )
        elif not offsets_ok:
            result.problems.append(
                f"Citaat [{citation.n}]: start/end ({citation.start}–{citation.end}) "
                "wijzen niet precies het citaat aan."
            )


def _check_retrieval(item: GoldItem, answer: Answer, result: ItemResult) -> None:
    ranked = m.ranked_labels(answer.citations)
    expected = item.expected_citations
    for k in RECALL_KS:
        result.metrics[f"recall_at_{k}"] = m.recall_at_k(ranked, expected, k)
    result.metrics["mrr"] = m.reciprocal_rank(ranked, expected)
    top_ok = m.top_label_correct(ranked, expected)
    missing = m.missing_labels(ranked, expected)
    result.metrics["label_accuracy"] = float(top_ok)
    result.metrics["label_accuracy_strict"] = float(not missing)
    first = sorted(answer.citations, key=lambda c: c.n)[0].label if answer.citations else None
    if not top_ok:
        wanted = ", ".join(f"'{label}'" for label in expected)
        shown = f"'{first}'" if first is not None else "geen bron"
        result.problems.append(f"Eerste bron is {shown}; verwacht een van: {wanted}.")
    if missing:
        names = ", ".join(f"'{label}'" for label in missing)
        result.problems.append(f"Verwachte bronnen niet geciteerd: {names}.")


#: Metrics on which document an answer cites; only items with ``expected_document(s)`` have them.
DOCUMENT_KEYS: tuple[str, ...] = (
    "document_accuracy",
    "document_label_accuracy",
    "document_exclusive_rate",
    "document_coverage",
)


def _check_documents(item: GoldItem, answer: Answer, result: ItemResult) -> None:
    citations = sorted(answer.citations, key=lambda c: c.n)
    expected = item.expected_document
    if expected is not None:
        first = citations[0] if citations else None
        right_document = first is not None and m.cites_document(first, expected)
        result.metrics["document_accuracy"] = float(right_document)
        if first is None:
            result.problems.append(f"Geen bron; verwacht een bron uit '{expected}'.")
        elif not right_document:
            result.problems.append(f"Eerste bron komt uit '{first.document}'; verwacht '{expected}'.")
        if item.expected_citations:
            right_label = first is not None and m.top_label_correct([first.label], item.expected_citations)
            result.metrics["document_label_accuracy"] = float(right_document and right_label)
        if item.only_expected_document:
            others = sorted({c.document for c in citations if not m.cites_document(c, expected)})
            result.metrics["document_exclusive_rate"] = float(bool(citations) and not others)
            if others:
                names = ", ".join(f"'{name}'" for name in others)
                result.problems.append(f"Citeert ook andere documenten dan '{expected}': {names}.")
    if item.expected_documents:
        missing = [d for d in item.expected_documents if not any(m.cites_document(c, d) for c in citations)]
        result.metrics["document_coverage"] = 1 - len(missing) / len(item.expected_documents)
        if missing:
            names = ", ".join(f"'{name}'" for name in missing)
            result.problems.append(f"Geen bron uit de documenten: {names}.")


def _check_sentences(answer: Answer, checker: SupportChecker, result: ItemResult) -> None:
    support = m.sentence_support(answer.answer, answer.citations, checker)
    result.sentence_checks = support.checks
    result.metrics["sentence_support_rate"] = support.support_rate
    result.metrics["citation_precision"] = support.citation_precision
    for check in support.unsupported:
        cited = ", ".join(f"[{n}]" for n in check.cited) or "geen bron"
        result.problems.append(f"Zin niet gedekt door de geciteerde passages ({cited}): {_quote(check.sentence)}")


def score_item(
    item: GoldItem,
    answer: Answer,
    documents: DocumentLookup,
    checker: SupportChecker,
    *,
    error: str | None = None,
    judges: Sequence[Judge] = (),
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> ItemResult:
    """All per-item metric values and Dutch problem descriptions for one answer."""
    keys = [f"recall_at_{k}" for k in RECALL_KS] + [
        "mrr",
        "label_accuracy",
        "label_accuracy_strict",
        "quote_verbatim_rate",
        "quote_offset_rate",
        "support_recall",
        "sentence_support_rate",
        "citation_precision",
        "key_fact_recall",
        "refusal_correct",
        "refused",
        "dutch",
    ]
    result = ItemResult(item=item, answer=answer, metrics=dict.fromkeys(keys), error=error)
    if error is not None:
        result.problems.append(f"Fout bij het beantwoorden: {error}")

    refusal_ok = m.refusal_correct(item.answerable, answer.refused)
    result.metrics["refusal_correct"] = float(refusal_ok)
    result.metrics["refused"] = float(answer.refused)
    if not refusal_ok:
        result.problems.append(
            "Onterecht geweigerd: de vraag is te beantwoorden met het advies."
            if item.answerable
            else "Niet geweigerd, terwijl de vraag buiten het advies valt."
        )

    if item.answerable and item.expected_citations:
        _check_retrieval(item, answer, result)
    if item.answerable:
        _check_documents(item, answer, result)

    _check_quotes(answer.citations, documents, result)
    if result.n_quotes:
        result.metrics["quote_verbatim_rate"] = result.n_verbatim / result.n_quotes
        result.metrics["quote_offset_rate"] = result.n_offsets_ok / result.n_quotes

    if item.answerable and item.support:
        missing = m.missing_support(item.support, [c.quote for c in answer.citations])
        result.metrics["support_recall"] = 1 - len(missing) / len(item.support)
        for text in missing:
            result.problems.append(f"Geen geciteerde passage bevat {_quote(text)}.")

    if not answer.refused:
        _check_sentences(answer, checker, result)

    if item.answerable and item.key_facts:
        met = m.key_facts_met(answer.answer, item.key_facts)
        result.metrics["key_fact_recall"] = sum(met) / len(met)
        for group, ok in zip(item.key_facts, met, strict=True):
            if not ok:
                alternatives = " of ".join(_quote(alternative) for alternative in group)
                result.problems.append(f"Kernfeit ontbreekt: {alternatives}.")

    result.language = detect_language(answer.answer, languages)
    result.metrics["dutch"] = float(result.language == "nl")
    if result.language != "nl":
        detected = result.language or "geen tekst"
        result.problems.append(f"Antwoord is niet herkend als Nederlands (herkend: {detected}).")

    result.removed = m.removed_count(answer)
    for judge in judges:
        result.metrics[f"judge_{judge.name}"] = judge.score(item, answer)
    return result


def _mean_of(results: Sequence[ItemResult], key: str) -> float | None:
    return m.mean(result.metrics.get(key) for result in results)


def _variant_pairs(results: Sequence[ItemResult], key: str) -> list[tuple[float, float]]:
    """(original, variant) values of ``key`` for every variant whose original has one too."""
    by_id = {result.item.id: result for result in results}
    pairs: list[tuple[float, float]] = []
    for result in results:
        original = by_id.get(result.item.variant_of) if result.item.variant_of else None
        if original is None:
            continue
        before, after = original.metrics.get(key), result.metrics.get(key)
        if before is not None and after is not None:
            pairs.append((before, after))
    return pairs


def _document_keys(results: Sequence[ItemResult]) -> list[str]:
    """The document metrics some item has a value for: a set without the fields reports as before."""
    return [key for key in DOCUMENT_KEYS if any(r.metrics.get(key) is not None for r in results)]


def summarise(results: Sequence[ItemResult]) -> dict[str, float | None]:
    """Summary metric values (keys as in :data:`evals.gate.METRICS`, plus ``judge_*``)."""
    answerable = [r for r in results if r.item.answerable]
    unanswerable = [r for r in results if not r.item.answerable]
    n_quotes = sum(r.n_quotes for r in results)
    summary: dict[str, float | None] = {}
    for key in [f"recall_at_{k}" for k in RECALL_KS] + ["mrr", "label_accuracy", "label_accuracy_strict"]:
        summary[key] = _mean_of(answerable, key)
    summary["quote_verbatim_rate"] = sum(r.n_verbatim for r in results) / n_quotes if n_quotes else None
    summary["quote_offset_rate"] = sum(r.n_offsets_ok for r in results) / n_quotes if n_quotes else None
    summary["support_recall"] = _mean_of(answerable, "support_recall")
    summary["sentence_support_rate"] = _mean_of(results, "sentence_support_rate")
    summary["citation_precision"] = _mean_of(results, "citation_precision")
    summary["key_fact_recall"] = _mean_of(answerable, "key_fact_recall")
    summary["refusal_accuracy"] = _mean_of(unanswerable, "refusal_correct")
    summary["false_refusal_rate"] = _mean_of(answerable, "refused")
    summary["decision_accuracy"] = _mean_of(results, "refusal_correct")
    answered = [r for r in results if not r.answer.refused]
    summary["hedged_rate"] = sum(r.answer.reason == "onzeker" for r in answered) / len(answered) if answered else None
    summary["dutch_rate"] = _mean_of(results, "dutch")
    summary["robustness_key_fact_drop"] = m.robustness_drop(_variant_pairs(results, "key_fact_recall"))
    summary["robustness_label_drop"] = m.robustness_drop(_variant_pairs(results, "label_accuracy"))
    summary["removed_sentences"] = float(sum(r.removed for r in results))
    for key in _document_keys(results):
        summary[key] = _mean_of(answerable, key)
    judge_keys = sorted({key for r in results for key in r.metrics if key.startswith("judge_")})
    for key in judge_keys:
        summary[key] = _mean_of(results, key)
    return summary


def applicable_counts(results: Sequence[ItemResult]) -> dict[str, int]:
    """How many items (or citations, for the quote rates) each summary metric is computed over."""
    answerable = [r for r in results if r.item.answerable]
    counts: dict[str, int] = {}
    for key in [f"recall_at_{k}" for k in RECALL_KS] + [
        "mrr",
        "label_accuracy",
        "label_accuracy_strict",
        "support_recall",
        "key_fact_recall",
    ]:
        counts[key] = sum(1 for r in answerable if r.metrics.get(key) is not None)
    counts["quote_verbatim_rate"] = counts["quote_offset_rate"] = sum(r.n_quotes for r in results)
    for key in ("sentence_support_rate", "citation_precision"):
        counts[key] = sum(1 for r in results if r.metrics.get(key) is not None)
    counts["refusal_accuracy"] = len(results) - len(answerable)
    counts["false_refusal_rate"] = len(answerable)
    counts["decision_accuracy"] = len(results)
    counts["hedged_rate"] = sum(1 for r in results if not r.answer.refused)
    counts["dutch_rate"] = counts["removed_sentences"] = len(results)
    counts["robustness_key_fact_drop"] = len(_variant_pairs(results, "key_fact_recall"))
    counts["robustness_label_drop"] = len(_variant_pairs(results, "label_accuracy"))
    for key in _document_keys(results):
        counts[key] = sum(1 for r in answerable if r.metrics.get(key) is not None)
    for key in sorted({key for r in results for key in r.metrics if key.startswith("judge_")}):
        counts[key] = sum(1 for r in results if r.metrics.get(key) is not None)
    return counts
