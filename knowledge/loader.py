"""Load documents into a :class:`KnowledgeBase`: one file, or every supported file below one or more folders.

Each file is read by the reader for its format (:mod:`knowledge.formats.registry`) and parsed into citable units
(:mod:`knowledge.parser`); PDF units also carry the page they start on (``Unit.page``). A file that cannot be read
becomes a Dutch ``problem`` of the knowledge base instead of stopping the others.

>>> doc = load_document(Path("knowledge/documents/awt-advies-84-sociale-innovatie.txt"), Path("knowledge/documents"))
>>> [u.label for u in doc.units if u.label.startswith("Aanbeveling 3")][:2]
['Aanbeveling 3', 'Aanbeveling 3, stap 1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.formats import Extracted, KnowledgeError
from knowledge.formats.registry import SUPPORTED_SUFFIXES, extract
from knowledge.metadata import with_metadata
from knowledge.parser import parse_text, slug
from knowledge.units import Document, KnowledgeBase

if TYPE_CHECKING:
    from knowledge.cache import DocumentCache


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
    extracted = extract(path)
    text = extracted.text
    if not text.strip():
        raise KnowledgeError(f"Het bestand '{path.name}' bevat geen tekst.")
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    document = parse_text(
        name, text, id_prefix=id_prefix, page_starts=extracted.page_starts, metadata_title=extracted.title
    )
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
            prefix = slug(Path(name).stem)
            if prefix in prefixes:
                prefix = slug(name)
                while prefix in prefixes:
                    prefix += "-x"
            try:
                document = _load_cached(path, folder, name, prefix, cache)
            except KnowledgeError as exc:
                problems.append(str(exc))
                continue
            try:  # after the cache: metadata can change without the file being parsed again
                document = with_metadata(document, path)
            except KnowledgeError as exc:
                problems.append(str(exc))
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
