"""Parsed documents are read back from the cache unchanged, and re-parsed when the file or the cache changes."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from test_formats import make_pdf

from knowledge import PARSER_VERSION, load_knowledge, loader
from knowledge.cache import DocumentCache

ADVICE = """# Proefadvies

De raad doet twee aanbevelingen:

1. Investeer in kennis.
2. Werk samen met België.
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    folder = tmp_path / "kennis"
    folder.mkdir()
    (folder / "advies.md").write_text(ADVICE, encoding="utf-8")
    make_pdf(folder / "rapport.pdf")
    return folder


def _cache(tmp_path: Path) -> DocumentCache:
    return DocumentCache(tmp_path / "parsed", PARSER_VERSION)


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached document was parsed again")

    monkeypatch.setattr(loader, "load_document", refuse)


def test_second_load_reads_the_cache_and_gives_the_same_documents(
    knowledge: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_knowledge(knowledge, cache=_cache(tmp_path))
    assert any(u.page is not None for u in first.units)  # the PDF's pages survive the round trip below
    _no_parsing(monkeypatch)
    second = load_knowledge(knowledge, cache=_cache(tmp_path))
    assert second == first
    assert [u.label for u in second.units] == [u.label for u in first.units]


def test_a_changed_file_is_parsed_again_and_its_old_entry_removed(knowledge: Path, tmp_path: Path) -> None:
    load_knowledge(knowledge, cache=_cache(tmp_path))
    before = sorted(p.name for p in (tmp_path / "parsed").iterdir())
    (knowledge / "advies.md").write_text(ADVICE.replace("België", "Vlaanderen"), encoding="utf-8")
    again = load_knowledge(knowledge, cache=_cache(tmp_path))
    assert "Vlaanderen" in again.document("advies.md").text
    after = sorted(p.name for p in (tmp_path / "parsed").iterdir())
    assert len(after) == len(before) == 2 and after != before


def test_a_new_parser_version_does_not_reuse_old_entries(knowledge: Path, tmp_path: Path) -> None:
    load_knowledge(knowledge, cache=_cache(tmp_path))
    old = _cache(tmp_path)
    new = DocumentCache(tmp_path / "parsed", PARSER_VERSION + "-next")
    path = knowledge / "advies.md"
    assert new.get(new.key(path, "advies.md", "advies")) is None
    assert old.get(old.key(path, "advies.md", "advies")) is not None


def test_a_damaged_entry_is_reparsed_with_a_warning(
    knowledge: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = load_knowledge(knowledge, cache=_cache(tmp_path))
    for stored in (tmp_path / "parsed").iterdir():
        stored.write_text('{"name": "half', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        again = load_knowledge(knowledge, cache=_cache(tmp_path))
    assert again == first
    assert "opnieuw gelezen" in caplog.text


def test_broken_files_are_not_cached(knowledge: Path, tmp_path: Path) -> None:
    (knowledge / "kapot.pdf").write_bytes(b"%PDF-1.7 dit is geen pdf")
    result = load_knowledge(knowledge, cache=_cache(tmp_path))
    assert any("kapot.pdf" in p for p in result.problems)
    assert len(list((tmp_path / "parsed").iterdir())) == 2


def test_an_unwritable_cache_still_loads(knowledge: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("", encoding="utf-8")
    result = load_knowledge(knowledge, cache=DocumentCache(blocker / "parsed", PARSER_VERSION))
    assert result == load_knowledge(knowledge)
