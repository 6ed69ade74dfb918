"""Composing an answer from retrieved units: the extractive default backend and the refusal text.

The extractive backend decides which passages are quoted and how; whether to answer at all is
:mod:`assistant.decision`'s.

>>> from assistant.decision import DecisionModel
>>> backend = ExtractiveBackend(DecisionModel.load())
>>> backend.name
'extractief'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from assistant.contract import AlsoIn, Answer, Citation, cite, join_notices
from assistant.decision import DecisionModel, Reason, Verdict, decide, explanation, extract
from assistant.focus import identity_terms
from assistant.retrieval import Retrieval
from assistant.scope import document_kind, refusal_sentence, several
from index.references import label_parts
from index.search import Hit
from index.text import analyze, content_words
from index.twins import Twins
from knowledge import citation_label, document_titles
from knowledge.dutch import thousands
from knowledge.units import Unit

log = logging.getLogger(__name__)

_SELECTS_ONE = re.compile(r"\bwelke van\b|\bwelk van\b|\bwhich of\b|\bin welke (?:stap|aanbeveling)", re.IGNORECASE)


class AnswerBackend(Protocol):
    """Turns a question and its retrieved units into an :class:`Answer`."""

    name: str

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """The answer to ``question`` (already checked) from what search found for it."""
        ...


def judge(retrieval: Retrieval, model: DecisionModel) -> Verdict:
    """The decision for a retrieval, logged by reason code (never the question)."""
    verdict = decide(extract(retrieval), model)
    log.info("Beslissing: %s (zekerheid %.2f)", verdict.reason.value, verdict.confidence)
    return verdict


class ExtractiveBackend:
    """The default: an answer made only of verbatim quotes from the best units, each with its marker. No LLM."""

    name = "extractief"

    def __init__(self, model: DecisionModel, max_units: int = 3) -> None:
        self.model = model
        self.max_units = max_units

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        """Quote the best units verbatim, each with its marker; or refuse, saying why and where to look instead."""
        verdict = judge(retrieval, self.model)
        if not verdict.answer:
            return refusal(question, retrieval, self.name, verdict)
        groups = _select_groups(retrieval, self.max_units)
        units = [u for group in groups for u in group.units]
        notice = join_notices(_notice(retrieval, verdict), _left_out_notice(groups))
        scores = {h.unit.id: h.score for h in retrieval.hits}
        naming = _Naming.of(retrieval)
        citations = [
            cite(i + 1, u, _score(u, scores, retrieval.twins), naming.title(u), naming.also_in(u))
            for i, u in enumerate(units)
        ]
        return Answer(
            question=question,
            answer=_compose_groups(groups, naming),
            citations=citations,
            refused=False,
            backend=self.name,
            notice=notice,
            reason=verdict.reason.value,
            confidence=round(verdict.confidence, 3),
        )


def _score(unit: Unit, scores: Mapping[str, float], twins: Twins) -> float:
    """How well ``unit`` matched: its own score, or its twin's when search ranked the twin (see preferred_unit)."""
    return max([scores.get(unit.id, 0.0), *(scores.get(t, 0.0) for t in twins.of(unit.id))])


@dataclass(frozen=True)
class Selection:
    """The units to quote; for a list answer, how many are the list's items and whether its context comes first."""

    units: list[Unit]
    items: int | None = None
    context_first: bool = False
    left_out: int = 0  # named passages not quoted: more of them carry one label than an answer quotes


def _select_groups(retrieval: Retrieval, max_units: int) -> list[Selection]:
    """What to quote, one selection per document: a question that fits several documents is answered from each.

    With one document (or units of one document only) this is the one selection :func:`_select` makes.
    """
    named = [h.unit for h in retrieval.hits if h.structural]
    documents = list(dict.fromkeys(u.document for u in named))
    if len(documents) > 1:  # "de tweede aanbeveling", and nothing says which document's: each document's own
        groups = [_select(retrieval, max_units, [u for u in named if u.document == d]) for d in documents]
        return _distinct(groups)
    selection = _select(retrieval, max_units)
    documents = list(dict.fromkeys(u.document for u in selection.units))
    if len(documents) < 2:
        return [selection]
    groups = [Selection([u for u in selection.units if u.document == d]) for d in documents]
    return [replace(groups[0], left_out=selection.left_out), *groups[1:]]


def _distinct(groups: list[Selection]) -> list[Selection]:
    """``groups`` without a unit an earlier group quotes already (a summary's item became the report's twin)."""
    seen: set[str] = set()
    kept = []
    for group in groups:
        units = [u for u in group.units if u.id not in seen]
        seen.update(u.id for u in units)
        if len(units) == len(group.units):
            kept.append(group)
        elif units:
            kept.append(Selection(units, left_out=group.left_out))
    if len(kept) > 1 and len({u.document for g in kept for u in g.units}) < len(kept):
        return [Selection([u for g in kept for u in g.units], left_out=sum(g.left_out for g in kept))]
    return kept


def _select(retrieval: Retrieval, max_units: int, named: list[Unit] | None = None) -> Selection:
    return _prefer_paged(_choose(retrieval, max_units, named), retrieval)


def preferred_unit(unit: Unit, retrieval: Retrieval) -> Unit:
    """The unit to cite for ``unit``: its near-identical twin with a page number, when ``unit`` has none.

    A summary (text, no pages) and the full report (PDF) of the same advice say much the same; the report's
    passage can be found on paper. When both or neither have pages, ``unit`` stays; so does a unit whose twin is
    in a document the question was not restricted to.
    """
    if unit.page is not None:
        return unit
    paged = [
        (similarity, twin)
        for twin_id, similarity in retrieval.twins.of(unit.id).items()
        if (twin := retrieval.units_by_id.get(twin_id)) is not None
        and twin.page is not None
        and (not retrieval.scope or twin.document in retrieval.scope)
    ]
    return max(paged, key=lambda pair: pair[0])[1] if paged else unit


def _prefer_paged(selection: Selection, retrieval: Retrieval) -> Selection:
    """``selection`` with each unit replaced by :func:`preferred_unit`; a unit that then occurs twice, once."""
    if not retrieval.twins:
        return selection
    units: list[Unit] = []
    quoted: set[str] = set()  # ids, not the units: comparing whole units made this quadratic (~1 s at 2,000 pages)
    items = selection.items
    total = len(selection.units)
    for i, unit in enumerate(selection.units):
        chosen = preferred_unit(unit, retrieval)
        if chosen.id not in quoted:
            units.append(chosen)
            quoted.add(chosen.id)
        elif items is not None and (i >= total - items if selection.context_first else i < items):
            items -= 1
    return replace(selection, units=units, items=items or None)


def _choose(retrieval: Retrieval, max_units: int, named: list[Unit] | None = None) -> Selection:
    hits = retrieval.hits
    if named is None:
        named = [h.unit for h in hits if h.structural]
    refs = retrieval.result.references
    scores = {h.unit.id: h.score for h in hits}
    if named and refs.lists:
        members = [u for u in named if (parts := label_parts(u.label)) and parts[-1][0] in refs.lists]
        if _SELECTS_ONE.search(retrieval.question):
            best = max(members or named, key=lambda u: scores.get(u.id, 0.0))
            return Selection([best, *([p] if (p := retrieval.units_by_id.get(best.parent_id or "")) else [])])
        items = _about_the_topic(retrieval, members, scores)
        lead = retrieval.lead_in_unit(items[0]) if items else None
        context = [lead] if lead is not None else []
        context += [u for u in named if u not in members and u not in context]
        context = [u for u in context if u not in items]
        if len(items) == len(members):  # the whole list: its lead-in ("… zes concrete stappen:") introduces it
            return Selection(context + items, items=len(items), context_first=True)
        return Selection(items + context, items=len(items))
    left_out = 0
    if named:
        chosen = _best_per_label(named, scores, max_units)
        left_out = len(named) - len(chosen)
        if len(named) == 1:
            chosen.extend(c for c in retrieval.children_of(named[0]) if c not in chosen)
    else:
        top = _substantive_first(retrieval)
        chosen = [top.unit, *retrieval.children_of(top.unit)]
        for hit in hits[1:max_units]:
            if hit.score >= 0.85 * top.score and hit.unit not in chosen:
                chosen.append(hit.unit)
    parent = retrieval.units_by_id.get(chosen[0].parent_id or "")
    if parent is not None and parent not in chosen:
        chosen.append(parent)  # a step is read with the recommendation it belongs to
    return Selection(chosen, left_out=left_out)


def _best_per_label(named: list[Unit], scores: Mapping[str, float], most: int) -> list[Unit]:
    """``named`` in its order, with at most ``most`` units per label of a document: the best-scoring ones.

    A label is meant to name one part, but a text may repeat it (a summary and the body, or a sentence the parser
    took for a heading): "bijlage 4" then names every repeat, and an answer quoting hundreds of them helps nobody.
    """
    by_label: dict[tuple[str, str], list[Unit]] = {}
    for unit in named:
        by_label.setdefault((unit.document, unit.label or unit.id), []).append(unit)
    if all(len(same) <= most for same in by_label.values()):
        return list(named)
    kept = {
        u.id
        for same in by_label.values()
        for u in sorted(same, key=lambda u: -scores.get(u.id, 0.0))[:most]  # stable: document order on a tie
    }
    return [u for u in named if u.id in kept]


_FILTER_KEEP = 0.6  # of the best member's score: "welke stappen gaan over onderzoek" keeps the steps that do


def _about_the_topic(retrieval: Retrieval, members: list[Unit], scores: dict[str, float]) -> list[Unit]:
    """All members of a named list, or only those the question narrows it to.

    When the question narrows it ("welke stappen gaan over onderzoek"), the members that score close to the best
    one, best first.
    """
    nouns = retrieval.result.references.lists
    lead = retrieval.lead_in_unit(members[0]) if members else None
    shared = set(analyze(lead.text)) if lead is not None else set()  # words of the lead-in describe every member
    if len(retrieval.documents) > 1 and members:  # and so do the words that name their document ("de notitie")
        shared |= {t for d in retrieval.documents if d.name == members[0].document for t in identity_terms(d)}
    topic = [
        w
        for w in content_words(retrieval.question)
        if not any(w.startswith(n[:4]) for n in nouns) and not set(analyze(w)) & shared
    ]
    if not topic or len(members) < 2:
        return members
    best = max(scores.get(u.id, 0.0) for u in members)
    if best <= 0:
        return members
    kept = sorted(
        (u for u in members if scores.get(u.id, 0.0) >= _FILTER_KEEP * best), key=lambda u: -scores.get(u.id, 0.0)
    )
    return kept or members


def _quote(text: str) -> str:
    """The passage in Dutch quotation marks, on one line (the citation keeps the exact text and layout)."""
    return "„" + " ".join(text.split()) + "”"


@dataclass(frozen=True)
class _Naming:
    """How an answer names the documents it quotes: with one document as always, with several by title."""

    titles: dict[str, str]  # document name -> title; empty with one document
    kinds: dict[str, str]  # document name -> "het advies", "het document", …; only with several documents
    twins: Twins  # near-identical passages in other documents: cited as "ook in …"
    units: Mapping[str, Unit]

    @classmethod
    def of(cls, retrieval: Retrieval) -> _Naming:
        titles = document_titles(retrieval.documents)
        kinds = {d.name: document_kind(d) for d in retrieval.documents} if titles else {}
        return cls(titles, kinds, retrieval.twins, retrieval.units_by_id)

    def also_in(self, unit: Unit) -> list[AlsoIn]:
        """Per other document that says what ``unit`` says, its closest passage; in document order.

        One per document: a text that repeats a passage (hundreds of times in a generated corpus) is named once.
        """
        order = {name: i for i, name in enumerate(self.titles)}
        closest: dict[str, tuple[float, Unit]] = {}
        for twin_id, similarity in self.twins.of(unit.id).items():
            twin = self.units.get(twin_id)
            if twin is None:
                continue
            best = closest.get(twin.document)
            if best is None or (similarity, -twin.start) > (best[0], -best[1].start):
                closest[twin.document] = (similarity, twin)
        twins = sorted((u for _, u in closest.values()), key=lambda u: (order.get(u.document, len(order)), u.start))
        return [
            AlsoIn(document=u.document, title=self.titles.get(u.document, u.document), label=self.label(u))
            for u in twins
        ]

    def also(self, unit: Unit) -> str:
        """What an answer line adds after a unit's marker: `` (ook in …)`` when other documents say the same."""
        others = self.also_in(unit)
        return f" (ook in {'; '.join(a.label for a in others)})" if others else ""

    def title(self, unit: Unit) -> str | None:
        return self.titles.get(unit.document)

    def label(self, unit: Unit) -> str:
        return citation_label(unit, self.title(unit))

    def source(self, unit: Unit) -> str:
        return self.kinds.get(unit.document, "het advies")


def _compose_groups(groups: list[Selection], naming: _Naming) -> str:
    """The answer text: one group per document, each named by its title when there are several."""
    if len(groups) == 1:
        return _compose(groups[0], naming.label, naming.source, naming.also)
    texts, start = [], 1
    for group in groups:
        title = f"‘{naming.title(group.units[0])}’"
        texts.append(_compose(group, lambda u: citation_label(u, None), partial(_named, title), naming.also, start))
        start += len(group.units)
    return "\n\n".join(texts)


def _named(title: str, _unit: Unit) -> str:
    return title


def _compose(
    selection: Selection,
    label: Callable[[Unit], str],
    source: Callable[[Unit], str],
    also: Callable[[Unit], str],
    start: int = 1,
) -> str:
    """The quotes of one selection, numbered from ``start``; ``source`` names where they come from."""
    units = selection.units
    if selection.items:
        n_context = len(units) - selection.items
        lines = []
        for i, unit in enumerate(units, start=1):
            n = i + start - 1
            is_context = i <= n_context if selection.context_first else i > selection.items
            if is_context and selection.context_first:
                lines.append(f"{label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
            elif is_context:
                lines.append(f"Zo staat het in {source(unit)}, {label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
            else:
                lines.append(f"- {label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
        return f"Volgens {source(units[0])}:\n" + "\n".join(lines)
    first, rest = units[0], units[1:]
    lines = [f"Volgens {source(first)} ({label(first)}): {_quote(first.text)} [{start}]{also(first)}"]
    for n, unit in enumerate(rest, start=start + 1):
        if unit.parent_id == first.id:
            lines.append(f"- {label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
        elif unit.id == first.parent_id:
            lines.append(f"Dit hoort bij {label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
        else:
            lines.append(f"Zie ook {label(unit)}: {_quote(unit.text)} [{n}]{also(unit)}")
    return "\n".join(lines)


def _notice(retrieval: Retrieval, verdict: Verdict) -> str | None:
    notices = list(retrieval.notices)
    if verdict.reason is Reason.ONZEKER:
        notices.append(_explanation(Reason.ONZEKER, retrieval))
    return join_notices(*notices)


def _left_out_notice(groups: list[Selection]) -> str | None:
    """Says so when the question named more passages than the answer quotes (see :func:`_best_per_label`).

    >>> _left_out_notice([Selection([], left_out=1891)]).split("; ")[1]
    '1.891 passages zijn weggelaten. Het antwoord citeert de passages die het best bij uw vraag passen'
    >>> _left_out_notice([Selection([])]) is None
    True
    """
    left_out = sum(g.left_out for g in groups)
    if not left_out:
        return None
    return (
        f"Wat u noemt, komt in de tekst vaker voor dan een antwoord kan citeren; {thousands(left_out)} "
        f"{'passage is' if left_out == 1 else 'passages zijn'} weggelaten. Het antwoord citeert de passages die het "
        "best bij uw vraag passen; noem zo nodig het hoofdstuk of document erbij."
    )


def _missing_parts(retrieval: Retrieval) -> str:
    pairs = retrieval.result.references.pairs
    names = [", ".join(f"{noun} {number}" for noun, number in reversed(pair.items())) for pair in pairs]
    return " en ".join(names)


def _subject(retrieval: Retrieval) -> str:
    """What the answer was looked for in, capitalised, as the subject of a sentence.

    "Het advies" with one document loaded (as always), "De geladen documenten" with several, or the kind of the
    one document a question was restricted to ("Het document").
    """
    if several(retrieval.searched):
        return "De geladen documenten"
    if not several(retrieval.documents) or not retrieval.searched:
        return "Het advies"
    kind = document_kind(retrieval.searched[0])
    return kind[:1].upper() + kind[1:]


def _explanation(reason: Reason, retrieval: Retrieval) -> str:
    """The sentence for ``reason``, speaking of the documents the answer was looked for in (see :func:`_subject`)."""
    if not several(retrieval.documents):
        return explanation(reason)
    return explanation(reason, several(retrieval.searched), subject=_subject(retrieval))


def refusal(question: str, retrieval: Retrieval, backend: str, verdict: Verdict) -> Answer:
    """A Dutch refusal that says why and points at the nearest passages, so the user knows where to look instead."""
    numbered = [h for h in retrieval.hits if re.search(r"\d", h.unit.label)]
    nearest: list[tuple[Unit, float]] = []
    for hit in (numbered or retrieval.hits) if verdict.reason is not Reason.GEEN_VRAAG else []:
        unit = preferred_unit(hit.unit, retrieval)
        if len(nearest) < 2 and all(unit != u for u, _score in nearest):
            nearest.append((unit, hit.score))
    naming = _Naming.of(retrieval)
    citations = [cite(i + 1, u, score, naming.title(u), naming.also_in(u)) for i, (u, score) in enumerate(nearest)]
    why = _explanation(verdict.reason, retrieval)
    if verdict.reason is Reason.VERWIJZING_BESTAAT_NIET and (parts := _missing_parts(retrieval)):
        # the sentence before names the document(s) the question was restricted to or points to
        why = f"{_subject(retrieval)} {'hebben' if several(retrieval.searched) else 'heeft'} geen {parts}."
    text = f"{refusal_sentence(retrieval.searched)} {why} Daar kan ik dus geen betrouwbaar antwoord op geven."
    if citations:
        pointers = " en ".join(
            f"{c.label} [{c.n}]{naming.also(u)}" for c, (u, _s) in zip(citations, nearest, strict=True)
        )
        text += f" Het dichtst bij uw vraag komen: {pointers}."
    return Answer(
        question=question,
        answer=text,
        citations=citations,
        refused=True,
        backend=backend,
        notice=join_notices(*retrieval.notices),
        reason=verdict.reason.value,
        confidence=round(verdict.confidence, 3),
    )


def _substantive_first(retrieval: Retrieval) -> Hit:
    """The best hit, unless it only introduces a list and a passage that says something scores close to it.

    The introducing line is like "De AWT doet drie aanbevelingen…:"; the other passage must be of the same section.
    """
    hits = retrieval.hits
    top = hits[0]
    lead_ins = {lead.id for h in hits if (lead := retrieval.lead_in_unit(h.unit)) is not None}
    if top.unit.id not in lead_ins:
        return top
    for hit in hits[1:4]:
        if (
            hit.unit.id not in lead_ins
            and hit.unit.heading_path == top.unit.heading_path
            and hit.score >= 0.6 * top.score
        ):
            return hit
    return top


def with_also_in(citations: list[Citation], retrieval: Retrieval) -> list[Citation]:
    """``citations`` with ``also_in`` filled in: the other documents that hold each cited passage near-identically."""
    if not retrieval.twins:
        return citations
    naming = _Naming.of(retrieval)
    return [
        c.model_copy(update={"also_in": naming.also_in(unit)}) if (unit := retrieval.units_by_id.get(c.unit_id)) else c
        for c in citations
    ]


@dataclass(frozen=True)
class Quotes:
    """The units the extractive answer would quote, in its order, and the notice when it leaves named ones out."""

    units: list[Unit]
    notice: str | None


def select_quotes(retrieval: Retrieval, max_units: int = 3) -> Quotes:
    """What the extractive answer would quote (the generative backend shows these units to the LLM first)."""
    groups = _select_groups(retrieval, max_units)
    return Quotes([u for group in groups for u in group.units], _left_out_notice(groups))
