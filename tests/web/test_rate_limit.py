"""The per-client rate limit (``AWT_RATE_LIMIT``): a Dutch HTTP 429 with ``Retry-After`` for the API and a Dutch
warning in the chat; another client is not affected; 0 switches it off; the window recovers (injected clock)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from awt_web_support import FakeAssistant
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.settings import Settings
from assistant.web.context import WebContext
from assistant.web.limits import RATE_LIMIT_MESSAGE, Limiter, RateLimited, RateLimiter, client_key
from assistant.web.ui import converse

QUESTION = {"question": "Wat is de derde aanbeveling?"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked(make_app: Callable[..., Any]) -> Callable[..., tuple[TestClient, Clock]]:
    """An app with the given settings whose rate limiter runs on a clock the test moves."""

    def build(**overrides: Any) -> tuple[TestClient, Clock]:
        app = make_app(**overrides)
        clock = Clock()
        app.state.context.rate_limiter.clock = clock
        return TestClient(app), clock

    return build


def ask(client: TestClient, path: str = "/api/ask", **headers: str) -> Any:
    return client.post(path, json=QUESTION, headers=headers)


def test_the_default_is_thirty_questions_per_minute() -> None:
    assert Settings().rate_limit == 30


def test_the_31st_question_in_a_minute_gets_a_dutch_429(clocked: Callable[..., tuple[TestClient, Clock]]) -> None:
    client, clock = clocked()
    for i in range(30):
        clock.now += 1  # 30 questions in 30 seconds
        assert ask(client).status_code == 200, i
    response = ask(client)
    assert response.status_code == 429
    assert response.json() == {"detail": "U stelt te veel vragen achter elkaar. Wacht even en probeer het dan opnieuw."}
    # the first question was at +1 s, now it is +30 s: that one leaves the window in 31 s
    assert response.headers["retry-after"] == "31"
    assert response.headers["content-security-policy"]  # the guard's headers are still there
    streamed = ask(client, "/api/ask/stream")
    assert streamed.status_code == 429 and streamed.json()["detail"] == RATE_LIMIT_MESSAGE


def test_another_client_is_not_affected(clocked: Callable[..., tuple[TestClient, Clock]]) -> None:
    client, _ = clocked(rate_limit=3)
    for _ in range(3):
        assert ask(client).status_code == 200
    assert ask(client).status_code == 429
    other = TestClient(client.app, client=("10.0.0.2", 50000))
    assert ask(other).status_code == 200


def test_behind_a_login_header_each_user_has_an_own_allowance(
    clocked: Callable[..., tuple[TestClient, Clock]],
) -> None:
    client, _ = clocked(rate_limit=2, auth_header="X-Remote-User")
    for _ in range(2):
        assert ask(client, **{"X-Remote-User": "jan"}).status_code == 200
    assert ask(client, **{"X-Remote-User": "jan"}).status_code == 429
    # same IP (the proxy), another user
    assert ask(client, **{"X-Remote-User": "piet"}).status_code == 200


def test_zero_switches_the_limit_off(clocked: Callable[..., tuple[TestClient, Clock]]) -> None:
    client, _ = clocked(rate_limit=0)
    assert all(ask(client).status_code == 200 for _ in range(100))
    assert isinstance(client.app, FastAPI)
    assert client.app.state.context.rate_limiter.tracked_clients == 0


def test_the_window_recovers(clocked: Callable[..., tuple[TestClient, Clock]]) -> None:
    client, clock = clocked(rate_limit=5)
    for _ in range(5):
        assert ask(client).status_code == 200
    refused = ask(client)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "60"
    clock.now += 59.5
    assert ask(client).status_code == 429  # refused questions do not count, but the window is not over yet
    clock.now += 0.5
    assert all(ask(client).status_code == 200 for _ in range(5))
    assert ask(client).status_code == 429


def test_invalid_questions_do_not_use_the_allowance(clocked: Callable[..., tuple[TestClient, Clock]]) -> None:
    client, _ = clocked(rate_limit=1)
    assert client.post("/api/ask", json={"question": "   "}).status_code == 422
    assert ask(client).status_code == 200
    assert ask(client).status_code == 429


def test_the_chat_gives_a_dutch_warning_and_the_question_back() -> None:
    settings = Settings(rate_limit=1)
    ctx = WebContext(
        assistant=FakeAssistant(),
        settings=settings,
        limiter=Limiter(1, 0, wait_seconds=0.2),
        rate_limiter=RateLimiter(settings.rate_limit),
    )
    list(converse(ctx, "Wat is de derde aanbeveling?", [], [], {}, "ip:10.0.0.1"))
    steps = list(converse(ctx, "En de vijfde stap?", [], [], {}, "ip:10.0.0.1"))
    last = steps[-1]
    assert last.warning == RATE_LIMIT_MESSAGE
    assert last.restore == "En de vijfde stap?" and last.busy is False
    assert RATE_LIMIT_MESSAGE in last.chat[-1]["content"] and last.chat[-1]["role"] == "assistant"
    assert isinstance(ctx.assistant, FakeAssistant)
    assert len(ctx.assistant.calls) == 1  # the second question never reached the assistant
    other = list(converse(ctx, "En de vijfde stap?", [], [], {}, "ip:10.0.0.2"))[-1]
    assert other.final


def test_idle_clients_are_forgotten_and_memory_stays_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(2, max_clients=100, clock=clock)
    for i in range(1000):
        limiter.check(f"ip:10.0.{i // 256}.{i % 256}")
    assert limiter.tracked_clients <= 100
    clock.now += 61
    limiter.check("ip:192.168.1.1")
    assert limiter.tracked_clients == 1


def test_the_limiter_is_thread_safe() -> None:
    limiter = RateLimiter(50, clock=Clock())
    allowed: list[int] = []
    refused: list[int] = []

    def hammer() -> None:
        for _ in range(20):
            try:
                limiter.check("ip:10.0.0.1")
                allowed.append(1)
            except RateLimited:
                refused.append(1)

    threads = [threading.Thread(target=hammer) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 50 and len(refused) == 150


def test_client_keys() -> None:
    assert client_key("10.0.0.1") == "ip:10.0.0.1"
    assert client_key("10.0.0.1", {"X-Remote-User": "  "}, "X-Remote-User") == "ip:10.0.0.1"
    assert client_key(None) == "ip:onbekend"
