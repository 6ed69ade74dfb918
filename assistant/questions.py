r"""Reading a question before it is searched: validation, prompt-injection and follow-ups.

>>> clean_question("  Wat is\x00 stap 5?  ", max_chars=100)
'Wat is stap 5?'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.contract import Message
from index.references import References, StructureIndex, context_noun, elliptic_ordinal, merge_references
from index.text import content_words, words
from knowledge.dutch import thousands
from knowledge.units import KnowledgeBase
from knowledge.vocabulary import FOLLOW_UP_START, INSTRUCTION_PATTERN, NEXT_WORDS, POINTING_PATTERN, PREVIOUS_WORDS

_INVISIBLE = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{_INVISIBLE}]")
# A question is not empty when it has one character that cleaning keeps: this pattern, in the regex syntax that
# Python and JSON Schema (ECMA-262) share, is what the OpenAPI description promises (see clean_question).
VISIBLE_CHARACTER = rf"[^\s{_INVISIBLE}\ufffd]"
_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*", re.UNICODE)


def _relative_step(question: str) -> int:
    """+1 for "de volgende", -1 for "de vorige", 0 otherwise."""
    tokens = set(words(question))
    return 1 if tokens & NEXT_WORDS else -1 if tokens & PREVIOUS_WORDS else 0


class InvalidQuestion(ValueError):
    """The question cannot be answered as given; ``str()`` is a Dutch message for the user."""


class UnknownDocument(InvalidQuestion):
    """A question restricted to a document that is not loaded (or a name that fits several)."""


def selected_documents(knowledge: KnowledgeBase, wanted: Sequence[str]) -> frozenset[str]:
    """The names of the loaded documents ``wanted`` means (see :meth:`KnowledgeBase.matching`); empty: all.

    Raises :class:`UnknownDocument` with a Dutch message that lists what is loaded.

    >>> from knowledge.units import Document
    >>> kb = KnowledgeBase((Document("advies.txt", "De kracht van sociale innovatie", ""),))
    >>> sorted(selected_documents(kb, ["advies"]))
    ['advies.txt']
    >>> selected_documents(kb, ["rapport"])
    Traceback (most recent call last):
    ...
    assistant.questions.UnknownDocument: Er is geen document ‘rapport’ geladen. Geladen: ‘De kracht van sociale \
innovatie’ (advies.txt).
    """
    chosen: set[str] = set()
    for name in wanted:
        found = knowledge.matching(name)
        if len(found) == 1:
            chosen.add(found[0].name)
            continue
        loaded = ", ".join(f"‘{d.title}’ ({d.name})" for d in knowledge.documents)
        if found:
            names = ", ".join(d.name for d in found)
            raise UnknownDocument(f"‘{name}’ past bij meer dan één document ({names}); geef de bestandsnaam.")
        raise UnknownDocument(f"Er is geen document ‘{name}’ geladen. Geladen: {loaded}.")
    return frozenset(chosen)


def valid_text(text: str) -> str:
    r"""``text`` with each lone surrogate as ``?`` (JSON can carry ``"\ud800"``, which no UTF-8 encoder takes).

    >>> valid_text("a\ud800b")
    'a?b'
    """
    return text.encode("utf-8", "replace").decode("utf-8")


def clean_question(question: object, max_chars: int) -> str:
    """Normalise a question (NFC, no control characters, collapsed spaces) or raise :class:`InvalidQuestion`.

    The limit counts the characters as sent, as the chat's text field and the API's JSON Schema ``maxLength``
    do: what a client can check beforehand is what is decided here (NFC may lengthen a few characters).
    """
    if not isinstance(question, str):
        raise InvalidQuestion("De vraag moet tekst zijn.")
    text = unicodedata.normalize("NFC", valid_text(question))
    text = _CONTROL.sub(" ", text).replace("\ufffd", " ")
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise InvalidQuestion(
            "De vraag is leeg. Typ een vraag over het advies, bijvoorbeeld: ‘Wat is de eerste aanbeveling?’"
        )
    if len(question) > max_chars:
        raise InvalidQuestion(
            f"De vraag is te lang ({thousands(len(question))} tekens; de grens is {thousands(max_chars)}). "
            "Stel een kortere vraag."
        )
    return text


def strip_injection(question: str) -> tuple[str, bool]:
    """Remove sentences that try to instruct the assistant; the flag says whether any were found."""
    sentences = _SENTENCE.findall(question)
    kept = [s for s in sentences if not INSTRUCTION_PATTERN.search(s)]
    return " ".join(s.strip() for s in kept).strip(), len(kept) != len(sentences)


@dataclass(frozen=True)
class ResolvedQuestion:
    """The question as it will be searched: the search text, the references it makes, and whether it follows up."""

    search_text: str
    references: References
    follow_up: bool


def is_follow_up(question: str) -> bool:
    """Whether a question leans on the conversation: starts like "En …", points back ("daarvan"), or is bare."""
    pointing = FOLLOW_UP_START.search(question) or POINTING_PATTERN.search(question)
    return bool(pointing) or len(content_words(question)) <= 1


def resolve_question(question: str, history: Sequence[Message], structure: StructureIndex) -> ResolvedQuestion:
    """Complete a follow-up ("En wat is de vijfde stap daarvan?") with the references and words of earlier turns."""
    own = structure.parse(question)
    earlier = [valid_text(m.content) for m in reversed(history) if m.role == "user" and m.content.strip()]
    if not earlier:
        ordinal = elliptic_ordinal(question, structure.nouns) if not own else None
        top = structure.top_level_nouns()
        if ordinal is not None and len(top) == 1:
            # "Wat raadt de AWT als tweede aan?": with one top-level list, a bare ordinal points into it
            candidate = References([{next(iter(top)): ordinal}], [])
            if structure.resolve(candidate):
                return ResolvedQuestion(question, candidate, False)
        return ResolvedQuestion(question, own, False)
    follow_up = is_follow_up(question)
    references = own
    earlier_refs = [structure.parse(text) for text in earlier]
    ordinal = elliptic_ordinal(question, structure.nouns) if not own else None
    step = _relative_step(question) if not own else 0
    candidates: list[References] = []
    listed = next((r for r in earlier_refs if r), References())
    context = context_noun(listed) if listed else None
    if context and ordinal is not None:
        noun, scope = context
        candidates.append(References([{**scope, noun: ordinal}], []))
    last_pair = listed.pairs[-1] if listed.pairs else None
    if last_pair and (ordinal is not None or step):
        # after "stap 4 van aanbeveling 3", "de vijfde" and "de volgende" are steps: the deepest noun first
        deepest_first = [
            References([{**last_pair, n: ordinal if ordinal is not None else last_pair[n] + step}], [])
            for n in sorted(last_pair, key=lambda n: n in structure.top_level_nouns())
        ]
        # ... unless the earlier question asked for a list ("welke stappen …"): then its noun comes first
        candidates = candidates + deepest_first if listed.lists else deepest_first + candidates
    for candidate in candidates:
        if structure.resolve(candidate):
            return ResolvedQuestion(question, candidate, True)
    if follow_up or (own.pairs and not structure.resolve(own)):
        merged = merge_references(own, earlier_refs)
        if structure.resolve(merged):
            references = merged
    search_text = f"{question} {earlier[0]}" if follow_up else question
    return ResolvedQuestion(search_text, references, follow_up)
