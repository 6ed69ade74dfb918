"""Parsed documents kept on disk, so a new process does not extract and parse every file again.

Extracting and parsing a PDF costs ~0.8 s per 100 simple pages (more for real reports), and every ``ask``
process would pay it again; reading the stored result back takes ~0.02 s. A document
is stored as JSON (never pickle) under a key of the file's bytes, its name and id prefix, the parser
version and the versions of the format libraries: change any of them and the file is parsed anew.

>>> cache = DocumentCache(Path("/tmp/parsed"))                                  # doctest: +SKIP
>>> load_knowledge(Path("knowledge/documents"), cache=cache).documents[0].name  # doctest: +SKIP
'awt-advies-84-sociale-innovatie.txt'
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from knowledge.units import Document, Unit

log = logging.getLogger(__name__)

_FORMAT_LIBRARIES = ("pypdf", "python-docx", "beautifulsoup4", "lxml")


@cache
def _library_versions() -> str:
    versions = []
    for name in _FORMAT_LIBRARIES:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=-")
    return ",".join(versions)


class DocumentCache:
    """A folder of parsed documents; ``get`` misses (returns None) on anything unexpected, ``put`` never raises."""

    def __init__(self, folder: Path, parser_version: str) -> None:
        self.folder = folder
        self._parser_version = parser_version
        self._used: set[str] = set()

    def key(self, path: Path, name: str, id_prefix: str | None) -> str:
        digest = hashlib.sha256(f"{self._parser_version}|{_library_versions()}|{name}|{id_prefix}|".encode())
        with path.open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def get(self, key: str) -> Document | None:
        self._used.add(key)
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            units = tuple(Unit(**{**u, "heading_path": tuple(u["heading_path"])}) for u in data.pop("units"))
            return Document(**data, units=units)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("Het bewaarde document %s is onleesbaar (%s); het bestand wordt opnieuw gelezen.", key, exc)
            return None

    def put(self, key: str, document: Document) -> None:
        self._used.add(key)
        payload: dict[str, Any] = asdict(document)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(payload, out, ensure_ascii=False)
            os.replace(temporary, self.folder / f"{key}.json")  # readers see the whole file or none
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
