r"""Parsed documents kept on disk, so a new process does not extract and parse every file again.

Extracting and parsing a PDF costs ~0.8 s per 100 simple pages (more for real reports), and every ``ask``
process would pay it again; reading the stored result back takes ~0.02 s. A document
is stored as JSON (never pickle) under a key of the file's bytes, its name and id prefix, the parser
version and the versions of the format libraries: change any of them and the file is parsed anew.

>>> import tempfile
>>> from knowledge import PARSER_VERSION, load_knowledge
>>> root = Path(tempfile.mkdtemp())
>>> (root / "docs").mkdir()
>>> _ = (root / "docs" / "nota.md").write_text("De raad doet twee aanbevelingen:\n\n1. Een.\n2. Twee.\n")
>>> cache = DocumentCache(root / "parsed", PARSER_VERSION)
>>> first = load_knowledge(root / "docs", cache=cache)
>>> stored = lambda: sorted(p.name for p in (root / "parsed").rglob("*.json"))
>>> len(stored()), load_knowledge(root / "docs", cache=cache) == first  # read back, not parsed again
(1, True)
>>> _ = (root / "docs" / "nota.md").write_text("De raad doet drie aanbevelingen:\n\n1. Een.\n")
>>> _ = load_knowledge(root / "docs", cache=cache)  # other bytes, other key: parsed and stored anew
>>> len(stored())
2
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.units import Document, KnowledgeBase, Unit

log = logging.getLogger(__name__)

_FORMAT_LIBRARIES = ("pypdf", "python-docx", "beautifulsoup4", "lxml")
# Bump when what is stored of a document changes but its units do not (the index is not rebuilt for it).
STORED_FORMAT = "2"  # 2: titles from file metadata


@cache
def _library_versions() -> str:
    versions = []
    for name in _FORMAT_LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return ",".join(versions)


def _document(data: dict[str, Any]) -> Document:
    units = tuple(Unit(**{**u, "heading_path": tuple(u["heading_path"])}) for u in data.pop("units"))
    lists = {key: tuple(data.get(key, ())) for key in ("examples", "conversation")}
    return Document(**{**data, **lists}, units=units)


@contextmanager
def replaced_atomically(path: Path, suffix: str = "") -> Iterator[Path]:
    """A new temporary file beside ``path`` to write, moved over ``path`` when the block ends.

    Readers see the whole file or none, two writers never share a temporary file, and when the block fails (a full
    disk) the temporary file is removed: nothing half-written is left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=suffix)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, payload: object) -> None:
    """Write ``payload`` as JSON so that readers see the whole file or none; on failure nothing is left behind."""
    with replaced_atomically(path, ".json") as temporary, temporary.open("w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False)


def write_npz_atomic(path: Path, **arrays: Any) -> None:
    """Write numpy ``arrays`` as one ``.npz`` file like :func:`write_json_atomic`; readable by all, like model files."""
    with replaced_atomically(path, ".npz") as temporary:
        with temporary.open("wb") as out:
            np.savez(out, **arrays)
        temporary.chmod(0o644)


class DocumentCache:
    """A folder of parsed documents; ``get`` misses (returns None) on anything unexpected, ``put`` never raises."""

    def __init__(self, folder: Path, parser_version: str) -> None:
        self.folder = folder
        self._parser_version = parser_version
        self._used: set[str] = set()

    def key(self, path: Path, name: str, id_prefix: str | None) -> str:
        """The key of ``path`` as document ``name``: its bytes, name, id prefix, parser and library versions."""
        versions = f"{self._parser_version}|{STORED_FORMAT}|{_library_versions()}"
        digest = hashlib.sha256(f"{versions}|{name}|{id_prefix}|".encode())
        with path.open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def get(self, key: str) -> Document | None:
        """The document stored under ``key``, or None (missing or unreadable: the file is parsed again)."""
        self._used.add(key)
        try:
            return _document(json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("Het bewaarde document %s is onleesbaar (%s); het bestand wordt opnieuw gelezen.", key, exc)
            return None

    def put(self, key: str, document: Document) -> None:
        """Store ``document`` under ``key``; a failure is logged, never raised (the cache only saves time)."""
        self._used.add(key)
        try:
            write_json_atomic(self.folder / f"{key}.json", asdict(document))
        except OSError as exc:
            log.warning("Het gelezen document kon niet worden bewaard in %s (%s).", self.folder, exc)

    def prune(self) -> None:
        """Remove documents this process did not ask for: files that were changed or taken away."""
        if not self.folder.is_dir():
            return
        for stored in self.folder.glob("*.json"):
            if stored.name.startswith(".tmp-"):
                continue  # another process may be writing it
            if stored.stem not in self._used:
                stored.unlink(missing_ok=True)


class KnowledgeSnapshots:
    """The knowledge each complete index was built from, stored next to the indexes.

    A server can then answer from an older index (with the documents as they were then) while the index for
    changed documents is built.

    >>> snapshots = KnowledgeSnapshots(Path("/tmp/snapshots"))                  # doctest: +SKIP
    >>> snapshots.save("3fa1…", knowledge); snapshots.load("3fa1…").documents     # doctest: +SKIP
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, fingerprint: str) -> Path:
        return self.folder / f"{fingerprint[:32]}.json"

    def save(self, fingerprint: str, knowledge: KnowledgeBase) -> None:
        """Keep ``knowledge`` as the snapshot of index ``fingerprint`` (once; a failure is logged)."""
        if self._path(fingerprint).exists():
            return
        try:
            write_json_atomic(self._path(fingerprint), [asdict(d) for d in knowledge.documents])
        except OSError as exc:
            log.warning("De kennis bij de index kon niet worden bewaard in %s (%s).", self.folder, exc)

    def load(self, fingerprint: str) -> KnowledgeBase | None:
        """The knowledge index ``fingerprint`` was built from, or None if it is missing or unreadable."""
        try:
            return KnowledgeBase(tuple(_document(d) for d in json.loads(self._path(fingerprint).read_text("utf-8"))))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("De bewaarde kennis bij index %s is onleesbaar (%s).", fingerprint[:12], exc)
            return None

    def keep_only(self, fingerprints: Sequence[str]) -> None:
        """Remove the snapshots of indexes that no longer exist."""
        wanted = {self._path(f).name for f in fingerprints}
        for stored in self.folder.glob("*.json") if self.folder.is_dir() else ():
            if stored.name not in wanted:
                stored.unlink(missing_ok=True)
