"""Explicit references in a question, resolved against the labels the loader produced.

"aanbeveling 2", "de vijfde stap van de derde aanbeveling", "bijlage 4": they are matched to numbered labels,
not to one document's words, so they work for any document with numbered structure.

>>> refs = parse_references("Wat is de vijfde stap van de derde aanbeveling?", {"aanbeveling", "stap"})
>>> refs.pairs
[{'stap': 5, 'aanbeveling': 3}]
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from knowledge.dutch import NUMBER_WORD_PATTERN, ORDINALS, fold, parse_number, singular
from knowledge.units import Unit
from knowledge.vocabulary import CONJUNCTIONS, ENGLISH_NOUNS, NUMBER_NOUNS

_NUMBER = rf"(?:\d+|[ivx]+|{NUMBER_WORD_PATTERN})"
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
_LABEL_PART = re.compile(r"^(?P<noun>[^\W\d_]+)\s+(?P<num>\d+)$", re.UNICODE)


def label_parts(label: str) -> list[tuple[str, int]]:
    """``"Aanbeveling 3, stap 5"`` → ``[("aanbeveling", 3), ("stap", 5)]``; non-numbered labels → ``[]``."""
    parts = []
    for piece in label.split(","):
        match = _LABEL_PART.match(piece.strip())
        if not match:
            return []
        parts.append((fold(match["noun"]), int(match["num"])))
    return parts


@dataclass
class References:
    """What a question points at: numbered pairs, and nouns asked for as a whole list ("welke stappen")."""

    pairs: list[dict[str, int]] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.pairs or self.lists)

    def nouns(self) -> set[str]:
        """Every label noun the question names, in a pair or as a list."""
        return {n for pair in self.pairs for n in pair} | set(self.lists)


def _plural_forms(noun: str) -> list[str]:
    forms = [noun + "en", noun + "s", noun + noun[-1] + "en"]
    return forms


def _noun_of(word: str, nouns: set[str]) -> tuple[str, bool] | None:
    """Map a word to a known label noun; the flag says whether it was plural. Tolerates one typo."""
    return _known_noun(fold(word), frozenset(nouns))


@lru_cache(maxsize=8192)  # the typo check (difflib) ran again for every word of every question
def _known_noun(w: str, nouns: frozenset[str]) -> tuple[str, bool] | None:
    if w in ENGLISH_NOUNS and ENGLISH_NOUNS[w] in nouns:
        return ENGLISH_NOUNS[w], w.endswith("s")
    if w in nouns:
        return w, False
    if singular(w) in nouns:
        return singular(w), True
    if len(w) >= 5:
        forms = {f: (n, True) for n in nouns for f in _plural_forms(n)} | {n: (n, False) for n in nouns}
        close = difflib.get_close_matches(w, list(forms), n=1, cutoff=0.85)
        if close:
            return forms[close[0]]
    return None


def _ordinal_before(tokens: list[str], i: int) -> int | None:
    """``de laatste van de (drie) aanbevelingen``: an ordinal a few words before a plural noun."""
    window = [fold(t) for t in tokens[max(0, i - 5) : i]]
    for k, token in enumerate(window):
        if token in ORDINALS and "van" in window[k + 1 :]:
            return ORDINALS[token]
    return None


def _enumerated(tokens: list[str], j: int) -> list[int]:
    """Further numbers in an enumeration after ``aanbeveling 1``: ``, 2 en 3``."""
    found = []
    while j < len(tokens):
        if fold(tokens[j]) in CONJUNCTIONS:
            j += 1
            continue
        if not re.fullmatch(_NUMBER, fold(tokens[j])):
            break
        number = parse_number(tokens[j])
        if number is None:
            break
        found.append(number)
        j += 1
    return found


def parse_references(question: str, nouns: set[str]) -> References:
    """Find ``noun N`` / ``Nth noun`` mentions and bare plural nouns in ``question``."""
    tokens = _WORD.findall(question)
    mentions: list[tuple[str, int]] = []
    plurals: list[str] = []
    used: set[int] = set()
    for i, token in enumerate(tokens):
        found = _noun_of(token, nouns)
        if not found:
            continue
        noun, plural = found
        j = i + 2 if i + 2 < len(tokens) and fold(tokens[i + 1]) in NUMBER_NOUNS else i + 1
        after = parse_number(tokens[j]) if j < len(tokens) and re.fullmatch(_NUMBER, fold(tokens[j])) else None
        before = None
        if i > 0 and fold(tokens[i - 1]) not in {"een", "één"}:
            candidate = parse_number(tokens[i - 1])
            # "drie aanbevelingen" counts a list; "derde aanbeveling" points at one item
            if candidate is not None and not plural and i - 1 not in used:
                before = candidate
        if after is not None and not plural:
            mentions.append((noun, after))
            used.add(j)
            mentions.extend((noun, n) for n in _enumerated(tokens, j + 1))
        elif before is not None:
            mentions.append((noun, before))
        elif plural and _ordinal_before(tokens, i) is not None:
            mentions.append((noun, _ordinal_before(tokens, i)))  # type: ignore[arg-type]
        elif plural:
            plurals.append(noun)
    counts: dict[str, int] = {}
    for noun, _ in mentions:
        counts[noun] = counts.get(noun, 0) + 1
    shared = {n: v for n, v in mentions if counts[n] == 1}
    pairs: list[dict[str, int]] = []
    repeated = [(n, v) for n, v in mentions if counts[n] > 1]
    if repeated:
        for noun, value in repeated:
            pairs.append({**{k: v for k, v in shared.items()}, noun: value})
    elif shared:
        pairs.append(shared)
    lists = [n for n in dict.fromkeys(plurals) if n not in shared]
    return References(pairs, lists)


class StructureIndex:
    """Label structure of all units: resolves :class:`References` to the units they name."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self._parts = {u.id: label_parts(u.label) for u in units}
        # Only units with numbered labels can be named: indexed per document, in document order, by every noun of
        # their label and by their last noun ("stap" for "Aanbeveling 3, stap 5"), so a question never scans all units.
        self._numbered: list[Unit] = []
        self._by_noun: dict[tuple[str, str], list[Unit]] = {}  # (document, noun)
        self._by_last_noun: dict[tuple[str, str], list[Unit]] = {}  # (document, last noun)
        for unit in units:
            if parts := self._parts[unit.id]:
                self._numbered.append(unit)
                for noun in dict(parts):
                    self._by_noun.setdefault((unit.document, noun), []).append(unit)
                self._by_last_noun.setdefault((unit.document, parts[-1][0]), []).append(unit)
        self._documents = list(dict.fromkeys(u.document for u in self._numbered))
        self._resolved: dict[tuple[object, ...], tuple[Unit, ...]] = {}  # search and focus resolve the same refs
        self.nouns = {noun for parts in self._parts.values() for noun, _ in parts}
        self._top_level_nouns = {
            parts[0][0] for parts in self._parts.values() if len(parts) == 1 and parts[0][0] != "bijlage"
        }

    def top_level_nouns(self) -> set[str]:
        """Nouns of numbered labels that stand alone ("Aanbeveling 2"), not nested ("…, stap 5")."""
        return set(self._top_level_nouns)

    def parse(self, question: str) -> References:
        """The references in ``question``, with this corpus's label nouns (:func:`parse_references`)."""
        return parse_references(question, self.nouns)

    def _last_number(self, noun: str, within: dict[str, int], document: str) -> int:
        numbers = [
            dict(parts)[noun]
            for parts in (self._parts[u.id] for u in self._by_last_noun.get((document, noun), ()))
            if all(dict(parts).get(k) == v for k, v in within.items() if k != noun)
        ]
        return max(numbers, default=-1)

    def resolve(self, refs: References) -> list[Unit]:
        """Units named by the references, in document order: exact items first, then requested lists.

        Each document is read on its own: "de laatste aanbeveling" is the last of each document's, and "aanbeveling
        2" is the plain item wherever a document has one, else its nearest nested ones.
        """
        key = (tuple(tuple(pair.items()) for pair in refs.pairs), tuple(refs.lists))
        if (known := self._resolved.get(key)) is None:
            if len(self._resolved) >= 256:
                self._resolved.clear()
            known = self._resolved[key] = tuple(self._resolve(refs))
        return list(known)

    def _resolve(self, refs: References) -> list[Unit]:
        chosen: list[Unit] = []
        for pair in refs.pairs:
            for document in self._documents:
                wanted = {n: (self._last_number(n, pair, document) if v == -1 else v) for n, v in pair.items()}
                if wanted:
                    candidates = self._by_noun.get((document, next(iter(wanted))), [])
                else:
                    candidates = [u for u in self._numbered if u.document == document]
                matches = [u for u in candidates if self._covers(self._parts[u.id], wanted)]
                if matches:
                    fewest = min(len(self._parts[u.id]) for u in matches)
                    chosen.extend(u for u in matches if len(self._parts[u.id]) == fewest)
        for noun in refs.lists:
            scope = refs.pairs[0] if refs.pairs else {}
            for document in self._documents:
                for unit in self._by_last_noun.get((document, noun), ()):
                    parts = self._parts[unit.id]
                    if all(dict(parts[:-1]).get(k) == v for k, v in scope.items() if k != noun):
                        chosen.append(unit)
        first_by_id: dict[str, Unit] = {}
        for unit in chosen:
            first_by_id.setdefault(unit.id, unit)
        return list(first_by_id.values())

    @staticmethod
    def _covers(parts: list[tuple[str, int]], wanted: dict[str, int]) -> bool:
        as_dict = dict(parts)
        return bool(parts) and all(as_dict.get(n) == v for n, v in wanted.items())


def merge_references(current: References, earlier: Iterable[References]) -> References:
    """Complete a follow-up's references with what earlier turns named ("…de vijfde stap daarvan?")."""
    merged = References([dict(p) for p in current.pairs], list(current.lists))
    for previous in earlier:
        if not previous.pairs:
            continue
        context = previous.pairs[-1]
        if merged.pairs:
            merged.pairs = [{**{k: v for k, v in context.items() if k not in p}, **p} for p in merged.pairs]
        elif merged.lists:
            merged.pairs = [dict(context)]
        break
    return merged


def elliptic_ordinal(question: str, nouns: set[str]) -> int | None:
    """``"Kun je de tweede toelichten?"``: an ordinal with no label noun after it, to be completed from context."""
    tokens = [fold(t) for t in _WORD.findall(question)]
    for i, token in enumerate(tokens):
        if token in ORDINALS:
            following = tokens[i + 1 : i + 3]
            if not any(_noun_of(t, nouns) for t in following):
                return ORDINALS[token]
    return None


def context_noun(refs: References) -> tuple[str, dict[str, int]] | None:
    """The noun a follow-up's bare ordinal most likely means, with the scope it sits in."""
    if refs.lists:
        return refs.lists[-1], (refs.pairs[-1] if refs.pairs else {})
    if refs.pairs:
        pair = refs.pairs[-1]
        noun = list(pair)[-1]
        return noun, {k: v for k, v in pair.items() if k != noun}
    return None


def is_label_noun(word: str, nouns: set[str]) -> bool:
    """Whether ``word`` is (a form or small typo of) one of the label nouns ``nouns``: "aanbevelingen", "stap".

    >>> is_label_noun("aanbevelingen", {"aanbeveling"}), is_label_noun("ouderen", {"aanbeveling"})
    (True, False)
    """
    return _noun_of(word, nouns) is not None
