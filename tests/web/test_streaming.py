"""Real token streaming with a generative backend: a fake chat model that holds back its last token until the
test lets it go proves that the chat and ``/api/ask/stream`` show the first tokens while the model still writes,
and that the verified answer (a sentence removed, its citation listed) then replaces the draft.

No embedding model: the retrieval is built by hand from the fake assistant's one passage.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from awt_web_support import ANSWER_TIMEOUT, FakeAssistant, LiveServer, bot_messages, sources_panel, wait_until_ready
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from playwright.sync_api import expect

from assistant.contract import Answer, Message
from assistant.decision import NEVER, CalibratedModel, DecisionModel
from assistant.generative import GenerativeBackend
from assistant.retrieval import Retrieval
from assistant.settings import Settings
from index.lexical import LexicalIndex
from index.references import References
from index.search import Hit, SearchResult
from knowledge.units import UnitCatalog

QUESTION = "Wat zegt de AWT over het innovatie- en kennisbeleid?"
SUPPORTED = "Stimuleer sociale innovatie via het innovatie- en kennisbeleid [1]."
INVENTED = "De AWT wil dat Nederland de belastingen voor alle bedrijven halveert [1]."
# Answers when the question's words are in the passage; no fitted decision file needed.
DECISION = DecisionModel(
    NEVER,
    CalibratedModel(("coverage", "dense_rel"), ((), ()), (0.5, 0.0), (0.25, 1.0), (2.0, 1.0), 0.0),
    answer_at=0.5,
    hedge_at=0.5,
)


class HeldBackChatModel(BaseChatModel):
    """Streams ``reply`` word by word, but waits for ``release`` before its last token."""

    reply: str
    release: threading.Event
    produced: list[str]

    @property
    def _llm_type(self) -> str:
        return "held-back"

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        tokens = [word + " " for word in self.reply.split(" ")]
        tokens[-1] = tokens[-1].rstrip()
        for number, token in enumerate(tokens):
            if number == len(tokens) - 1:
                assert self.release.wait(timeout=60), "the test never let the last token go"
            self.produced.append(token)
            yield ChatGenerationChunk(message=AIMessageChunk(content=token))

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    @property
    def finished(self) -> bool:
        return "".join(self.produced) == self.reply


class GenerativeFakeAssistant(FakeAssistant):
    """The web tests' fake assistant, answering with the real generative backend over its one passage."""

    backend: GenerativeBackend

    def __init__(self, chat_model: HeldBackChatModel) -> None:
        super().__init__()
        self.backend = GenerativeBackend(chat_model, name="test:stroom", model=DECISION)

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        self.calls.append((question, list(history)))  # checked at the edge, like the fake it extends
        return self.backend.answer(question, self.retrieval(question)).model_copy(update={"question": question})

    def retrieval(self, question: str) -> Retrieval:
        units = UnitCatalog([self.unit])
        result = SearchResult(hits=[Hit(self.unit, 0.9, 0.95, 2.0)], references=References(), best_dense=0.95)
        return Retrieval(
            question=question,
            query=question,
            result=result,
            lexical=LexicalIndex([u.context_text() for u in units.values()]),
            units_by_id=units,
        )


@pytest.fixture
def held_back() -> HeldBackChatModel:
    return HeldBackChatModel(reply=f"{SUPPORTED} {INVENTED}", release=threading.Event(), produced=[])


@pytest.fixture
def server(held_back: HeldBackChatModel, tmp_path: Path) -> Iterator[LiveServer]:
    from assistant.web import create_app

    settings = Settings(data_dir=tmp_path / "data", rate_limit=0)
    with LiveServer(create_app(settings, assistant=GenerativeFakeAssistant(held_back))) as live:
        try:
            yield live
        finally:
            held_back.release.set()  # a failed test must not leave the model waiting


def test_the_verified_answer_drops_the_invented_sentence(held_back: HeldBackChatModel) -> None:
    held_back.release.set()
    answer = GenerativeFakeAssistant(held_back).ask(QUESTION)
    assert answer.backend == "test:stroom" and answer.answer == SUPPORTED  # the premise of the tests below
    assert [c.label for c in answer.citations] == ["Aanbeveling 3"] and answer.removed


def test_the_stream_sends_the_first_token_before_the_model_has_written_the_last(
    server: LiveServer, held_back: HeldBackChatModel
) -> None:
    with httpx.stream("POST", server.url + "/api/ask/stream", json={"question": QUESTION}, timeout=60) as response:
        assert response.status_code == 200
        lines = response.iter_lines()
        assert next(lines) == "event: delta"
        first = json.loads(next(lines).removeprefix("data: "))["text"]
        assert first and held_back.reply.startswith(first) and first != held_back.reply
        assert not held_back.finished  # the model still holds back its last token
        held_back.release.set()
        rest = "\n".join(lines)
    events = [block.split("\n", 1) for block in rest.strip().split("\n\n")]
    names = [head.removeprefix("event: ") for head, _ in events]
    data = [json.loads(body.removeprefix("data: ")) for _, body in events]
    assert names[-1] == "answer" and set(names[:-1]) <= {"delta"}
    assert first + "".join(d["text"] for d in data[:-1]) == held_back.reply  # the raw draft…
    final = Answer.model_validate(data[-1])
    assert held_back.finished and final.answer == SUPPORTED  # …replaced by the verified answer
    unstreamed = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
    assert data[-1] == unstreamed  # exactly what the non-streaming path answers


def test_the_stream_still_refuses_an_empty_question_with_422(server: LiveServer) -> None:
    response = httpx.post(server.url + "/api/ask/stream", json={"question": "  "}, timeout=60)
    assert response.status_code == 422 and response.json()["detail"]


@pytest.mark.browser
def test_the_chat_shows_tokens_as_they_come_then_the_verified_answer(
    browser: Any, server: LiveServer, held_back: HeldBackChatModel
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        box = wait_until_ready(page)
        box.fill(QUESTION)
        box.press("Enter")
        draft = bot_messages(page).last
        expect(draft).to_contain_text("Stimuleer sociale innovatie", timeout=ANSWER_TIMEOUT)
        expect(draft).to_contain_text("belastingen voor alle bedrijven")  # the unverified draft, as written
        assert not held_back.finished  # the first tokens are on screen before the last one exists
        held_back.release.set()

        expect(sources_panel(page)).to_contain_text("Aanbeveling 3", timeout=ANSWER_TIMEOUT)
        wait_until_ready(page)
        answer = bot_messages(page).last
        expect(bot_messages(page)).to_have_count(1)  # the answer replaced the draft
        expect(answer).to_contain_text("innovatie- en kennisbeleid [1]")
        expect(answer).not_to_contain_text("belastingen")
        expect(answer).to_contain_text("is één zin weggelaten")
    finally:
        context.close()
