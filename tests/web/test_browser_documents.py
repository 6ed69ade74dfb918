"""The chat with two documents in a real browser (a fake assistant, so no model): the header lists both, and the
document selector, used by keyboard, sends each question with the chosen document. With one document the chat has
no selector at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from awt_web_support import (
    SECOND_TITLE,
    FakeAssistant,
    LiveServer,
    ask,
    sources_panel,
    wait_until_ready,
    with_second_document,
)
from playwright.sync_api import expect

from assistant.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.browser]

QUESTION = "Wat is de tweede aanbeveling?"


def _serve(bot: FakeAssistant, data_dir: Path) -> LiveServer:
    from assistant.web import create_app

    return LiveServer(create_app(Settings(data_dir=data_dir, rate_limit=0), assistant=bot))


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_the_chosen_document_goes_with_each_question(page: Any, tmp_path: Path) -> None:
    bot = with_second_document(FakeAssistant())
    with _serve(bot, tmp_path) as server:
        page.goto(server.url + "/")
        header = page.locator(".awt-header")
        expect(page.get_by_role("heading", name="AWT-assistent 2 documenten")).to_be_visible()
        expect(header).to_contain_text("Ik beantwoord vragen over 2 teksten")
        expect(header).to_contain_text("‘De kracht van sociale innovatie’")
        expect(header).to_contain_text(f"‘{SECOND_TITLE}’")
        selector = page.get_by_role("combobox", name="Vraag over")
        expect(selector).to_have_value("Alle documenten")
        wait_until_ready(page)

        ask(page, QUESTION)  # the default: every document
        assert bot.scopes[-1:] == [()]
        expect(sources_panel(page)).to_contain_text("Aanbeveling 3")

        # by keyboard: Tab to the selector (its list opens), down to the second document, Enter chooses it
        page.get_by_role("button", name="Nieuw gesprek").focus()
        for _ in range(8):  # backwards through the examples, the send button and the question box
            page.keyboard.press("Shift+Tab")
            if page.evaluate("document.activeElement.getAttribute('role') === 'combobox'"):
                break
        expect(selector).to_be_focused()
        options = page.get_by_role("option")
        expect(options).to_have_count(3)
        expect(options.nth(2)).to_have_accessible_name(SECOND_TITLE)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        expect(selector).to_have_attribute("aria-activedescendant", options.nth(2).get_attribute("id") or "")
        page.keyboard.press("Enter")
        expect(selector).to_have_value(SECOND_TITLE)
        expect(page.locator("#awt-question textarea")).to_be_focused()  # on to the question

        ask(page, QUESTION)
        assert bot.scopes[-1:] == [("inclusie.md",)]  # the document's own name, resolved at the edge
        expect(sources_panel(page)).to_contain_text("Aanbeveling 2")
        expect(sources_panel(page)).to_contain_text("Leer ouderen videobellen in de bibliotheek.")
        expect(sources_panel(page)).not_to_contain_text("Aanbeveling 3")

        # and back to all documents, by mouse this time
        selector.click()
        page.get_by_role("option", name="Alle documenten").click()
        expect(selector).to_have_value("Alle documenten")
        ask(page, QUESTION)
        assert bot.scopes[-1:] == [()]


def test_one_document_has_no_selector(page: Any, tmp_path: Path) -> None:
    bot = FakeAssistant()
    with _serve(bot, tmp_path) as server:
        page.goto(server.url + "/")
        wait_until_ready(page)
        expect(page.locator(".awt-header")).to_contain_text("Ik beantwoord vragen over één tekst")
        expect(page.locator("#awt-scope")).to_have_count(0)
        expect(page.get_by_role("combobox")).to_have_count(0)
        ask(page, QUESTION)
        assert bot.scopes == [()]
