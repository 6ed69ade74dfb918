"""A text that repeats a part: the answer quotes the best few repeats and says so, and "ook in" names a document
once however often it repeats the passage (fake embeddings, real parsing, search and answer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answer import ExtractiveBackend
from assistant.decision.model import NEVER, CalibratedModel, DecisionModel
from assistant.generative import GenerativeBackend
from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from tests.support.embeddings import WordEmbeddings

pytestmark = pytest.mark.integration
ALWAYS = DecisionModel(topic=NEVER, answer=CalibratedModel((), (), (), (), (), 50.0))

TOPICS = {  # one paragraph per topic, each with a sentence about appendix 4: six units labelled "Bijlage 4"
    "dijken": "In bijlage 4 staan de kosten van het versterken van de dijken langs de rivieren.",
    "polders": "In bijlage 4 staat hoeveel boeren in de polders hun land beschikbaar stellen.",
    "grondwater": "In bijlage 4 staan de metingen van het grondwater in droge zomers.",
    "havens": "In bijlage 4 staat welke havens hun kades verhogen tegen hoogwater.",
    "duinen": "In bijlage 4 staat hoeveel zand er jaarlijks op de duinen wordt gespoten.",
    "sluizen": "In bijlage 4 staan de sluizen die voor 2040 worden vernieuwd.",
}
SHARED = "Gemeenten krijgen een vast budget om regenwater in de wijk op te vangen en in de bodem te laten zakken."


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("repeats")
    knowledge = folder / "kennis"
    knowledge.mkdir()
    paragraphs = [f"Over de {topic} zegt de raad veel. {sentence}" for topic, sentence in TOPICS.items()]
    _write(knowledge / "advies.txt", "Advies over water", [*paragraphs, SHARED])
    notes = [f"Hoofdstuk {n} van de notitie herhaalt het advies." for n in range(1, 5)]
    _write(knowledge / "notitie.txt", "Notitie over water", [p for note in notes for p in (note, SHARED)])
    return knowledge


@pytest.fixture(scope="module")
def bot(knowledge: Path) -> Assistant:
    return _assistant(knowledge, ExtractiveBackend(ALWAYS))


def _assistant(knowledge: Path, backend: ExtractiveBackend | GenerativeBackend) -> Assistant:
    settings = Settings(data_dir=knowledge.parent / "data" / type(backend).__name__, knowledge_dir=knowledge)
    return build_assistant(settings, embeddings=WordEmbeddings(), backend=backend)


def _write(path: Path, title: str, paragraphs: list[str]) -> None:
    path.write_text("\n\n".join([title, *paragraphs]) + "\n", encoding="utf-8")


def test_a_part_the_text_repeats_is_quoted_from_its_best_repeats_and_the_rest_is_counted(bot: Assistant) -> None:
    repeats = [u for u in bot.knowledge.units if u.label == "Bijlage 4"]
    assert len(repeats) == len(TOPICS)
    answer = bot.ask("Wat staat er in bijlage 4 over de dijken?", documents=["advies.txt"])
    quoted = [c for c in answer.citations if c.label.startswith("Bijlage 4")]
    assert 1 <= len(quoted) <= 3
    assert TOPICS["dijken"] in {c.quote for c in quoted}  # the repeat the question is about is among them
    left_out = len(TOPICS) - len(quoted)
    assert answer.notice is not None and f"{left_out} passages zijn weggelaten" in answer.notice


def test_a_generated_answer_says_too_that_repeats_were_left_out(knowledge: Path) -> None:
    # the model is shown the same best repeats the extractive answer quotes, so its answer carries the same count
    reply = TOPICS["dijken"].removesuffix(".") + " [1]."
    generative = GenerativeBackend(FakeListChatModel(responses=[reply]), name="test:fake", model=ALWAYS)
    bot = _assistant(knowledge, generative)
    answer = bot.ask("Wat staat er in bijlage 4 over de dijken?", documents=["advies.txt"])
    assert answer.backend == "test:fake" and answer.citations[0].quote == TOPICS["dijken"]
    assert answer.notice is not None and f"{len(TOPICS) - 3} passages zijn weggelaten" in answer.notice


def test_a_part_named_once_is_quoted_without_a_notice(bot: Assistant) -> None:
    answer = bot.ask("Wat zegt hoofdstuk 2 van de notitie?", documents=["notitie.txt"])
    assert not answer.refused
    assert "weggelaten" not in (answer.notice or "")


def test_a_passage_another_document_repeats_names_that_document_once(bot: Assistant) -> None:
    shared = next(u for u in bot.knowledge.units if u.document == "advies.txt" and u.text.startswith("Gemeenten"))
    repeats = [t for t in bot.twins.of(shared.id) if bot.search.catalog[t].document == "notitie.txt"]
    assert len(repeats) == 4  # the note repeats the passage four times: four twins
    answer = bot.ask("Wat krijgen gemeenten om regenwater op te vangen?", documents=["advies.txt"])
    cited = next(c for c in answer.citations if c.unit_id == shared.id)
    assert [a.document for a in cited.also_in] == ["notitie.txt"]
    assert answer.answer.count("(ook in ") == 1 and answer.answer.count("‘Notitie over water’") == 1
