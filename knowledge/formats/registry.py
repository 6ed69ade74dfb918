"""Which reader handles which file suffix, and reading a file with it into :class:`~knowledge.formats.Extracted`.

Readers are imported on first use, so that loading plain text never imports pypdf, python-docx or BeautifulSoup.

>>> sorted(SUPPORTED_SUFFIXES)
['.docx', '.htm', '.html', '.markdown', '.md', '.pdf', '.txt']
>>> extract(Path("notities.odt"))
Traceback (most recent call last):
knowledge.formats.KnowledgeError: Het bestand 'notities.odt' heeft een onbekend formaat (.odt); ondersteund: ...
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from knowledge.formats import Extracted, KnowledgeError


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


def extract(path: Path) -> Extracted:
    """Read ``path`` with the reader for its suffix; a :class:`KnowledgeError` (Dutch) for an unknown format."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        known = ", ".join(sorted(LOADERS))
        raise KnowledgeError(
            f"Het bestand '{path.name}' heeft een onbekend formaat ({path.suffix or 'geen extensie'}); "
            f"ondersteund: {known}."
        )
    read = loader(path)
    return read if isinstance(read, Extracted) else Extracted(read)
