"""LiveAssistant: the server's assistant is swapped whole when the knowledge changes; requests never wait."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

import pytest

from assistant.contract import Answer
from assistant.live import UPDATING_NOTICE, LiveAssistant, knowledge_signature
from assistant.service import Assistant
from assistant.settings import Settings


class FakeSearch:
    embeddings = object()
    store = object()
    units: tuple[()] = ()


class FakeAssistant:
    def __init__(self, name: str, outdated: bool = False) -> None:
        self.name = name
        self.index_id = f"{name}-fingerprint-0123456789"
        self.outdated = outdated
        self.search = FakeSearch()
        self.backend = object()
        self.knowledge = type("K", (), {"documents": ()})()

    def ask(self, question: str, history: Any = None, documents: Any = ()) -> Answer:
        return Answer(question=question, answer=self.name, citations=[], refused=False, backend="nep", index=self.name)

    def document_text(self, document: str) -> str:
        return self.name


def fake(name: str, outdated: bool = False) -> Assistant:
    """A :class:`FakeAssistant` where LiveAssistant takes the real one: it reads nothing the fake lacks."""
    return cast(Assistant, FakeAssistant(name, outdated))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    (knowledge / "a.md").write_text("# A\n\nTekst.\n", encoding="utf-8")
    return Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge, index_watch_interval=0)


def test_nothing_changed_nothing_rebuilt(settings: Settings) -> None:
    builds: list[dict[str, Any]] = []

    def build(s: Settings, **kwargs: Any) -> Assistant:
        builds.append(kwargs)
        return fake("nieuw")

    live = LiveAssistant(settings, build, current=fake("oud"))
    assert live.refresh() is False and builds == []
    assert live.ask("Vraag?").answer == "oud"


def test_a_changed_document_is_built_in_the_background_and_swapped_in_whole(settings: Settings) -> None:
    started, release = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}
    old = fake("oud")

    def build(s: Settings, **kwargs: Any) -> Assistant:
        seen.update(kwargs)
        kwargs["progress_bar"](10, "Index opbouwen").update(4)
        started.set()
        release.wait(10)
        return fake("nieuw")

    live = LiveAssistant(settings, build, current=old)
    (settings.knowledge_dir / "b.md").write_text("# B\n\nMeer tekst.\n", encoding="utf-8")
    worker = threading.Thread(target=live.refresh)
    worker.start()
    assert started.wait(10)
    during = live.ask("Vraag?")  # answered at once, by the old assistant, with a notice
    assert during.answer == "oud" and during.notice == UPDATING_NOTICE
    assert live.status().state == "bijwerken" and live.status().progress == 0.4
    release.set()
    worker.join(10)
    assert live.ask("Vraag?").answer == "nieuw" and live.ask("Vraag?").notice is None
    assert live.status().state == "klaar" and live.status().index == "nieuw-finger"
    assert seen["embeddings"] is old.search.embeddings and seen["backend"] is old.backend  # nothing reloaded


def test_a_failed_build_keeps_the_current_assistant_and_is_not_retried_until_the_next_change(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def build(s: Settings, **kwargs: Any) -> Assistant:
        nonlocal calls
        calls += 1
        raise RuntimeError("schijf vol")

    live = LiveAssistant(settings, build, current=fake("oud"))
    (settings.knowledge_dir / "b.md").write_text("# B\n\nMeer tekst.\n", encoding="utf-8")
    assert live.refresh() is False and live.refresh() is False
    assert calls == 1
    assert live.ask("Vraag?").answer == "oud" and live.status().state == "klaar"
    assert "de huidige index blijft in gebruik" in caplog.text


def test_an_outdated_start_is_refreshed_even_without_a_new_change(settings: Settings) -> None:
    live = LiveAssistant(settings, lambda s, **kw: fake("nieuw"), current=fake("oud", outdated=True))
    assert live.status().state == "bijwerken"  # the refresh is due
    assert live.refresh() is True and live.ask("Vraag?").answer == "nieuw"
    assert live.status().state == "klaar"


def test_a_build_that_falls_back_to_the_old_index_counts_as_failed(settings: Settings) -> None:
    calls = 0

    def build(s: Settings, **kwargs: Any) -> Assistant:
        nonlocal calls
        calls += 1
        return fake("oud", outdated=True)  # what build_assistant returns when its build failed

    live = LiveAssistant(settings, build, current=fake("oud", outdated=True))
    assert live.refresh() is False and live.refresh() is False and calls == 1
    assert live.status().state == "klaar"  # nothing is being built; the log says why


def test_the_signature_follows_edits_additions_and_removals(settings: Settings) -> None:
    first = knowledge_signature(settings)
    (settings.knowledge_dir / "a.md").write_text("# A\n\nAndere tekst, langer.\n", encoding="utf-8")
    edited = knowledge_signature(settings)
    (settings.knowledge_dir / "b.md").write_text("# B\n", encoding="utf-8")
    added = knowledge_signature(settings)
    (settings.knowledge_dir / "b.md").unlink()
    assert len({first, edited, added}) == 3 and knowledge_signature(settings) == edited
