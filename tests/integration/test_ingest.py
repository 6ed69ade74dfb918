"""Adding documents: ``python -m assistant index PAD…``, the knowledge folders, and answering from a PDF.

Fake embeddings (``DeterministicFakeEmbedding``) keep this fast: a question that names "de tweede aanbeveling"
is resolved from the labels, without dense search.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.service import build_assistant
from assistant.settings import Settings
from index.store import VectorStore, open_client
from knowledge import (
    DEFAULT_KNOWLEDGE_DIR,
    KnowledgeError,
    add_document,
    added_knowledge_dir,
    citation_label,
    knowledge_roots,
    load_knowledge,
)
from knowledge.metadata import metadata_path

pytestmark = pytest.mark.integration


def _samples() -> ModuleType:
    """The document builders of tests/unit/test_formats.py (a test folder is no package, so load it by path)."""
    path = Path(__file__).resolve().parents[1] / "unit" / "test_formats.py"
    spec = importlib.util.spec_from_file_location("format_samples", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = _samples()


def fake_embeddings() -> DeterministicFakeEmbedding:
    return DeterministicFakeEmbedding(size=32)


# --- answering from a PDF ---------------------------------------------------------------------------------


def test_the_assistant_cites_the_second_recommendation_of_a_pdf_with_its_page(tmp_path: Path) -> None:
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    samples.make_pdf(knowledge / "proefadvies.pdf")
    bot = build_assistant(Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge), embeddings=fake_embeddings())
    answer = bot.ask("Wat is de tweede aanbeveling?")
    assert not answer.refused
    first = answer.citations[0]
    unit = next(u for u in bot.search.units if u.id == first.unit_id)
    assert unit.label == "Aanbeveling 2"
    assert unit.page in (2, 3)
    assert citation_label(unit) == f"Aanbeveling 2, p. {unit.page}"
    assert first.label == citation_label(unit)
    assert first.document == "proefadvies.pdf"
    assert bot.document_text(first.document)[first.start : first.end] == first.quote
    assert first.quote == samples.RECOMMENDATIONS[1]


def test_the_index_keeps_the_page_of_each_unit(tmp_path: Path) -> None:
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    samples.make_pdf(knowledge / "proefadvies.pdf")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)
    client = open_client(settings.store_config())
    store = VectorStore(client, fake_embeddings())
    store.ensure(load_knowledge(knowledge).units, "proef")
    assert store.collection_name is not None
    stored = client.get_collection(store.collection_name).get(include=["metadatas"])
    assert stored["metadatas"] is not None
    pages = {m["label"]: m.get("page") for m in stored["metadatas"]}
    assert pages["Aanbeveling 2"] == 2 and pages["Bijlage 4"] == 5


# --- knowledge folders ------------------------------------------------------------------------------------


def test_added_documents_go_to_the_data_dir_when_the_knowledge_dir_is_the_package(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    assert settings.knowledge_dir == DEFAULT_KNOWLEDGE_DIR
    assert added_knowledge_dir(settings) == tmp_path / "data" / "knowledge"
    assert knowledge_roots(settings) == [DEFAULT_KNOWLEDGE_DIR, tmp_path / "data" / "knowledge"]


def test_a_writable_knowledge_dir_takes_added_documents_itself(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kennis")
    assert added_knowledge_dir(settings) == tmp_path / "kennis"
    assert knowledge_roots(settings) == [tmp_path / "kennis"]


def test_knowledge_from_several_roots(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    added = add_document(samples.make_pdf(tmp_path / "proefadvies.pdf"), settings)
    assert added.status == "toegevoegd" and added.path == tmp_path / "data" / "knowledge" / "proefadvies.pdf"
    kb = load_knowledge(knowledge_roots(settings))
    assert [d.name for d in kb.documents] == ["awt-advies-84-sociale-innovatie.txt", "proefadvies.pdf"]
    assert not kb.problems


def test_add_document_updates_skips_identical_and_refuses_a_clash(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    source = tmp_path / "notitie.md"
    source.write_text("# Notitie\n\nEerste versie van de notitie.\n", encoding="utf-8")
    assert add_document(source, settings).status == "toegevoegd"
    assert add_document(source, settings).status == "ongewijzigd"
    source.write_text("# Notitie\n\nTweede versie van de notitie.\n", encoding="utf-8")
    assert add_document(source, settings).status == "bijgewerkt"
    assert "Tweede versie" in (added_knowledge_dir(settings) / "notitie.md").read_text(encoding="utf-8")

    shipped = DEFAULT_KNOWLEDGE_DIR / "awt-advies-84-sociale-innovatie.txt"
    assert add_document(shipped, settings).status == "ongewijzigd"
    clash = tmp_path / "andere" / shipped.name
    clash.parent.mkdir()
    clash.write_text("# Iets anders\n\nEen andere tekst met dezelfde naam.\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="andere naam"):
        add_document(clash, settings)
    assert not (added_knowledge_dir(settings) / shipped.name).exists()


def test_add_document_brings_its_metadata_file_along(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    source = tmp_path / "notitie.md"
    source.write_text("# Notitie\n\nDe raad adviseert meer overleg.\n", encoding="utf-8")
    meta = metadata_path(source)
    meta.write_text('{"title": "Notitie over overleg", "short_name": "RvS", "date": "2024"}', encoding="utf-8")
    added = add_document(source, settings)
    assert added.status == "toegevoegd" and added.document.title == "Notitie over overleg"
    copied = metadata_path(added.path)
    assert copied.read_bytes() == meta.read_bytes()
    assert not [p.name for p in copied.parent.iterdir() if p.name.startswith(".")]  # no partial file left
    loaded = load_knowledge(knowledge_roots(settings)).document("notitie.md")
    assert (loaded.title, loaded.short_name, loaded.date) == ("Notitie over overleg", "RvS", "2024")

    assert add_document(source, settings).status == "ongewijzigd"
    meta.write_text('{"title": "Notitie over beter overleg"}', encoding="utf-8")  # only the metadata changed
    assert add_document(source, settings).status == "bijgewerkt"
    assert load_knowledge(knowledge_roots(settings)).document("notitie.md").title == "Notitie over beter overleg"

    other = tmp_path / "andere.md"
    other.write_text("# Andere\n\nEen andere notitie.\n", encoding="utf-8")
    metadata_path(other).write_text("{kapot", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="andere.md.meta.json.*niet toegevoegd"):
        add_document(other, settings)
    refused = added.path.parent / "andere.md"
    assert not refused.exists() and not metadata_path(refused).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [("bestaat-niet.pdf", "bestaat niet"), ("map", "is een map"), ("foto.png", "onbekend formaat")],
)
def test_add_document_refuses_what_it_cannot_read(tmp_path: Path, name: str, message: str) -> None:
    if name == "map":
        (tmp_path / name).mkdir()
    elif name == "foto.png":
        (tmp_path / name).write_bytes(b"\x89PNG\r\n")
    with pytest.raises(KnowledgeError, match=message):
        add_document(tmp_path / name, Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "kennis"))
    assert not (tmp_path / "kennis").exists()


# --- the CLI ----------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A writable knowledge folder with one document, fake embeddings, and a private data dir."""
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    (knowledge / "basis.md").write_text("# Basis\n\nEen document dat er al stond, over innovatie.\n", encoding="utf-8")
    monkeypatch.setenv("AWT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("AWT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("index.embedder.build_embeddings", lambda settings, progress=None: fake_embeddings())
    return knowledge


def _index(*args: str):  # noqa: ANN202 - click's Result
    from assistant.cli import main

    return CliRunner().invoke(main, ["index", *args])


def test_cli_index_adds_good_files_and_reports_bad_ones(cli_env: Path, tmp_path: Path) -> None:
    incoming = tmp_path / "nieuw"
    incoming.mkdir()
    pdf = samples.make_pdf(incoming / "proefadvies.pdf")
    word = samples.make_docx(incoming / "woord.docx")
    html = incoming / "pagina.html"
    html.write_text(samples.HTML_PAGE, encoding="utf-8")
    broken = incoming / "kapot.pdf"
    broken.write_bytes(pdf.read_bytes()[:2000])
    scan = samples.make_image_only_pdf(incoming / "scan.pdf")

    result = _index(str(pdf), str(broken), str(word), str(scan), str(html))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "kapot.pdf" in result.stderr and "beschadigd" in result.stderr
    assert "scan.pdf" in result.stderr and "tekstlaag" in result.stderr
    assert "Toegevoegd: proefadvies.pdf" in result.stdout and "5 pagina's" in result.stdout
    assert "Index klaar: 4 document(en)" in result.stdout
    assert sorted(p.name for p in cli_env.iterdir()) == ["basis.md", "pagina.html", "proefadvies.pdf", "woord.docx"]


def test_cli_index_with_only_bad_files_changes_nothing(cli_env: Path, tmp_path: Path) -> None:
    assert _index().exit_code == 0
    before = sorted(p.name for p in cli_env.iterdir())
    bad = tmp_path / "leeg.html"
    bad.write_text("<html><body><script>alert(1)</script></body></html>", encoding="utf-8")
    garbage = tmp_path / "rommel.docx"
    garbage.write_bytes(b"geen zip")
    result = _index(str(bad), str(garbage))
    assert result.exit_code == 2
    assert "leeg.html" in result.stderr and "rommel.docx" in result.stderr
    assert sorted(p.name for p in cli_env.iterdir()) == before
    again = _index()
    assert again.exit_code == 0 and "Index klaar: 1 document(en)" in again.stdout


def test_cli_index_without_paths_still_rebuilds(cli_env: Path) -> None:
    result = _index()
    assert result.exit_code == 0, result.output
    assert "Index klaar: 1 document(en)" in result.stdout


def test_cli_index_copies_the_metadata_file_next_to_the_document(cli_env: Path, tmp_path: Path) -> None:
    incoming = tmp_path / "nieuw"
    incoming.mkdir()
    pdf = samples.make_pdf(incoming / "proefadvies.pdf")
    metadata_path(pdf).write_text('{"title": "Proefadvies over kennis", "short_name": "AWT"}', encoding="utf-8")
    result = _index(str(pdf))
    assert result.exit_code == 0, result.output
    assert metadata_path(cli_env / "proefadvies.pdf").read_bytes() == metadata_path(pdf).read_bytes()
    assert sorted(p.name for p in cli_env.iterdir()) == ["basis.md", "proefadvies.pdf", "proefadvies.pdf.meta.json"]
    assert load_knowledge(cli_env).document("proefadvies.pdf").title == "Proefadvies over kennis"
