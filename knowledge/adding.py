r"""Add a document to the knowledge: check that it loads, then copy it atomically into the added-documents folder.

>>> import shutil, tempfile
>>> from types import SimpleNamespace
>>> tmp = Path(tempfile.mkdtemp())
>>> _ = (tmp / "notitie.md").write_text("# Notitie\n\nDe raad adviseert meer overleg.\n", encoding="utf-8")
>>> settings = SimpleNamespace(knowledge_dir=tmp / "kennis", data_dir=tmp / "data")
>>> added = add_document(tmp / "notitie.md", settings)
>>> added.status, added.path.relative_to(tmp).as_posix()
('toegevoegd', 'kennis/notitie.md')
>>> add_document(tmp / "notitie.md", settings).status
'ongewijzigd'
>>> shutil.rmtree(tmp)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from knowledge.folders import HasDirs, added_knowledge_dir, knowledge_roots
from knowledge.formats import KnowledgeError
from knowledge.loader import load_document
from knowledge.units import Document


@dataclass(frozen=True)
class Added:
    """A document that ``add_document`` took in: where it now lives and whether that changed anything."""

    document: Document
    path: Path
    status: Literal["toegevoegd", "bijgewerkt", "ongewijzigd"]


def add_document(source: Path, settings: HasDirs) -> Added:
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
