"""HTML for the chat page: answers, the sources panel and the advice with a cited passage highlighted.

Every piece of text that reaches the page passes through :func:`html.escape` here: user input and document
text are shown as text, never interpreted as markup.

>>> highlight_document("Een korte tekst.", 4, 10, mark_id="awt-passage")
'Een <mark id="awt-passage" tabindex="-1">korte </mark>tekst.'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

MARK_ID = "awt-passage"
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])|^(#)", re.MULTILINE)
_MARKER = re.compile(r"\[(\d{1,3})\]")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _literal(text: str) -> str:
    """Text for a Markdown renderer that shows it as typed: HTML escaped, emphasis/link/code syntax escaped."""
    return _MARKDOWN_SPECIALS.sub(lambda m: "\\" + (m.group(1) or m.group(2)), html.escape(text, quote=False))


def user_markdown(text: str) -> str:
    r"""A user's message for the chat (rendered as Markdown): HTML and Markdown syntax both shown literally.

    >>> user_markdown("<b>*vet*</b>")
    '&lt;b&gt;\\*vet\\*&lt;/b&gt;'
    """
    return _literal(text)


def _answer_body(text: str) -> str:
    """The answer as Markdown: HTML escaped, ``- `` list lines kept, ``[n]`` markers styled."""
    lines = []
    for line in text.split("\n"):
        bullet = line.startswith("- ")
        body = line[2:] if bullet else line
        body = _literal(body)
        body = re.sub(r"\\\[(\d{1,3})\\\]", r'<span class="awt-marker">[\1]</span>', body)
        lines.append(f"- {body}" if bullet else body)
    return "\n".join(lines)


def answer_markdown(text: str, *, refused: bool = False, notice: str | None = None, about: str = "het advies") -> str:
    """The assistant's message for the chat: a notice on top, a refusal in its own styled box.

    ``about`` names what a refusal's answer is not in (:func:`assistant.scope.texts_name`).
    """
    parts = []
    if notice:
        parts.append(f'<div class="awt-notice" role="note">{_escape(notice)}</div>\n')
    if refused:
        parts.append(
            f'<div class="awt-refusal" role="note"><span class="awt-refusal-title">Niet in {_escape(about)}</span>\n\n'
            f"{_answer_body(text)}\n\n</div>"
        )
    else:
        parts.append(_answer_body(text))
    return "\n".join(parts)


def notice_markdown(text: str, kind: str = "busy") -> str:
    """A message from the app itself (busy, error), styled apart from answers.

    It has no role="alert": the chat's status region already says the same, once.
    """
    return f'<div class="awt-system awt-system-{_escape(kind)}">{_escape(text)}</div>'


def highlight_document(text: str, start: int, end: int, *, mark_id: str = MARK_ID) -> str:
    """The escaped document text with ``text[start:end]`` wrapped in ``<mark id=...>`` (offsets are clamped)."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    return (
        f"{_escape(text[:start])}"
        f'<mark id="{_escape(mark_id)}" tabindex="-1">{_escape(text[start:end])}</mark>'
        f"{_escape(text[end:])}"
    )


def document_html(title: str, text: str, citation: Mapping[str, Any] | None = None, *, noun: str = "het advies") -> str:
    """The whole document as a readable panel; with a citation, its passage is highlighted and named above.

    ``noun`` is what the document is called (:func:`assistant.scope.document_noun`).
    """
    if citation is None:
        body = _escape(text)
        caption = f"De volledige tekst van {noun}. Kies bij een bron ‘Toon in {noun}’ om de passage te markeren."
    else:
        body = highlight_document(text, int(citation["start"]), int(citation["end"]))
        caption = f"Gemarkeerd: [{int(citation['n'])}] {citation['label']}."
    return (
        # tabindex: the panel scrolls, so a keyboard must be able to reach it (not only the passage inside)
        f'<section class="awt-doc" lang="nl" tabindex="0" aria-label="{_escape(noun[:1].upper() + noun[1:])}: '
        f'{_escape(title)}">'
        f'<p class="awt-doc-caption" role="status">{_escape(caption)}</p>'
        f'<div class="awt-doc-text">{body}</div>'
        "</section>"
    )


def source_html(citation: Mapping[str, Any]) -> str:
    """One entry of the Bronnen panel: marker, label, the verbatim quote, and where else it stands ("Ook in …").

    >>> print(source_html({"n": 1, "label": "Inleiding, p. 3", "quote": "Tekst.",
    ...                    "also_in": [{"label": "Inleiding van ‘Samenvatting’"}]}))  # doctest: +NORMALIZE_WHITESPACE
    <div class="awt-source-head" id="awt-bron-1"><span class="awt-marker">[1]</span> <strong>Inleiding, p.
    3</strong></div><blockquote class="awt-quote" lang="nl">„Tekst.”</blockquote><p class="awt-also-in
    awt-muted">Ook in: Inleiding van ‘Samenvatting’</p>
    """
    n = int(citation["n"])
    also_in = [str(other["label"]) for other in citation.get("also_in") or ()]
    return (
        f'<div class="awt-source-head" id="awt-bron-{n}">'
        f'<span class="awt-marker">[{n}]</span> <strong>{_escape(str(citation["label"]))}</strong></div>'
        f'<blockquote class="awt-quote" lang="nl">„{_escape(str(citation["quote"]))}”</blockquote>'
        + (f'<p class="awt-also-in awt-muted">Ook in: {_escape("; ".join(also_in))}</p>' if also_in else "")
    )


def sources_intro(
    citations: Sequence[Mapping[str, Any]], refused: bool, *, about: str = "het advies", several: bool = False
) -> str:
    """The line above the sources: what they are (answer sources, or the nearest passages after a refusal).

    ``about`` names the loaded texts (:func:`assistant.scope.texts_name`); ``several`` when that is a plural.
    """
    if not citations:
        return (
            f'<p class="awt-muted">Hier verschijnen de passages uit {_escape(about)} waarop het antwoord steunt, '
            "letterlijk geciteerd.</p>"
        )
    if refused:
        verb = "beantwoorden" if several else "beantwoordt"
        return (
            f'<p class="awt-muted">{_escape(about[:1].upper() + about[1:])} {verb} deze vraag niet. '
            "Dit zijn de passages die het dichtst bij uw vraag komen.</p>"
        )
    count = len(citations)
    noun = "passage" if count == 1 else "passages"
    return f'<p class="awt-muted">Het laatste antwoord citeert {count} {noun} uit {_escape(about)}.</p>'
