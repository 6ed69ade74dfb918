"""``serve`` answers the APIs before the chat is built, and says so: the staged app of issue 15.

The app is driven through the ASGI lifespan protocol as uvicorn drives it; the chat is built in a thread and swapped
in with the same code ``serve`` runs (:func:`assistant.web.app.load_chat`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from awt_web_support import FakeAssistant

from assistant.settings import Settings
from assistant.web.app import build_context, create_app, load_chat
from assistant.web.staged import StagedApp


class _Server:
    """The lifespan half of an ASGI server: startup, then shutdown on request."""

    def __init__(self, app: StagedApp) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[str] = []
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self.task = asyncio.create_task(app(scope, self.inbox.get, self.send))

    async def send(self, message: Any) -> None:
        self.sent.append(message["type"])

    async def start(self) -> None:
        await self.inbox.put({"type": "lifespan.startup"})
        while "lifespan.startup.complete" not in self.sent:
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.task, 30)


async def _scenario(settings: Settings) -> dict[str, Any]:
    context = build_context(settings, FakeAssistant())
    context.chat_ready = False
    staged = StagedApp(create_app(settings, context=context, chat=False))
    server = _Server(staged)
    await server.start()
    seen: dict[str, Any] = {}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=staged), base_url="http://test") as client:
        page = await client.get("/")
        seen["loading"] = (page.status_code, page.text, (await client.get("/api/health")).json()["chat"])
        answer = await client.post("/api/ask", json={"question": "Wat is stap 6 van aanbeveling 3?"})
        seen["early_answer"] = answer.status_code
        await asyncio.to_thread(load_chat, staged, settings, context)
        page = await client.get("/")
        seen["loaded"] = (page.status_code, page.text, (await client.get("/api/health")).json()["chat"])
        seen["late_answer"] = (await client.post("/api/ask", json={"question": "En stap 5?"})).status_code
    await server.stop()
    seen["lifespan"] = server.sent
    return seen


def test_the_api_answers_while_the_chat_loads_and_the_chat_follows(tmp_path: Path) -> None:
    # a loop of its own in a thread of its own: the browser tests' Playwright keeps a loop running in this thread
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, _scenario(Settings(data_dir=tmp_path / "data"))).result()
    status, text, chat = seen["loading"]
    assert (status, chat) == (503, "laden") and "De chat wordt geladen" in text
    assert seen["early_answer"] == 200
    status, text, chat = seen["loaded"]
    assert (status, chat) == (200, "klaar") and "gradio" in text.lower()
    assert seen["late_answer"] == 200
    assert seen["lifespan"] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
