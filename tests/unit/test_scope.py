"""The refusal, chat header, examples and placeholder follow the loaded documents; with the advice alone, as before."""

from __future__ import annotations

import re

import pytest

from assistant.scope import example_questions, header_html, placeholder_html, refusal_sentence
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge
from knowledge.units import Document

# What the chat and the refusal said before they were derived from the documents (written for the advice).
BEFORE_HEADER = """
<header class="awt-header">
  <h1>AWT-assistent <span class="awt-header-sub">De kracht van sociale innovatie</span></h1>
  <p>Ik beantwoord vragen over één tekst: het advies ‘De kracht van sociale innovatie’ van de Adviesraad voor
  het wetenschaps- en technologiebeleid (AWT, advies 84, 2014). Elk antwoord citeert letterlijk uit het advies;
  [1] [2] verwijzen naar de bronnen.</p>
  <p>Wat niet in dat advies staat, weet ik niet: geen ander beleid, geen nieuws van na 2014 en geen persoonlijk
  advies. Dan zeg ik dat eerlijk.</p>
</header>
"""
BEFORE_PLACEHOLDER = (
    "<strong>Stel een vraag over het AWT-advies</strong><br>"
    "Bijvoorbeeld: ‘Wat is de derde aanbeveling?’ — en daarna: ‘En wat is de vijfde stap daarvan?’"
)
BEFORE_EXAMPLES = (
    "Wat is sociale innovatie volgens de AWT?",
    "Welke rol ziet de AWT voor de overheid?",
    "Wat is de derde aanbeveling?",
    "Met welke landen moet Nederland samenwerken?",
)
INCLUSION = Document("inclusie.pdf", "Advies over <digitale> inclusie", "…", date="maart 2023")


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture(scope="module")
def advice() -> Document:
    return load_knowledge(DEFAULT_KNOWLEDGE_DIR).documents[0]


def test_with_the_advice_alone_everything_reads_as_before(advice: Document) -> None:
    assert refusal_sentence([advice]) == "Dat staat niet in het advies ‘De kracht van sociale innovatie’ (AWT, 2014)."
    assert _words(header_html([advice], "AWT-assistent")) == _words(BEFORE_HEADER)
    assert placeholder_html([advice]) == BEFORE_PLACEHOLDER
    assert example_questions([advice]) == BEFORE_EXAMPLES


def test_several_documents_are_named_together(advice: Document) -> None:
    documents = [advice, INCLUSION]
    assert refusal_sentence(documents) == (
        "Dat staat niet in de geladen documenten "
        "(‘De kracht van sociale innovatie’, ‘Advies over <digitale> inclusie’)."
    )
    header = header_html(documents, "AWT-assistent")
    assert "2 documenten" in header and "over 2 teksten" in header
    assert "<li>het advies ‘De kracht van sociale innovatie’ (AWT, 2014)</li>" in header
    assert "<li>het document ‘Advies over &lt;digitale&gt; inclusie’ (maart 2023)</li>" in header  # escaped
    assert "geen nieuws van na 2023" in header
    assert placeholder_html(documents).startswith("<strong>Stel een vraag over de geladen documenten</strong>")


def test_examples_take_turns_and_a_document_without_its_own_gets_one(advice: Document) -> None:
    assert example_questions([advice, INCLUSION]) == (
        BEFORE_EXAMPLES[0],
        "Waar gaat ‘Advies over <digitale> inclusie’ over?",
        BEFORE_EXAMPLES[1],
        BEFORE_EXAMPLES[2],
    )


def test_a_single_document_without_metadata_is_named_by_its_title() -> None:
    note = Document("notitie.md", "Notitie over overleg", "…")
    assert refusal_sentence([note]) == "Dat staat niet in het document ‘Notitie over overleg’."
    header = header_html([note], "AWT-assistent")
    assert "één tekst: het document ‘Notitie over overleg’." in header
    assert "Wat niet in dat document staat" in header and "nieuws van na" not in header
    assert placeholder_html([note]) == (
        "<strong>Stel een vraag over het document ‘Notitie over overleg’</strong><br>"
        "Bijvoorbeeld: Waar gaat ‘Notitie over overleg’ over?"
    )
