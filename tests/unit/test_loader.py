"""The loader turns documents into labelled, verbatim units, for the shipped advice and for other shapes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge, parse_text

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_086b1c10aae18f67.txt"
ADVICE = DEFAULT_KNOWLEDGE_DIR / "awt-advies-84-sociale-innovatie.txt"

SECOND_DOCUMENT = """# Advies over digitale vaardigheden

Dit advies gaat over digitale vaardigheden in het onderwijs.

## Samenvatting

De raad geeft de volgende maatregelen:

- Investeer in leraren.
- Meet de voortgang jaarlijks.

## Aanbevelingen

De raad doet vier aanbevelingen:

1. Maak digitale vaardigheden verplicht.
2. Zorg voor goede apparatuur.
3. Werk met regionale netwerken; de raad noemt twee acties:
   1. Richt een netwerk per provincie op.
   2. Deel lesmateriaal openlijk.
4. Evalueer na vijf jaar.

## Bijlage 2: Verantwoording

De raad sprak met veertig scholen. Zij gaven input in 2023.
"""


def test_shipped_advice_is_the_seed_unchanged() -> None:
    if not SEED.exists():
        pytest.skip("shared/seeds is not laid out next to this checkout")
    assert hashlib.sha256(ADVICE.read_bytes()).digest() == hashlib.sha256(SEED.read_bytes()).digest()


def test_advice_labels_follow_its_structure() -> None:
    doc = load_knowledge(DEFAULT_KNOWLEDGE_DIR).document("awt-advies-84-sociale-innovatie.txt")
    labels = [u.label for u in doc.units]
    expected = [
        "Inleiding",
        "Wat is sociale innovatie?",
        "Rol overheid",
        "Aanbeveling 1",
        "Aanbeveling 2",
        "Aanbeveling 3",
        *(f"Aanbeveling 3, stap {i}" for i in range(1, 7)),
        "Bijlage 4",
        "Referentie",
    ]
    for label in expected:
        assert label in labels, label
    assert labels.index("Aanbeveling 3") < labels.index("Aanbeveling 3, stap 1") < labels.index("Bijlage 4")
    assert doc.title == "De kracht van sociale innovatie"


def test_units_are_verbatim_slices_with_offsets() -> None:
    doc = load_knowledge(DEFAULT_KNOWLEDGE_DIR).document("awt-advies-84-sociale-innovatie.txt")
    assert len({u.id for u in doc.units}) == len(doc.units)
    for unit in doc.units:
        assert doc.text[unit.start : unit.end] == unit.text
        assert unit.text == unit.text.strip()
    step6 = next(u for u in doc.units if u.label == "Aanbeveling 3, stap 6")
    assert step6.text == "Werk samen met andere landen zoals het Verenigd Koninkrijk en België (Vlaanderen)."
    assert step6.lead_in == "de AWT beschrijft zes concrete stappen:"
    appendix = next(u for u in doc.units if u.label == "Bijlage 4")
    assert appendix.text.startswith("In bijlage 4 van het rapport")
    assert "Aan de keuze" not in appendix.text


def test_ids_are_stable_across_loads() -> None:
    first = [u.id for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units]
    second = [u.id for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units]
    assert first == second
    assert "awt-advies-84-sociale-innovatie#aanbeveling-3-stap-5" in first


def test_a_markdown_document_of_another_shape() -> None:
    doc = parse_text("digitaal.md", SECOND_DOCUMENT)
    by_label = {u.label: u for u in doc.units}
    assert doc.title == "Advies over digitale vaardigheden"
    assert by_label["Maatregel 1"].text == "Investeer in leraren."
    assert by_label["Aanbeveling 4"].text == "Evalueer na vijf jaar."
    assert by_label["Aanbeveling 3, actie 2"].text == "Deel lesmateriaal openlijk."
    assert by_label["Aanbeveling 3, actie 2"].parent_id == by_label["Aanbeveling 3"].id
    assert by_label["Bijlage 2"].text.startswith("De raad sprak met veertig scholen.")
    assert by_label["Bijlage 2"].heading_path == ("Advies over digitale vaardigheden", "Bijlage 2: Verantwoording")
    assert by_label["Inleiding"].text == "Dit advies gaat over digitale vaardigheden in het onderwijs."
    for unit in doc.units:
        assert SECOND_DOCUMENT[unit.start : unit.end] == unit.text


def test_a_list_without_a_named_lead_in_gets_section_points() -> None:
    doc = parse_text("los.txt", "Titel\n\nDoelen\n\nWe willen:\n\n1. Eerste doel\n2. Tweede doel\n")
    assert [u.label for u in doc.units if u.kind == "list_item"] == ["Doelen, punt 1", "Doelen, punt 2"]


def test_long_paragraphs_are_split_at_sentences() -> None:
    sentence = "Dit is een vrij lange zin over sociale innovatie in Nederland en daarbuiten. "
    doc = parse_text("lang.txt", "Titel\n\n" + sentence * 40)
    assert len(doc.units) > 1
    assert all(len(u.text) <= 1200 for u in doc.units)


def test_bad_files_become_dutch_problems_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "goed.md").write_text("# Goed\n\nEen echte alinea over innovatie.\n", encoding="utf-8")
    (tmp_path / "leeg.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "oud.txt").write_bytes("Titel\n\nEen caf\xe9 in Belgi\xeb.\n".encode("cp1252"))
    (tmp_path / ".verborgen.md").write_text("# x\n\ny\n", encoding="utf-8")
    kb = load_knowledge(tmp_path)
    assert sorted(d.name for d in kb.documents) == ["goed.md", "oud.txt"]
    assert "café in België" in kb.document("oud.txt").text
    assert len(kb.problems) == 1 and "leeg.txt" in kb.problems[0] and "geen tekst" in kb.problems[0]


def test_html_in_a_document_stays_text() -> None:
    doc = parse_text("x.md", "# Titel\n\nTekst met <script>alert(1)</script> erin.\n")
    assert doc.units[0].text == "Tekst met <script>alert(1)</script> erin."
