"""One module per file format, each turning a file into text with its structure kept, for the generic parser.

Every reader returns :class:`Extracted`: Markdown-ish text (headings as ``#``, list items as ``1.``/``-`` lines,
paragraphs separated by blank lines) and, for paged formats, where each page starts in that text. The text is
what the assistant stores as ``Document.text``: quotes are verbatim slices of it, not of the original file.
Readers raise :class:`KnowledgeError` with a Dutch message that names the file.

Third-party libraries (pypdf, python-docx, BeautifulSoup) are imported only when a file of that kind is read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

# Titles that tools write by themselves name a file or nothing, not the document.
_GENERATED_TITLE = re.compile(
    r"^(?:untitled|naamloos|titel|title|document\d*|microsoft (?:word|powerpoint) - .*"
    r"|.*\.(?:docx?|pdf|html?|txt|md))$",
    re.IGNORECASE,
)


class KnowledgeError(Exception):
    """A document could not be read; ``str()`` is a Dutch message that names the file."""


@dataclass(frozen=True)
class Extracted:
    r"""Text extracted from a file; ``page_starts[i]`` is the offset in ``text`` where page ``i + 1`` begins.

    ``title`` is the title the file's metadata gives (PDF/DOCX properties, HTML ``<title>``), or empty.

    >>> Extracted("een\n\ntwee", (0, 5)).page_at(6)
    2
    >>> Extracted("zonder pagina's").page_at(3) is None
    True
    """

    text: str
    page_starts: tuple[int, ...] = ()
    title: str = ""

    @property
    def paged(self) -> bool:
        """Whether the format has pages (a PDF), so units get a page number."""
        return bool(self.page_starts)

    def page_at(self, offset: int) -> int | None:
        """The 1-based page that ``offset`` falls on, or ``None`` for a format without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))


def metadata_title(raw: str) -> str:
    r"""A title from a file's metadata on one line; empty when it is missing or one a tool made up.

    >>> metadata_title("  Advies over\n digitale inclusie ")
    'Advies over digitale inclusie'
    >>> metadata_title("Microsoft Word - rapport_v3.docx"), metadata_title("Untitled")
    ('', '')
    """
    title = " ".join(raw.split())
    return "" if _GENERATED_TITLE.match(title) else title
