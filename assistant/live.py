"""The assistant a server answers with, rebuilt in the background when the documents change.

The current assistant keeps answering while a new one is built, and the new one takes over in one step when it is
complete. Changes are noticed by looking at the knowledge folders every ``AWT_INDEX_WATCH_INTERVAL`` seconds: a
document dropped in by hand or added with ``python -m assistant index PAD`` (which builds the index itself; the
server then waits for that build and uses its result).

>>> live = LiveAssistant(Settings(), build_assistant)                  # doctest: +SKIP
>>> live.start_watching()                                              # doctest: +SKIP
>>> live.ask("Wat is stap 5?").index, live.status().state              # doctest: +SKIP
('3fa1c2d4e5f6', 'klaar')

What the watcher compares, without loading a model:

>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> settings = Settings(knowledge_dir=folder / "kennis", data_dir=folder / "data")
>>> before = knowledge_signature(settings)
>>> (folder / "kennis").mkdir()
>>> _ = (folder / "kennis" / "advies.md").write_text("# Advies", encoding="utf-8")
>>> knowledge_signature(settings) == before
False
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.contract import Answer, Message, join_notices
from assistant.service import INDEX_ID_CHARS, Assistant
from assistant.settings import Settings
from index.store import VectorStore
from knowledge import knowledge_files, knowledge_roots

log = logging.getLogger(__name__)

Builder = Callable[..., Assistant]
UPDATING_NOTICE = "De index wordt bijgewerkt; dit antwoord bevat mogelijk de nieuwste documenten nog niet."
Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class IndexStatus:
    """What ``/api/health`` says about the index: ``klaar``, or ``bijwerken`` with how far the build has come."""

    state: Literal["klaar", "bijwerken"]
    progress: float | None
    index: str | None


def knowledge_signature(settings: Settings) -> Signature:
    """Name, size and modification time of every knowledge file: cheap to take, changes with any edit."""
    found = []
    for root in knowledge_roots(settings):
        for path in knowledge_files(root):
            try:
                stat = path.stat()
            except OSError:  # removed while we looked
                continue
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def _give_back_memory() -> None:
    """Return freed heap to the operating system after a swap (glibc keeps it otherwise); a no-op elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


class _Progress:
    """The progress-bar factory handed to the build: counts embedded passages for ``status()``."""

    def __init__(self) -> None:
        self.total = 0
        self.done = 0

    def __call__(self, total: int, _description: str) -> _Progress:
        self.total, self.done = total, 0
        return self

    def update(self, n: int) -> None:
        """Count ``n`` more embedded passages (as a tqdm bar's ``update``)."""
        self.done += n

    def close(self) -> None:
        """Nothing to release; there for the progress-bar protocol."""

    @property
    def fraction(self) -> float | None:
        """How far the build has come (0..1), or None before it has told how many passages there are."""
        return min(1.0, self.done / self.total) if self.total else None


class LiveAssistant:
    """Answers with the current :class:`Assistant` and swaps in a rebuilt one when the knowledge changes.

    The swap is one reference assignment, so a request sees the old or the new assistant, whole. Requests never
    wait for a build; a failed build leaves the current one answering.
    """

    def __init__(self, settings: Settings, build: Builder, *, current: Assistant | None = None) -> None:
        self.settings = settings
        self._build = build
        self._signature = knowledge_signature(settings)
        self._current = current or build(settings, outdated_ok=True)
        self._failed: Signature | None = None  # knowledge whose build failed: not tried again until it changes
        self._lock = threading.Lock()  # one rebuild at a time
        self._progress: _Progress | None = None
        self._watcher: threading.Thread | None = None

    # --- what callers use, as on Assistant -------------------------------------------------------------------
    @property
    def knowledge(self) -> Any:
        """The current assistant's knowledge base."""
        return self._current.knowledge

    @property
    def backend(self) -> Any:
        """The current assistant's answer backend."""
        return self._current.backend

    @property
    def search(self) -> Any:
        """The current assistant's hybrid search."""
        return self._current.search

    def document_text(self, document: str) -> str:
        """The full text of ``document`` in the current knowledge (see :meth:`Assistant.document_text`)."""
        return self._current.document_text(document)

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        """Answer with the current assistant; while a rebuild runs, the answer says the index is being updated."""
        answer = self._current.ask(question, history, documents)
        if self._progress is None:
            return answer
        return answer.model_copy(update={"notice": join_notices(answer.notice, UPDATING_NOTICE)})

    # --- keeping it current ----------------------------------------------------------------------------------
    def status(self) -> IndexStatus:
        """The index's state for ``/api/health``, with the build's progress while one runs (here or elsewhere)."""
        current = self._current
        index = current.index_id[:INDEX_ID_CHARS] if current.index_id else None
        progress = self._progress
        if progress is None and (not current.outdated or self._failed is not None):
            return IndexStatus("klaar", None, index)
        fraction = progress.fraction if progress is not None else None
        store = current.search.store
        if fraction is None and isinstance(store, VectorStore):  # another process builds: ask the store
            fraction = store.build_progress()
        return IndexStatus("bijwerken", round(fraction, 3) if fraction is not None else None, index)

    def refresh(self) -> bool:
        """Rebuild if the knowledge changed (or the current index is outdated); True if a new assistant took over."""
        signature = knowledge_signature(self.settings)
        if signature == self._failed or (signature == self._signature and not self._current.outdated):
            return False
        with self._lock:
            self._progress = _Progress()
            try:
                fresh = self._build(
                    self.settings,
                    embeddings=self._current.search.embeddings,
                    backend=self._current.backend,
                    progress_bar=self._progress,
                )
            except Exception:
                log.exception("Het bijwerken van de index is mislukt; de huidige index blijft in gebruik.")
                self._failed = signature  # try again at the next change, not every few seconds
                return False
            finally:
                self._progress = None
            if fresh.outdated and self._current.outdated:  # the build failed inside; it said why in the log
                log.warning("Het bijwerken van de index is mislukt; de huidige index blijft in gebruik.")
                self._failed = signature
                return False
            self._signature, self._failed = signature, None
            self._current = fresh  # one reference swap: a request sees the old or the new assistant, whole
        del fresh
        _give_back_memory()
        log.warning(
            "De index is bijgewerkt: %d document(en), %d passages.",
            len(self._current.knowledge.documents),
            len(self._current.search.units),
        )
        return True

    def start_watching(self) -> None:
        """Look for changed documents every ``AWT_INDEX_WATCH_INTERVAL`` seconds (0: never) in a daemon thread."""
        interval = self.settings.index_watch_interval
        if interval <= 0 or self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, args=(interval,), name="awt-index-watch", daemon=True)
        self._watcher.start()

    def _watch(self, interval: float) -> None:
        if self._current.outdated:
            self.refresh()
        while True:
            time.sleep(interval)
            try:
                self.refresh()
            except Exception:  # never let the watcher die: the next round tries again
                log.exception("Het controleren van de kennismap is mislukt.")
