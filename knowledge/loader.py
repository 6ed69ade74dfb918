"""Turn a document (plain text, Markdown, PDF, DOCX, HTML) into citable units.

Each format's reader (``knowledge.formats``, registered in :data:`LOADERS` by suffix) turns the file into text
with its structure kept; that text is ``Document.text``, and every unit is a verbatim slice of it. PDF units
also carry the page they start on (``Unit.page``); :func:`citation_label` adds it to the label users see.

The parser is generic: it recognises headings (Markdown ``#``, setext, or a short standalone line), numbered and
bulleted lists (nested by indentation), the lead-in line that names what a list is ("De AWT doet drie
aanbevelingen…:", "…zes concrete stappen:") and sentences that describe an appendix ("In bijlage 4 …").
Labels follow from that structure: ``Aanbeveling 3, stap 5``, ``Bijlage 4``, or the section title.

>>> from pathlib import Path
>>> doc = load_document(Path("knowledge/documents/awt-advies-84-sociale-innovatie.txt"), Path("knowledge/documents"))
>>> [u.label for u in doc.units if u.label.startswith("Aanbeveling 3")][:2]
['Aanbeveling 3', 'Aanbeveling 3, stap 1']
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from knowledge.dutch import NUMBER_WORD_PATTERN, fold, singular
from knowledge.formats import Extracted, KnowledgeError
from knowledge.units import Document, KnowledgeBase, Unit

if TYPE_CHECKING:
    from knowledge.cache import DocumentCache

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent / "documents"
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


def _slug(label: str) -> str:
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
    if ": " in line and not _LABELLED_HEADING.match(line):
        return False  # "Thema: Sociale innovatie" is a metadata line, not a heading
    return True


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
        self._prefix = id_prefix or _slug(Path(name).stem)

    def add(self, label: str, path: tuple[str, ...], start: int, end: int, **extra: object) -> Unit:
        key = _slug(label)
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
            for i, (s, e) in enumerate(spans):
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


def parse_text(name: str, text: str, *, id_prefix: str | None = None, page_starts: Sequence[int] = ()) -> Document:
    """Parse Markdown or plain text into a :class:`Document` with its units.

    Unit ids are ``<prefix>#<label slug>``; the prefix is the file's stem unless ``id_prefix`` is given.
    ``page_starts`` (offsets where pages begin, for text extracted from a PDF) keeps a short line from being
    joined to the paragraph above it across a page break. Pages themselves are attached by :func:`load_document`.
    """
    builder = _Builder(name, text, id_prefix)
    blocks = list(_blocks(_lines(text)))
    title = Path(name).stem
    headings: list[tuple[int, str]] = []
    pending_lead_in: str | None = None
    previous_block_was_paragraph = False

    def current_path() -> tuple[str, ...]:
        return tuple(h for _, h in headings)

    def section_label() -> str:
        below_title = [h for level, h in headings if level > 0]
        return _heading_label(below_title[-1]) if below_title else INTRODUCTION_LABEL

    def push_heading(level: int, heading: str) -> None:
        nonlocal title
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
    return Document(name=name, title=title, text=text, units=tuple(builder.units), sha256=digest)


def _read_text(path: Path) -> Extracted:
    from knowledge.formats.text import read_text

    return read_text(path)


def _read_pdf(path: Path) -> Extracted:
    from knowledge.formats.pdf import read_pdf

    return read_pdf(path)


def _read_docx(path: Path) -> Extracted:
    from knowledge.formats.docx import read_docx

    return read_docx(path)


def _read_html(path: Path) -> Extracted:
    from knowledge.formats.html import read_html

    return read_html(path)


Loader = Callable[[Path], str | Extracted]
"""Reads one file into text (a plain ``str``, or :class:`Extracted` with page offsets); raises KnowledgeError."""
LOADERS: dict[str, Loader] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".html": _read_html,
    ".htm": _read_html,
}
SUPPORTED_SUFFIXES = frozenset(LOADERS)


def citation_label(unit: Unit) -> str:
    """The label a user sees in a citation: the structural label, plus the page for paged documents.

    ``Unit.label`` itself stays structural (``Aanbeveling 2``), because references such as "de tweede
    aanbeveling" and list questions are resolved by parsing labels (``index.references.label_parts``).

    >>> citation_label(Unit("d#bijlage-4", "d.pdf", "Bijlage 4", (), "Tekst.", 0, 6, page=47))
    'Bijlage 4, p. 47'
    >>> citation_label(Unit("d#bijlage-4", "d.txt", "Bijlage 4", (), "Tekst.", 0, 6))
    'Bijlage 4'
    """
    return f"{unit.label}, p. {unit.page}" if unit.page is not None else unit.label


def _with_pages(document: Document, extracted: Extracted) -> Document:
    if not extracted.paged:
        return document
    units = tuple(replace(u, page=extracted.page_at(u.start)) for u in document.units)
    return replace(document, units=units)


def load_document(path: Path, root: Path, *, id_prefix: str | None = None) -> Document:
    """Load one file; ``root`` decides its stable name (the path relative to the knowledge folder).

    For a PDF every unit carries the page it starts on (``Unit.page``). ``Document.text`` is the extracted text:
    quotes and offsets refer to it, not to the bytes of the original file.
    """
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(sorted(LOADERS))
        raise KnowledgeError(
            f"Het bestand '{path.name}' heeft een onbekend formaat ({path.suffix or 'geen extensie'}); "
            f"ondersteund: {known}."
        )
    read = loader(path)
    extracted = read if isinstance(read, Extracted) else Extracted(read)
    text = extracted.text
    if not text.strip():
        raise KnowledgeError(f"Het bestand '{path.name}' bevat geen tekst.")
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    document = parse_text(name, text, id_prefix=id_prefix, page_starts=extracted.page_starts)
    if not document.units:
        raise KnowledgeError(f"In het bestand '{path.name}' is geen citeerbare tekst gevonden.")
    return _with_pages(document, extracted)


def knowledge_files(root: Path) -> list[Path]:
    """Supported files below ``root``, sorted; hidden (``.x``) and private (``_x``) files and folders skipped."""
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
    )


def load_knowledge(root: Path | Sequence[Path], *, cache: DocumentCache | None = None) -> KnowledgeBase:
    """Load every supported file below ``root`` (or several roots, in order); bad files become ``problems``.

    A document is named by its path relative to its root. If a later root holds a file with a name already
    loaded, it is skipped with a problem. Unit ids are the file's stem; a document whose stem another document
    already uses (``advies.txt`` next to ``advies.pdf``) gets its full name as id prefix, so ids stay unique.
    With a ``cache``, a file parsed before (same bytes, name, parser) is read back instead of parsed again.
    """
    roots = [root] if isinstance(root, Path) else list(root)
    documents: list[Document] = []
    problems: list[str] = []
    names: set[str] = set()
    prefixes: set[str] = set()
    for folder in roots:
        for path in knowledge_files(folder):
            name = path.relative_to(folder).as_posix()
            if name in names:
                problems.append(f"Het bestand '{path}' is overgeslagen: er is al een document met de naam '{name}'.")
                continue
            prefix = _slug(Path(name).stem)
            if prefix in prefixes:
                prefix = _slug(name)
                while prefix in prefixes:
                    prefix += "-x"
            try:
                document = _load_cached(path, folder, name, prefix, cache)
            except KnowledgeError as exc:
                problems.append(str(exc))
                continue
            names.add(name)
            prefixes.add(prefix)
            documents.append(document)
    if cache is not None:
        cache.prune()
    return KnowledgeBase(tuple(documents), tuple(problems))


def _load_cached(path: Path, root: Path, name: str, prefix: str, cache: DocumentCache | None) -> Document:
    if cache is None:
        return load_document(path, root, id_prefix=prefix)
    try:
        key = cache.key(path, name, prefix)
    except OSError:
        return load_document(path, root, id_prefix=prefix)  # unreadable: load_document says so in Dutch
    document = cache.get(key)
    if document is None:
        document = load_document(path, root, id_prefix=prefix)
        cache.put(key, document)
    return document


class _HasDirs(Protocol):
    knowledge_dir: Path
    data_dir: Path


def _is_writable_dir(path: Path) -> bool:
    probe = path if path.exists() else next((p for p in path.parents if p.exists()), None)
    return probe is not None and probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def added_knowledge_dir(settings: _HasDirs) -> Path:
    """Where ``index PATH…`` copies documents: the knowledge dir itself, unless that is the shipped package
    folder (or not writable), then ``<data_dir>/knowledge``.
    """
    knowledge = Path(settings.knowledge_dir).resolve()
    if knowledge == DEFAULT_KNOWLEDGE_DIR or not _is_writable_dir(knowledge):
        return Path(settings.data_dir) / "knowledge"
    return Path(settings.knowledge_dir)


def knowledge_roots(settings: _HasDirs) -> list[Path]:
    """The folders the assistant loads, in order: the knowledge dir, then (if different) where added documents
    go. Takes any object with ``knowledge_dir`` and ``data_dir`` (``assistant.settings.Settings``).
    """
    roots = [Path(settings.knowledge_dir)]
    added = added_knowledge_dir(settings)
    if added.resolve() != roots[0].resolve():
        roots.append(added)
    return roots


@dataclass(frozen=True)
class Added:
    """A document that ``add_document`` took in: where it now lives and whether that changed anything."""

    document: Document
    path: Path
    status: Literal["toegevoegd", "bijgewerkt", "ongewijzigd"]


def add_document(source: Path, settings: _HasDirs) -> Added:
    """Check that ``source`` loads, then copy it into :func:`added_knowledge_dir` (atomically).

    Raises :class:`KnowledgeError` (Dutch, naming the file) and copies nothing if the file cannot be read, or
    if another knowledge folder already holds a different document of the same name. A file of the same name
    in the added-documents folder is replaced: that is how a document is updated.
    """
    if not source.exists():
        raise KnowledgeError(f"Het bestand '{source}' bestaat niet.")
    if source.is_dir():
        raise KnowledgeError(f"'{source}' is een map; geef de bestanden zelf op.")
    if source.name.startswith((".", "_")):
        raise KnowledgeError(
            f"Het bestand '{source.name}' begint met '.' of '_' en zou worden overgeslagen; geef het een andere naam."
        )
    document = load_document(source, source.parent)
    content = source.read_bytes()
    target_dir = added_knowledge_dir(settings)
    target = target_dir / source.name
    for root in knowledge_roots(settings):
        existing = root / source.name
        if not existing.is_file():
            continue
        if existing.read_bytes() == content:
            return Added(document, existing, "ongewijzigd")
        if existing != target:
            raise KnowledgeError(
                f"In de kennismap '{root}' staat al een ander document '{source.name}'; "
                "geef het nieuwe bestand een andere naam."
            )
    status: Literal["toegevoegd", "bijgewerkt"] = "bijgewerkt" if target.is_file() else "toegevoegd"
    partial = target_dir / f".{source.name}.{os.getpid()}.deel"  # hidden: never loaded while incomplete
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KnowledgeError(
            f"Het bestand '{source.name}' kon niet naar de kennismap '{target_dir}' worden gekopieerd ({exc.strerror})."
        ) from exc
    return Added(document, target, status)
