"""What the assistant answers about, in Dutch, derived from the loaded documents: refusal, chat header, examples.

With one document the texts name it with what its metadata says (:mod:`knowledge.metadata`); with several they
name "de geladen documenten" and list their titles.

>>> advice = Document("a.txt", "De kracht van sociale innovatie", "…", kind="het advies", short_name="AWT", date="2014")
>>> refusal_sentence([advice])
'Dat staat niet in het advies ‘De kracht van sociale innovatie’ (AWT, 2014).'
>>> refusal_sentence([advice, Document("b.pdf", "Advies over digitale inclusie", "…")])
'Dat staat niet in de geladen documenten (‘De kracht van sociale innovatie’, ‘Advies over digitale inclusie’).'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape

from knowledge.units import Document

MAX_EXAMPLES = 4
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")


def several(documents: Sequence[Document]) -> bool:
    """Whether what the assistant says speaks of "de geladen documenten" rather than of the one document.

    With one document every sentence stays as it was written for it ("het advies").
    """
    return len(documents) > 1


def document_kind(document: Document) -> str:
    """What a document is called: its metadata's kind ("het advies"), else "het document"."""
    return document.kind or "het document"


def _that(kind: str) -> str:
    """The demonstrative for a kind: ``het advies`` → ``dat advies``, ``de notitie`` → ``die notitie``."""
    article, _, noun = kind.partition(" ")
    return {"het": f"dat {noun}", "de": f"die {noun}"}.get(article.lower(), kind)


def described(document: Document) -> str:
    """The document as a refusal names it: ``het advies ‘De kracht van sociale innovatie’ (AWT, 2014)``."""
    cited = ", ".join(p for p in (document.short_name, document.date) if p)
    return f"{document_kind(document)} ‘{document.title}’" + (f" ({cited})" if cited else "")


def refusal_sentence(documents: Sequence[Document]) -> str:
    """The sentence a refusal starts with: what the answer is not in."""
    if len(documents) == 1:
        return f"Dat staat niet in {described(documents[0])}."
    if not documents:
        return "Dat staat niet in de geladen documenten."
    titles = ", ".join(f"‘{d.title}’" for d in documents)
    return f"Dat staat niet in de geladen documenten ({titles})."


def _latest_year(documents: Sequence[Document]) -> str | None:
    years = [match for d in documents for match in _YEAR.findall(d.date)]
    return max(years) if years else None


def _limits(documents: Sequence[Document], these: str) -> str:
    year = _latest_year(documents)
    news = f", geen nieuws van na {year}" if year else ""
    return (
        f"Wat niet in {these} staat, weet ik niet: geen ander beleid{news} en geen persoonlijk advies. "
        "Dan zeg ik dat eerlijk."
    )


def header_html(documents: Sequence[Document], assistant_name: str) -> str:
    """The chat's header: the assistant's name, what it answers about, and what it does not know."""
    if len(documents) == 1:
        document = documents[0]
        kind = document_kind(document)
        cited = ", ".join(p for p in (document.short_name, document.reference, document.date) if p)
        named = f"{kind} ‘{document.title}’" + (f" van {document.author}" if document.author else "")
        named += f" ({cited})" if cited else ""
        return f"""
<header class="awt-header">
  <h1>{escape(assistant_name)} <span class="awt-header-sub">{escape(document.title)}</span></h1>
  <p>Ik beantwoord vragen over één tekst: {escape(named)}. Elk antwoord citeert letterlijk uit {escape(kind)};
  [1] [2] verwijzen naar de bronnen.</p>
  <p>{escape(_limits(documents, _that(kind)))}</p>
</header>
"""
    items = "\n".join(f"    <li>{escape(described(d))}</li>" for d in documents)
    return f"""
<header class="awt-header">
  <h1>{escape(assistant_name)} <span class="awt-header-sub">{len(documents)} documenten</span></h1>
  <p>Ik beantwoord vragen over {len(documents)} teksten:</p>
  <ul class="awt-documents">
{items}
  </ul>
  <p>Elk antwoord citeert letterlijk uit die teksten; [1] [2] verwijzen naar de bronnen.</p>
  <p>{escape(_limits(documents, "deze documenten"))}</p>
</header>
"""


def example_questions(documents: Sequence[Document]) -> tuple[str, ...]:
    """Up to :data:`MAX_EXAMPLES` questions: each document's own (from its metadata) in turn, else one about it."""
    queues = [list(d.examples) or [f"Waar gaat ‘{d.title}’ over?"] for d in documents]
    examples: list[str] = []
    while any(queues) and len(examples) < MAX_EXAMPLES:
        for queue in queues:
            if queue and len(examples) < MAX_EXAMPLES:
                examples.append(queue.pop(0))
    return tuple(examples)


def _subject(documents: Sequence[Document]) -> str:
    if len(documents) != 1:
        return "de geladen documenten"
    document = documents[0]
    article, _, noun = document_kind(document).partition(" ")
    if document.short_name and noun:
        return f"{article} {document.short_name}-{noun}"  # "het AWT-advies"
    return described(document)


def placeholder_html(documents: Sequence[Document]) -> str:
    """What the empty chat shows: what to ask about, and a question with its follow-up (or one example)."""
    conversation = next((d.conversation for d in documents if len(d.conversation) >= 2), ())
    if conversation:
        example = f"Bijvoorbeeld: ‘{escape(conversation[0])}’ — en daarna: ‘{escape(conversation[1])}’"
    else:
        examples = example_questions(documents)
        example = f"Bijvoorbeeld: {escape(examples[0])}" if examples else ""
    return f"<strong>Stel een vraag over {escape(_subject(documents))}</strong>" + (f"<br>{example}" if example else "")


def texts_name(documents: Sequence[Document]) -> str:
    """What the loaded texts are called together: the one document's kind ("het advies"), else "de documenten"."""
    return document_kind(documents[0]) if len(documents) == 1 else "de documenten"


def document_noun(documents: Sequence[Document]) -> str:
    """What a cited text is called on screen: the one document's kind ("het advies"), else "het document"."""
    return document_kind(documents[0]) if len(documents) == 1 else "het document"


def documents_panel_html(documents: Sequence[Document]) -> str:
    """The chat's side panel of loaded documents: each title, how it is cited in brief, and its file."""
    items = []
    for document in documents:
        cited = ", ".join(p for p in (document.short_name, document.date) if p)
        brief = f" ({escape(cited)})" if cited else ""
        items.append(
            f'<li><strong>{escape(document.title)}</strong>{brief}<br><span class="awt-muted">'
            f"{escape(document.name)}</span></li>"
        )
    return f'<ul class="awt-doc-list" aria-label="Geladen documenten">{"".join(items)}</ul>'
