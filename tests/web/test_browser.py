"""The chat in a real browser against the real server (real model): ask, stream, cite, show in context."""

from __future__ import annotations

from typing import Any

import pytest
from awt_web_support import (
    ANSWER_TIMEOUT,
    REPO,
    ask,
    bot_messages,
    foreign,
    record_requests,
    sources_panel,
    streamed_lengths,
    wait_until_ready,
    watch_stream,
)
from playwright.sync_api import expect

from assistant.web import export_feedback

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_chat_flow_streams_cites_and_follows_up(page: Any, live_server: Any) -> None:
    requests = record_requests(page)
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="AWT-assistent")).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "nl"
    wait_until_ready(page)

    # an example question, one click
    page.get_by_role("button", name="Met welke landen moet Nederland samenwerken?").click()
    expect(sources_panel(page)).to_contain_text("Aanbeveling 3, stap 6", timeout=ANSWER_TIMEOUT)
    wait_until_ready(page)

    # a typed question: the answer streams in, with markers, and its sources are listed
    watch_stream(page)
    answer = ask(page, "Wat is sociale innovatie volgens de AWT?")
    expect(answer).to_contain_text("[1]")
    assert len(streamed_lengths(page)) >= 3, "het antwoord verscheen niet in stukjes"
    first_source = sources_panel(page).locator(".awt-source").first
    expect(first_source).to_contain_text("[1]")
    quote = first_source.locator("blockquote").inner_text().strip().strip("„”")

    # the cited passage in context, by keyboard: the whole advice, the passage highlighted and scrolled to
    show = page.get_by_role("button", name="Toon [1] in het advies")
    show.focus()
    page.keyboard.press("Enter")
    mark = page.locator("#awt-document mark#awt-passage")
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    assert " ".join(mark.inner_text().split()) == " ".join(quote.split())
    expect(page.locator("#awt-document")).to_contain_text("De AWT doet drie aanbevelingen")

    # thumbs up is stored (feedback is on for this server)
    page.get_by_role("button", name="Goed antwoord").last.click()
    thanks = page.get_by_text("Dank u wel voor uw beoordeling.")
    expect(thanks).to_be_visible()
    stored = export_feedback(live_server.data_dir / "feedback.sqlite3")
    assert stored[-1]["question"] == "Wat is sociale innovatie volgens de AWT?" and stored[-1]["feedback"] == "up"

    expect(thanks).to_be_hidden(timeout=10_000)  # the toast goes away by itself

    # a new conversation forgets the old one
    page.get_by_role("button", name="Nieuw gesprek").click()
    expect(bot_messages(page)).to_have_count(0)
    expect(sources_panel(page)).to_contain_text("Hier verschijnen de passages")

    # a follow-up is read with the question before it
    ask(page, "Wat is de derde aanbeveling?")
    ask(page, "En wat is de vijfde stap daarvan?")
    expect(sources_panel(page)).to_contain_text("Aanbeveling 3, stap 5")

    artifacts = REPO / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "chat.png"), full_page=True)

    host = f"127.0.0.1:{live_server.port}"
    assert requests and not foreign(requests, host), foreign(requests, host)


def test_html_in_a_question_is_shown_as_text_and_never_runs(page: Any, live_server: Any) -> None:
    payload = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
    requests = record_requests(page)
    page.goto(live_server.url + "/")
    ask(page, payload)
    user = page.locator('#awt-chatbot [data-testid="user"]').last
    expect(user).to_contain_text(payload)
    assert page.locator("#awt-chatbot img").count() == 0
    assert page.locator("#awt-chatbot script").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert not [u for u in requests if u.rstrip("/").endswith("/x")], "the <img src=x> was loaded"


def test_phone_width_has_no_sideways_scrolling(browser: Any, live_server: Any) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(live_server.url + "/")
    ask(page, "Wat is de derde aanbeveling?")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_role("button", name="Vraag stellen")).to_be_visible()
    page.screenshot(path=str(REPO / "test-artifacts" / "chat-phone.png"), full_page=True)
    context.close()


def test_a_full_server_says_even_geduld_in_dutch(browser: Any, tmp_path: Any) -> None:
    """One question at a time and no waiting room: the third user is told, in Dutch, to try again."""
    import threading

    from awt_web_support import FakeAssistant, LiveServer

    from assistant.settings import Settings
    from assistant.web import create_app

    gate = threading.Event()
    slow = FakeAssistant(gate=gate)
    app = create_app(Settings(data_dir=tmp_path, web_concurrency=1, web_queue_size=0), assistant=slow)
    with LiveServer(app) as server:
        context = browser.new_context()
        pages = [context.new_page() for _ in range(3)]
        for page in pages:
            page.goto(server.url + "/")
            wait_until_ready(page)
        try:
            for number, page in enumerate(pages):
                box = page.get_by_test_id("textbox")
                box.fill("Wat is de derde aanbeveling?")
                box.press("Enter")
                if number == 0:
                    while not slow.calls:  # the first question now holds the only place
                        page.wait_for_timeout(20)
                else:
                    page.wait_for_timeout(300)
            expect(pages[2].get_by_text("Het is op dit moment erg druk")).to_be_visible(timeout=10_000)
            assert pages[2].get_by_text("currently busy").count() == 0
        finally:
            gate.set()
        expect(bot_messages(pages[0])).to_have_count(1, timeout=ANSWER_TIMEOUT)
        expect(bot_messages(pages[1])).to_have_count(1, timeout=ANSWER_TIMEOUT)
        context.close()
