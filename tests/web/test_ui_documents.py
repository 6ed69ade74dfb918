"""The chat page is built from the loaded documents: one header, examples and placeholder for what is loaded."""

from __future__ import annotations

from dataclasses import replace

from awt_web_support import FakeAssistant, with_second_document

from assistant.settings import Settings
from assistant.web.context import WebContext
from assistant.web.limits import Limiter
from assistant.web.render import answer_markdown, sources_intro
from assistant.web.ui import build_chat
from knowledge.units import Document, KnowledgeBase


def _page_config(bot: FakeAssistant, *, compact: bool = False) -> str:
    ctx = WebContext(assistant=bot, settings=Settings(), limiter=Limiter(1, 0))
    return repr(build_chat(ctx, compact=compact).get_config_file())


def test_two_documents_are_listed_in_the_header_and_both_get_examples() -> None:
    bot = FakeAssistant()
    advice = replace(bot.knowledge.documents[0], kind="het advies", short_name="AWT", date="2014")
    inclusion = Document("inclusie.pdf", "Advies over digitale inclusie", "Tekst.")
    bot.knowledge = KnowledgeBase((advice, inclusion))
    config = _page_config(bot)
    assert "2 documenten" in config and "Ik beantwoord vragen over 2 teksten" in config
    assert "het advies ‘De kracht van sociale innovatie’ (AWT, 2014)" in config
    assert "het document ‘Advies over digitale inclusie’" in config
    assert "Waar gaat ‘Advies over digitale inclusie’ over?" in config
    assert "Stel een vraag over de geladen documenten" in config
    assert "één tekst" not in config
    assert "awt-documents-panel" in config and "inclusie.pdf" in config  # the side panel lists the files too
    assert "Het document in context" in config and "Het advies in context" not in config
    assert "Uw vraag over de documenten" in config and "De volledige tekst van het document" in config


def test_refusals_and_sources_name_the_documents_when_there_are_several() -> None:
    refusal = answer_markdown("Dat staat niet in de geladen documenten.", refused=True, about="de documenten")
    assert "Niet in de documenten" in refusal
    nearest = sources_intro([{"n": 1}], True, about="de documenten", several=True)
    assert "De documenten beantwoorden deze vraag niet." in nearest
    assert "Het advies beantwoordt deze vraag niet." in sources_intro([{"n": 1}], True)  # one document: as before


def test_one_document_has_no_documents_panel_and_reads_as_before() -> None:
    bot = FakeAssistant()
    bot.knowledge = KnowledgeBase((replace(bot.knowledge.documents[0], kind="het advies"),))
    config = _page_config(bot)
    assert "awt-documents-panel" not in config
    assert "Het advies in context" in config and "één tekst: het advies ‘De kracht van sociale innovatie’" in config


def test_the_compact_page_has_no_header_and_the_last_two_examples() -> None:
    bot = FakeAssistant()
    examples = ("Vraag een?", "Vraag twee?", "Vraag drie?", "Vraag vier?")
    bot.knowledge = KnowledgeBase((replace(bot.knowledge.documents[0], examples=examples),))
    config = _page_config(bot, compact=True)
    assert "awt-header" not in config
    assert "Vraag drie?" in config and "Vraag vier?" in config and "Vraag twee?" not in config


def test_with_two_documents_the_chat_has_a_selector_that_defaults_to_all() -> None:
    ctx = WebContext(assistant=with_second_document(FakeAssistant()), settings=Settings(), limiter=Limiter(1, 0))
    [selector] = [
        c for c in build_chat(ctx).get_config_file()["components"] if c["props"].get("elem_id") == "awt-scope"
    ]
    props = selector["props"]
    assert props["label"] == "Vraag over" and props["value"] == "" and props["interactive"]
    assert [tuple(choice) for choice in props["choices"]] == [
        ("Alle documenten", ""),
        ("De kracht van sociale innovatie", "advies.txt"),
        ("Advies over digitale inclusie", "inclusie.md"),
    ]


def test_with_one_document_there_is_no_selector() -> None:
    config = _page_config(FakeAssistant())
    assert "awt-scope" not in config and "Vraag over" not in config and "Alle documenten" not in config
