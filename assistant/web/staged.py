"""One ASGI app that starts as the JSON API alone and becomes the whole server once the chat is built.

Importing Gradio takes ~3 s on two cores, longer than loading the model and the index. ``serve`` therefore answers
``/api`` and ``/v1`` as soon as the assistant is loaded, with ``/`` and ``/embed`` saying that the chat is loading,
and swaps in the full app (same routes, plus the chat) when Gradio is ready. Each app's startup and shutdown run
through the plain ASGI lifespan protocol, so the app swapped in starts exactly as uvicorn would start it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Lifespan:
    """Drives one inner app's lifespan: startup now, shutdown when the server stops."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._started = asyncio.Event()
        self._stopped = asyncio.Event()
        self._failure: str | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())
        await self._inbox.put({"type": "lifespan.startup"})
        await self._started.wait()
        if self._failure is not None:
            raise RuntimeError(self._failure)

    async def stop(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._stopped.wait()

    async def _run(self) -> None:
        try:
            await self._app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, self._inbox.get, self._send)
        finally:  # an app without lifespan support returns at once: nothing to wait for
            self._started.set()
            self._stopped.set()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.failed":
            self._failure = str(message.get("message", ""))
        if kind.startswith("lifespan.startup."):
            self._started.set()
        elif kind.startswith("lifespan.shutdown."):
            self._stopped.set()


class StagedApp:
    """Serves ``first`` until :meth:`replace` has started another app, then that one; requests never wait."""

    def __init__(self, first: ASGIApp) -> None:
        self._current = first
        self._lifespans: list[_Lifespan] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point: lifespan here, everything else to the current app."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self._current(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self._start(self._current)
                except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                self._loop = asyncio.get_running_loop()
                self._ready.set()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for lifespan in reversed(self._lifespans):
                    await lifespan.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self, app: ASGIApp) -> None:
        lifespan = _Lifespan(app)
        await lifespan.start()
        self._lifespans.append(lifespan)

    async def replace(self, app: ASGIApp) -> None:
        """Start ``app`` (its lifespan) and serve it from now on; the previous app keeps running for its requests."""
        await self._ready.wait()
        await self._start(app)
        self._current = app  # one reference swap: a request goes to the old app or the new one, whole

    def replace_from_thread(self, app: ASGIApp, timeout: float = 120.0) -> None:
        """:meth:`replace`, called from a thread other than the server's (where the chat was built)."""
        loop = self.wait_until_serving(timeout)
        asyncio.run_coroutine_threadsafe(self.replace(app), loop).result(timeout)

    def wait_until_serving(self, timeout: float = 120.0) -> asyncio.AbstractEventLoop:
        """Block (in another thread) until the server has started the first app; its event loop."""
        import time

        deadline = time.monotonic() + timeout
        while self._loop is None:
            if time.monotonic() > deadline:
                raise TimeoutError("de server is niet gestart")
            time.sleep(0.05)
        return self._loop
