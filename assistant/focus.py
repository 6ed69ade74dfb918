"""Which loaded document(s) a question points to, when the user did not choose: by name, or by what it is about.

"De tweede aanbeveling over digitale inclusie" names a part that several documents have; the rest of the question
("digitale inclusie") says which one. Two kinds of evidence, both derived from the documents themselves:

* **Naming**: the question uses a word that identifies one document and no other (its short name, a word of its
  title, author or kind, its file name) or its reference ("advies 84"). What the user names, the user means.
* **Content**: the question's remaining words, each weighed by how specific it is in general Dutch (wordfreq), are
  much denser in one document's text than in the others'. Lexical, so it works with any embedding model.

The structural reference itself ("tweede", "aanbeveling", "stap 5") is no evidence: every document may have it.

>>> from knowledge.units import Document
>>> a = Document("a.txt", "De kracht van sociale innovatie", "Sociale innovatie en onderzoek.", short_name="AWT")
>>> b = Document("b.txt", "Niemand buitenspel", "Digitale inclusie van ouderen. Digitale vaardigheden.")
>>> focus = DocumentFocus((a, b), nouns={"aanbeveling"})
>>> sorted(focus.point("Wat is de tweede aanbeveling over digitale inclusie?").documents)
['b.txt']
>>> focus.point("Wat is de tweede aanbeveling van de AWT?").basis
'naam'
>>> focus.point("Wat is de tweede aanbeveling?").documents
frozenset()
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from assistant.decision.signals import specificity
from assistant.questions import is_follow_up
from index.references import References, StructureIndex, is_label_noun
from index.text import analyze_words, content_words, is_function_word, words
from knowledge.dutch import ORDINALS, fold, parse_number
from knowledge.units import Document, Unit
from knowledge.vocabulary import NEXT_WORDS, NUMBER_NOUNS, PREVIOUS_WORDS

#: A document wins on content when its evidence is at least this many times that of every other document.
#: With two documents, a question word found only in one gives that one all its weight (ratio unbounded); a word
#: twice as dense in one gives 2:1, which is not "far better". 3 asks that the remaining words, weighed by their
#: specificity, lean clearly one way (a 75/25 split of the evidence or more).
CONTENT_RATIO = 3.0
#: And its evidence must add up to at least this much: a third of one word general Dutch hardly uses (specificity 1),
#: or all of one as common as "fietsen" or "raad" (0.4-0.5), so that the commonest words ("gaat", "staat",
#: specificity 0.2 and less) never decide on their own.
MIN_CONTENT = 0.3

Basis = Literal["naam", "inhoud", "onderdeel", "gesprek", ""]


@dataclass(frozen=True)
class DocumentEvidence:
    """How strongly one question points to one document: by naming it, and by its content."""

    document: str
    named: float
    content: float


@dataclass(frozen=True)
class Focus:
    """The documents a question points to (empty: none in particular) and why.

    ``basis`` is ``naam`` (the question names them), ``inhoud`` (its words are theirs), ``onderdeel`` (its words
    are those of the part it names in them), ``gesprek`` (a follow-up, kept in the conversation's documents) or
    empty.
    """

    documents: frozenset[str] = frozenset()
    basis: Basis = ""
    evidence: tuple[DocumentEvidence, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.documents)


def identity_terms(document: Document) -> set[str]:
    """The analyzed words that name a document: its title, short name, author, kind and file name; no numbers."""
    stem = re.split(r"[/\\]", document.name)[-1].split(".", 1)[0]
    text = " ".join((document.title, document.short_name, document.author, document.kind, stem.replace("-", " ")))
    kept = [w for w in words(text) if not w.isdigit() and not is_function_word(w)]
    return set(analyze_words(kept))


class DocumentFocus:
    """Decides which of the loaded documents a question points to (see the module docstring).

    Built once per assistant from the loaded documents and the label nouns of their structure ("aanbeveling").
    """

    def __init__(
        self, documents: Sequence[Document], nouns: Iterable[str] = (), structure: StructureIndex | None = None
    ) -> None:
        self.names = tuple(d.name for d in documents)
        self.structure = structure
        self.nouns = set(nouns) | (structure.nouns if structure is not None else set())
        identities = {d.name: identity_terms(d) for d in documents}
        counts = Counter(t for terms in identities.values() for t in terms)
        # a naming word counts only when it belongs to one document: "advies" names nothing when two are advices
        self._naming = {d: {t for t in terms if counts[t] == 1} for d, terms in identities.items()}
        self._references = {d.name: fold(d.reference) for d in documents if d.reference.strip()}
        self._terms: dict[str, Counter[str]] = {}
        self._unit_words: dict[str, frozenset[str]] = {}
        self._sizes: dict[str, int] = {}
        for document in documents:
            terms = Counter(analyze_words(words(document.text)))
            self._terms[document.name] = terms
            self._sizes[document.name] = max(1, sum(terms.values()))

    def remaining_words(self, question: str) -> list[str]:
        """The question's content words without its structural reference (label nouns, ordinals, numbers)."""
        kept = []
        for word in content_words(question):
            if word in ORDINALS or word in NUMBER_NOUNS or word in NEXT_WORDS or word in PREVIOUS_WORDS:
                continue
            if parse_number(word) is not None or is_label_noun(word, self.nouns):
                continue
            kept.append(word)
        return kept

    def point(self, question: str, references: References | None = None) -> Focus:
        """The documents ``question`` points to: those it names, else those its remaining words lean to.

        When the question names parts (``references``; parsed here when not given) that several documents have,
        only those documents compete on content; and when their texts do not settle it, the named parts
        themselves do: "de eerste aanbeveling over het loket" is the first recommendation that speaks of one.
        """
        if len(self.names) < 2:
            return Focus()
        remaining = self.remaining_words(question)
        terms = {w: analyze_words([w]) for w in remaining}
        folded = f" {' '.join(words(question))} "
        named: dict[str, float] = {}
        for name in self.names:
            hits = {w for w, stems in terms.items() if set(stems) & self._naming[name]}
            reference = self._references.get(name)
            named[name] = len(hits) + (1.0 if reference and f" {' '.join(words(reference))} " in folded else 0.0)
        parts = self._named_parts(question, references)
        candidates = tuple(n for n in self.names if n in parts) if parts else self.names
        content = self._content(terms, candidates)
        evidence = tuple(DocumentEvidence(n, named[n], round(content.get(n, 0.0), 3)) for n in self.names)
        by_name = frozenset(n for n in self.names if named[n] > 0)
        if by_name and len(by_name) < len(self.names):
            return Focus(by_name, "naam", evidence)
        if len(candidates) < 2:
            return Focus(evidence=evidence)  # the parts it names are in one document only: nothing to choose
        leading = _leading(content)
        if len(leading) == 1:
            return Focus(leading, "inhoud", evidence)
        # several documents (or none) lead on content: the named parts' own words may single one out among them
        among = leading or frozenset(parts)
        said_by = {w: {n for n in among if set(stems) & parts.get(n, set())} for w, stems in terms.items()}
        # a word all their parts share ("raad" in each list's lead-in) does not tell them apart
        said = {n: sum(specificity(w) for w, by in said_by.items() if n in by and by != among) for n in among}
        if narrowed := _leading(said):
            return Focus(narrowed, "onderdeel", evidence)
        return Focus(leading, "inhoud" if leading else "", evidence)

    def _named_parts(self, question: str, references: References | None) -> dict[str, set[str]]:
        """Per document with a part the question names: the analyzed words of those parts (empty: names none).

        The parts' own text only: the heading and lead-in above a list ("De raad doet twee aanbevelingen:") say
        nothing about which item is meant.
        """
        if self.structure is None:
            return {}
        refs = references if references is not None else self.structure.parse(question)
        parts: dict[str, set[str]] = {}
        for unit in self.structure.resolve(refs) if refs else ():
            parts.setdefault(unit.document, set()).update(self._words_of(unit))
        return parts

    def _words_of(self, unit: Unit) -> frozenset[str]:
        """A unit's analyzed words, remembered: a part many documents share ("bijlage 4") is read once."""
        known = self._unit_words.get(unit.id)
        if known is None:
            known = self._unit_words[unit.id] = frozenset(analyze_words(words(unit.text)))
        return known

    def _content(self, terms: dict[str, list[str]], names: Sequence[str]) -> dict[str, float]:
        """Per document: each remaining word's specificity, shared out by how dense the word is in each document."""
        scores = dict.fromkeys(names, 0.0)
        for word, stems in terms.items():
            if not stems:
                continue
            density = {n: sum(self._terms[n][s] for s in stems) / self._sizes[n] for n in names}
            total = sum(density.values())
            if total <= 0:
                continue  # a word no document uses says nothing about which one is meant
            weight = specificity(word)
            for name in names:
                scores[name] += weight * density[name] / total
        return scores


def _leading(scores: dict[str, float]) -> frozenset[str]:
    """The documents far ahead of the rest (see :data:`CONTENT_RATIO`, :data:`MIN_CONTENT`); empty when none are."""
    best = max(scores.values(), default=0.0)
    if best < MIN_CONTENT:
        return frozenset()
    leading = frozenset(n for n, score in scores.items() if score * CONTENT_RATIO > best)
    return leading if len(leading) < len(scores) else frozenset()


def question_focus(
    focus: DocumentFocus,
    question: str,
    earlier: Sequence[str],
    follow_up: bool,
    references: References | None = None,
) -> Focus:
    """The documents a question points to, in its conversation: its own, else (a follow-up) the conversation's.

    ``earlier`` holds the user's earlier questions, newest first. A follow-up ("En de derde?") that names no
    document stays in the documents of the turn it follows; that turn may itself have followed up, so the search
    goes back until a question that points somewhere, and stops at one that started afresh without pointing.
    ``references`` are the question's own, as completed from the conversation (see :meth:`DocumentFocus.point`).

    >>> from knowledge.units import Document
    >>> a = Document("a.txt", "Sociale innovatie", "Sociale innovatie en onderzoek.")
    >>> b = Document("b.txt", "Niemand buitenspel", "Digitale inclusie van ouderen.")
    >>> focus = DocumentFocus((a, b), nouns={"aanbeveling"})
    >>> earlier = ["Wat is de tweede aanbeveling over ouderen?"]
    >>> found = question_focus(focus, "En de derde?", earlier, follow_up=True)
    >>> sorted(found.documents), found.basis
    (['b.txt'], 'gesprek')
    >>> sorted(question_focus(focus, "En de derde over sociale innovatie?", earlier, follow_up=True).documents)
    ['a.txt']
    """
    own = focus.point(question, references)
    if own or not follow_up:
        return own
    for text in earlier:
        found = focus.point(text)
        if found:
            return Focus(found.documents, "gesprek", found.evidence)
        if not is_follow_up(text):
            break
    return own
