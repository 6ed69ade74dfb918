"""Plain-text renderings of loaded documents, for people who write questions about them without running anything.

Each rendering is the text the assistant quotes from (``Document.text``), with a line where each PDF page starts,
followed by the passages with the labels a citation shows when these documents are loaded together.

Example::

    >>> from knowledge.units import Document, Unit
    >>> unit = Unit("n#stap-1", "n.md", "Stap 1", (), "Tel de fietsen.", 0, 15)
    >>> print(render_document(Document("n.md", "Notitie", "Tel de fietsen.", (unit,)), (), {"n.md": "Notitie"}))
    # Notitie (n.md)
    <BLANKLINE>
    Tel de fietsen.
    <BLANKLINE>
    ## Passages en hun labels
    <BLANKLINE>
    - Stap 1 van ‘Notitie’: Tel de fietsen.
    <BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from knowledge import citation_label, load_knowledge
from knowledge.citation import document_titles
from knowledge.formats.registry import extract
from knowledge.units import Document

_PREVIEW = 90


def render_document(document: Document, page_starts: Sequence[int], titles: dict[str, str]) -> str:
    """The document's text with ``--- pagina N ---`` lines (PDF only), then each passage's citation label."""
    parts: list[str] = []
    bounds = [*page_starts, len(document.text)]
    if page_starts:
        for page, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False), start=1):
            parts.append(f"--- pagina {page} ---\n{document.text[start:end].strip()}")
    else:
        parts.append(document.text.strip())
    lines = []
    for unit in document.units:
        text = " ".join(unit.text.split())
        preview = text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"
        lines.append(f"- {citation_label(unit, titles.get(document.name))}: {preview}")
    body = "\n\n".join(parts)
    return f"# {document.title} ({document.name})\n\n{body}\n\n## Passages en hun labels\n\n" + "\n".join(lines) + "\n"


def write_renderings(folder: Path, output: Path) -> list[Path]:
    """A ``<document>.txt`` rendering in ``output`` of every document loaded from ``folder``."""
    knowledge = load_knowledge(folder)
    titles = document_titles(knowledge.documents)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for document in knowledge.documents:
        source = folder / document.name
        page_starts = extract(source).page_starts if source.suffix.lower() == ".pdf" else ()
        target = output / f"{document.name}.txt"
        target.write_text(render_document(document, page_starts, titles), encoding="utf-8")
        written.append(target)
    return written
