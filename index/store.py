"""The persistent Chroma collection of units, built into a fresh collection and switched to only when complete.

Each collection carries the fingerprint of what went into it (knowledge files, chunking, embedding model).
A matching, complete collection is reused; otherwise a new one is built and older ones are dropped afterwards.
A build that dies halfway leaves an incomplete collection that is never served and is cleaned up next time.

The product opens its client with :func:`open_client` (on disk in the data dir); an in-memory one shows the idea:

>>> import chromadb
>>> from chromadb.config import Settings
>>> from langchain_core.embeddings import DeterministicFakeEmbedding
>>> embeddings = DeterministicFakeEmbedding(size=8)
>>> client = chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))
>>> store = VectorStore(client, embeddings, prefix="example")
>>> units = [Unit("a#1", "a", "Stap 1", (), "Begin klein.", 0, 12), Unit("a#2", "a", "Stap 2", (), "Meet.", 13, 18)]
>>> store.ensure(units, fingerprint="3fa1")  # built now
True
>>> store.ensure(units, fingerprint="3fa1")  # complete already: served as it is
False
>>> [uid for uid, _similarity in store.search(embeddings.embed_query(units[1].context_text()), k=1)]
['a#2']
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from filelock import FileLock
from langchain_core.embeddings import Embeddings

from index.build_claim import BuildClaim, CollectionClaim, LockFileClaim
from index.config import StoreConfig
from knowledge.units import Unit

if TYPE_CHECKING:
    import chromadb
    from chromadb.api import ClientAPI
    from chromadb.api.types import PyEmbeddings, Where
    from langchain_chroma import Chroma

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "awt-units"
BATCH_SIZE = 256
# Free space a batch must find before it is written: Chroma can hang, not fail, when the disk fills mid-write.
SPACE_PER_UNIT = 8 * 1024  # vector, HNSW links, metadata, full-text index: generous for 384-1024 dimensions
SPACE_RESERVE = 8 * 1024 * 1024
KEEP_PREVIOUS = 1  # complete collections kept besides the newest, for processes that still answer from them
ProgressFactory = Callable[[int, str], Any]


class IndexUnavailable(RuntimeError):
    """The index could not be opened or built; ``str()`` is a Dutch message."""


def open_client(config: StoreConfig) -> ClientAPI:
    """A local ``PersistentClient`` in the data dir, or an ``HttpClient`` when ``AWT_CHROMA_URL`` is set.

    A local store that cannot be opened (corrupt files) is moved aside and started afresh: the knowledge
    files are the source of truth, so nothing is lost by rebuilding.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(
            f"De datamap '{config.data_dir}' kan niet worden aangemaakt ({exc.strerror}). "
            "Kies een andere map met AWT_DATA_DIR."
        ) from exc
    if config.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(config.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1", port=url.port or 8000, ssl=url.scheme == "https", settings=chroma_settings
        )
    path = Path(config.chroma_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(
            f"De datamap '{path}' kan niet worden aangemaakt of beschreven ({exc.strerror}). "
            "Kies een andere map met AWT_DATA_DIR."
        ) from exc
    # Two processes opening a new store at once would both create its tables: one waits for the other.
    with FileLock(str(Path(config.data_dir) / "chroma.open.lock"), thread_local=False):
        try:
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            client.list_collections()
            return client
        except Exception as exc:  # chromadb raises many types for a damaged store
            aside = path.with_name(f"{path.name}.beschadigd-{int(time.time())}")
            log.warning(
                "De index in %s is beschadigd (%s); hij wordt opnieuw opgebouwd (oude map: %s).", path, exc, aside
            )
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()  # chromadb caches the broken client per path
            shutil.move(str(path), str(aside))
            path.mkdir(parents=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def build_claim(config: StoreConfig, client: ClientAPI, prefix: str = COLLECTION_PREFIX) -> BuildClaim:
    """The claim that fits the store: claim collections on a shared server, else the data dir's lock file."""
    if config.chroma_url:
        return CollectionClaim(client, prefix, config.heartbeat_timeout)
    return LockFileClaim(Path(config.data_dir) / "index.lock")


def _check_space(disk: Path, needed: int) -> None:
    free = shutil.disk_usage(disk).free
    if free < needed + SPACE_RESERVE:
        raise IndexUnavailable(
            f"Te weinig schijfruimte voor de index in {disk}: nog {free / 2**20:.1f} MB vrij, nodig ongeveer "
            f"{(needed + SPACE_RESERVE) / 2**20:.1f} MB. Maak ruimte vrij of kies een andere map met AWT_DATA_DIR."
        )


def _metadata(unit: Unit) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        "unit_id": unit.id,
        "document": unit.document,
        "label": unit.label,
        "heading_path": " > ".join(unit.heading_path),
        "start": unit.start,
        "end": unit.end,
        "kind": unit.kind,
    }
    if unit.page is not None:
        meta["page"] = unit.page
    return meta


def _in_documents(documents: frozenset[str] | None) -> Where | None:
    """Chroma's metadata filter for units of ``documents`` (None: no filter)."""
    if not documents:
        return None
    if len(documents) == 1:
        return {"document": next(iter(documents))}
    names: list[str | int | float | bool] = sorted(documents)
    member: dict[Literal["$in", "$nin"], list[str | int | float | bool]] = {"$in": names}
    return {"document": member}


EXACT_SEARCH_MAX_UNITS = 5_000  # up to here a query scans every vector in memory (< 1 ms, < 8 MB) instead of Chroma


class _Vectors:
    """A served collection's vectors in memory, searched exactly.

    A Chroma query costs ~2 ms however few vectors it holds, more than scanning a few thousand of them with numpy;
    beyond :data:`EXACT_SEARCH_MAX_UNITS` Chroma's HNSW index pays off and is queried instead. A complete collection
    never changes, so the copy cannot go stale: a new index is a new collection, loaded anew.

    >>> vectors = _Vectors(["a", "b", "c"], ["d1", "d1", "d2"], [[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    >>> [(uid, round(sim, 2)) for uid, sim in vectors.search([1.0, 1.0], k=2)]
    [('b', 0.99), ('a', 0.71)]
    >>> [uid for uid, _sim in vectors.search([1.0, 1.0], k=5, documents=frozenset({"d2"}))]
    ['c']
    """

    def __init__(self, ids: Sequence[str], documents: Sequence[str], vectors: Any) -> None:
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self._matrix = matrix / np.where(norms > 0, norms, 1.0)
        self._ids = list(ids)
        self._documents = np.asarray(documents, dtype=object)

    @classmethod
    def of(cls, collection: chromadb.Collection) -> _Vectors | None:
        """The collection's vectors, or None when it is too large to scan (then Chroma searches)."""
        if collection.count() > EXACT_SEARCH_MAX_UNITS:
            return None
        found = collection.get(include=["embeddings", "metadatas"])
        metadatas = found["metadatas"] or []
        documents = [str((m or {}).get("document", "")) for m in metadatas]
        if found["embeddings"] is None or len(documents) != len(found["ids"]):
            return None
        return cls(found["ids"], documents, found["embeddings"])

    def search(
        self, query_vector: list[float], k: int, documents: frozenset[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` most similar unit ids with their cosine similarity, best first (see :meth:`VectorStore.search`)."""
        query = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        similarity = self._matrix @ (query / norm if norm > 0 else query)
        allowed = np.arange(len(self._ids))
        if documents:
            allowed = np.flatnonzero(np.isin(self._documents, list(documents)))
        k = min(k, len(allowed))
        if k <= 0:
            return []
        scores = similarity[allowed]
        best = np.argpartition(-scores, k - 1)[:k] if k < len(allowed) else np.arange(len(allowed))
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self._ids[allowed[i]], float(scores[i])) for i in best]


class VectorStore:
    """Units in a Chroma collection: written through langchain-chroma with our embeddings, searched by vector.

    ``claim`` decides who builds (:mod:`index.build_claim`): the lock file of a local store, or claim
    collections on a shared Chroma server. Without one (a private, throw-away store) this process just builds.
    """

    def __init__(
        self,
        client: ClientAPI,
        embeddings: Embeddings,
        *,
        claim: BuildClaim | None = None,
        prefix: str = COLLECTION_PREFIX,
        disk: Path | None = None,
    ) -> None:
        self._client = client
        self._disk = disk  # where a local store writes: checked for space before each batch
        self._embeddings = embeddings
        self._claim = claim
        self._prefix = prefix
        self._collection: chromadb.Collection | None = None
        self._vectors: _Vectors | None = None
        self.fingerprint: str | None = None
        self.rebuilt = False

    def _chroma(self, name: str, metadata: dict[str, Any] | None = None) -> Chroma:
        from langchain_chroma import Chroma

        return Chroma(
            collection_name=name,
            embedding_function=self._embeddings,
            client=self._client,
            collection_metadata=metadata,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    def _ours(self) -> list[chromadb.Collection]:
        return [c for c in self._client.list_collections() if c.name.startswith(self._prefix)]

    def _complete(self, fingerprint: str | None = None) -> list[chromadb.Collection]:
        found = [
            c
            for c in self._ours()
            if (c.metadata or {}).get("complete") is True
            and (fingerprint is None or (c.metadata or {}).get("fingerprint") == fingerprint)
        ]
        return sorted(found, key=lambda c: float((c.metadata or {}).get("built_at", 0)), reverse=True)

    def complete_fingerprints(self) -> list[str]:
        """Fingerprints of the complete collections, newest first."""
        return [str((c.metadata or {}).get("fingerprint")) for c in self._complete()]

    def use(self, fingerprint: str) -> None:
        """Serve the newest complete collection for ``fingerprint`` without building anything."""
        ready = self._complete(fingerprint)
        if not ready:
            raise IndexUnavailable("De gevraagde index bestaat niet (meer).")
        self._use(ready[0].name, fingerprint)

    def ensure(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None = None) -> bool:
        """Serve the complete collection for ``fingerprint``, building it first if needed. True if it was built.

        Of several processes that need the same build, one builds and the others wait for it (see ``claim``).
        Half-built collections whose builder died are dropped on the way.
        """
        ready = self._complete(fingerprint)
        if ready:
            self._use(ready[0].name, fingerprint)
            self._drop_abandoned_if_idle()
            return False
        with self._hold(fingerprint) as must_build:
            if not must_build:  # another process built it while we waited
                self._use(self._complete(fingerprint)[0].name, fingerprint)
                return False
            self._drop_abandoned()
            return self._build_and_switch(units, fingerprint, progress)

    def _hold(self, fingerprint: str) -> AbstractContextManager[bool]:
        if self._claim is None:
            return nullcontext(not self._complete(fingerprint))
        return cast(
            AbstractContextManager[bool], self._claim.hold(fingerprint, lambda: bool(self._complete(fingerprint)))
        )

    def _build_and_switch(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None) -> bool:
        try:
            name = self._build(units, fingerprint, progress)
        except Exception as exc:
            previous = self._complete()
            if not previous:
                raise
            if isinstance(exc, IndexUnavailable):  # a Dutch reason already: no traceback needed
                log.error("Het bijwerken van de index is mislukt: %s De vorige index blijft in gebruik.", exc)
            else:
                log.exception("Het bijwerken van de index is mislukt; de vorige index blijft in gebruik.")
            self._use(previous[0].name, str((previous[0].metadata or {}).get("fingerprint")))
            return False
        self._use(name, fingerprint)
        self._drop_old(keep=name)
        self.rebuilt = True
        return True

    def _abandoned(self) -> list[chromadb.Collection]:
        builder_alive = self._claim.builder_alive if self._claim is not None else (lambda _token: False)
        return [
            c
            for c in self._ours()
            if (c.metadata or {}).get("complete") is not True
            and not builder_alive(str((c.metadata or {}).get("builder", "")))
        ]

    def _drop_abandoned(self) -> None:
        for collection in self._abandoned():
            total = int((collection.metadata or {}).get("units", 0) or 0)
            log.warning(
                "Een half opgebouwde index (%s, %d van %d passages) van een afgebroken opbouw wordt verwijderd.",
                collection.name,
                collection.count(),
                total,
            )
            self._delete(collection.name)

    def _drop_abandoned_if_idle(self) -> None:
        if self._claim is None:
            return
        with self._claim.try_hold() as idle:
            if idle:
                self._drop_abandoned()

    def _drop_old(self, keep: str) -> None:
        """Drop all but ``keep`` and the newest complete collection before it.

        A server still answering from that previous one keeps working until it switches (it looks every few seconds).
        """
        complete = self._complete()
        previous = [c.name for c in complete if c.name != keep][:KEEP_PREVIOUS]
        self._drop_abandoned()
        for collection in complete:
            if collection.name not in (keep, *previous):
                self._delete(collection.name)

    def _delete(self, name: str) -> None:
        try:
            self._client.delete_collection(name)
        except Exception:  # another process dropped it first
            log.debug("collection %s was already gone", name)

    def build_progress(self) -> float | None:
        """How far the newest running build has come (0..1, from any process), or None if none runs."""
        building = [c for c in self._ours() if (c.metadata or {}).get("complete") is not True]
        if not building:
            return None
        newest = max(building, key=lambda c: float((c.metadata or {}).get("started_at", 0) or 0))
        total = int((newest.metadata or {}).get("units", 0) or 0)
        return min(1.0, newest.count() / total) if total else 0.0

    def _build(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None) -> str:
        name = f"{self._prefix}-{uuid.uuid4().hex[:12]}"
        metadata: dict[str, Any] = {
            "fingerprint": fingerprint,
            "complete": False,
            "units": len(units),
            "builder": self._claim.token if self._claim is not None else "",
            "started_at": time.time(),
        }
        store = self._chroma(name, metadata)
        try:
            self._fill(store, units, progress, self._disk)
        except BaseException:
            self._delete(name)  # never served; a process killed right here leaves it to _drop_abandoned
            raise
        self._client.get_collection(name).modify(metadata={**metadata, "complete": True, "built_at": time.time()})
        return name

    @staticmethod
    def _fill(store: Chroma, units: Sequence[Unit], progress: ProgressFactory | None, disk: Path | None) -> None:
        bar = progress(len(units), "Index opbouwen") if progress else None
        # Batches of similar length waste little time on padding; the order in the collection does not matter.
        by_length = sorted(units, key=lambda u: len(u.context_text()))
        for i in range(0, len(by_length), BATCH_SIZE):
            batch = by_length[i : i + BATCH_SIZE]
            if disk is not None:
                _check_space(disk, sum(SPACE_PER_UNIT + 4 * len(u.context_text()) for u in batch))
            store.add_texts(
                texts=[u.context_text() for u in batch],
                metadatas=[_metadata(u) for u in batch],
                ids=[u.id for u in batch],
            )
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()

    def _use(self, name: str, fingerprint: str) -> None:
        collection = self._client.get_collection(name)
        self._vectors = _Vectors.of(collection)
        self._collection = collection
        self.fingerprint = fingerprint

    @property
    def collection_name(self) -> str | None:
        """The name of the collection being served, or None before :meth:`ensure` or :meth:`use`."""
        return self._collection.name if self._collection is not None else None

    def search(
        self, query_vector: list[float], k: int, documents: frozenset[str] | None = None
    ) -> list[tuple[str, float]]:
        """Unit ids with cosine similarity, best first; with ``documents``, only units of those documents."""
        if self._collection is None:
            raise IndexUnavailable("De index is nog niet geladen.")
        if self._vectors is not None:
            return self._vectors.search(query_vector, k, documents)
        # Ids and distances only: fetching texts and metadata of 100 hits (as langchain-chroma's search does)
        # costs more than the nearest-neighbour search itself. Ids are unit ids.
        queries: PyEmbeddings = [query_vector]
        try:
            found = self._collection.query(
                query_embeddings=queries, n_results=k, include=["distances"], where=_in_documents(documents)
            )
        except Exception as exc:
            if self._collection.name in {c.name for c in self._client.list_collections()}:
                raise
            raise IndexUnavailable("De index is intussen vervangen; probeer het zo opnieuw.") from exc
        distances = found["distances"]
        if distances is None:  # asked for above: only a broken server leaves them out
            raise IndexUnavailable("De index gaf geen afstanden terug; probeer het zo opnieuw.")
        return [(uid, 1.0 - float(distance)) for uid, distance in zip(found["ids"][0], distances[0], strict=True)]
