"""One module per file format, each turning a file into text with its structure kept, for the generic parser.

Every reader returns :class:`Extracted`: Markdown-ish text (headings as ``#``, list items as ``1.``/``-`` lines,
paragraphs separated by blank lines) and, for paged formats, where each page starts in that text. The text is
what the assistant stores as ``Document.text``: quotes are verbatim slices of it, not of the original file.
Readers raise :class:`KnowledgeError` with a Dutch message that names the file.

Third-party libraries (pypdf, python-docx, BeautifulSoup) are imported only when a file of that kind is read.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass


class KnowledgeError(Exception):
    """A document could not be read; ``str()`` is a Dutch message that names the file."""


@dataclass(frozen=True)
class Extracted:
    r"""Text extracted from a file; ``page_starts[i]`` is the offset in ``text`` where page ``i + 1`` begins.

    >>> Extracted("een\n\ntwee", (0, 5)).page_at(6)
    2
    >>> Extracted("zonder pagina's").page_at(3) is None
    True
    """

    text: str
    page_starts: tuple[int, ...] = ()

    @property
    def paged(self) -> bool:
        """Whether the format has pages (a PDF), so units get a page number."""
        return bool(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page that ``offset`` falls on, or ``None`` for a format without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))
