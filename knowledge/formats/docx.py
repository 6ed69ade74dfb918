"""Word (.docx, python-docx): paragraphs, tables and lists in document order, with headings from the styles.

- Headings: the ``Title`` style and ``Heading N`` (also a localised ``Kop N``, or an outline level set on the
  paragraph or its style) become ``#`` lines.
- Lists: Word stores the number of a list item outside the text, so the numbers are worked out here, as Word
  shows them: per list (``numId``) and level, counting on across the document, from the level's start value.
  ``List Number``/``List Bullet`` styles and direct numbering both count; ``List Number 2`` nests one level.
  Bulleted levels become ``-`` items. Paragraphs that start with a typed number ("1. …") stay together as a list.
- Tables: one line per row, cells separated by `` | ``.

Headers, footers, footnotes and text boxes are not read. A .docx has no pages, so units carry no page number.
"""

from __future__ import annotations

import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

from knowledge.formats import Extracted, KnowledgeError, metadata_title
from knowledge.formats.text import read_bytes

MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # a larger .docx is refused (it could be a zip bomb)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|kop)\s*(?P<level>[1-9])$", re.IGNORECASE)
_TITLE_STYLE = re.compile(r"^(?:title|titel)$", re.IGNORECASE)
_LIST_STYLE_LEVEL = re.compile(r"^list\b.*?\s(?P<level>[2-9])$", re.IGNORECASE)
_TYPED_ITEM = re.compile(r"^(?:\d{1,3}[.)]|[-*•])\s+\S")


def _val(element: Any, tag: str) -> str | None:
    found = element.find(f"{W}{tag}") if element is not None else None
    return found.get(f"{W}val") if found is not None else None


class _Numbering:
    """Resolves ``numId``/``ilvl`` to a format and counts items the way Word numbers them."""

    def __init__(self, document: Any) -> None:
        self._formats: dict[tuple[str, int], tuple[str, int]] = {}
        self._counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(f"{W}abstractNumId"): a for a in root.iter(f"{W}abstractNum")}
        for num in root.iter(f"{W}num"):
            num_id = num.get(f"{W}numId")
            levels = abstract.get(_val(num, "abstractNumId"))
            if levels is None:
                continue
            for lvl in levels.iter(f"{W}lvl"):
                level = int(lvl.get(f"{W}ilvl", "0"))
                start = _val(lvl, "start")
                self._formats[(num_id, level)] = (_val(lvl, "numFmt") or "decimal", int(start) if start else 1)
            for override in num.iter(f"{W}lvlOverride"):
                level = int(override.get(f"{W}ilvl", "0"))
                start = _val(override, "startOverride")
                if start is not None and (num_id, level) in self._formats:
                    self._formats[(num_id, level)] = (self._formats[(num_id, level)][0], int(start))

    def format(self, num_id: str, level: int, style_name: str) -> str:
        known = self._formats.get((num_id, level)) or self._formats.get((num_id, 0))
        if known:
            return known[0]
        return "bullet" if "bullet" in style_name.casefold() else "decimal"

    def next(self, num_id: str, level: int) -> int:
        counters = self._counters.setdefault(num_id, {})
        for deeper in [lvl for lvl in counters if lvl > level]:
            del counters[deeper]
        start = (self._formats.get((num_id, level)) or ("decimal", 1))[1]
        counters[level] = counters.get(level, start - 1) + 1
        return counters[level]


def _style_chain(style: Any) -> list[Any]:
    chain: list[Any] = []
    while style is not None and len(chain) < 20:
        chain.append(style)
        style = style.base_style
    return chain


def _heading_level(paragraph: Any, chain: list[Any]) -> int | None:
    for style in chain:
        name = style.name or ""
        if _TITLE_STYLE.match(name):
            return 1
        match = _HEADING_STYLE.match(name)
        if match:
            return int(match["level"])
    for element in [paragraph._p.pPr, *(s.element.pPr for s in chain)]:
        outline = _val(element, "outlineLvl")
        if outline is not None and outline.isdigit() and int(outline) < 9:
            return int(outline) + 1
    return None


def _list_position(paragraph: Any, chain: list[Any]) -> tuple[str, int] | None:
    """``(numId, level)`` if the paragraph is a numbered or bulleted list item (directly or by its style)."""
    for element in [paragraph._p.pPr, *(s.element.pPr for s in chain)]:
        num_pr = element.find(f"{W}numPr") if element is not None else None
        if num_pr is None:
            continue
        num_id = _val(num_pr, "numId")
        if num_id is None or num_id == "0":  # numId 0 switches numbering off
            return None
        level = int(_val(num_pr, "ilvl") or 0)
        style_level = _LIST_STYLE_LEVEL.match(chain[0].name or "") if chain else None
        if style_level and element is not paragraph._p.pPr:
            level = max(level, int(style_level["level"]) - 1)
        return num_id, level
    return None


def _clean(text: str) -> str:
    text = text.replace("\r", "\n").replace("\xa0", " ")
    return re.sub(r"\n\s*\n", "\n", text).strip()


def _table_lines(table: Any) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue  # a merged cell is returned once per grid column
            seen.add(id(cell._tc))
            text = " ".join(_clean(cell.text).split())
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return lines


def _body_elements(parent: Any) -> list[Any]:
    out = []
    for child in parent.iterchildren():
        if child.tag in (f"{W}p", f"{W}tbl"):
            out.append(child)
        elif child.tag == f"{W}sdt":  # content control around paragraphs
            content = child.find(f"{W}sdtContent")
            if content is not None:
                out.extend(_body_elements(content))
    return out


def _open(path: Path) -> Any:
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise KnowledgeError(f"Het bestand '{path.name}' is een Word-document, maar python-docx ontbreekt.") from exc
    raw = read_bytes(path)
    if not raw.strip():
        raise KnowledgeError(f"Het bestand '{path.name}' is leeg.")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise KnowledgeError(
            f"Het bestand '{path.name}' is een oud Word-bestand (.doc) of met een wachtwoord beveiligd. "
            "Sla het op als .docx zonder wachtwoord."
        )
    broken = f"Het bestand '{path.name}' is geen geldig Word-document (.docx) of is beschadigd."
    try:
        with zipfile.ZipFile(BytesIO(raw)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise KnowledgeError(f"Het Word-document '{path.name}' is uitgepakt te groot om te lezen.")
        return docx.Document(BytesIO(raw))
    except KnowledgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx, zipfile and lxml raise many types
        raise KnowledgeError(broken) from exc


def read_docx(path: Path) -> Extracted:
    """A Word file as Markdown-ish text: headings from the styles, numbered and bulleted lists, tables as rows."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = _open(path)
    numbering = _Numbering(document)
    blocks: list[str] = []
    list_lines: list[str] = []

    def flush_list() -> None:
        if list_lines:
            blocks.append("\n".join(list_lines))
            list_lines.clear()

    try:
        elements = _body_elements(document.element.body)
        for element in elements:
            if element.tag == f"{W}tbl":
                flush_list()
                lines = _table_lines(Table(element, document))
                if lines:
                    blocks.append("\n".join(lines))
                continue
            paragraph = Paragraph(element, document)
            text = _clean(paragraph.text)
            if not text:
                continue
            chain = _style_chain(paragraph.style)
            level = _heading_level(paragraph, chain)
            position = None if level is not None else _list_position(paragraph, chain)
            if level is not None:
                flush_list()
                blocks.append("#" * level + " " + " ".join(text.split()))
            elif position is not None:
                num_id, depth = position
                kind = numbering.format(num_id, depth, chain[0].name if chain else "")
                if kind == "none":
                    flush_list()
                    blocks.append(text)
                    continue
                marker = "-" if kind == "bullet" else f"{numbering.next(num_id, depth)}."
                list_lines.append("   " * depth + f"{marker} {text}")
            elif _TYPED_ITEM.match(text):
                list_lines.append(text)
            else:
                flush_list()
                blocks.append(text)
        flush_list()
    except KnowledgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed XML inside a valid zip
        raise KnowledgeError(
            f"Het bestand '{path.name}' is geen geldig Word-document (.docx) of is beschadigd."
        ) from exc
    try:
        title = document.core_properties.title or ""
    except Exception:  # noqa: BLE001 - damaged document properties only cost the title
        title = ""
    return Extracted("\n\n".join(blocks) + "\n" if blocks else "", title=metadata_title(title))
