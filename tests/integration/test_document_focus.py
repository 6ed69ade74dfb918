"""With two advices loaded, a question is answered from the document it points to (real parsing, fake embeddings).

The second advice is generated here: a three-page PDF on digital inclusion with two recommendations (a counter,
libraries) and an appendix. Fake embeddings carry no meaning, so what is tested is what the words and the
documents' identities decide.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.contract import Message
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from knowledge import DEFAULT_KNOWLEDGE_DIR

pytestmark = pytest.mark.integration
ADVICE = "awt-advies-84-sociale-innovatie.txt"
AWT_TITLE = "De kracht van sociale innovatie"
PDF = "inclusie.pdf"
PDF_TITLE = "Advies over digitale inclusie"


def make_inclusion_pdf(path: Path) -> Path:
    """Title page; the two recommendations (p. 2); an appendix with figures (p. 3)."""
    from fpdf import FPDF

    pdf = FPDF()

    def heading(text: str) -> None:
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    pdf.add_page()
    heading(PDF_TITLE)
    paragraph(
        "Steeds meer diensten van de overheid zijn alleen nog online te gebruiken. Dit advies gaat over digitale "
        "inclusie: hoe iedereen, ook wie weinig digitale vaardigheden heeft, kan blijven meedoen."
    )
    pdf.add_page()
    heading("Aanbevelingen")
    paragraph("De raad doet twee aanbevelingen:")
    paragraph("1. Open in elke gemeente een loket waar inwoners zonder afspraak hulp krijgen bij digitale zaken.")
    paragraph("2. Geef bibliotheken structureel geld voor cursussen digitale vaardigheden in de buurt.")
    pdf.add_page()
    heading("Bijlage 2: Cijfers")
    paragraph("Ruim twee miljoen mensen hebben moeite met digitale vaardigheden.")
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("twee-adviezen")
    knowledge = folder / "kennis"
    knowledge.mkdir()
    for name in (ADVICE, f"{ADVICE}.meta.json"):
        shutil.copy(DEFAULT_KNOWLEDGE_DIR / name, knowledge / name)
    make_inclusion_pdf(knowledge / PDF)
    settings = Settings(data_dir=folder / "data", knowledge_dir=knowledge)
    return build_assistant(settings, embeddings=DeterministicFakeEmbedding(size=32))


def _documents(answer: Any) -> list[str]:
    return [c.document for c in answer.citations]


def test_the_second_recommendation_about_the_second_advice_comes_from_it(bot: Assistant) -> None:
    assert {d.title for d in bot.knowledge.documents} == {AWT_TITLE, PDF_TITLE}
    answer = bot.ask("Wat is de tweede aanbeveling over digitale inclusie?")
    assert not answer.refused
    assert _documents(answer)[0] == PDF
    assert answer.citations[0].label == f"Aanbeveling 2 van ‘{PDF_TITLE}’, p. 2"
    assert PDF_TITLE in answer.answer
    # the AWT advice's Aanbeveling 2 is not the one asked about: it is not quoted at all
    assert all(c.label != f"Aanbeveling 2 van ‘{AWT_TITLE}’" for c in answer.citations)


def test_a_list_question_about_the_second_advice_lists_only_its_recommendations(bot: Assistant) -> None:
    answer = bot.ask("Welke aanbevelingen doet de raad over bibliotheken?")
    assert not answer.refused
    assert set(_documents(answer)) == {PDF}
    assert any(c.label.startswith("Aanbeveling 2 van") for c in answer.citations)


def test_a_part_the_pointed_document_lacks_is_refused_in_its_name(bot: Assistant) -> None:
    # the AWT advice has a third recommendation; the advice the question points to has two
    answer = bot.ask("Wat is de derde aanbeveling over digitale inclusie?")
    assert answer.refused and answer.reason == "verwijzing_bestaat_niet"
    assert answer.answer.startswith(
        f"Dat staat niet in het document ‘{PDF_TITLE}’. Het document heeft geen aanbeveling 3."
    )


def test_a_document_named_by_its_short_name_scopes_the_reference(bot: Assistant) -> None:
    answer = bot.ask("Wat is stap 5 in het AWT-advies?")
    assert answer.citations[0].document == ADVICE
    assert answer.citations[0].label == f"Aanbeveling 3, stap 5 van ‘{AWT_TITLE}’"
    assert set(_documents(answer)) == {ADVICE}


def test_a_follow_up_stays_in_the_document_of_the_conversation(bot: Assistant) -> None:
    first = "Wat is de eerste aanbeveling over digitale inclusie?"
    opening = bot.ask(first)
    assert _documents(opening)[0] == PDF
    history = [Message(role="user", content=first), Message(role="assistant", content=opening.answer)]
    follow_up = bot.ask("En de tweede?", history=history)
    assert not follow_up.refused
    assert set(_documents(follow_up)) == {PDF}
    assert follow_up.citations[0].label == f"Aanbeveling 2 van ‘{PDF_TITLE}’, p. 2"
    # ... unless the user names another document
    switched = bot.ask("En de tweede van het AWT-advies?", history=history)
    assert switched.citations[0].label == f"Aanbeveling 2 van ‘{AWT_TITLE}’"


def test_a_question_that_fits_both_is_answered_per_document_and_labelled(bot: Assistant) -> None:
    answer = bot.ask("Wat is de tweede aanbeveling?")
    assert not answer.refused
    assert set(_documents(answer)) == {ADVICE, PDF}
    groups = answer.answer.split("\n\n")
    assert len(groups) == 2
    heads = sorted(group.split(":", 1)[0] for group in groups)
    assert heads == [f"Volgens ‘{PDF_TITLE}’ (Aanbeveling 2, p. 2)", f"Volgens ‘{AWT_TITLE}’ (Aanbeveling 2)"]
    # each group quotes only its own document, and the markers count on across the groups
    for group in groups:
        title = group.split("‘", 1)[1].split("’", 1)[0]
        markers = [int(m) for m in re.findall(r"\[(\d+)\]", group)]
        assert markers and all(bot.knowledge.document(answer.citations[m - 1].document).title == title for m in markers)


def test_the_last_recommendation_is_each_documents_own_last(bot: Assistant) -> None:
    labels = {c.label for c in bot.ask("Wat is de laatste aanbeveling?").citations}
    assert f"Aanbeveling 2 van ‘{PDF_TITLE}’, p. 2" in labels
    assert f"Aanbeveling 3 van ‘{AWT_TITLE}’" in labels


def test_with_only_the_advice_the_answer_is_not_grouped(tmp_path: Path) -> None:
    single = build_assistant(Settings(data_dir=tmp_path / "data"), embeddings=DeterministicFakeEmbedding(size=32))
    answer = single.ask("Wat is de tweede aanbeveling?")
    assert answer.answer.startswith("Volgens het advies (Aanbeveling 2): ")
    assert "\n\n" not in answer.answer


def test_the_countries_question_still_cites_step_six_with_a_second_advice(tmp_path: Path, model_cache: Path) -> None:
    """With the real model: a question about the AWT advice's content is not pulled to the other document."""
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    for name in (ADVICE, f"{ADVICE}.meta.json"):
        shutil.copy(DEFAULT_KNOWLEDGE_DIR / name, knowledge / name)
    make_inclusion_pdf(knowledge / PDF)
    real = build_assistant(Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, model_cache_dir=model_cache))
    answer = real.ask("Met welke landen moet Nederland samenwerken?")
    assert not answer.refused
    assert answer.citations[0].label == f"Aanbeveling 3, stap 6 van ‘{AWT_TITLE}’"
    digital = real.ask("Wat is de tweede aanbeveling over digitale inclusie?")
    assert digital.citations[0].label == f"Aanbeveling 2 van ‘{PDF_TITLE}’, p. 2"
