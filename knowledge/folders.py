"""Which knowledge folders the assistant loads, and where added documents go: the rules that read the settings.

The shipped package folder (:data:`DEFAULT_KNOWLEDGE_DIR`) is never written to; documents added with
``python -m assistant index PATH…`` then go to ``<data_dir>/knowledge``, which is loaded after it.

>>> from types import SimpleNamespace
>>> settings = SimpleNamespace(knowledge_dir=DEFAULT_KNOWLEDGE_DIR, data_dir=Path("/tmp/awt"))
>>> [p.name for p in knowledge_roots(settings)]
['documents', 'knowledge']
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

DEFAULT_KNOWLEDGE_DIR = Path(__file__).resolve().parent / "documents"


class HasDirs(Protocol):
    """What these rules read from the settings (``assistant.settings.Settings`` has both)."""

    knowledge_dir: Path
    data_dir: Path


def _is_writable_dir(path: Path) -> bool:
    probe = path if path.exists() else next((p for p in path.parents if p.exists()), None)
    return probe is not None and probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)


def added_knowledge_dir(settings: HasDirs) -> Path:
    """Where ``index PATH…`` copies documents.

    The knowledge dir itself, unless that is the shipped package folder (or not writable): then
    ``<data_dir>/knowledge``.
    """
    knowledge = Path(settings.knowledge_dir).resolve()
    if knowledge == DEFAULT_KNOWLEDGE_DIR or not _is_writable_dir(knowledge):
        return Path(settings.data_dir) / "knowledge"
    return Path(settings.knowledge_dir)


def knowledge_roots(settings: HasDirs) -> list[Path]:
    """The folders the assistant loads, in order: the knowledge dir, then (if different) where added documents go.

    Takes any object with ``knowledge_dir`` and ``data_dir`` (``assistant.settings.Settings``).
    """
    roots = [Path(settings.knowledge_dir)]
    added = added_knowledge_dir(settings)
    if added.resolve() != roots[0].resolve():
        roots.append(added)
    return roots
