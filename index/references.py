"""Explicit references in a question ("aanbeveling 2", "de vijfde stap van de derde aanbeveling", "bijlage 4"),
resolved against the labels the loader produced — so they work for any document with numbered structure.

>>> refs = parse_references("Wat is de vijfde stap van de derde aanbeveling?", {"aanbeveling", "stap"})
>>> refs.pairs
[{'stap': 5, 'aanbeveling': 3}]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from knowledge.dutch import NUMBER_WORD_PATTERN, fold, parse_number, singular
from knowledge.units import Unit

ENGLISH_NOUNS: dict[str, str] = {
    "recommendation": "aanbeveling",
    "recommendations": "aanbeveling",
    "step": "stap",
    "steps": "stap",
    "appendix": "bijlage",
    "appendices": "bijlage",
    "annex": "bijlage",
    "annexes": "bijlage",
    "chapter": "hoofdstuk",
    "chapters": "hoofdstuk",
}
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
        return {n for pair in self.pairs for n in pair} | set(self.lists)


def _noun_of(word: str, nouns: set[str]) -> tuple[str, bool] | None:
    """Map a word to a known label noun; the flag says whether it was plural."""
    w = fold(word)
    if w in ENGLISH_NOUNS and ENGLISH_NOUNS[w] in nouns:
        return ENGLISH_NOUNS[w], w.endswith("s")
    if w in nouns:
        return w, False
    base = singular(w)
    if base in nouns:
        return base, True
    return None


def _enumerated(tokens: list[str], j: int) -> list[int]:
    """Further numbers in an enumeration after ``aanbeveling 1``: ``, 2 en 3``."""
    found = []
    while j < len(tokens):
        if fold(tokens[j]) in {"en", "of", "and", "or"}:
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
        after = parse_number(tokens[i + 1]) if i + 1 < len(tokens) and re.fullmatch(_NUMBER, fold(tokens[i + 1])) else None
        before = None
        if i > 0 and fold(tokens[i - 1]) not in {"een", "één"}:
            candidate = parse_number(tokens[i - 1])
            # "drie aanbevelingen" counts a list; "derde aanbeveling" points at one item
            if candidate is not None and not plural and i - 1 not in used:
                before = candidate
        if after is not None and not plural:
            mentions.append((noun, after))
            used.add(i + 1)
            mentions.extend((noun, n) for n in _enumerated(tokens, i + 2))
        elif before is not None:
            mentions.append((noun, before))
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
        self._units = list(units)
        self._parts = {u.id: label_parts(u.label) for u in units}
        self.nouns = {noun for parts in self._parts.values() for noun, _ in parts}

    def parse(self, question: str) -> References:
        return parse_references(question, self.nouns)

    def _last_number(self, noun: str, within: dict[str, int]) -> int:
        numbers = [
            dict(parts)[noun]
            for parts in self._parts.values()
            if parts and parts[-1][0] == noun and all(dict(parts).get(k) == v for k, v in within.items() if k != noun)
        ]
        return max(numbers, default=-1)

    def resolve(self, refs: References) -> list[Unit]:
        """Units named by the references, in document order: exact items first, then requested lists."""
        chosen: list[Unit] = []
        for pair in refs.pairs:
            wanted = {n: (self._last_number(n, pair) if v == -1 else v) for n, v in pair.items()}
            matches = [u for u in self._units if self._covers(self._parts[u.id], wanted)]
            if matches:
                fewest = min(len(self._parts[u.id]) for u in matches)
                chosen.extend(u for u in matches if len(self._parts[u.id]) == fewest)
        for noun in refs.lists:
            scope = refs.pairs[0] if refs.pairs else {}
            for unit in self._units:
                parts = self._parts[unit.id]
                if parts and parts[-1][0] == noun and all(dict(parts[:-1]).get(k) == v for k, v in scope.items() if k != noun):
                    chosen.append(unit)
        seen: set[str] = set()
        return [u for u in chosen if not (u.id in seen or seen.add(u.id))]

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
