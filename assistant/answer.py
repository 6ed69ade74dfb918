"""Composing an answer from retrieved units: the extractive default backend and the refusal decision.

>>> backend = ExtractiveBackend()
>>> backend.name
'extractief'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from assistant.contract import Answer, Citation
from index.lexical import LexicalIndex
from index.references import label_parts
from index.search import Hit, SearchResult
from index.text import DOCUMENT_WORDS, META_WORDS, STOPWORDS, analyze, asks_about_document, content_words, words
from knowledge.dutch import fold, is_number_word
from knowledge.loader import citation_label
from knowledge.units import Unit, UnitCatalog

_MONTHS = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"


@dataclass(frozen=True)
class AnswerType:
    """A kind of fact a question asks for, and the pattern a passage must contain to give it."""

    name: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]


ANSWER_TYPES: tuple[AnswerType, ...] = (
    AnswerType(
        "bedrag",
        re.compile(
            r"\b(?:hoeveel (?:\w+ )?\w*(?:geld|euro)|\w*geld|budget\w*|bedrag\w*|kost(?:en|t)?|subsidie\w*|financiering|miljoen|miljard|"
            r"how much money|funding|cost)\b",
            re.IGNORECASE,
        ),
        re.compile(r"€|\beuro\b|\bmiljoen\b|\bmiljard\b|\bEUR\b", re.IGNORECASE),
    ),
    AnswerType(
        "persoon",
        re.compile(
            r"\b(?:voorzitter|directeur|secretaris|woordvoerder|hoe heet|naam van|welke persoon|welke minister|"
            r"wie (?:is|was|zijn|waren) de (?:minister|staatssecretaris|auteur)s?|chair(?:man)?|who is the)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\b(?:prof|dr|drs|mr|ir|ing)\.\s*[A-Z]|\b[A-Z]\.(?:\s?[A-Z]\.)*\s(?:(?:van|de|der|den)\s)*[A-Z][a-z]+"),
    ),
    AnswerType(
        "dag",
        re.compile(r"\b(?:op welke (?:dag|datum)|welke datum|exacte datum|what date|which day)\b", re.IGNORECASE),
        re.compile(rf"\b\d{{1,2}}\s+(?:{_MONTHS})\b|\b\d{{1,2}}-\d{{1,2}}-\d{{2,4}}\b", re.IGNORECASE),
    ),
    AnswerType(
        "tijd",
        re.compile(r"\b(?:wanneer|in welk jaar|welk jaar|sinds wanneer|when|what year)\b", re.IGNORECASE),
        re.compile(rf"\b(?:19|20)\d\d\b|\b(?:{_MONTHS})\b|\bdecennia\b", re.IGNORECASE),
    ),
)
_SELECTS_ONE = re.compile(r"\bwelke van\b|\bwelk van\b|\bwhich of\b|\bin welke (?:stap|aanbeveling)", re.IGNORECASE)
_HOW_MANY = re.compile(r"\bhoeveel\s+(?P<noun>\w+)|\bhow many\s+(?P<en>\w+)", re.IGNORECASE)


class AnswerBackend(Protocol):
    """Turns a question and its retrieved units into an :class:`Answer`."""

    name: str

    def answer(self, question: str, retrieval: Retrieval) -> Answer: ...


@dataclass(frozen=True)
class Retrieval:
    """What search found for a question, plus what the refusal decision needs to know."""

    question: str  # the question as asked, without any instructions it contained
    query: str  # what was searched: the question, completed from earlier turns when it follows up
    result: SearchResult
    lexical: LexicalIndex
    units_by_id: UnitCatalog
    injection: bool = False
    english: bool = False
    notices: list[str] = field(default_factory=list)

    @property
    def hits(self) -> list[Hit]:
        return self.result.hits

    def children_of(self, unit: Unit) -> list[Unit]:
        return self.units_by_id.children_of(unit)

    def lead_in_unit(self, item: Unit) -> Unit | None:
        return self.units_by_id.lead_in_unit(item)


@dataclass(frozen=True)
class Decision:
    answerable: bool
    reason: str = ""


def decide(retrieval: Retrieval, threshold: float) -> Decision:
    """Is the answer in the documents? Named references always are; otherwise the question's content words must
    be known to the corpus (or the meaning be very close), and a question asking for an amount, a person or a date
    needs a passage that contains one."""
    hits = retrieval.hits
    if not hits:
        return Decision(False, "geen passages")
    question = retrieval.question
    unknown_kind = None if retrieval.english else _unknown_asked_kind(question, retrieval.lexical)
    if unknown_kind:
        return Decision(False, f"gevraagd soort onbekend: {unknown_kind}")
    top_text = " ".join(f"{h.unit.lead_in or ''} {h.unit.text}" for h in hits[:3])
    for kind in ANSWER_TYPES:
        if kind.question.search(question) and not kind.evidence.search(top_text):
            return Decision(False, f"type:{kind.name}")
    how_many = _HOW_MANY.search(question)
    if how_many and not _counted(how_many["noun"] or how_many["en"] or "", top_text):
        return Decision(False, "type:aantal")
    refs = retrieval.result.references
    if any(h.structural for h in hits):
        # "Zijn de aanbevelingen door het kabinet overgenomen?" names the list but asks what it does not say
        rest = [
            w for w in content_words(question)
            if not _names_reference(w, refs.nouns()) and not is_number_word(w) and w not in {"nummer", "nr"}
        ]
        if len(rest) >= 2 and not retrieval.english and retrieval.lexical.coverage(rest) == 0.0:
            return Decision(False, "verwijzing, maar de vraag gaat over iets anders")
        return Decision(True, "verwijzing")
    if refs.pairs:
        return Decision(False, "verwijzing bestaat niet")
    terms = content_words(retrieval.query)
    about_document = asks_about_document(question)
    if not terms and not about_document:
        return Decision(False, "geen inhoudelijke vraag")
    coverage = retrieval.lexical.coverage(terms)
    if coverage is None or about_document:
        coverage = 1.0
    best = retrieval.result.best_dense
    if retrieval.english:
        if best < threshold and coverage < 0.5:
            return Decision(False, f"buiten onderwerp (dense {best:.3f}, dekking {coverage:.2f})")
    elif coverage < 0.5 and best < threshold + 0.08:
        return Decision(False, f"buiten onderwerp (dense {best:.3f}, dekking {coverage:.2f})")
    elif best < threshold - 0.04:
        return Decision(False, f"te ver weg (dense {best:.3f})")
    return Decision(True, f"dense {best:.3f}, dekking {coverage:.2f}")


def _names_reference(word: str, nouns: set[str]) -> bool:
    return any(word.startswith(noun) or difflib.SequenceMatcher(None, word, noun).ratio() > 0.8 for noun in nouns)


# Kinds of answer rather than kinds of thing: "welk probleem", "welke taak" can be answered by any passage.
_ABSTRACT_KINDS = frozenset(
    "probleem problemen taak taken rol rollen reden redenen doel doelen manier manieren soort soorten punt punten "
    "onderdeel onderdelen aspect aspecten vorm vormen zaak zaken idee ideeen oplossing oplossingen kwestie "
    "kwesties belang conclusie conclusies boodschap rol kant kanten richting stap stappen actie acties".split()
)
_ASKED_KIND = re.compile(r"\bwelke?\s+(?P<first>[^\W\d]+)(?:\s+(?P<second>[^\W\d]+))?", re.IGNORECASE)


def _unknown_asked_kind(question: str, lexical: LexicalIndex) -> str | None:
    """``Welke Australische projecten …?`` asks for things of a kind; if the documents never name that kind,
    they cannot list any. An adjective (ending in -e) is checked together with the noun after it."""
    match = _ASKED_KIND.search(question)
    if not match:
        return None
    candidates = [match["first"]]
    if match["second"] and fold(match["first"]).endswith("e"):
        candidates.append(match["second"])
    for word in map(fold, candidates):
        if is_number_word(word) or word in META_WORDS or word in STOPWORDS or word in _ABSTRACT_KINDS:
            continue
        if difflib.get_close_matches(word, DOCUMENT_WORDS, n=1, cutoff=0.8):
            continue
        if lexical.match(word) is None:
            return word
    return None


def _counted(noun: str, text: str) -> bool:
    """Does ``text`` give a number for ``noun`` ("drie aanbevelingen", "zes concrete stappen")?"""
    stems = analyze(noun)
    if not stems:
        return True
    tokens = words(text)
    for i, token in enumerate(tokens):
        if analyze(token) == stems and any(is_number_word(t) for t in tokens[max(0, i - 3) : i]):
            return True
    return False


class ExtractiveBackend:
    """The default: an answer made only of verbatim quotes from the best units, each with its marker. No LLM."""

    name = "extractief"

    def __init__(self, threshold: float = 0.80, max_units: int = 3) -> None:
        self.threshold = threshold
        self.max_units = max_units

    def answer(self, question: str, retrieval: Retrieval) -> Answer:
        decision = decide(retrieval, self.threshold)
        notice = " ".join(retrieval.notices) or None
        if not decision.answerable:
            return refusal(question, retrieval, self.name, notice)
        units, intro = self._select(retrieval)
        scores = {h.unit.id: h.score for h in retrieval.hits}
        citations = [_citation(i + 1, u, scores.get(u.id, 0.0)) for i, u in enumerate(units)]
        return Answer(
            question=question,
            answer=_compose(units, intro),
            citations=citations,
            refused=False,
            backend=self.name,
            notice=notice,
        )

    def _select(self, retrieval: Retrieval) -> tuple[list[Unit], str | None]:
        hits = retrieval.hits
        named = [h.unit for h in hits if h.structural]
        refs = retrieval.result.references
        if named and refs.lists and _SELECTS_ONE.search(retrieval.question):
            members = [u for u in named if (parts := label_parts(u.label)) and parts[-1][0] in refs.lists]
            scores = {h.unit.id: h.score for h in hits}
            best = max(members or named, key=lambda u: scores.get(u.id, 0.0))
            return [best, *([p] if (p := retrieval.units_by_id.get(best.parent_id or "")) else [])], None
        if named and refs.lists:
            members = [u for u in named if (parts := label_parts(u.label)) and parts[-1][0] in refs.lists]
            lead = retrieval.lead_in_unit(members[0]) if members else None
            ordered = ([lead] if lead and lead not in named else []) + [u for u in named if u not in members]
            ordered += [u for u in members if u not in ordered]
            return ordered, "list"
        if named:
            chosen = list(named)
            if len(named) == 1:
                chosen.extend(c for c in retrieval.children_of(named[0]) if c not in chosen)
        else:
            top = hits[0]
            chosen = [top.unit, *retrieval.children_of(top.unit)]
            for hit in hits[1 : self.max_units]:
                if hit.score >= 0.85 * top.score and hit.unit not in chosen:
                    chosen.append(hit.unit)
        parent = retrieval.units_by_id.get(chosen[0].parent_id or "")
        if parent is not None and parent not in chosen:
            chosen.append(parent)  # a step is read with the recommendation it belongs to
        return chosen, None


def _citation(n: int, unit: Unit, score: float) -> Citation:
    return Citation(
        n=n,
        label=citation_label(unit),
        document=unit.document,
        quote=unit.text,
        score=round(float(score), 4),
        unit_id=unit.id,
        start=unit.start,
        end=unit.end,
    )


def _quote(text: str) -> str:
    """The passage in Dutch quotation marks, on one line (the citation keeps the exact text and layout)."""
    return "„" + " ".join(text.split()) + "”"


def _compose(units: Sequence[Unit], mode: str | None) -> str:
    if mode == "list":
        head, items = (units[0], units[1:]) if units[0].kind == "paragraph" or units[0].parent_id is None and any(
            u.parent_id == units[0].id for u in units[1:]
        ) else (None, units)
        lines = []
        if head is not None:
            lines.append(f"{citation_label(head)}: {_quote(head.text)} [1]")
        offset = 2 if head is not None else 1
        lines.extend(f"- {citation_label(u)}: {_quote(u.text)} [{i + offset}]" for i, u in enumerate(items))
        return "Volgens het advies:\n" + "\n".join(lines)
    first, rest = units[0], units[1:]
    lines = [f"Volgens het advies ({citation_label(first)}): {_quote(first.text)} [1]"]
    for i, unit in enumerate(rest, start=2):
        if unit.parent_id == first.id:
            lines.append(f"- {citation_label(unit)}: {_quote(unit.text)} [{i}]")
        elif unit.id == first.parent_id:
            lines.append(f"Dit hoort bij {citation_label(unit)}: {_quote(unit.text)} [{i}]")
        else:
            lines.append(f"Zie ook {citation_label(unit)}: {_quote(unit.text)} [{i}]")
    return "\n".join(lines)


REFUSAL_TEXT = (
    "Dat staat niet in het advies ‘De kracht van sociale innovatie’ (AWT, 2014), dus daar kan ik geen "
    "betrouwbaar antwoord op geven."
)


def refusal(question: str, retrieval: Retrieval, backend: str, notice: str | None) -> Answer:
    """A Dutch refusal that points at the nearest recommendations, so the user knows where to look instead."""
    numbered = [h for h in retrieval.hits if re.search(r"\d", h.unit.label)]
    nearest = (numbered or retrieval.hits)[:2]
    citations = [_citation(i + 1, h.unit, h.score) for i, h in enumerate(nearest)]
    text = REFUSAL_TEXT
    if citations:
        pointers = " en ".join(f"{c.label} [{c.n}]" for c in citations)
        text += f" Het dichtst bij uw vraag komen: {pointers}."
    return Answer(
        question=question, answer=text, citations=citations, refused=True, backend=backend, notice=notice
    )


def select_units(retrieval: Retrieval, max_units: int = 3) -> list[Unit]:
    """The units the extractive answer would quote, in its order (the generative backend shows them to the LLM)."""
    units, _mode = ExtractiveBackend(max_units=max_units)._select(retrieval)
    return units
