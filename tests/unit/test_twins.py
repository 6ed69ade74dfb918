"""Near-identical passages of different documents (index.twins): what pairs, that prefix filtering misses no pair
that comparing all pairs would find, and that the stored pairs follow the documents."""

from __future__ import annotations

import random
from dataclasses import replace
from itertools import combinations
from pathlib import Path

from index.twins import THRESHOLD, Twins, find_twins, shingles
from knowledge.units import Unit

WORDS = [
    *("de", "raad", "water", "dijk", "rivier", "polder", "boer", "gemeente", "provincie", "plan", "grondwater"),
    *("zomer", "droogte", "bodem", "register", "kabinet", "burger", "wijk", "regen", "pomp", "vergoeding"),
    *("opslag", "jaar", "land", "oosten", "zuiden", "zand", "beleid", "geld", "kennis"),
]


def _unit(document: str, n: int, text: str, page: int | None = None) -> Unit:
    return Unit(f"{document}#{n}", document, f"Punt {n}", (), text, 0, len(text), page=page)


def _jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _corpus(seed: int) -> list[Unit]:
    """Three documents of random sentences; some passages copied into another document, some with edits."""
    rng = random.Random(seed)
    texts = {doc: [" ".join(rng.choices(WORDS, k=rng.randint(4, 30))) for _ in range(60)] for doc in "abc"}
    for _ in range(40):
        source, target = rng.sample("abc", 2)
        words = rng.choice(texts[source]).split()
        for _ in range(rng.randint(0, 4)):  # 0-4 words changed: some copies stay twins, others do not
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        texts[target].append(" ".join(words))
    return [_unit(doc, i, text) for doc, items in texts.items() for i, text in enumerate(items)]


def test_prefix_filtering_finds_exactly_the_pairs_that_comparing_all_pairs_finds() -> None:
    for seed in range(5):
        units = _corpus(seed)
        everything = {
            tuple(sorted((a.id, b.id)))
            for a, b in combinations(units, 2)
            if a.document != b.document and _jaccard(a.text, b.text) >= THRESHOLD
        }
        found = {(a, b) for a, b, _s in find_twins(units).pairs()}
        assert found == everything and everything, seed


def test_a_copy_pairs_a_paraphrase_and_a_passage_of_the_same_document_do_not() -> None:
    text = "De raad adviseert het kabinet om elk jaar met gemeenten te onderzoeken hoe burgers diensten gebruiken."
    units = [
        _unit("samenvatting.txt", 1, text),
        _unit("samenvatting.txt", 2, text),  # the same document repeating itself is not a summary and its report
        _unit("rapport.pdf", 1, text.replace("elk jaar", "ieder jaar"), page=4),
        _unit("rapport.pdf", 2, "Hoe burgers diensten gebruiken, onderzoekt de raad elk jaar met het kabinet.", page=5),
        _unit("rapport.pdf", 3, "Samenvatting", page=1),
        _unit("notitie.md", 1, "Samenvatting"),  # too short to say that two documents say the same
    ]
    twins = find_twins(units)
    assert set(twins.of("rapport.pdf#1")) == {"samenvatting.txt#1", "samenvatting.txt#2"}
    assert twins.of("rapport.pdf#2") == {} and twins.of("notitie.md#1") == {}
    assert "samenvatting.txt#2" not in twins.of("samenvatting.txt#1")


def test_shingles_ignore_case_punctuation_and_words_broken_at_a_line_end() -> None:
    broken = "Werk samen met andere lan-\nden zoals België."
    assert shingles(broken) == shingles("werk samen, met ANDERE landen zoals belgië")


def test_stored_pairs_are_read_back_and_found_anew_when_a_document_changes(tmp_path: Path) -> None:
    units = _corpus(7)
    first = Twins.cached(units, tmp_path)
    stored = list(tmp_path.glob("*.json"))
    assert len(stored) == 1 and first.pairs() == find_twins(units).pairs()
    stored[0].write_text('{"version": "1", "pairs": [["a#0", "b#0", 1.0]]}', encoding="utf-8")
    assert Twins.cached(units, tmp_path).pairs() == [("a#0", "b#0", 1.0)]  # read back, not searched again

    changed = [replace(u, text=u.text + " en meer") if u.document == "a" else u for u in units]
    again = Twins.cached(changed, tmp_path)
    assert again.pairs() == find_twins(changed).pairs()
    assert [p.name for p in tmp_path.glob("*.json")] != [stored[0].name] and len(list(tmp_path.glob("*.json"))) == 1


def test_one_document_has_no_twins_and_stores_nothing(tmp_path: Path) -> None:
    units = [u for u in _corpus(3) if u.document == "a"]
    assert not Twins.cached(units, tmp_path / "twins")
    assert not (tmp_path / "twins").exists()
