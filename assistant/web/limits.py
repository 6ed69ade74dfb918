"""Admission control for a small server (2 cores): how many questions are answered at once, and per client.

A bounded number of questions is answered at once, a bounded number waits, and everything beyond that is told
to come back later instead of hanging; each client may ask ``AWT_RATE_LIMIT`` questions a minute.

>>> limiter = Limiter(concurrency=1, queue_size=0, wait_seconds=0.01)
>>> with limiter.slot():
...     limiter.busy
True
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

T = TypeVar("T")

BUSY_MESSAGE = "Het is op dit moment erg druk. Even geduld alstublieft: probeer het over enkele seconden opnieuw."
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
        """Call ``function`` in a slot (raises :class:`Busy` when none frees up in time)."""
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


# --- per-client rate limit -----------------------------------------------------------------------------------

RATE_LIMIT_MESSAGE = "U stelt te veel vragen achter elkaar. Wacht even en probeer het dan opnieuw."
RATE_WINDOW_SECONDS = 60.0
MAX_TRACKED_CLIENTS = 10_000


class RateLimited(RuntimeError):
    """This client asked too many questions in the last minute; ``str()`` is the Dutch message."""

    def __init__(self, retry_after: float, message: str = RATE_LIMIT_MESSAGE) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds for the ``Retry-After`` header (at least 1)."""
        return max(1, math.ceil(self.retry_after))


class RateLimiter:
    """At most ``per_minute`` questions per client in any sliding window of ``window`` seconds (0 = no limit).

    Thread-safe (the chat asks from worker threads, the API from the event loop). Memory is bounded: clients
    are kept in order of their last question and dropped once idle for a whole window; beyond ``max_clients``
    the longest-idle client is forgotten (it merely gets a fresh allowance).

    >>> now = [0.0]
    >>> limiter = RateLimiter(2, clock=lambda: now[0])
    >>> limiter.check("ip:10.0.0.1"); limiter.check("ip:10.0.0.1")
    >>> try:
    ...     limiter.check("ip:10.0.0.1")
    ... except RateLimited as exc:
    ...     exc.retry_after_seconds
    60
    >>> now[0] = 60.0; limiter.check("ip:10.0.0.1")
    """

    def __init__(
        self,
        per_minute: int,
        *,
        window: float = RATE_WINDOW_SECONDS,
        max_clients: int = MAX_TRACKED_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.window = window
        self.max_clients = max_clients
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, deque[float]] = OrderedDict()  # least recently active first

    @property
    def enabled(self) -> bool:
        """Whether there is a per-client limit (``AWT_RATE_LIMIT`` above 0)."""
        return self.per_minute > 0

    @property
    def tracked_clients(self) -> int:
        """How many clients asked within the window (their timestamps are kept)."""
        return len(self._clients)

    def _evict(self, now: float) -> None:
        horizon = now - self.window
        while self._clients:
            oldest_key, stamps = next(iter(self._clients.items()))
            if stamps and stamps[-1] > horizon and len(self._clients) <= self.max_clients:
                break
            del self._clients[oldest_key]

    def check(self, key: str) -> None:
        """Count one question of ``key``; raise :class:`RateLimited` (not counted) when over the limit."""
        if not self.enabled:
            return
        with self._lock:
            now = self.clock()
            self._evict(now)
            stamps = self._clients.get(key)
            if stamps is None:
                stamps = self._clients[key] = deque(maxlen=self.per_minute)
            else:
                self._clients.move_to_end(key)
            horizon = now - self.window
            while stamps and stamps[0] <= horizon:
                stamps.popleft()
            if len(stamps) >= self.per_minute:
                raise RateLimited(stamps[0] + self.window - now)
            stamps.append(now)
            if len(self._clients) > self.max_clients:
                self._evict(now)


def client_key(host: str | None, headers: Mapping[str, str] | None = None, auth_header: str | None = None) -> str:
    """Who is asking: the user the proxy names in ``AWT_AUTH_HEADER`` when that is set, else the client's IP.

    >>> client_key("10.0.0.1"), client_key("10.0.0.1", {"x-remote-user": "jan"}, "X-Remote-User")
    ('ip:10.0.0.1', 'user:jan')
    """
    if auth_header and headers is not None:
        user = (headers.get(auth_header) or headers.get(auth_header.lower()) or "").strip()
        if user:
            return f"user:{user}"
    return f"ip:{host or 'onbekend'}"
