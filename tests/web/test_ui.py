"""The chat's building blocks without a browser: escaping, highlighting, streaming, 'even geduld', limits."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from awt_web_support import DOC_TEXT, FakeAssistant, run_async, with_second_document

from assistant.contract import Message
from assistant.settings import Settings
from assistant.web.context import WebContext
from assistant.web.limits import Busy, Limiter, RateLimiter
from assistant.web.render import answer_markdown, document_html, highlight_document, source_html, user_markdown
from assistant.web.ui import converse


def test_user_input_is_shown_as_text() -> None:
    shown = user_markdown('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> *x* [a](b)')
    assert "<script" not in shown and "<img" not in shown
    assert "&lt;script&gt;" in shown and "\\*x\\*" in shown and "\\[a\\](b)" in shown


def test_answers_escape_document_text_and_style_markers_and_refusals() -> None:
    text = "Volgens het advies: „a <b> c” [1]\n- Stap: „d” [2]"
    shown = answer_markdown(text)
    assert "&lt;b&gt;" in shown and '<span class="awt-marker">[1]</span>' in shown
    assert "\n- Stap" in shown
    refusal = answer_markdown("Dat staat niet in het advies.", refused=True, notice="Let op <x>")
    assert 'class="awt-refusal"' in refusal and "Niet in het advies" in refusal
    assert 'class="awt-notice"' in refusal and "Let op &lt;x&gt;" in refusal


def test_the_cited_passage_is_marked_by_its_offsets() -> None:
    start = DOC_TEXT.index("Stimuleer")
    end = DOC_TEXT.index(".\n", start) + 1
    marked = highlight_document(DOC_TEXT, start, end)
    assert marked.count("<mark") == 1
    assert f'<mark id="awt-passage" tabindex="-1">{DOC_TEXT[start:end]}</mark>' in marked
    page = document_html("Titel", "a < b", {"n": 2, "label": "Stap <1>", "start": 0, "end": 1, "document": "d"})
    assert "Gemarkeerd: [2] Stap &lt;1&gt;." in page and "&lt; b" in page
    assert "&lt;script&gt;" in source_html({"n": 1, "label": "x", "quote": "<script>"})


def context(**overrides: Any) -> WebContext:
    settings = Settings(**overrides)
    return WebContext(
        assistant=FakeAssistant(), settings=settings, limiter=Limiter(settings.web_concurrency, 0, wait_seconds=0.2)
    )


def test_a_turn_streams_in_word_chunks_then_shows_its_sources() -> None:
    steps = list(converse(context(), "Wat is de derde aanbeveling?", [], [], {}))
    assert steps[0].busy is True and steps[0].chat[-1]["role"] == "user"
    streamed = [s.chat[-1]["content"] for s in steps[1:-1]]
    assert len(streamed) >= 3
    assert all(len(a) < len(b) for a, b in zip(streamed, streamed[1:], strict=False))
    final = steps[-1]
    assert final.final and final.busy is False
    assert "[1]" in final.chat[-1]["content"]
    assert [c["label"] for c in final.sources["citations"]] == ["Aanbeveling 3"]
    assert final.past == [
        Message(role="user", content="Wat is de derde aanbeveling?"),
        Message(role="assistant", content=final.answered[1].answer.answer),
    ]
    assert final.answered[1].question == "Wat is de derde aanbeveling?" and final.answered[1].history == []


def test_follow_ups_get_the_conversation_so_far() -> None:
    ctx = context()
    first = list(converse(ctx, "Wat is de derde aanbeveling?", [], [], {}))[-1]
    list(converse(ctx, "En de vijfde stap daarvan?", first.chat, first.past, first.answered))
    assert isinstance(ctx.assistant, FakeAssistant)
    question, history = ctx.assistant.calls[-1]
    assert question == "En de vijfde stap daarvan?" and list(history) == first.past


def test_an_empty_question_is_a_dutch_warning_not_a_turn() -> None:
    steps = list(converse(context(), "   ", [], [], {}))
    assert len(steps) == 1 and steps[0].chat == [] and "leeg" in (steps[0].warning or "")


def test_a_full_server_says_even_geduld_and_gives_the_question_back() -> None:
    ctx = context(web_concurrency=1)
    with ctx.limiter.slot():  # someone else holds the only slot
        steps = list(converse(ctx, "Wat is de derde aanbeveling?", [], [], {}))
    last = steps[-1]
    assert "Even geduld" in (last.warning or "")
    assert "Even geduld" in last.chat[-1]["content"] and last.chat[-1]["role"] == "assistant"
    assert last.restore == "Wat is de derde aanbeveling?" and last.busy is False and not last.final


def test_limiter_admits_a_bounded_number() -> None:
    import asyncio

    limiter = Limiter(concurrency=1, queue_size=1, wait_seconds=5)

    async def scenario() -> list[str]:
        results: list[str] = []
        release = asyncio.Event()

        async def request() -> None:
            try:
                async with limiter.admit():
                    await release.wait()
                    results.append("ok")
            except Busy:
                results.append("busy")

        tasks = [asyncio.create_task(request()) for _ in range(3)]
        await asyncio.sleep(0.05)  # one runs, one waits, the third is turned away at once
        assert results == ["busy"]
        release.set()
        await asyncio.gather(*tasks)
        return results

    results = run_async(scenario())
    assert sorted(results) == ["busy", "ok", "ok"]

    limiter = Limiter(concurrency=1, queue_size=0, wait_seconds=0.1)
    blocked = threading.Event()
    with limiter.slot():
        thread = threading.Thread(target=lambda: pytest.raises(Busy, limiter.run, blocked.set))
        thread.start()
        thread.join()
    assert not blocked.is_set()


def test_a_turn_goes_with_the_chosen_document() -> None:
    ctx = context()
    bot = with_second_document(FakeAssistant())
    ctx.assistant = bot
    final = list(converse(ctx, "Wat is de tweede aanbeveling?", [], [], {}, None, ["inclusie.md"]))[-1]
    assert bot.scopes == [("inclusie.md",)]
    assert [c["document"] for c in final.sources["citations"]] == ["inclusie.md"]
    list(converse(ctx, "Wat is de tweede aanbeveling?", final.chat, final.past, final.answered))
    assert bot.scopes[-1:] == [()]  # nothing chosen: every document


def test_an_unknown_document_is_a_dutch_warning_not_a_turn() -> None:
    ctx = context()
    ctx.rate_limiter = RateLimiter(1)
    steps = list(converse(ctx, "Wat is de derde aanbeveling?", [], [], {}, "ip:10.0.0.1", ["rapport"]))
    assert len(steps) == 1 and steps[0].chat == []
    assert "Er is geen document ‘rapport’ geladen" in (steps[0].warning or "")
    assert list(converse(ctx, "Wat is de derde aanbeveling?", [], [], {}, "ip:10.0.0.1"))[-1].final  # not counted
