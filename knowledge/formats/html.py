"""HTML (BeautifulSoup with Python's own ``html.parser``): the visible text, with headings, lists and paragraphs.

Scripts, styles and other non-text elements (``<script>``, ``<style>``, ``<template>``, ``<iframe>``, forms,
media, comments) are removed before anything is read: nothing in the page is run, and only its text is kept.
Site navigation (``<nav>``) is dropped, and a page with a ``<main>`` element is read from there only.
``<h1>``–``<h6>`` become ``#`` lines, ``<ol>`` items are numbered (``start`` and ``value`` respected),
``<ul>`` items become ``-`` items, nested lists are indented, and table rows become one line with `` | ``.
If the page has no ``<h1>``, its ``<title>`` is used as the document's title. An HTML file has no pages.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from knowledge.formats import Extracted, KnowledgeError, metadata_title
from knowledge.formats.text import read_bytes

REMOVED = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "canvas",
    "video",
    "audio",
    "picture",
    "img",
    "map",
    "form",
    "button",
    "select",
    "textarea",
    "input",
    "head",
    "nav",
)
BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "figure",
    "figcaption",
    "address",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "center",
    "caption",
    "body",
    "html",
    "hr",
    "fieldset",
    "legend",
}
_HEADING = re.compile(r"^h([1-6])$")
_TYPED_ITEM = re.compile(r"^(?:\d{1,3}[.)]|[-*•])\s+\S")


class _Writer:
    """Collects blocks of text; inline text is gathered until the next block boundary."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def text(self, value: str) -> None:
        self._inline.append(value)

    def flush(self) -> None:
        text = " ".join("".join(self._inline).split())
        self._inline.clear()
        if text:
            self.blocks.append(text)

    def block(self, text: str) -> None:
        self.flush()
        if text.strip():
            self.blocks.append(text)


def _inline_text(node: Any) -> str:
    """All text below ``node`` on one line (``<br>`` included as a space)."""
    from bs4 import NavigableString

    parts: list[str] = []
    for piece in node.descendants:
        if isinstance(piece, NavigableString):
            parts.append(str(piece))
        elif piece.name == "br":
            parts.append(" ")
    return " ".join("".join(parts).split())


def _list_lines(node: Any, depth: int) -> list[str]:
    """``<ol>``/``<ul>`` as list lines; text of an item outside its nested lists stays on the item's line."""
    from bs4 import NavigableString, Tag

    ordered = node.name == "ol"
    try:
        number = int(node.get("start", 1)) - 1
    except ValueError:
        number = 0
    lines: list[str] = []
    for item in node.find_all("li", recursive=False):
        if ordered:
            try:
                number = int(item.get("value")) if item.get("value") else number + 1
            except ValueError:
                number += 1
        own: list[str] = []
        nested: list[str] = []
        for child in item.children:
            if isinstance(child, Tag) and child.name in ("ol", "ul"):
                nested.extend(_list_lines(child, depth + 1))
            elif isinstance(child, NavigableString):
                own.append(str(child))
            elif isinstance(child, Tag):
                own.append(" " + _inline_text(child) + " " if child.name in BLOCKS else _inline_text(child))
        text = " ".join("".join(own).split())
        marker = f"{number}." if ordered else "-"
        if text:
            lines.append("   " * depth + f"{marker} {text}")
        lines.extend(nested)
    return lines


def _walk(node: Any, out: _Writer) -> None:
    from bs4 import NavigableString, Tag

    for child in node.children:
        if isinstance(child, NavigableString):
            out.text(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name
        heading = _HEADING.match(name)
        if heading:
            title = _inline_text(child)
            if title:
                out.block("#" * int(heading[1]) + " " + title)
        elif name in ("ol", "ul"):
            out.block("\n".join(_list_lines(child, 0)))
        elif name == "table":
            rows = []
            for row in child.find_all("tr"):
                cells = [_inline_text(c) for c in row.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    rows.append(" | ".join(c for c in cells if c))
            out.block("\n".join(rows))
        elif name == "pre":
            out.block(child.get_text().strip("\n"))
        elif name == "br":
            out.text(" ")
        elif name in BLOCKS or name == "li":
            out.flush()
            _walk(child, out)
            out.flush()
        else:
            _walk(child, out)


def _join(blocks: list[str]) -> str:
    """Blocks separated by blank lines, except runs of typed list items ("1. …" paragraphs) stay together."""
    text = ""
    for block in blocks:
        if text:
            together = _TYPED_ITEM.match(block) and _TYPED_ITEM.match(text.rsplit("\n", 1)[-1].lstrip())
            text += "\n" if together and "\n" not in block else "\n\n"
        text += block
    return text


def read_html(path: Path) -> Extracted:
    """The page's visible text as Markdown-ish text (headings, lists, tables); scripts, styles and menus left out."""
    try:
        from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction
    except ImportError as exc:  # pragma: no cover - beautifulsoup4 is a dependency
        raise KnowledgeError(f"Het bestand '{path.name}' is HTML, maar beautifulsoup4 ontbreekt.") from exc
    raw = read_bytes(path)
    try:
        soup = BeautifulSoup(raw, "html.parser")  # the encoding comes from a BOM, <meta charset> or a guess
        title = " ".join(soup.title.get_text().split()) if soup.title else ""
        for element in soup.find_all(REMOVED):
            element.decompose()
        for special in soup.find_all(
            string=lambda s: isinstance(s, (Comment, Declaration, Doctype, ProcessingInstruction))
        ):
            special.extract()
        main = soup.find("main") or soup.find(attrs={"role": "main"})
        out = _Writer()
        _walk(main if main is not None and main.get_text(strip=True) else soup, out)
        out.flush()
    except Exception as exc:  # noqa: BLE001 - a parser error on a malformed page
        raise KnowledgeError(f"Het HTML-bestand '{path.name}' kon niet worden gelezen (beschadigd?).") from exc
    if not out.blocks:
        return Extracted("")
    if title and not any(b.startswith("# ") for b in out.blocks):
        out.blocks.insert(0, f"# {title}")
    return Extracted(_join(out.blocks) + "\n", title=metadata_title(title))
