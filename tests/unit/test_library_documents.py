"""The generated documents of the multi-document eval: deterministic, loadable, with the labels and pages the
gold set expects, and a gold set whose every expectation can be met by those documents."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from evals.__main__ import main
from evals.dataset import load_dataset
from evals.library import README_FILE, write_library
from evals.library.render import write_renderings
from evals.text import contains_phrase
from knowledge import DEFAULT_KNOWLEDGE_DIR, citation_label, load_knowledge
from knowledge.citation import document_titles
from knowledge.units import Document, KnowledgeBase

WATER = "awk-advies-12-drinkwater.pdf"
BIKE = "psf-notitie-fietsparkeren.docx"
AWT = "awt-advies-84-sociale-innovatie.txt"
GOLD = Path(__file__).resolve().parents[2] / "evals" / "gold-library.jsonl"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The generated documents loaded together with the shipped advice, as ``--profile library`` loads them."""
    folder = tmp_path_factory.mktemp("bibliotheek")
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder, dirs_exist_ok=True)
    write_library(folder)
    return load_knowledge(folder)


def _labels(document: Document) -> dict[str, list[int | None]]:
    pages: dict[str, list[int | None]] = {}
    for unit in document.units:
        pages.setdefault(unit.label, []).append(unit.page)
    return pages


def test_two_writes_give_the_same_files(tmp_path: Path) -> None:
    first = write_library(tmp_path / "een")
    second = write_library(tmp_path / "twee")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_the_pdf_advice_has_a_title_page_recommendations_and_appendices_with_pages(library: KnowledgeBase) -> None:
    water = library.document(WATER)
    assert (water.title, water.short_name, water.date, water.kind) == (
        "Zuinig met zoet water",
        "AWK",
        "2022",
        "het advies",
    )
    labels = _labels(water)
    assert labels["Inleiding"] == [1]  # the title page
    assert labels["Aanbeveling 1"] == [3] and labels["Aanbeveling 2"] == [3] and labels["Aanbeveling 3"] == [4]
    assert labels["Bijlage 1"] == [5] and labels["Bijlage 2"] == [5]
    first = next(u for u in water.units if u.label == "Aanbeveling 1")
    assert first.lead_in == "De raad doet drie aanbevelingen aan de minister:"
    assert "AWK advies 12" not in water.text  # the running header is furniture, not text


def test_the_word_note_has_steps_measures_and_recommendations_without_pages(library: KnowledgeBase) -> None:
    bike = library.document(BIKE)
    assert (bike.title, bike.short_name, bike.date) == ("Stappenplan fietsparkeren bij stations", "PSF", "2023")
    labels = _labels(bike)
    expected = [f"Stap {n}" for n in range(1, 6)] + [f"Maatregel {n}" for n in range(1, 4)]
    expected += ["Aanbeveling 1", "Aanbeveling 2", "Aanbeveling 2, stap 1", "Aanbeveling 2, stap 2"]
    expected += ["Bijlage 1", "Bijlage 2"]
    for label in expected:
        assert labels.get(label) == [None], label
    assert "Stap 6" not in labels and "Maatregel 4" not in labels  # each list starts again at 1


def test_loaded_together_the_labels_are_shared_and_citations_name_their_document(library: KnowledgeBase) -> None:
    assert sorted(d.name for d in library.documents) == sorted([AWT, BIKE, WATER])
    assert not library.problems and README_FILE not in {d.name for d in library.documents}
    for label in ("Aanbeveling 1", "Aanbeveling 2"):  # a structural reference alone is ambiguous
        assert all(label in _labels(d) for d in library.documents), label
    titles = document_titles(library.documents)
    second = next(u for u in library.document(WATER).units if u.label == "Aanbeveling 2")
    assert citation_label(second, titles[WATER]) == "Aanbeveling 2 van ‘Zuinig met zoet water’, p. 3"


def test_every_gold_library_expectation_is_in_the_named_documents(library: KnowledgeBase) -> None:
    items = load_dataset(GOLD)
    assert 50 <= len(items) <= 70
    names = {d.name for d in library.documents}
    for item in items:
        documents = [item.expected_document] if item.expected_document else item.expected_documents
        assert set(documents) <= names, item.id
        if not item.answerable:
            assert not documents and not item.expected_citations, item.id
            continue
        assert documents, f"{item.id}: which document answers it?"
        units = [u for name in documents for u in library.document(name).units if u.label in item.expected_citations]
        found = {u.label for u in units}
        assert found == set(item.expected_citations), f"{item.id}: {set(item.expected_citations) - found}"
        for text in item.support:
            assert any(contains_phrase(u.text, text) for u in units), f"{item.id}: {text}"
        passages = " ".join(u.text for u in units)
        for group in item.key_facts:
            assert any(contains_phrase(passages, fact) for fact in group), f"{item.id}: {group}"


def test_renderings_show_pages_and_labels(tmp_path: Path, library: KnowledgeBase) -> None:
    folder = tmp_path / "samen"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, folder)
    write_library(folder)
    written = {p.name: p.read_text(encoding="utf-8") for p in write_renderings(folder, tmp_path / "tekst")}
    water = written[f"{WATER}.txt"]
    assert water.index("--- pagina 3 ---") < water.index("1. Verlaag") < water.index("--- pagina 4 ---")
    assert "- Bijlage 2 van ‘Zuinig met zoet water’, p. 5: In 2021 gebruikte" in water
    assert "- Maatregel 2 van ‘Stappenplan fietsparkeren bij stations’: Zet fietsstewards" in written[f"{BIKE}.txt"]
    assert "--- pagina" not in written[f"{AWT}.txt"]


def test_the_cli_writes_the_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["library", str(tmp_path / "docs")]) == 0
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted(
        [README_FILE, WATER, f"{WATER}.meta.json", BIKE, f"{BIKE}.meta.json"]
    )
    assert "Geschreven:" in capsys.readouterr().out
