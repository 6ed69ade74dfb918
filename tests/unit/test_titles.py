"""A document's title: its first heading, else the title in the file's metadata, else the file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import DEFAULT_KNOWLEDGE_DIR, load_document, load_knowledge, parse_text

LONG = (
    "Deze tekst heeft geen kop: het is een doorlopende alinea over digitale inclusie, met genoeg woorden "
    "om nooit voor een kop te worden aangezien, want een kop is kort en eindigt niet met een punt."
)


def test_the_shipped_advice_keeps_its_title() -> None:
    assert load_knowledge(DEFAULT_KNOWLEDGE_DIR).documents[0].title == "De kracht van sociale innovatie"


def test_first_heading_of_any_level_beats_metadata() -> None:
    doc = parse_text("notitie.md", f"## Inclusie in de praktijk\n\n{LONG}\n", metadata_title="Metadata")
    assert doc.title == "Inclusie in de praktijk"
    assert doc.units[0].label == "Inclusie in de praktijk"  # labels are what they were: only the title is new


def test_without_headings_metadata_then_file_name() -> None:
    assert parse_text("notitie.md", LONG, metadata_title="Advies over inclusie").title == "Advies over inclusie"
    assert parse_text("map/notitie-2024.md", LONG).title == "notitie-2024"


def _pdf(path: Path, title: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, LONG)
    pdf.output(str(path))
    return path


def _docx(path: Path, title: str, heading: str | None = None) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = title
    if heading:
        document.add_heading(heading, 1)
    document.add_paragraph(LONG)
    document.save(str(path))
    return path


def test_pdf_title_from_its_metadata(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "rapport.pdf", "Advies over digitale inclusie")
    assert load_document(path, tmp_path).title == "Advies over digitale inclusie"


@pytest.mark.parametrize("junk", ["", "Microsoft Word - rapport_v3.docx", "Untitled"])
def test_a_made_up_metadata_title_falls_back_to_the_file_name(tmp_path: Path, junk: str) -> None:
    path = _docx(tmp_path / "rapport-inclusie.docx", junk)
    assert load_document(path, tmp_path).title == "rapport-inclusie"


def test_docx_title_from_properties_unless_there_is_a_heading(tmp_path: Path) -> None:
    plain = _docx(tmp_path / "a.docx", "Advies over inclusie")
    headed = _docx(tmp_path / "b.docx", "Advies over inclusie", heading="Samenvatting van het advies")
    assert load_document(plain, tmp_path).title == "Advies over inclusie"
    assert load_document(headed, tmp_path).title == "Samenvatting van het advies"


def test_html_title_element_when_the_page_has_no_heading(tmp_path: Path) -> None:
    page = tmp_path / "pagina.html"
    page.write_text(f"<html><head><title>Webadvies  inclusie</title></head><body><p>{LONG}</p></body></html>")
    assert load_document(page, tmp_path).title == "Webadvies inclusie"


def test_a_metadata_file_next_to_the_document_names_it(tmp_path: Path) -> None:
    (tmp_path / "nota.md").write_text(f"# Nota\n\n{LONG}\n", encoding="utf-8")
    (tmp_path / "nota.md.meta.json").write_text(
        '{"title": "Nota over inclusie", "short_name": "RvS", "date": "2024", "examples": ["Wat  is inclusie?", 3]}',
        encoding="utf-8",
    )
    knowledge = load_knowledge(tmp_path)
    (doc,) = knowledge.documents
    assert (doc.title, doc.short_name, doc.date, doc.examples) == (
        "Nota over inclusie",
        "RvS",
        "2024",
        ("Wat is inclusie?",),
    )
    assert knowledge.problems == ()


def test_an_unreadable_metadata_file_is_a_problem_but_the_document_loads(tmp_path: Path) -> None:
    (tmp_path / "nota.md").write_text(f"# Nota\n\n{LONG}\n", encoding="utf-8")
    (tmp_path / "nota.md.meta.json").write_text("{kapot", encoding="utf-8")
    knowledge = load_knowledge(tmp_path)
    assert [d.title for d in knowledge.documents] == ["Nota"]
    assert len(knowledge.problems) == 1 and "nota.md.meta.json" in knowledge.problems[0]
