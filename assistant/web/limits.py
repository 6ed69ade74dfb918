"""Admission control for a small server (2 cores): a bounded number of questions is answered at once,
a bounded number waits, and everything beyond that is told to come back later instead of hanging.

>>> limiter = Limiter(concurrency=1, queue_size=0, wait_seconds=0.01)
>>> with limiter.slot():
...     limiter.busy
True
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import AsyncIterator, TypeVar

T = TypeVar("T")

BUSY_MESSAGE = (
    "Het is op dit moment erg druk. Even geduld alstublieft: probeer het over enkele seconden opnieuw."
)
RETRY_AFTER_SECONDS = 5


class Busy(RuntimeError):
    """No capacity now; ``str()`` is the Dutch 'even geduld' message."""

    def __init__(self, message: str = BUSY_MESSAGE) -> None:
        super().__init__(message)


class Limiter:
    """Shared by the chat pages and the API of one process.

    ``concurrency`` questions run at once (threads); at most ``queue_size`` more may wait, each at most
    ``wait_seconds``. The thread-level :meth:`slot` guards the model itself (chat and API alike); the async
    :meth:`admit` is the API's front door, so waiting API requests do not hold worker threads.
    """

    def __init__(self, concurrency: int, queue_size: int, wait_seconds: float = 30.0) -> None:
        self.concurrency = concurrency
        self.queue_size = queue_size
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self._running = 0
        self._api_pending = 0
        self._api_gate: asyncio.Semaphore | None = None

    @property
    def busy(self) -> bool:
        """Whether every slot is taken right now."""
        return self._running >= self.concurrency

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the ``concurrency`` slots while answering; raise :class:`Busy` after ``wait_seconds``."""
        if not self._slots.acquire(timeout=self.wait_seconds):
            raise Busy()
        with self._lock:
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
            self._slots.release()

    def run(self, function: Callable[[], T]) -> T:
        with self.slot():
            return function()

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        """Let an API request in (it then runs in a worker thread) or raise :class:`Busy` at once when full."""
        if self._api_gate is None:
            self._api_gate = asyncio.Semaphore(self.concurrency)
        if self._api_pending >= self.concurrency + self.queue_size:
            raise Busy()
        self._api_pending += 1
        try:
            try:
                await asyncio.wait_for(self._api_gate.acquire(), timeout=self.wait_seconds)
            except TimeoutError:
                raise Busy() from None
            try:
                yield
            finally:
                self._api_gate.release()
        finally:
            self._api_pending -= 1
