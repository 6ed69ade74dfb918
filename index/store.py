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
import zipfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import numpy as np
from filelock import FileLock
from langchain_core.embeddings import Embeddings

from index.build_claim import BuildClaim, CollectionClaim, LockFileClaim
from index.config import StoreConfig
from knowledge.cache import write_npz_atomic
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


def open_store(config: StoreConfig, embeddings: Embeddings) -> VectorStore:
    """The product's vector store: a local one opens Chroma only when it must (see :class:`VectorCopies`).

    With a shared Chroma server every replica reads the server, which is the one truth they share.
    """
    if config.chroma_url:
        client = open_client(config)
        return VectorStore(client, embeddings, claim=build_claim(config, client))
    return VectorStore(
        partial(open_client, config),
        embeddings,
        claim=LockFileClaim(Path(config.data_dir) / "index.lock"),
        disk=config.chroma_dir,
        copies=VectorCopies(Path(config.data_dir) / "vectors"),
    )


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

    def __init__(self, ids: Sequence[str], documents: Sequence[str], vectors: Any, *, normalised: bool = False) -> None:
        matrix: np.ndarray = np.asarray(vectors, dtype=np.float32).reshape(len(ids), -1)
        if not normalised:
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms > 0, norms, 1.0)
        self._matrix = matrix
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

    def save(self, path: Path, collection: str) -> None:
        """Write the vectors with the name of the collection they come from, atomically (see :class:`VectorCopies`)."""
        write_npz_atomic(
            path,
            collection=np.asarray(collection),
            ids=np.asarray(self._ids, dtype=str),
            documents=np.asarray(self._documents, dtype=str),
            matrix=self._matrix,
        )

    @classmethod
    def load(cls, path: Path) -> tuple[str, _Vectors] | None:
        """The collection's name and its vectors as :meth:`save` wrote them, or None if missing or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as saved:
                ids, documents, matrix = saved["ids"], saved["documents"], saved["matrix"]
                collection = str(saved["collection"])
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            if path.exists():
                log.warning("De kopie van de index in %s is onleesbaar (%s); Chroma wordt gebruikt.", path, exc)
            return None
        if matrix.ndim != 2 or len(ids) != len(matrix) or len(documents) != len(ids):
            return None
        return collection, cls(ids.tolist(), documents.tolist(), matrix, normalised=True)

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


class VectorCopies:
    """Copies of complete collections' vectors in a folder, one file per fingerprint, read without Chroma.

    Importing chromadb takes ~1 s, a third of a cold question; a collection small enough to be searched in memory
    (:data:`EXACT_SEARCH_MAX_UNITS`) is served from its copy instead, and Chroma is only opened to build or to clean
    up. The copy is written when a process first serves the collection from Chroma. The fingerprint names
    everything the vectors are made from, so a copy cannot go stale; copies of dropped collections are removed.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, fingerprint: str) -> Path:
        """The copy of the collection with ``fingerprint`` (it may not exist)."""
        return self.folder / f"{fingerprint}.npz"

    def mark_building(self, collection: str) -> None:
        """Note that ``collection`` is being built; a builder killed before :meth:`unmark` leaves the note behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{collection}.building").touch()

    def unmark(self, collection: str) -> None:
        """The build of ``collection`` ended (finished, failed or cleaned up)."""
        (self.folder / f"{collection}.building").unlink(missing_ok=True)

    def unmark_all_but(self, collections: Iterable[str]) -> None:
        """Drop the notes of builds whose collection is gone."""
        keep = {f"{name}.building" for name in collections}
        for note in self.folder.glob("*.building"):
            if note.name not in keep:
                note.unlink(missing_ok=True)

    def builds_unfinished(self) -> bool:
        """Whether a build started and has not ended: then Chroma is opened, to wait for it or to clean up after it."""
        return any(self.folder.glob("*.building"))

    def keep_only(self, fingerprints: Sequence[str]) -> None:
        """Remove the copies of every other fingerprint."""
        keep = {self.path(f).name for f in fingerprints}
        for path in self.folder.glob("*.npz"):
            if path.name not in keep:
                path.unlink(missing_ok=True)


class VectorStore:
    """Units in a Chroma collection: written through langchain-chroma with our embeddings, searched by vector.

    ``client`` is a Chroma client, or a function that opens one when it is first needed. ``claim`` decides who
    builds (:mod:`index.build_claim`): the lock file of a local store, or claim collections on a shared Chroma
    server. Without one (a private, throw-away store) this process just builds. With ``copies`` a small complete
    collection is served from its copy without opening Chroma (see :class:`VectorCopies`).
    """

    def __init__(
        self,
        client: ClientAPI | Callable[[], ClientAPI],
        embeddings: Embeddings,
        *,
        claim: BuildClaim | None = None,
        prefix: str = COLLECTION_PREFIX,
        disk: Path | None = None,
        copies: VectorCopies | None = None,
    ) -> None:
        self._connect: Callable[[], ClientAPI] = client if callable(client) else (lambda: client)
        self._opened: ClientAPI | None = None
        self._disk = disk  # where a local store writes: checked for space before each batch
        self._embeddings = embeddings
        self._claim = claim
        self._prefix = prefix
        self._copies = copies
        self._collection: chromadb.Collection | None = None
        self._collection_name: str | None = None
        self._vectors: _Vectors | None = None
        self.fingerprint: str | None = None
        self.rebuilt = False

    @property
    def _client(self) -> ClientAPI:
        if self._opened is None:
            self._opened = self._connect()
        return self._opened

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

    def ready(self, fingerprint: str) -> bool:
        """Whether a complete index for ``fingerprint`` exists (its copy is enough: Chroma is not opened for it)."""
        if self._copies is not None and self._copies.path(fingerprint).exists():
            return True
        return bool(self._complete(fingerprint))

    def complete_fingerprints(self) -> list[str]:
        """Fingerprints of the complete collections, newest first."""
        return [str((c.metadata or {}).get("fingerprint")) for c in self._complete()]

    def use(self, fingerprint: str) -> None:
        """Serve the newest complete collection for ``fingerprint`` without building anything."""
        if self._use_copy(fingerprint):
            return
        ready = self._complete(fingerprint)
        if not ready:
            raise IndexUnavailable("De gevraagde index bestaat niet (meer).")
        self._use(ready[0].name, fingerprint)

    def ensure(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None = None) -> bool:
        """Serve the complete collection for ``fingerprint``, building it first if needed. True if it was built.

        Of several processes that need the same build, one builds and the others wait for it (see ``claim``).
        Half-built collections whose builder died are dropped on the way.
        """
        if not (self._copies is not None and self._copies.builds_unfinished()) and self._use_copy(fingerprint):
            return False
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
        if self._copies is not None:
            self._copies.unmark_all_but(c.name for c in self._ours() if (c.metadata or {}).get("complete") is not True)

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
        if self._copies is not None:
            self._copies.keep_only(self.complete_fingerprints())

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
        if self._copies is not None:
            self._copies.mark_building(name)
        store = self._chroma(name, metadata)
        try:
            self._fill(store, units, progress, self._disk)
        except BaseException:
            self._delete(name)  # never served; a process killed right here leaves it to _drop_abandoned
            if self._copies is not None:
                self._copies.unmark(name)
            raise
        self._client.get_collection(name).modify(metadata={**metadata, "complete": True, "built_at": time.time()})
        if self._copies is not None:
            self._copies.unmark(name)
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
        self._collection, self._collection_name = collection, name
        self.fingerprint = fingerprint
        if self._vectors is not None and self._copies is not None:
            path = self._copies.path(fingerprint)
            if not path.exists():
                try:
                    self._vectors.save(path, name)
                except OSError as exc:  # a read-only or full data dir: served from Chroma, as before
                    log.warning("De kopie van de index kon niet worden bewaard in %s (%s).", path, exc.strerror)

    def _use_copy(self, fingerprint: str) -> bool:
        """Serve the copy of the complete collection for ``fingerprint``, if there is one; True if so."""
        if self._copies is None:
            return False
        found = _Vectors.load(self._copies.path(fingerprint))
        if found is None:
            return False
        self._collection_name, self._vectors = found
        self._collection = None
        self.fingerprint = fingerprint
        return True

    @property
    def collection_name(self) -> str | None:
        """The name of the collection being served, or None before :meth:`ensure` or :meth:`use`."""
        return self._collection_name

    def search(
        self, query_vector: list[float], k: int, documents: frozenset[str] | None = None
    ) -> list[tuple[str, float]]:
        """Unit ids with cosine similarity, best first; with ``documents``, only units of those documents."""
        if self._vectors is not None:
            return self._vectors.search(query_vector, k, documents)
        if self._collection is None:
            raise IndexUnavailable("De index is nog niet geladen.")
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
