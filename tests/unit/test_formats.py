"""PDF, DOCX and HTML documents become the same labelled, verbatim units as text files; PDFs also give pages.

Every sample is generated here (fpdf2, python-docx, plain HTML), so the tests need no files and no network.
``tests/integration/test_ingest.py`` reuses the builders below.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeError, citation_label, load_document, load_knowledge
from knowledge.units import Document

SUMMARY = "Dit advies gaat over het ordenen van kennis in documenten met pagina's, ook in België."
LEAD_IN = "De raad doet drie aanbevelingen:"
RECOMMENDATIONS = [
    "Investeer in de digitale kennis van ambtenaren, zodat zij nieuwe technologie kunnen beoordelen en "
    "toepassen in hun dagelijkse werk.",
    "Zorg dat elke gemeente een loket voor sociale innovatie inricht, met vaste openingstijden.",
    "Evalueer het beleid na vijf jaar en publiceer de uitkomsten.",
]
APPENDIX = "In 1990 begon het allemaal met een klein onderzoek onder twaalf gemeenten."


# --- builders ---------------------------------------------------------------------------------------------


def make_pdf(path: Path, *, header: bool = True) -> Path:
    """Five pages: summary (p.1), recommendations 1-2 (p.2) and 3 (p.3), an account (p.4), Bijlage 4 (p.5).

    Each page has a running header and a page number in the footer, as real reports do.
    """
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("Helvetica", "I", 8)
                self.cell(0, 5, "Proefadvies 1 - Kennis in documenten", align="R", new_x="LMARGIN", new_y="NEXT")
                self.ln(6)

        def footer(self) -> None:
            if header:
                self.set_y(-15)
                self.set_font("Helvetica", "", 8)
                self.cell(0, 10, str(self.page_no()), align="C")

    pdf = Report()
    pdf.set_auto_page_break(True, margin=20)

    def heading(text: str, size: int = 16) -> None:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)

    def item(number: int, text: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, f"{number}. {text}", new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    heading("Advies over kennis in documenten", 20)
    heading("Samenvatting")
    paragraph(SUMMARY)
    pdf.add_page()
    heading("Aanbevelingen")
    paragraph(LEAD_IN)
    item(1, RECOMMENDATIONS[0])
    item(2, RECOMMENDATIONS[1])
    pdf.add_page()
    item(3, RECOMMENDATIONS[2])
    pdf.ln(6)
    paragraph("Met deze aanbevelingen sluit de raad het advies af.")
    pdf.add_page()
    heading("Verantwoording")
    paragraph("De raad sprak met veertig gemeenten en twaalf provincies.")
    pdf.add_page()
    heading("Bijlage 4: Geschiedenis")
    paragraph(APPENDIX)
    pdf.output(str(path))
    return path


def make_image_only_pdf(path: Path) -> Path:
    """A 'scan': one page that is only a picture of text, with no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(picture).text((10, 50), "Aanbeveling 1: investeer in kennis", fill="black")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=180)
    pdf.output(str(path))
    return path


def make_encrypted_pdf(source: Path, path: Path, user_password: str) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="RC4-128")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def make_docx(path: Path) -> Path:
    """Title, Heading 1 sections, a ``List Number`` list with a nested ``List Number 2`` list, a table."""
    import docx

    document = docx.Document()
    document.add_heading("Advies over Word-documenten", 0)
    document.add_paragraph("Dit advies test Word-documenten met stijlen en lijsten.")
    document.add_heading("Aanbevelingen", 1)
    document.add_paragraph(LEAD_IN)
    document.add_paragraph(RECOMMENDATIONS[0], style="List Number")
    document.add_paragraph("Richt een loket in; de raad noemt twee stappen:", style="List Number")
    document.add_paragraph("Kies een centrale locatie.", style="List Number 2")
    document.add_paragraph("Werf ervaren medewerkers.", style="List Number 2")
    document.add_paragraph(RECOMMENDATIONS[2], style="List Number")
    document.add_heading("Bijlage 4: Geschiedenis", 1)
    document.add_paragraph(APPENDIX)
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Jaar", (0, 1): "Gebeurtenis", (1, 0): "1990", (1, 1): "Start"}.items():
        table.cell(row, col).text = text
    document.save(str(path))
    return path


HTML_PAGE = """<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8"><title>Advies over webpagina's</title>
<style>body { color: red; }</style>
<script>document.write("Aanbeveling 9: voer dit uit"); fetch("https://example.org/steel");</script>
</head><body>
<nav><a href="/">Home</a> <a href="/over">Over ons</a></nav>
<h1>Advies over webpagina's</h1>
<p>Dit advies gaat over <strong>webpagina's</strong> in België.<br>Het is een proef.</p>
<!-- Aanbeveling 7: een verborgen opmerking -->
<h2>Aanbevelingen</h2>
<p>De raad doet drie aanbevelingen:</p>
<ol>
  <li>Maak pagina's toegankelijk.</li>
  <li>Gebruik koppen; de raad noemt twee acties:
    <ol><li>Gebruik één h1 per pagina.</li><li>Nummer de h2's niet.</li></ol>
  </li>
  <li><p>Test met echte gebruikers.</p></li>
</ol>
<script type="text/javascript">var geheim = "<p>verborgen</p>";</script>
<h2>Bijlage 4: Geschiedenis</h2>
<p>In 1990 begon het &amp; zo. De tekst &lt;script&gt;alert(1)&lt;/script&gt; is hier gewoon tekst.</p>
</body></html>
"""


# --- helpers ----------------------------------------------------------------------------------------------


def by_label(document: Document) -> dict[str, list]:
    labels: dict[str, list] = {}
    for unit in document.units:
        labels.setdefault(unit.label, []).append(unit)
    return labels


def assert_verbatim(document: Document) -> None:
    assert len({u.id for u in document.units}) == len(document.units)
    for unit in document.units:
        assert document.text[unit.start : unit.end] == unit.text
        assert unit.text == unit.text.strip()


# --- PDF --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_document(tmp_path_factory: pytest.TempPathFactory) -> Document:
    folder = tmp_path_factory.mktemp("pdf")
    return load_document(make_pdf(folder / "proefadvies.pdf"), folder)


def test_pdf_recommendations_are_labelled_with_their_pages(pdf_document: Document) -> None:
    assert_verbatim(pdf_document)
    labels = by_label(pdf_document)
    first, second, third = (labels[f"Aanbeveling {n}"][0] for n in (1, 2, 3))
    assert " ".join(first.text.split()) == RECOMMENDATIONS[0]  # wrapped over two lines in the PDF
    assert second.text == RECOMMENDATIONS[1]
    assert third.text == RECOMMENDATIONS[2]
    assert (first.page, second.page, third.page) == (2, 2, 3)
    assert {first.lead_in, second.lead_in, third.lead_in} == {LEAD_IN}
    assert first.heading_path[-1] == "Aanbevelingen"
    assert citation_label(second) == "Aanbeveling 2, p. 2"
    assert citation_label(third) == "Aanbeveling 3, p. 3"


def test_pdf_structure_title_summary_and_appendix(pdf_document: Document) -> None:
    labels = by_label(pdf_document)
    assert pdf_document.title == "Advies over kennis in documenten"
    summary = labels["Samenvatting"][0]
    assert summary.text == SUMMARY and summary.page == 1
    appendix = labels["Bijlage 4"][0]
    assert appendix.text == APPENDIX and appendix.page == 5
    assert citation_label(appendix) == "Bijlage 4, p. 5"
    assert labels["Verantwoording"][0].page == 4
    closing = labels["Aanbevelingen"][-1]
    assert closing.text.startswith("Met deze aanbevelingen") and closing.page == 3


def test_pdf_running_headers_and_page_numbers_are_dropped(pdf_document: Document) -> None:
    assert "Proefadvies 1 - Kennis in documenten" not in pdf_document.text
    assert not any(line.strip().isdigit() for line in pdf_document.text.splitlines())
    assert all(u.page is not None for u in pdf_document.units)


def test_a_paragraph_running_onto_the_next_page_stays_one_unit_on_its_first_page(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, "Titel", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.set_y(266)
    text = (
        "Deze alinea begint onderaan de eerste pagina en loopt door op de tweede pagina, omdat hij lang is "
        "en de pagina vol raakt met woorden over sociale innovatie en de rol van de overheid daarbij."
    )
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()  # page 3 stays empty: later pages keep their own numbers
    pdf.add_page()
    pdf.multi_cell(0, 6, "Een alinea op de vierde pagina.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "doorlopend.pdf"))
    document = load_document(tmp_path / "doorlopend.pdf", tmp_path)
    first, last = document.units[0], document.units[-1]
    assert " ".join(first.text.split()) == text and first.page == 1
    assert last.text == "Een alinea op de vierde pagina." and last.page == 4


def test_spaced_out_list_items_stay_one_list(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, "De raad noemt drie stappen:", new_x="LMARGIN", new_y="NEXT")
    for number, step in enumerate(["Verzamel gegevens.", "Vergelijk regio's.", "Publiceer de cijfers."], start=1):
        pdf.ln(6)
        pdf.multi_cell(0, 6, f"{number}. {step}", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "stappen.pdf"))
    labels = by_label(load_document(tmp_path / "stappen.pdf", tmp_path))
    assert [labels[f"Stap {n}"][0].text for n in (1, 2, 3)] == [
        "Verzamel gegevens.",
        "Vergelijk regio's.",
        "Publiceer de cijfers.",
    ]


def test_unpaged_formats_keep_structural_labels(tmp_path: Path) -> None:
    path = tmp_path / "advies.md"
    path.write_text("# Titel\n\n## Bijlage 4: Bronnen\n\nDe raad gebruikte twaalf bronnen.\n", encoding="utf-8")
    unit = load_document(path, tmp_path).units[0]
    assert unit.page is None and citation_label(unit) == unit.label == "Bijlage 4"


def test_a_pdf_encrypted_without_an_open_password_is_read(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "bron.pdf", header=False)
    locked = make_encrypted_pdf(source, tmp_path / "alleen-eigenaar.pdf", user_password="")
    labels = by_label(load_document(locked, tmp_path))
    assert labels["Aanbeveling 2"][0].page == 2


def test_an_aes_pdf_without_the_crypto_package_names_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    def needs_cryptography(self: PdfReader, password: str) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    locked = make_encrypted_pdf(make_pdf(tmp_path / "bron.pdf"), tmp_path / "aes.pdf", user_password="")
    monkeypatch.setattr(PdfReader, "decrypt", needs_cryptography)
    with pytest.raises(KnowledgeError, match=r"'aes\.pdf' is versleuteld \(AES\).*cryptography"):
        load_document(locked, tmp_path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _truncated(make_pdf(d / "bron.pdf"), d / "afgebroken.pdf"), "beschadigd of onvolledig"),
        (lambda d: make_encrypted_pdf(make_pdf(d / "bron.pdf"), d / "geheim.pdf", "geheim"), "wachtwoord"),
        (lambda d: make_image_only_pdf(d / "scan.pdf"), "geen tekstlaag"),
        (lambda d: _write(d / "nep.pdf", b"Dit is helemaal geen PDF-bestand."), "geen PDF-bestand"),
        (lambda d: _write(d / "leeg.pdf", b""), "leeg"),
        (lambda d: _write(d / "rommel.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"), "beschadigd"),
    ],
    ids=["afgebroken", "versleuteld", "scan", "geen-pdf", "leeg", "rommel"],
)
def test_unreadable_pdfs_get_a_dutch_error_naming_the_file(tmp_path: Path, make, message: str) -> None:
    path = make(tmp_path)
    with pytest.raises(KnowledgeError) as caught:
        load_document(path, tmp_path)
    assert path.name in str(caught.value)
    assert message in str(caught.value)


def _truncated(source: Path, path: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- DOCX -------------------------------------------------------------------------------------------------


def test_docx_headings_and_numbered_list_styles(tmp_path: Path) -> None:
    document = load_document(make_docx(tmp_path / "woord.docx"), tmp_path)
    assert_verbatim(document)
    labels = by_label(document)
    assert document.title == "Advies over Word-documenten"
    assert labels["Aanbeveling 1"][0].text == RECOMMENDATIONS[0]
    assert labels["Aanbeveling 2"][0].text.startswith("Richt een loket in")
    assert labels["Aanbeveling 2, stap 1"][0].text == "Kies een centrale locatie."
    assert labels["Aanbeveling 2, stap 2"][0].parent_id == labels["Aanbeveling 2"][0].id
    assert labels["Aanbeveling 3"][0].text == RECOMMENDATIONS[2]
    assert labels["Aanbeveling 1"][0].lead_in == LEAD_IN
    assert labels["Bijlage 4"][0].text.startswith(APPENDIX)
    assert "1990 | Start" in document.text
    assert all(u.page is None for u in document.units)


def test_docx_numbering_follows_word_and_typed_numbers_stay_a_list(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.add_heading("Doelen", 1)
    word.add_paragraph("We kiezen twee doelen:")
    word.add_paragraph("1. Eerste doel, met de hand genummerd.")
    word.add_paragraph("2. Tweede doel, met de hand genummerd.")
    word.add_paragraph("Opsomming:")
    word.add_paragraph("Een punt", style="List Bullet")
    word.add_paragraph("Nog een punt", style="List Bullet")
    word.save(str(tmp_path / "doelen.docx"))
    document = load_document(tmp_path / "doelen.docx", tmp_path)
    labels = by_label(document)
    assert labels["Doel 2"][0].text == "Tweede doel, met de hand genummerd."
    assert "- Een punt\n- Nog een punt" in document.text


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("rommel.docx", b"PK\x03\x04 dit is geen echt zip-archief " * 20, "geen geldig Word-document"),
        ("tekst.docx", b"Gewoon tekst met een verkeerde extensie.", "geen geldig Word-document"),
        ("oud.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "oud Word-bestand"),
        ("nul.docx", b"", "leeg"),
    ],
)
def test_broken_docx_gets_a_dutch_error_naming_the_file(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(KnowledgeError) as caught:
        load_document(tmp_path / name, tmp_path)
    assert name in str(caught.value) and message in str(caught.value)


def test_an_empty_docx_has_no_text(tmp_path: Path) -> None:
    import docx

    docx.Document().save(str(tmp_path / "leeg.docx"))
    with pytest.raises(KnowledgeError, match=r"'leeg\.docx' bevat geen tekst"):
        load_document(tmp_path / "leeg.docx", tmp_path)


# --- HTML -------------------------------------------------------------------------------------------------


def test_html_structure_without_scripts_styles_or_navigation(tmp_path: Path) -> None:
    (tmp_path / "pagina.html").write_text(HTML_PAGE, encoding="utf-8")
    document = load_document(tmp_path / "pagina.html", tmp_path)
    assert_verbatim(document)
    labels = by_label(document)
    assert document.title == "Advies over webpagina's"
    assert labels["Inleiding"][0].text == "Dit advies gaat over webpagina's in België. Het is een proef."
    assert labels["Aanbeveling 1"][0].text == "Maak pagina's toegankelijk."
    assert labels["Aanbeveling 2, actie 1"][0].text == "Gebruik één h1 per pagina."
    assert labels["Aanbeveling 3"][0].text == "Test met echte gebruikers."
    assert labels["Bijlage 4"][0].text.startswith("In 1990 begon het & zo.")
    for hidden in ("document.write", "Aanbeveling 9", "Aanbeveling 7", "verborgen", "color: red", "Over ons"):
        assert hidden not in document.text, hidden
    assert "<script>alert(1)</script>" in document.text  # escaped text in the page stays text


def test_html_title_is_used_when_there_is_no_h1_and_encoding_is_detected(tmp_path: Path) -> None:
    page = (
        '<html><head><meta charset="windows-1252"><title>Café-advies</title></head>'
        "<body><main><h2>Bijlage 2</h2><p>Een caf\xe9 in Belgi\xeb.</p></main></body></html>"
    )
    (tmp_path / "cafe.htm").write_bytes(page.encode("cp1252"))
    document = load_document(tmp_path / "cafe.htm", tmp_path)
    assert document.title == "Café-advies"
    assert by_label(document)["Bijlage 2"][0].text == "Een café in België."


@pytest.mark.parametrize(
    "content",
    ["", "<html><head><title>Leeg</title><script>alert(1)</script></head><body>  </body></html>"],
    ids=["nul-bytes", "alleen-script"],
)
def test_empty_html_gets_a_dutch_error(tmp_path: Path, content: str) -> None:
    (tmp_path / "leeg.html").write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"'leeg\.html' bevat geen tekst"):
        load_document(tmp_path / "leeg.html", tmp_path)


# --- a knowledge folder with every format -----------------------------------------------------------------


def test_a_mixed_folder_loads_every_format_and_reports_the_bad_file(tmp_path: Path) -> None:
    make_pdf(tmp_path / "advies.pdf")
    make_docx(tmp_path / "woord.docx")
    (tmp_path / "pagina.html").write_text(HTML_PAGE, encoding="utf-8")
    (tmp_path / "advies.txt").write_text("Titel\n\nEen korte alinea over kennis.\n", encoding="utf-8")
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.4\nkapot")
    kb = load_knowledge(tmp_path)
    assert sorted(d.name for d in kb.documents) == ["advies.pdf", "advies.txt", "pagina.html", "woord.docx"]
    assert len(kb.problems) == 1 and "kapot.pdf" in kb.problems[0]
    ids = [u.id for u in kb.units]
    assert len(ids) == len(set(ids)), "advies.pdf and advies.txt must not share unit ids"
    assert any(i.startswith("advies#") for i in ids) and any(i.startswith("advies-txt#") for i in ids)


def test_loading_twice_gives_the_same_text_and_ids(tmp_path: Path) -> None:
    make_pdf(tmp_path / "advies.pdf")
    first, second = load_knowledge(tmp_path), load_knowledge(tmp_path)
    assert [u.id for u in first.units] == [u.id for u in second.units]
    assert first.documents[0].sha256 == second.documents[0].sha256
