"""PDF (pypdf): the text layer, page by page, with paragraphs, headings and lists kept as the parser expects.

pypdf's layout mode keeps vertical gaps, which become blank lines (paragraph and heading boundaries). Per page
the padding it adds is removed, page numbers and running headers/footers are dropped, list items get a blank
line before them when they follow a paragraph (a lead-in such as "De raad doet drie aanbevelingen:") but not
between each other (spaced-out items stay one list), and pages are joined so that a list or sentence running onto
the next page stays one block. Hyphenation at line ends is kept as printed.

Page numbers are physical (the first page of the file is page 1), which is what a PDF viewer's page box goes to.
Refused with a Dutch message naming the file: damaged or truncated files, password-protected files, and files
without a text layer (scans). A file that is encrypted without a password to open it is read as usual.
"""

from __future__ import annotations

import logging
import re
from io import BytesIO
from pathlib import Path
from typing import Any

from knowledge.formats import Extracted, KnowledgeError, metadata_title
from knowledge.formats.text import read_bytes

log = logging.getLogger(__name__)

_ITEM_LINE = re.compile(r"^(?:\d{1,3}[.)]|[-*•])\s+\S")
_BULLET_GLYPH = re.compile(r"^[●▪■◦○·–\uf0b7\uf0a7](?=\s)")
_PAGE_NUMBER = re.compile(
    r"^(?:(?:pagina|page|blz\.?|p\.)\s*)?[-–—]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—]?"
    r"(?:\s*(?:/|van|of)\s*\d{1,4})?$",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", ":", ";", "”", '"', "’", ")")
_INDENT_TOLERANCE = 2


_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st", "\x00": ""})


def _lines(raw: str) -> list[tuple[int, str]]:
    """Layout text → ``(indent, text)`` lines with the padding collapsed; ``(0, "")`` is a blank line.

    Typographic ligatures (``ﬁ``) become plain letters, so that search finds "financiering".
    """
    out: list[tuple[int, str]] = []
    for line in raw.translate(_LIGATURES).replace("\r", "").split("\n"):
        body = line.strip()
        if not body:
            if out and out[-1][1]:
                out.append((0, ""))
            continue
        indent = len(line) - len(line.lstrip())
        body = _BULLET_GLYPH.sub("•", re.sub(r"\s{2,}", " ", body))
        out.append((indent, body))
    while out and not out[-1][1]:
        out.pop()
    return out


def _furniture_keys(text: str, page: int) -> set[str]:
    """A header/footer line as compared across pages: as it is, and with this page's own number left out."""
    plain = " ".join(text.casefold().split())
    return {plain, re.sub(rf"(?<!\d){page}(?!\d)", "#", plain)}


def _strip_furniture(pages: list[list[tuple[int, str]]]) -> list[list[tuple[int, str]]]:
    """Drop page numbers and running headers/footers: first or last lines that repeat on many pages."""

    def edge(lines: list[tuple[int, str]], top: bool) -> int | None:
        indices = range(len(lines)) if top else range(len(lines) - 1, -1, -1)
        return next((i for i in indices if lines[i][1]), None)

    def drop_page_numbers(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
        for top in (True, False):
            i = edge(lines, top)
            if i is not None and _PAGE_NUMBER.match(lines[i][1]):
                lines = lines[:i] + lines[i + 1 :]
        return lines

    pages = [drop_page_numbers(lines) for lines in pages]
    threshold = max(2, (len(pages) + 1) // 2)
    for top in (True, False):
        counts: dict[str, int] = {}
        for number, lines in enumerate(pages, start=1):
            i = edge(lines, top)
            if i is not None:
                for key in _furniture_keys(lines[i][1], number):
                    counts[key] = counts.get(key, 0) + 1
        repeated = {k for k, count in counts.items() if count >= threshold}
        if len(pages) < 2 or not repeated:
            continue
        for number, lines in enumerate(pages, start=1):
            i = edge(lines, top)
            if i is not None and _furniture_keys(lines[i][1], number) & repeated:
                pages[number - 1] = lines[:i] + lines[i + 1 :]
    return [drop_page_numbers(lines) for lines in pages]


def _page_text(lines: list[tuple[int, str]]) -> str:
    """One page's lines as parser text: list items nested by indentation, a blank line before a list."""
    item_indents = sorted({indent for indent, text in lines if _ITEM_LINE.match(text)})
    levels: dict[int, int] = {}
    level, previous = -1, None
    for indent in item_indents:
        if previous is None or indent - previous > _INDENT_TOLERANCE:
            level += 1
        levels[indent] = level
        previous = indent
    out: list[str] = []
    in_list = blank = False
    for indent, text in lines:
        if not text:
            blank = True
            continue
        item = bool(_ITEM_LINE.match(text))
        if blank and not (item and in_list):  # a gap between two items does not end the list
            out.append("")
            in_list = False
        blank = False
        if item:
            if not in_list and out and out[-1]:
                out.append("")  # "…drie aanbevelingen:" directly above the list is its lead-in paragraph
            out.append("   " * levels[indent] + text)
            in_list = True
        else:
            out.append(text)
    return "\n".join(out).strip("\n")


def _joiner(previous: str, following: str) -> str:
    """Between two pages: one newline if a list or sentence runs on, else a paragraph break."""
    if not previous or not following:
        return "\n\n" if previous else ""
    last_block = previous.rsplit("\n\n", 1)[-1]
    first_line = following.split("\n", 1)[0].lstrip()
    list_goes_on = bool(_ITEM_LINE.match(last_block.lstrip())) and bool(_ITEM_LINE.match(first_line))
    sentence_goes_on = not previous.rstrip().endswith(_SENTENCE_END) and first_line[:1].islower()
    return "\n" if list_goes_on or sentence_goes_on else "\n\n"


def _extract_page(page: object, number: int, name: str) -> str:
    try:
        return str(page.extract_text(extraction_mode="layout"))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - pypdf raises many types; fall back to the plain extractor
        log.debug("Layout-extractie van pagina %d van %s mislukt; gewone extractie.", number, name, exc_info=True)
    try:
        return str(page.extract_text())  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001
        raise KnowledgeError(
            f"Pagina {number} van het PDF-bestand '{name}' kon niet worden gelezen (beschadigd?)."
        ) from exc


def _info_title(reader: Any) -> str:
    try:
        info = reader.metadata
        return str(info.title or "") if info is not None else ""
    except Exception:  # noqa: BLE001 - a damaged info dictionary only costs the title
        return ""


def read_pdf(path: Path) -> Extracted:
    """The text layer with the offset where each page starts; damaged, locked or scanned PDFs are a KnowledgeError."""
    try:
        from pypdf import PasswordType, PdfReader
        from pypdf.errors import DependencyError
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise KnowledgeError(f"Het bestand '{path.name}' is een PDF, maar pypdf is niet geïnstalleerd.") from exc

    raw = read_bytes(path)
    damaged = f"Het PDF-bestand '{path.name}' is beschadigd of onvolledig en kan niet worden gelezen."
    if not raw.strip():
        raise KnowledgeError(f"Het bestand '{path.name}' is leeg.")
    if b"%PDF-" not in raw[:1024]:
        raise KnowledgeError(f"Het bestand '{path.name}' is geen PDF-bestand (het begint niet met %PDF-).")
    if b"%%EOF" not in raw[-2048:]:
        raise KnowledgeError(damaged)  # cut off: pypdf would silently recover only part of it
    try:
        reader = PdfReader(BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:  # AES needs the optional 'cryptography' package
                raise KnowledgeError(
                    f"Het PDF-bestand '{path.name}' is versleuteld (AES); om het te lezen is het pakket "
                    "'cryptography' nodig. Of sla het eerst op zonder beveiliging."
                ) from exc
            except Exception:  # noqa: BLE001 - an unsupported or broken encryption dictionary
                opened = PasswordType.NOT_DECRYPTED
            if opened == PasswordType.NOT_DECRYPTED:
                raise KnowledgeError(
                    f"Het PDF-bestand '{path.name}' is beveiligd met een wachtwoord en kan niet worden gelezen. "
                    "Sla het eerst op zonder beveiliging."
                )
        pages = list(reader.pages)
    except KnowledgeError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for damaged files
        raise KnowledgeError(damaged) from exc
    if not pages:
        raise KnowledgeError(f"Het PDF-bestand '{path.name}' heeft geen pagina's.")

    cleaned = _strip_furniture([_lines(_extract_page(page, i, path.name)) for i, page in enumerate(pages, start=1)])
    texts = [_page_text(lines) for lines in cleaned]
    if not any(t.strip() for t in texts):
        raise KnowledgeError(
            f"Het PDF-bestand '{path.name}' heeft geen tekstlaag (waarschijnlijk een scan). "
            "Maak er eerst met tekstherkenning (OCR) een doorzoekbare PDF van."
        )
    empty = [i for i, t in enumerate(texts, start=1) if not t.strip()]
    if empty:
        log.info("%s: pagina('s) zonder tekst overgeslagen: %s", path.name, ", ".join(map(str, empty)))

    text, starts = "", []
    for page_text in texts:
        text += _joiner(text, page_text)
        starts.append(len(text))
        text += page_text
    return Extracted(text + "\n", tuple(starts), metadata_title(_info_title(reader)))
