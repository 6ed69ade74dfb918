"""Shared helpers of the web tests: a fake assistant, a live uvicorn server, and browser steps."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from playwright.sync_api import Frame, Page, expect

from assistant.contract import Answer, Citation, Message
from assistant.protocol import Assistant, Backend, Named
from assistant.questions import selected_documents
from knowledge.units import Document, KnowledgeBase, Unit
from tests.support import free_port

DOC_NAME = "advies.txt"
DOC_TEXT = (
    "De kracht van sociale innovatie\n\n"
    "De AWT doet drie aanbevelingen:\n"
    " 1. Adopteer en agendeer sociale innovatie,\n"
    " 2. Geef ruimte aan sociale innovatie,\n"
    " 3. Stimuleer sociale innovatie via het innovatie- en kennisbeleid.\n"
)
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
CHROMIUM = "/usr/bin/chromium"
REPO = Path(__file__).resolve().parents[2]


@dataclass
class FakeAssistant:
    """An :class:`assistant.protocol.Assistant` without a model: one document, one unit, one answer.

    It answers every question with Aanbeveling 3, except the questions a test put in ``refusals``: those it
    refuses. ``gate``, when set, makes ``ask`` wait for it (to fill the server up). Asked within ``documents`` it
    cites the first unit of those documents (see :func:`with_second_document`), records what it was asked within
    in ``scopes`` and, like the real one, raises :class:`UnknownDocument` for a name it has not loaded.
    """

    gate: threading.Event | None = None
    refusals: set[str] = field(default_factory=set)
    calls: list[tuple[str, list[Message]]] = field(default_factory=list)
    scopes: list[tuple[str, ...]] = field(default_factory=list)  # the documents of each call, as asked
    backend: Backend = Named("extractief")  # stands in for the default backend

    def __post_init__(self) -> None:
        start = DOC_TEXT.index("Stimuleer")
        end = DOC_TEXT.index(".\n", start) + 1
        self.unit = Unit(
            id="advies#aanbeveling-3",
            document=DOC_NAME,
            label="Aanbeveling 3",
            heading_path=(),
            text=DOC_TEXT[start:end],
            start=start,
            end=end,
        )
        self.knowledge = KnowledgeBase((Document(DOC_NAME, "De kracht van sociale innovatie", DOC_TEXT, (self.unit,)),))

    def document_text(self, document: str) -> str:
        return self.knowledge.document(document).text

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        chosen = selected_documents(self.knowledge, documents)  # UnknownDocument, as the real assistant raises it
        self.calls.append((question, list(history)))
        self.scopes.append(tuple(documents))
        if self.gate is not None:
            self.gate.wait(timeout=10)
        unit = next((u for u in self.knowledge.units if not chosen or u.document in chosen), self.unit)
        if question in self.refusals:
            return Answer(
                question=question,
                answer="Dat staat niet in het advies.",
                citations=[],
                refused=True,
                backend=self.backend.name,
            )
        citation = Citation(
            n=1,
            label=unit.label,
            document=unit.document,
            quote=unit.text,
            score=0.9,
            unit_id=unit.id,
            start=unit.start,
            end=unit.end,
        )
        return Answer(
            question=question,
            answer=f"Volgens het advies ({unit.label}): „{unit.text}” [1]",
            citations=[citation],
            refused=False,
            backend=self.backend.name,
        )


SECOND_NAME = "inclusie.md"
SECOND_TITLE = "Advies over digitale inclusie"
SECOND_TEXT = (
    "# Advies over digitale inclusie\n\n"
    "De raad doet twee aanbevelingen:\n"
    "1. Houd een loket open voor wie niet digitaal kan.\n"
    "2. Leer ouderen videobellen in de bibliotheek.\n"
)


def with_second_document(bot: FakeAssistant) -> FakeAssistant:
    """``bot`` with a second document loaded after the advice: ``inclusie.md``, whose one unit is Aanbeveling 2."""
    start = SECOND_TEXT.index("Leer")
    end = SECOND_TEXT.index(".\n", start) + 1
    unit = Unit("inclusie#aanbeveling-2", SECOND_NAME, "Aanbeveling 2", (), SECOND_TEXT[start:end], start, end)
    second = Document(SECOND_NAME, SECOND_TITLE, SECOND_TEXT, (unit,), short_name="Raad")
    bot.knowledge = KnowledgeBase((*bot.knowledge.documents, second))
    return bot


if TYPE_CHECKING:  # mypy checks that the fake is an Assistant
    _FAKE_IS_AN_ASSISTANT: Assistant = FakeAssistant()


class LiveServer:
    """uvicorn serving one app on a free loopback port, in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.data_dir: Path | None = None
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("de testserver startte niet")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


ANSWER_TIMEOUT = 60_000

_WATCH_STREAM = """() => {
  window.__awtLengths = [];
  const chat = document.querySelector('#awt-chatbot');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    if (bots.length) window.__awtLengths.push(bots[bots.length - 1].textContent.length);
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


def record_requests(page: Page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def foreign(urls: list[str], *allowed_hosts: str) -> list[str]:
    """Requests to any host but the allowed ones (``data:``/``blob:`` stay inside the page)."""
    return [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc not in allowed_hosts]


def bot_messages(scope: Page | Frame) -> Any:
    return scope.locator('#awt-chatbot [data-testid="bot"]')


def wait_until_ready(scope: Page | Frame) -> Any:
    # Gradio runs the page's fixes (Dutch texts, one live region) once it is usable: a question asked
    # before that would be announced in English
    expect(scope.locator("html[data-awt-a11y=on]")).to_have_count(1, timeout=ANSWER_TIMEOUT)
    box = scope.get_by_test_id("textbox")
    expect(box).to_be_editable(timeout=ANSWER_TIMEOUT)
    expect(box).to_have_value("", timeout=ANSWER_TIMEOUT)
    return box


def watch_stream(page: Page) -> None:
    page.evaluate(_WATCH_STREAM)


def streamed_lengths(page: Page) -> list[int]:
    return sorted(set(page.evaluate("window.__awtLengths || []")))


def ask(scope: Page | Frame, question: str) -> Any:
    """Type a question, send it with Enter, and wait until the answer is complete; returns the last answer."""
    box = wait_until_ready(scope)
    before = bot_messages(scope).count()
    box.fill(question)
    box.press("Enter")
    expect(bot_messages(scope)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    wait_until_ready(scope)
    return bot_messages(scope).last


def sources_panel(scope: Page | Frame) -> Any:
    return scope.locator("#awt-sources-panel")


def run_async(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: Playwright's sync API keeps an event loop in the main thread."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def while_the_only_slot_is_held(make_app: Any, path: str, body: dict[str, Any]) -> tuple[Any, Any]:
    """Post ``body`` to ``path`` while a question to ``/api/ask`` holds the only answer slot (no queue); returns
    ``(first, second)``: the held question's response once released, and the one that met the full server."""
    import asyncio

    import httpx

    gate = threading.Event()
    slow = FakeAssistant(gate=gate)
    app = make_app(assistant=slow, web_concurrency=1, web_queue_size=0)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            first = asyncio.create_task(api.post("/api/ask", json={"question": "Wat is de derde aanbeveling?"}))
            while not slow.calls:  # the first question now holds the only slot
                await asyncio.sleep(0.01)
            second = await api.post(path, json=body)
            gate.set()
            return await first, second

    result: tuple[Any, Any] = run_async(scenario())
    return result
