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
from knowledge.metadata import metadata_path, with_metadata
from knowledge.units import Document


@dataclass(frozen=True)
class Added:
    """A document that ``add_document`` took in: where it now lives and whether that changed anything."""

    document: Document
    path: Path
    status: Literal["toegevoegd", "bijgewerkt", "ongewijzigd"]


def add_document(source: Path, settings: HasDirs) -> Added:
    """Check that ``source`` loads, then copy it into :func:`added_knowledge_dir` (atomically).

    Its metadata file (``<file name>.meta.json``, :mod:`knowledge.metadata`) comes along when there is one: it is
    checked first and written before the document, so the document never loads without it.

    Raises :class:`KnowledgeError` (Dutch, naming the file) and copies nothing if the file or its metadata cannot
    be read, or if another knowledge folder already holds a different document of the same name. A file of the
    same name in the added-documents folder is replaced: that is how a document is updated.
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
    try:
        document = with_metadata(document, source)
    except KnowledgeError as exc:
        raise KnowledgeError(
            f"De gegevens over '{source.name}' in '{metadata_path(source).name}' zijn onleesbaar of geen JSON-object; "
            "het document is niet toegevoegd."
        ) from exc
    content = source.read_bytes()
    metadata = _read_metadata(source)
    target_dir = added_knowledge_dir(settings)
    target = target_dir / source.name
    for root in knowledge_roots(settings):
        existing = root / source.name
        if not existing.is_file():
            continue
        if existing.read_bytes() == content:
            if existing != target or metadata is None or _read_metadata(target) == metadata:
                return Added(document, existing, "ongewijzigd")
            _write_atomic(metadata, metadata_path(target), source.name)  # only what is said about it changed
            return Added(document, existing, "bijgewerkt")
        if existing != target:
            raise KnowledgeError(
                f"In de kennismap '{root}' staat al een ander document '{source.name}'; "
                "geef het nieuwe bestand een andere naam."
            )
    status: Literal["toegevoegd", "bijgewerkt"] = "bijgewerkt" if target.is_file() else "toegevoegd"
    if metadata is not None:
        _write_atomic(metadata, metadata_path(target), source.name)
    _write_atomic(content, target, source.name)
    return Added(document, target, status)


def _read_metadata(path: Path) -> bytes | None:
    """The bytes of the metadata file of ``path``, or None without one."""
    try:
        return metadata_path(path).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise KnowledgeError(
            f"De gegevens over '{path.name}' in '{metadata_path(path).name}' zijn onleesbaar."
        ) from exc


def _write_atomic(content: bytes, target: Path, name: str) -> None:
    """Write ``content`` to ``target`` through a hidden partial file, renamed into place when complete."""
    partial = target.parent / f".{target.name}.{os.getpid()}.deel"  # hidden: never loaded while incomplete
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(content)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise KnowledgeError(
            f"Het bestand '{name}' kon niet naar de kennismap '{target.parent}' worden gekopieerd ({exc.strerror})."
        ) from exc
