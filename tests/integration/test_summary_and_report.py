"""A summary (text, no pages) and the full report (PDF) that repeats it: the report's passage is cited, with its
page, and the summary is named as "ook in …" (fake embeddings, real parsing and PDF extraction)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answer import ExtractiveBackend
from assistant.contract import Answer, Citation
from assistant.decision.model import NEVER, CalibratedModel, DecisionModel
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from index.twins import Twins
from knowledge.units import Unit
from tests.support.embeddings import WordEmbeddings

pytestmark = pytest.mark.integration

SUMMARY_TITLE = "Samenvatting van het advies over water"
REPORT_TITLE = "Rapport over water in Nederland"
DIKES = (
    "Het waterschap legt elk voorjaar de dijken langs de grote rivieren vast in een openbaar register, zodat "
    "gemeenten en bewoners kunnen zien welke dijk wanneer wordt versterkt en wie daarvoor betaalt."
)
POLDERS = (
    "De raad beveelt aan om boeren in de polders een vaste vergoeding te geven wanneer zij hun land in natte "
    "jaren beschikbaar stellen voor de tijdelijke opslag van overtollig rivierwater."
)
GROUNDWATER = (
    "Provincies moeten volgens de raad voor {year} een plan maken waarin staat hoe zij het grondwater in droge "
    "zomers op peil houden en welke bedrijven dan minder mogen oppompen."
)
LEAD_IN = "De raad doet twee aanbevelingen:"
RECOMMENDATIONS = (
    "Geef gemeenten een vast budget om regenwater in de wijk op te vangen en in de bodem te laten zakken.",
    "Laat waterschappen en provincies samen een register bijhouden van alle pompen voor grondwater.",
)
DROUGHT = (
    "Droogte raakt vooral de zandgronden in het oosten en zuiden van het land, waar de grondwaterstand de laatste "
    "jaren sterk is gedaald."
)
DROUGHT_IN_OTHER_WORDS = (  # the same subject, said otherwise: not a twin
    "In het oosten en zuiden van het land is de grondwaterstand op de zandgronden gedaald; droogte raakt die "
    "gebieden het sterkst, zo blijkt uit metingen van de laatste jaren."
)


def _summary(path: Path) -> None:
    items = "\n".join(f"{n}. {text}" for n, text in enumerate(RECOMMENDATIONS, start=1))
    paragraphs = [f"# {SUMMARY_TITLE}", LEAD_IN, items, DIKES, POLDERS, GROUNDWATER.format(year=2030), DROUGHT]
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")


def _report(path: Path) -> None:
    """Five pages: title and introduction; recommendations; dikes; polders and groundwater (a word changed); drought."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)

    def heading(text: str) -> None:
        pdf.set_font("Helvetica", "B", 16)
        pdf.multi_cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)

    def paragraph(text: str) -> None:
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)

    pdf.add_page()
    heading(REPORT_TITLE)
    paragraph("Dit rapport beschrijft uitgebreid hoe Nederland met te veel en te weinig water omgaat.")
    pdf.add_page()
    heading("Aanbevelingen")
    paragraph(LEAD_IN)
    pdf.set_font("Helvetica", "", 11)
    for n, text in enumerate(RECOMMENDATIONS, start=1):
        pdf.multi_cell(0, 6, f"{n}. {text}", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    heading("Rivieren")
    paragraph(DIKES)
    pdf.add_page()
    heading("Polders en grondwater")
    paragraph(POLDERS)
    paragraph(GROUNDWATER.format(year=2035))
    pdf.add_page()
    heading("Droogte")
    paragraph(DROUGHT_IN_OTHER_WORDS)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("twins")
    knowledge = folder / "kennis"
    knowledge.mkdir()
    _summary(knowledge / "samenvatting.txt")
    _report(knowledge / "rapport.pdf")
    settings = Settings(data_dir=folder / "data", knowledge_dir=knowledge)
    return build_assistant(settings, embeddings=WordEmbeddings())


@pytest.fixture(scope="module")
def answering(bot: Assistant) -> Assistant:
    """The same documents and index, with a decision that always answers: what is tested here is which passage
    an answer quotes, not whether a question about a five-page toy report is on topic (tests/unit/test_decision)."""
    always = DecisionModel(topic=NEVER, answer=CalibratedModel((), (), (), (), (), 50.0))
    return build_assistant(bot.settings, embeddings=WordEmbeddings(), backend=ExtractiveBackend(always))


def _unit(bot: Assistant, document: str, text: str) -> Unit:
    """The unit of ``document`` whose text starts like ``text``."""
    return next(u for u in bot.knowledge.units if u.document == document and u.text[:30] == text[:30])


def _pair(bot: Assistant, text: str) -> tuple[str, str]:
    a, b = _unit(bot, "samenvatting.txt", text).id, _unit(bot, "rapport.pdf", text).id
    return (a, b) if a < b else (b, a)


def test_repeated_and_slightly_edited_passages_pair_and_a_paraphrase_does_not(bot: Assistant) -> None:
    repeated = (*RECOMMENDATIONS, DIKES, POLDERS, GROUNDWATER)
    assert {(a, b) for a, b, _s in bot.twins.pairs()} == {_pair(bot, text) for text in repeated}
    assert bot.twins.of(_unit(bot, "samenvatting.txt", DROUGHT).id) == {}
    edited = _unit(bot, "samenvatting.txt", GROUNDWATER)
    assert 0.6 <= bot.twins.of(edited.id)[_unit(bot, "rapport.pdf", GROUNDWATER).id] < 1.0


def test_the_pairs_are_stored_with_the_index_and_read_back(bot: Assistant) -> None:
    stored = list((bot.settings.data_dir / "twins").glob("*.json"))
    assert len(stored) == 1
    assert len(json.loads(stored[0].read_text(encoding="utf-8"))["pairs"]) == len(bot.twins.pairs())
    assert Twins.cached(bot.knowledge.units, bot.settings.data_dir / "twins").pairs() == bot.twins.pairs()


def _cited_from_the_report(answer: Answer, bot: Assistant, text: str, page: int) -> Citation:
    """The citation of the report's passage: with its page, the summary's twin named as "ook in", never cited."""
    summary, report = _unit(bot, "samenvatting.txt", text), _unit(bot, "rapport.pdf", text)
    cited = {c.unit_id: c for c in answer.citations}
    assert summary.id not in cited, answer.answer
    citation = cited[report.id]
    assert citation.label.endswith(f"van ‘{REPORT_TITLE}’, p. {page}")
    assert [(a.document, a.title) for a in citation.also_in] == [("samenvatting.txt", SUMMARY_TITLE)]
    assert citation.also_in[0].label.endswith(f"van ‘{SUMMARY_TITLE}’")
    assert f"[{citation.n}] (ook in {citation.also_in[0].label})" in answer.answer
    return citation


def test_a_recommendation_both_give_is_cited_once_from_the_report(bot: Assistant) -> None:
    answer = bot.ask("Wat is de eerste aanbeveling?")
    assert not answer.refused, answer.answer
    citation = _cited_from_the_report(answer, bot, RECOMMENDATIONS[0], 2)
    assert citation.label.startswith("Aanbeveling 1 van")
    assert citation.also_in[0].label == f"Aanbeveling 1 van ‘{SUMMARY_TITLE}’"
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    assert len({c.unit_id for c in answer.citations}) == len(answer.citations)


@pytest.mark.parametrize(
    ("question", "text", "page"),
    [
        ("Wat legt het waterschap elk voorjaar vast over de dijken langs de grote rivieren?", DIKES, 3),
        ("Welke vergoeding krijgen boeren in de polders voor de opslag van rivierwater?", POLDERS, 4),
        ("Welk plan moeten provincies maken voor het grondwater in droge zomers?", GROUNDWATER, 4),
    ],
)
def test_a_paragraph_both_give_is_cited_from_the_report(
    answering: Assistant, question: str, text: str, page: int
) -> None:
    answer = answering.ask(question)
    assert not answer.refused
    citation = _cited_from_the_report(answer, answering, text, page)
    assert citation.n == 1 and answer.answer.startswith(f"Volgens het document ({citation.label}): „")


def test_a_refusal_points_at_the_report_with_the_summary_as_ook_in(bot: Assistant) -> None:
    answer = bot.ask("Hoeveel kost een brood in Parijs?")
    assert answer.refused and answer.citations
    for citation, text in zip(answer.citations, RECOMMENDATIONS, strict=True):
        _cited_from_the_report(answer, bot, text, 2)
        assert f"{citation.label} [{citation.n}] (ook in " in answer.answer


def test_a_passage_only_the_summary_has_is_cited_from_the_summary(answering: Assistant) -> None:
    answer = answering.ask("Welke zandgronden raakt de droogte vooral, in het oosten en zuiden?")
    drought = _unit(answering, "samenvatting.txt", DROUGHT)
    cited = [c for c in answer.citations if c.unit_id == drought.id]
    assert cited and cited[0].also_in == [] and cited[0].label == f"Inleiding van ‘{SUMMARY_TITLE}’"
    assert "ook in" not in answer.answer


def test_a_question_restricted_to_the_summary_cites_the_summary_and_names_the_report(answering: Assistant) -> None:
    answer = answering.ask(
        "Wat legt het waterschap elk voorjaar vast over de dijken langs de grote rivieren?",
        documents=["samenvatting.txt"],
    )
    summary, report = _unit(answering, "samenvatting.txt", DIKES), _unit(answering, "rapport.pdf", DIKES)
    cited = {c.unit_id: c for c in answer.citations}
    assert report.id not in cited and {c.document for c in answer.citations} == {"samenvatting.txt"}
    assert [a.document for a in cited[summary.id].also_in] == ["rapport.pdf"]
    assert cited[summary.id].also_in[0].label == f"Rivieren van ‘{REPORT_TITLE}’, p. 3"
