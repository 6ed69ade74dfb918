r"""What a document's file cannot say about it: an optional JSON file next to it, ``<file name>.meta.json``.

The keys (all optional): ``title`` (replaces the title from the file), ``kind`` (with its article: "het advies"),
``short_name`` and ``date`` (cited together: "(AWT, 2014)"), ``author``, ``reference`` ("advies 84"),
``examples`` (questions the chat offers) and ``conversation`` (a question and a follow-up, shown before the first
question). The file is data, not a document: ``.json`` is never loaded as one.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "nota.md.meta.json").write_text('{"short_name": "RvS", "date": "2024"}', encoding="utf-8")
>>> doc = with_metadata(Document("nota.md", "Nota", "…"), folder / "nota.md")
>>> doc.short_name, doc.date, doc.kind
('RvS', '2024', '')
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from knowledge.formats import KnowledgeError
from knowledge.units import Document

SUFFIX = ".meta.json"
_TEXT_FIELDS = ("title", "kind", "short_name", "date", "author", "reference")


def metadata_path(path: Path) -> Path:
    """Where the metadata of the document file ``path`` is kept."""
    return path.with_name(path.name + SUFFIX)


def with_metadata(document: Document, path: Path) -> Document:
    """``document`` with what its metadata file says; unchanged without one. A Dutch KnowledgeError if unreadable."""
    source = metadata_path(path)
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return document
    except (OSError, ValueError) as exc:
        raise KnowledgeError(
            f"De gegevens over '{path.name}' in '{source.name}' zijn onleesbaar; het document is geladen zonder."
        ) from exc
    if not isinstance(raw, dict):
        raise KnowledgeError(f"De gegevens over '{path.name}' in '{source.name}' zijn geen JSON-object.")
    changes: dict[str, object] = {
        key: " ".join(value.split()) for key in _TEXT_FIELDS if isinstance(value := raw.get(key), str) and value.strip()
    }
    for key in ("examples", "conversation"):
        if isinstance(questions := raw.get(key), list):
            changes[key] = tuple(" ".join(q.split()) for q in questions if isinstance(q, str) and q.strip())
    return replace(document, **changes)  # type: ignore[arg-type]
