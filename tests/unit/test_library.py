"""Listing the loaded documents and removing an added one: by file name or stem, never the shipped ones."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from knowledge import DEFAULT_KNOWLEDGE_DIR, KnowledgeError, list_documents, remove_document

NOTE = "# {title}\n\nDe raad adviseert meer overleg tussen gemeenten en scholen.\n"


def _settings(tmp_path: Path, *names: str) -> SimpleNamespace:
    added = tmp_path / "data" / "knowledge"
    added.mkdir(parents=True)
    for name in names:
        (added / name).write_text(NOTE.format(title=f"Notitie {name}"), encoding="utf-8")
    return SimpleNamespace(knowledge_dir=DEFAULT_KNOWLEDGE_DIR, data_dir=tmp_path / "data")


def test_the_shipped_advice_comes_first_and_only_added_documents_are_removable(tmp_path: Path) -> None:
    listed = list_documents(_settings(tmp_path, "notitie.md"))
    assert [(d.name, d.removable) for d in listed] == [
        ("awt-advies-84-sociale-innovatie.txt", False),
        ("notitie.md", True),
    ]
    assert listed[0].title == "De kracht van sociale innovatie" and listed[0].pages is None


def test_remove_by_stem_deletes_that_file_only(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "notitie.md", "verslag.md")
    assert remove_document("notitie", settings).name == "notitie.md"
    assert sorted(p.name for p in (tmp_path / "data" / "knowledge").iterdir()) == ["verslag.md"]
    assert [d.name for d in list_documents(settings)][-1] == "verslag.md"


def test_an_ambiguous_stem_asks_for_the_full_file_name(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "advies.md", "advies.txt")
    with pytest.raises(KnowledgeError, match="meer dan één document"):
        remove_document("advies", settings)
    assert remove_document("advies.txt", settings).name == "advies.txt"
    assert (tmp_path / "data" / "knowledge" / "advies.md").exists()


def test_unknown_and_shipped_names_are_refused_in_dutch(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "notitie.md")
    with pytest.raises(KnowledgeError, match=r"geen document 'rapport'.*'notitie\.md'"):
        remove_document("rapport", settings)
    with pytest.raises(KnowledgeError, match="meegeleverde documenten"):
        remove_document("awt-advies-84-sociale-innovatie.txt", settings)
    assert (DEFAULT_KNOWLEDGE_DIR / "awt-advies-84-sociale-innovatie.txt").exists()


def test_the_last_document_is_not_removed(tmp_path: Path) -> None:
    own = tmp_path / "kennis"
    own.mkdir()
    (own / "enige.md").write_text(NOTE.format(title="Enige"), encoding="utf-8")
    settings = SimpleNamespace(knowledge_dir=own, data_dir=tmp_path / "data")
    with pytest.raises(KnowledgeError, match="enige geladen document"):
        remove_document("enige", settings)
    assert (own / "enige.md").exists()


def test_removing_a_document_removes_its_metadata_file_too(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "notitie.md", "verslag.md")
    (tmp_path / "data" / "knowledge" / "notitie.md.meta.json").write_text('{"date": "2024"}', encoding="utf-8")
    remove_document("notitie.md", settings)
    assert sorted(p.name for p in (tmp_path / "data" / "knowledge").iterdir()) == ["verslag.md"]
