"""Fixtures for the web server: a fake assistant for fast API tests, a real server for browser tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from awt_web_support import BROWSER_ARGS, CHROMIUM, FakeAssistant, LiveServer

from assistant.protocol import Assistant
from assistant.settings import Settings


@pytest.fixture
def fake_assistant() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture(scope="module")
def shared_fake() -> FakeAssistant:
    return FakeAssistant()


@pytest.fixture(scope="module")
def default_app(shared_fake: FakeAssistant, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One app with default settings for a whole test module (building one takes a few seconds)."""
    from assistant.web import create_app

    return create_app(Settings(data_dir=tmp_path_factory.mktemp("web-data")), assistant=shared_fake)


@pytest.fixture
def make_app(tmp_path: Path, fake_assistant: FakeAssistant) -> Callable[..., Any]:
    """``make_app(feedback=True, ...)``: the real web app around the fake assistant, with these settings."""
    from assistant.web import create_app

    def make(assistant: Assistant | None = None, **overrides: Any) -> Any:
        settings = Settings(data_dir=tmp_path / "data", **overrides)
        return create_app(settings, assistant=assistant or fake_assistant)

    return make


@pytest.fixture(scope="session")
def live_server(real_assistant: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app (real assistant, loaded once per run) on a loopback port, feedback on."""
    from assistant.web import create_app

    # many tests (API, browser) ask this one server from 127.0.0.1 within a minute: no per-client limit here
    settings = Settings(data_dir=tmp_path_factory.mktemp("web-data"), feedback=True, rate_limit=0)
    with LiveServer(create_app(settings, assistant=real_assistant)) as server:
        server.data_dir = settings.data_dir
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium (/usr/bin/chromium) is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()
