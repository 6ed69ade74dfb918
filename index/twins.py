r"""Near-identical passages in different documents: a summary and the full report that repeats it.

Two units are *twins* when they belong to different documents and their texts are near-identical: the Jaccard
similarity of their word-bigram sets (after case folding, Unicode normalisation and rejoining words hyphenated
at a line break) is at least :data:`THRESHOLD`. Bigrams keep word order, so a paragraph that is merely about the
same subject (the same words in other sentences) stays far below it, while a repeated paragraph with a word
changed stays above it. Passages shorter than :data:`MIN_WORDS` words ("Inleiding", "Een.") are too generic to
call the same.

Candidates come from prefix filtering (the *All-Pairs* algorithm of Bayardo, Ma and Srikant, 2007): with the
bigrams of every unit sorted rarest first, two sets with Jaccard ≥ t must share one of the first
``|x| - ceil(t·|x|) + 1`` bigrams of either. Only units sharing such a rare bigram are compared, so thousands of
units are not compared all-pairs, and unlike MinHash no pair above the threshold is missed. The unit embeddings
are not used: they are close for passages on the same topic too, which is exactly what must not pair.

>>> units = [
...     Unit("s#1", "samenvatting.txt", "Inleiding", (), "De raad adviseert het kabinet om elk jaar "
...          "samen met gemeenten te onderzoeken hoe burgers digitale diensten gebruiken.", 0, 100),
...     Unit("r#7", "rapport.pdf", "Inleiding", (), "De raad adviseert het kabinet om elk jaar samen met "
...          "gemeenten te onderzoeken hoe burgers digitale diensten gebruiken.", 0, 100, page=7),
...     Unit("r#8", "rapport.pdf", "Inleiding", (), "Burgers gebruiken digitale diensten van gemeenten "
...          "steeds vaker; de raad ziet dat elk jaar.", 101, 180, page=8),
... ]
>>> twins = find_twins(units)
>>> twins.of("s#1"), twins.of("r#8")
({'r#7': 1.0}, {})
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from knowledge.cache import write_json_atomic
from knowledge.units import Unit

log = logging.getLogger(__name__)

THRESHOLD = 0.6  # Jaccard of word bigrams: a word changed in a 12-word passage still pairs (0.69)
MIN_WORDS = 6
VERSION = "1"  # bump when what makes a twin changes: stored pairs are then found anew
_WORD = re.compile(r"\w+")
_HYPHENATED = re.compile(r"(\w)-\s*\n\s*(\w)")


def shingles(text: str) -> frozenset[str]:
    r"""The word bigrams of ``text``, normalised; empty when it has fewer than :data:`MIN_WORDS` words.

    >>> sorted(shingles("Werk samen met andere lan-\nden, zoals België en het VK."))[:3]
    ['andere landen', 'belgië en', 'en het']
    """
    folded = unicodedata.normalize("NFKC", _HYPHENATED.sub(r"\1\2", text)).casefold()
    words = _WORD.findall(folded)
    if len(words) < MIN_WORDS:
        return frozenset()
    return frozenset(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))


class Twins(Mapping[str, dict[str, float]]):
    """For each unit id with twins: the twins' ids with their similarity. Symmetric; empty for one document."""

    def __init__(self, pairs: Sequence[tuple[str, str, float]] = ()) -> None:
        self._by_id: dict[str, dict[str, float]] = {}
        for a, b, similarity in pairs:
            self._by_id.setdefault(a, {})[b] = similarity
            self._by_id.setdefault(b, {})[a] = similarity

    def __getitem__(self, unit_id: str) -> dict[str, float]:
        return self._by_id[unit_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def of(self, unit_id: str) -> dict[str, float]:
        """The twins of ``unit_id`` with their similarity (empty when it has none)."""
        return dict(self._by_id.get(unit_id, {}))

    def pairs(self) -> list[tuple[str, str, float]]:
        """Every pair once, ``a < b``, sorted."""
        return sorted((a, b, s) for a, twins in self._by_id.items() for b, s in twins.items() if a < b)

    @classmethod
    def cached(cls, units: Sequence[Unit], cache_dir: Path) -> Twins:
        """The twins of ``units``, read from ``cache_dir`` when found before (by any process), else found and stored.

        The file's name is a hash of the units' ids, documents and texts and of :data:`VERSION`, so changed
        documents find their twins anew; files of other knowledge are removed. With one document there are no
        twins and nothing is written.
        """
        if len({u.document for u in units}) < 2:
            return cls()
        target = cache_dir / f"{_cache_key(units)[:24]}.json"
        try:
            stored = json.loads(target.read_text(encoding="utf-8"))
            twins = cls([(str(a), str(b), float(s)) for a, b, s in stored["pairs"]])
        except FileNotFoundError:
            twins = None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning(
                "De bewaarde dubbele passages in %s zijn onleesbaar (%s); ze worden opnieuw gezocht.", target, exc
            )
            twins = None
        if twins is None:
            twins = find_twins(units)
            try:
                write_json_atomic(target, {"version": VERSION, "pairs": [list(p) for p in twins.pairs()]})
            except OSError as exc:  # the pairs only save time at the next start
                log.warning("De dubbele passages konden niet worden bewaard in %s (%s).", cache_dir, exc)
        for old in cache_dir.glob("*.json") if cache_dir.is_dir() else ():
            if old.name != target.name and not old.name.startswith(".tmp-"):
                old.unlink(missing_ok=True)
        return twins


def _cache_key(units: Sequence[Unit]) -> str:
    digest = hashlib.sha256(f"twins|{VERSION}|{THRESHOLD}|{MIN_WORDS}".encode())
    for unit in units:
        digest.update(f"|{unit.id}\x1f{unit.document}\x1f{unit.text}".encode())
    return digest.hexdigest()


def find_twins(units: Sequence[Unit], threshold: float = THRESHOLD) -> Twins:
    """Every pair of units of different documents whose word-bigram Jaccard similarity is at least ``threshold``."""
    sets = [shingles(u.text) for u in units]
    frequency = Counter(s for shingle_set in sets for s in shingle_set)
    rank = {s: i for i, s in enumerate(sorted(frequency, key=lambda s: (frequency[s], s)))}
    inverted: dict[int, list[int]] = {}
    pairs: list[tuple[str, str, float]] = []
    for i in sorted(range(len(units)), key=lambda i: len(sets[i])):  # shortest first: each new set is the larger
        size = len(sets[i])
        if not size:
            continue
        ordered = sorted(rank[s] for s in sets[i])
        prefix = ordered[: size - math.ceil(threshold * size) + 1]
        candidates: set[int] = set()
        for token in prefix:
            candidates.update(inverted.setdefault(token, []))
            inverted[token].append(i)
        for j in candidates:
            if units[j].document == units[i].document or len(sets[j]) < threshold * size:
                continue
            similarity = len(sets[i] & sets[j]) / len(sets[i] | sets[j])
            if similarity >= threshold:
                a, b = sorted((units[i].id, units[j].id))
                pairs.append((a, b, round(similarity, 4)))
    return Twins(pairs)
