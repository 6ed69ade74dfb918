r"""Parse text into citable units: headings, lists with their lead-in lines, paragraphs, and labels from that structure.

The parser is generic: it recognises headings (Markdown ``#``, setext, or a short standalone line), numbered and
bulleted lists (nested by indentation), the lead-in line that names what a list is ("De AWT doet drie
aanbevelingen…:", "…zes concrete stappen:") and sentences that describe an appendix ("In bijlage 4 …").
Labels follow from that structure: ``Aanbeveling 3, stap 5``, ``Bijlage 4``, or the section title. Every unit is
a verbatim slice of the text it was parsed from.

>>> text = "# Advies\n\nDe AWT doet 2 aanbevelingen:\n\n1. Experimenteer.\n2. Werk samen in vier stappen:\n   1. Start."
>>> [u.label for u in parse_text("advies.md", text).units]
['Inleiding', 'Aanbeveling 1', 'Aanbeveling 2', 'Aanbeveling 2, stap 1']
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.dutch import NUMBER_WORD_PATTERN, fold, singular
from knowledge.units import Document, Unit

INTRODUCTION_LABEL = "Inleiding"
MAX_UNIT_CHARS = 1200
SHORT_LINE_CHARS = 80
PARSER_VERSION = "3"  # bump when unit boundaries, labels, ids or pages change: the index is rebuilt

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<num>\d{1,3})[.)]|(?P<bullet>[-*•]))[ \t]+(?P<body>\S.*)$")
_LABELLED_HEADING = re.compile(r"^(?P<noun>[A-Z][a-z]+)\s+(?P<num>\d+|[IVX]+)\b")
_APPENDIX = re.compile(r"\bbijlage\s+(?P<num>\d+|[IVX]+)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'’”)]?\s+(?=[A-Z‘“'\"(0-9])")
_LEAD_IN_NOUN = re.compile(
    rf"\b(?:{NUMBER_WORD_PATTERN}|\d+|volgende|onderstaande)\s+(?:[^\W\d]+\s+){{0,2}}?(?P<noun>[^\W\d]+(?:en|s))\b",
    re.IGNORECASE,
)


@dataclass
class _Line:
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class _Item:
    number: int
    indent: int
    start: int
    end: int
    children: list[_Item] = field(default_factory=list)


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(_Line(body, pos))
        pos += len(raw)
    return out


def _blocks(lines: list[_Line]) -> Iterator[list[_Line]]:
    block: list[_Line] = []
    for line in lines:
        if line.text.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _trim(text: str, start: int, end: int, strip_trailing: str = "") -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in strip_trailing):
        end -= 1
    return start, end


def slug(label: str) -> str:
    """``Aanbeveling 3, stap 5`` → ``aanbeveling-3-stap-5``: the label (or file name) part of a unit id."""
    return re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-") or "passage"


def _heading_label(title: str) -> str:
    """``Bijlage 4: Geschiedenis`` → ``Bijlage 4``, so appendix and chapter citations read alike everywhere."""
    match = _LABELLED_HEADING.match(title)
    return f"{match['noun']} {match['num']}" if match else title


def _is_plain_heading(block: list[_Line], is_last: bool) -> bool:
    if len(block) != 1 or is_last:
        return False
    line = block[0].text.strip()
    if _ITEM.match(block[0].text) or len(line) > 100 or len(line.split()) > 12:
        return False
    if line[-1] in ".,;:":
        return False
    # "Thema: Sociale innovatie" is a metadata line, not a heading
    return ": " not in line or bool(_LABELLED_HEADING.match(line))


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans, cursor = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _list_noun(lead_in: str | None) -> str | None:
    if not lead_in:
        return None
    match = _LEAD_IN_NOUN.search(lead_in)
    return singular(match["noun"]) if match else None


def _parse_items(block: list[_Line]) -> list[_Item]:
    """Numbered/bulleted lines, nested by indentation; unmarked lines continue the item above."""
    roots: list[_Item] = []
    stack: list[_Item] = []
    bullets: Counter[int] = Counter()
    for line in block:
        match = _ITEM.match(line.text)
        if not match:
            if stack:
                stack[-1].end = line.end
            continue
        indent = len(match["indent"].expandtabs(4))
        while stack and stack[-1].indent >= indent:
            stack.pop()
        siblings = stack[-1].children if stack else roots
        if match["num"]:
            number = int(match["num"])
        else:
            bullets[id(siblings)] += 1
            number = bullets[id(siblings)]
        item = _Item(number, indent, line.start + match.start("body"), line.end)
        siblings.append(item)
        stack.append(item)
    return roots


class _Builder:
    def __init__(self, name: str, text: str, id_prefix: str | None = None) -> None:
        self.name = name
        self.text = text
        self.units: list[Unit] = []
        self._ids: Counter[str] = Counter()
        self._prefix = id_prefix or slug(Path(name).stem)

    def add(self, label: str, path: tuple[str, ...], start: int, end: int, **extra: object) -> Unit:
        key = slug(label)
        self._ids[key] += 1
        suffix = f"-{self._ids[key]}" if self._ids[key] > 1 else ""
        unit = Unit(
            id=f"{self._prefix}#{key}{suffix}",
            document=self.name,
            label=label,
            heading_path=path,
            text=self.text[start:end],
            start=start,
            end=end,
            **extra,  # type: ignore[arg-type]
        )
        self.units.append(unit)
        return unit

    def extend_last(self, end: int) -> None:
        """Grow the last unit to ``end`` (a short line that belongs with the paragraph before it)."""
        last = self.units[-1]
        self.units[-1] = replace(last, text=self.text[last.start : end], end=end)

    def paragraph(self, label: str, path: tuple[str, ...], start: int, end: int) -> None:
        """A paragraph, split where a sentence starts describing an appendix, and into size-bounded chunks."""
        sentences = _sentence_spans(self.text, start, end)
        groups: list[tuple[str, list[tuple[int, int]]]] = []
        for span in sentences:
            appendix = _APPENDIX.search(self.text, span[0], span[1])
            own = f"Bijlage {appendix['num']}" if appendix else None
            if own and own != label and (not groups or groups[-1][0] != own):
                groups.append((own, [span]))
            elif not groups:
                groups.append((label, [span]))
            else:
                groups[-1][1].append(span)
        for group_label, spans in groups:
            chunk_start = spans[0][0]
            for i, (_, e) in enumerate(spans):
                last = i == len(spans) - 1
                if last or spans[i + 1][1] - chunk_start > MAX_UNIT_CHARS:
                    self.add(group_label, path, chunk_start, e)
                    if not last:
                        chunk_start = spans[i + 1][0]

    def items(
        self,
        items: list[_Item],
        path: tuple[str, ...],
        section_label: str,
        lead_in: str | None,
        parent: Unit | None,
    ) -> None:
        noun = _list_noun(lead_in)
        for item in items:
            start, end = _trim(self.text, item.start, item.end, strip_trailing=",;")
            if parent is None:
                label = f"{noun.capitalize()} {item.number}" if noun else f"{section_label}, punt {item.number}"
            else:
                label = f"{parent.label}, {noun or 'punt'} {item.number}"
            unit = self.add(
                label,
                path,
                start,
                end,
                kind="list_item",
                lead_in=lead_in,
                parent_id=parent.id if parent else None,
                ordinal=item.number,
            )
            if item.children:
                own_text = self.text[item.start : item.end].strip()
                lead_in = re.split(r"(?<=[;.])\s+", own_text)[-1] if own_text.endswith(":") else None
                self.items(item.children, path, section_label, lead_in, unit)


def parse_text(
    name: str,
    text: str,
    *,
    id_prefix: str | None = None,
    page_starts: Sequence[int] = (),
    metadata_title: str = "",
) -> Document:
    """Parse Markdown or plain text into a :class:`Document` with its units.

    The title is the first heading; without headings the file's ``metadata_title``, else the file name (stem).
    Unit ids are ``<prefix>#<label slug>``; the prefix is the file's stem unless ``id_prefix`` is given.
    ``page_starts`` (offsets where pages begin, for text extracted from a PDF) keeps a short line from being
    joined to the paragraph above it across a page break. Pages themselves are attached by
    :func:`knowledge.loader.load_document`.
    """
    builder = _Builder(name, text, id_prefix)
    blocks = list(_blocks(_lines(text)))
    title = Path(name).stem
    first_heading = ""
    headings: list[tuple[int, str]] = []
    pending_lead_in: str | None = None
    previous_block_was_paragraph = False

    def current_path() -> tuple[str, ...]:
        return tuple(h for _, h in headings)

    def section_label() -> str:
        below_title = [h for level, h in headings if level > 0]
        return _heading_label(below_title[-1]) if below_title else INTRODUCTION_LABEL

    def push_heading(level: int, heading: str) -> None:
        nonlocal title, first_heading
        first_heading = first_heading or heading
        if not headings and level <= 1 and title == Path(name).stem:
            title, level = heading, 0
        while headings and headings[-1][0] >= level:
            headings.pop()
        headings.append((level, heading))

    for index, block in enumerate(blocks):
        is_last = index == len(blocks) - 1
        first = block[0]
        md = _MD_HEADING.match(first.text)
        was_paragraph, previous_block_was_paragraph = previous_block_was_paragraph, False
        if md:
            push_heading(len(md[1]), md[2])
            rest = block[1:]
            if not rest:
                continue
            block = rest
            first = block[0]
        if len(block) == 2 and _SETEXT.match(block[1].text) and not _ITEM.match(first.text):
            push_heading(1 if "=" in block[1].text else 2, first.text.strip())
            continue
        if _ITEM.match(first.text):
            items = _parse_items(block)
            builder.items(items, current_path(), section_label(), pending_lead_in, None)
            pending_lead_in = None
            continue
        if _is_plain_heading(block, is_last):
            push_heading(0 if index == 0 else 1, first.text.strip())
            continue
        start, end = _trim(text, first.start, block[-1].end)
        previous = builder.units[-1] if builder.units else None
        if (
            previous is not None
            and previous.kind == "paragraph"
            and previous.heading_path == current_path()
            and was_paragraph
            and end - start <= SHORT_LINE_CHARS
            and not text[start:end].endswith(":")
            and not previous.text.endswith(":")
            and not any(previous.end < page_start <= start for page_start in page_starts)
        ):
            builder.extend_last(end)  # "Thema: …", "Bron: …" lines belong with the paragraph above them
            previous_block_was_paragraph = True
            continue
        builder.paragraph(section_label(), current_path(), start, end)
        previous_block_was_paragraph = True
        next_is_list = not is_last and bool(_ITEM.match(blocks[index + 1][0].text))
        if next_is_list and text[start:end].endswith(":"):
            last_sentence = _sentence_spans(text, start, end)[-1]
            pending_lead_in = text[last_sentence[0] : last_sentence[1]]
        else:
            pending_lead_in = None

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    title = first_heading or metadata_title or title
    return Document(name=name, title=title, text=text, units=tuple(builder.units), sha256=digest)
