"""The BM25 index is cached on disk: a loaded index answers exactly like a fresh one, and stale caches go."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index import lexical as lexical_module
from index.lexical import LexicalIndex

TEXTS = [
    "Werk samen met andere landen zoals het Verenigd Koninkrijk en België (Vlaanderen).",
    "Zorg voor kennisbeleid dat werkplaatsinnovatie en bedrijvenbeleid verbindt.",
    "De overheid geeft als werkgever het goede voorbeeld.",
    "",
]
QUERIES = ["samenwerken met landen", "werkplaatsinovatie", "overheidsbemoeienis", "beleid voor bedrijven", "xyz"]


def _answers(index: LexicalIndex) -> list[object]:
    return [
        (
            index.scores(q).round(6).tolist(),
            index.expand(q),
            [index.match(w) for w in q.split()],
            index.coverage(q.split()),
        )
        for q in QUERIES
    ]


def test_loaded_index_answers_like_a_fresh_one(tmp_path: Path) -> None:
    first = LexicalIndex.cached(TEXTS, tmp_path)
    second = LexicalIndex.cached(TEXTS, tmp_path)
    fresh = LexicalIndex(TEXTS)
    assert second is not first
    assert _answers(second) == _answers(fresh) == _answers(first)
    assert int(np.argmax(second.scores("samenwerken met landen"))) == 0


def test_second_process_loads_instead_of_building(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    LexicalIndex.cached(TEXTS, tmp_path)

    def no_build(self: LexicalIndex, texts: list[str]) -> None:
        raise AssertionError("the cached index should have been loaded")

    monkeypatch.setattr(LexicalIndex, "__init__", no_build)
    assert int(np.argmax(LexicalIndex.cached(TEXTS, tmp_path).scores("goede voorbeeld werkgever"))) == 2


def test_other_texts_get_a_new_index_and_the_old_one_is_removed(tmp_path: Path) -> None:
    LexicalIndex.cached(TEXTS, tmp_path)
    before = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    changed = LexicalIndex.cached([*TEXTS, "Een nieuw document over sociale innovatie."], tmp_path)
    after = {p.name for p in tmp_path.iterdir() if p.is_dir()}
    assert len(before) == len(after) == 1 and before != after
    assert int(np.argmax(changed.scores("nieuw document"))) == 4


def test_changed_analyzer_code_invalidates_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = lexical_module._cache_key(TEXTS)
    source = tmp_path / "index" / "text.py"
    source.parent.mkdir()
    source.write_text("# another analyzer\n", encoding="utf-8")
    monkeypatch.setattr(lexical_module, "_ANALYZER_SOURCES", ("index/text.py",))
    monkeypatch.setattr(lexical_module, "__file__", str(tmp_path / "index" / "lexical.py"))
    assert lexical_module._cache_key(TEXTS) != key


def test_damaged_cache_is_rebuilt_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    LexicalIndex.cached(TEXTS, tmp_path)
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    (folder / "lexical.json").write_text("{niet compleet", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        index = LexicalIndex.cached(TEXTS, tmp_path)
    assert "opnieuw opgebouwd" in caplog.text
    assert _answers(index) == _answers(LexicalIndex(TEXTS))
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        LexicalIndex.cached(TEXTS, tmp_path)
    assert caplog.text == ""  # repaired: the next start loads it again


def test_unwritable_cache_dir_still_gives_an_index(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    index = LexicalIndex.cached(TEXTS, blocker / "lexical")
    assert _answers(index) == _answers(LexicalIndex(TEXTS))
