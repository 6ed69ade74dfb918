r"""The documents the assistant has loaded, where each one's file is, and removing an added one.

Only documents in the added-documents folder (:func:`knowledge.folders.added_knowledge_dir`) can be removed; the
shipped package folder is never written to. Messages are Dutch: they are shown to the operator as they are.

>>> import shutil, tempfile
>>> from types import SimpleNamespace
>>> tmp = Path(tempfile.mkdtemp())
>>> (tmp / "kennis").mkdir()
>>> for name in ("a.md", "b.md"):
...     _ = (tmp / "kennis" / name).write_text(f"# Notitie {name}\n\nDe raad adviseert overleg.\n", encoding="utf-8")
>>> settings = SimpleNamespace(knowledge_dir=tmp / "kennis", data_dir=tmp / "data")
>>> [(d.name, d.title, d.removable) for d in list_documents(settings)]
[('a.md', 'Notitie a.md', True), ('b.md', 'Notitie b.md', True)]
>>> remove_document("a", settings).name
'a.md'
>>> [d.name for d in list_documents(settings)]
['b.md']
>>> shutil.rmtree(tmp)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from knowledge.folders import DEFAULT_KNOWLEDGE_DIR, HasDirs, added_knowledge_dir, knowledge_roots
from knowledge.formats import KnowledgeError
from knowledge.loader import load_knowledge
from knowledge.metadata import metadata_path
from knowledge.units import Document, KnowledgeBase


@dataclass(frozen=True)
class LoadedDocument:
    """One loaded document with its file: what ``python -m assistant documents`` lists."""

    document: Document
    path: Path
    added: datetime  # the file's modification time: when it was added (or last updated) for an added document
    removable: bool  # in the added-documents folder, so ``documents remove`` may delete it

    @property
    def name(self) -> str:
        """The document's name: its path relative to its knowledge folder."""
        return self.document.name

    @property
    def title(self) -> str:
        """The document's title."""
        return self.document.title

    @property
    def pages(self) -> int | None:
        """The number of pages of a paged document (PDF), else None."""
        return max((u.page for u in self.document.units if u.page is not None), default=None)


def list_documents(settings: HasDirs, knowledge: KnowledgeBase | None = None) -> list[LoadedDocument]:
    """The loaded documents, in load order, each with its file (``knowledge`` is loaded from ``settings`` if None)."""
    roots = knowledge_roots(settings)
    knowledge = knowledge if knowledge is not None else load_knowledge(roots)
    added = added_knowledge_dir(settings).resolve()
    listed = []
    for document in knowledge.documents:
        root = next((r for r in roots if (r / document.name).is_file()), None)
        if root is None:
            continue  # removed since it was loaded
        path = root / document.name
        removable = root.resolve() == added and root.resolve() != DEFAULT_KNOWLEDGE_DIR
        listed.append(LoadedDocument(document, path, datetime.fromtimestamp(path.stat().st_mtime), removable))
    return listed


def find_document(name: str, documents: list[LoadedDocument]) -> LoadedDocument:
    """The document called ``name``: its name, file name or file name without extension (a Dutch error if none)."""
    for matches in (
        [d for d in documents if d.name == name],
        [d for d in documents if d.path.name == name],
        [d for d in documents if d.path.stem == name],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            names = ", ".join(f"'{d.name}'" for d in matches)
            raise KnowledgeError(f"'{name}' past bij meer dan één document ({names}); geef de volledige bestandsnaam.")
    loaded = ", ".join(f"'{d.name}'" for d in documents) or "geen"
    raise KnowledgeError(f"Er is geen document '{name}' geladen. Geladen documenten: {loaded}.")


def remove_document(name: str, settings: HasDirs, knowledge: KnowledgeBase | None = None) -> LoadedDocument:
    """Delete the added document called ``name`` (see :func:`find_document`); nothing else is touched.

    Raises :class:`KnowledgeError` (Dutch) for an unknown name, a document outside the added-documents folder
    (the shipped advice), or the last document (the assistant would have nothing left to answer from).
    """
    documents = list_documents(settings, knowledge)
    target = find_document(name, documents)
    if not target.removable:
        raise KnowledgeError(
            f"Het document '{target.name}' ({target.title}) hoort bij de meegeleverde documenten in "
            f"'{target.path.parent}' en kan niet worden verwijderd; alleen toegevoegde documenten "
            f"(in '{added_knowledge_dir(settings)}') kunnen weg."
        )
    if len(documents) == 1:
        raise KnowledgeError(
            f"'{target.name}' is het enige geladen document; zonder documenten kan de assistent niets beantwoorden. "
            "Voeg eerst een ander document toe."
        )
    try:
        target.path.unlink()
        metadata_path(target.path).unlink(missing_ok=True)
    except FileNotFoundError:
        pass  # removed by someone else in the meantime: the result is the same
    except OSError as exc:
        raise KnowledgeError(f"Het document '{target.name}' kon niet worden verwijderd ({exc.strerror}).") from exc
    return target
