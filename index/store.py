"""The persistent Chroma collection of units, built into a fresh collection and switched to only when complete.

Each collection carries the fingerprint of what went into it (knowledge files, chunking, embedding model).
A matching, complete collection is reused; otherwise a new one is built and older ones are dropped afterwards.
A build that dies halfway leaves an incomplete collection that is never served and is cleaned up next time.

>>> store = VectorStore(open_client(Settings()), embeddings)           # doctest: +SKIP
>>> store.ensure(units, fingerprint="…")                               # doctest: +SKIP
>>> store.search(embeddings.embed_query("stap 5"), k=3)                # doctest: +SKIP
[('awt-advies-84-sociale-innovatie#aanbeveling-3-stap-5', 0.87), ...]
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock
from langchain_core.embeddings import Embeddings

from knowledge.units import Unit

if TYPE_CHECKING:
    import chromadb
    from langchain_chroma import Chroma

    from assistant.settings import Settings

log = logging.getLogger(__name__)

COLLECTION_PREFIX = "awt-units"
BATCH_SIZE = 256
CLAIM_PREFIX = "claim"
CLAIM_HEARTBEAT_S = 20.0  # a builder renews its claim this often...
CLAIM_STALE_S = 300.0  # ...and a claim not renewed for this long belongs to a process that died
CLAIM_POLL_S = 1.0
ProgressFactory = Callable[[int, str], Any]


class IndexUnavailable(RuntimeError):
    """The index could not be opened or built; ``str()`` is a Dutch message."""


def open_client(settings: Settings) -> chromadb.ClientAPI:
    """A local ``PersistentClient`` in the data dir, or an ``HttpClient`` when ``AWT_CHROMA_URL`` is set.

    A local store that cannot be opened (corrupt files) is moved aside and started afresh: the knowledge
    files are the source of truth, so nothing is lost by rebuilding.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(
            f"De datamap '{settings.data_dir}' kan niet worden aangemaakt ({exc.strerror}). "
            "Kies een andere map met AWT_DATA_DIR."
        ) from exc
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = Path(settings.chroma_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise IndexUnavailable(
            f"De datamap '{path}' kan niet worden aangemaakt of beschreven ({exc.strerror}). "
            "Kies een andere map met AWT_DATA_DIR."
        ) from exc
    try:
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        client.list_collections()
        return client
    except Exception as exc:  # chromadb raises many types for a damaged store
        aside = path.with_name(f"{path.name}.beschadigd-{int(time.time())}")
        log.warning("De index in %s is beschadigd (%s); hij wordt opnieuw opgebouwd (oude map: %s).", path, exc, aside)
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()  # chromadb caches the broken client per path
        shutil.move(str(path), str(aside))
        path.mkdir(parents=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


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


class VectorStore:
    """Units in a Chroma collection: written through langchain-chroma with our embeddings, searched by vector."""

    def __init__(
        self,
        client: chromadb.ClientAPI,
        embeddings: Embeddings,
        *,
        lock_path: Path | None = None,
        prefix: str = COLLECTION_PREFIX,
    ) -> None:
        self._client = client
        self._embeddings = embeddings
        self._lock_path = lock_path
        self._prefix = prefix
        self._collection: chromadb.Collection | None = None
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

    def _lock(self) -> AbstractContextManager[object]:
        return FileLock(str(self._lock_path), timeout=600) if self._lock_path else nullcontext()

    def ensure(
        self,
        units: Sequence[Unit],
        fingerprint: str,
        progress: ProgressFactory | None = None,
    ) -> bool:
        """Serve the complete collection for ``fingerprint``, building it first if needed. True if it was built.

        Of several processes that need the same build, one builds and the others wait for it, also across
        machines sharing a Chroma server: the builder holds a claim collection (creating a collection is atomic
        in Chroma) and renews its heartbeat while building; a claim whose heartbeat stopped is taken over.
        """
        ready = self._complete(fingerprint)
        if ready:
            self._use(ready[0].name, fingerprint)
            return False
        with self._lock():
            claim = self._claim(fingerprint)
            if claim is None:  # another process built it while we waited
                self._use(self._complete(fingerprint)[0].name, fingerprint)
                return False
            try:
                return self._build_claimed(units, fingerprint, progress, claim)
            finally:
                self._release(claim)

    def _build_claimed(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None, claim: str) -> bool:
        ready = self._complete(fingerprint)
        if ready:
            self._use(ready[0].name, fingerprint)
            return False
        try:
            name = self._build(units, fingerprint, progress, claim)
        except Exception:
            previous = self._complete()
            if not previous:
                raise
            log.exception("Het bijwerken van de index is mislukt; de vorige index blijft in gebruik.")
            self._use(previous[0].name, str((previous[0].metadata or {}).get("fingerprint")))
            return False
        self._use(name, fingerprint)
        self._drop_all_but(name)
        self.rebuilt = True
        return True

    def _claim(self, fingerprint: str) -> str | None:
        """Wait until this process may build ``fingerprint`` (returns the claim's name) or someone else built it (None)."""
        name = f"{CLAIM_PREFIX}-{self._prefix}-{fingerprint[:16]}"
        told = False
        while True:
            if self._try_create(name):
                return name
            if self._complete(fingerprint):
                return None
            try:
                heartbeat = float((self._client.get_collection(name).metadata or {}).get("heartbeat", 0.0))
            except Exception:  # released between our two calls: try again
                continue
            if time.time() - heartbeat > CLAIM_STALE_S:
                log.warning("Een eerdere opbouw van de index is blijven steken; dit proces neemt hem over.")
                self._release(name)
                continue
            if not told:
                log.warning("Een ander proces bouwt de index op; dit proces wacht daarop.")
                told = True
            time.sleep(CLAIM_POLL_S)

    def _try_create(self, name: str) -> bool:
        try:
            self._client.create_collection(name, metadata={"heartbeat": time.time()})
            return True
        except Exception as exc:
            # Chroma reports "already exists" as InternalError locally and differently over HTTP: look, don't parse.
            try:
                self._client.get_collection(name)
            except Exception:
                raise exc from None
            return False

    def _release(self, claim: str) -> None:
        try:
            self._client.delete_collection(claim)
        except Exception:  # already gone (taken over as stale): nothing to release
            log.debug("claim %s was already released", claim)

    def _build(self, units: Sequence[Unit], fingerprint: str, progress: ProgressFactory | None, claim: str) -> str:
        name = f"{self._prefix}-{uuid.uuid4().hex[:12]}"
        store = self._chroma(name, {"fingerprint": fingerprint, "complete": False, "units": len(units)})
        bar = progress(len(units), "Index opbouwen") if progress else None
        last_beat = time.monotonic()
        # Batches of similar length waste little time on padding; the order in the collection does not matter.
        by_length = sorted(units, key=lambda u: len(u.context_text()))
        for i in range(0, len(by_length), BATCH_SIZE):
            batch = by_length[i : i + BATCH_SIZE]
            store.add_texts(
                texts=[u.context_text() for u in batch],
                metadatas=[_metadata(u) for u in batch],
                ids=[u.id for u in batch],
            )
            if bar is not None:
                bar.update(len(batch))
            if time.monotonic() - last_beat > CLAIM_HEARTBEAT_S:
                self._client.get_collection(claim).modify(metadata={"heartbeat": time.time()})
                last_beat = time.monotonic()
        if bar is not None:
            bar.close()
        self._client.get_collection(name).modify(
            metadata={"fingerprint": fingerprint, "complete": True, "units": len(units), "built_at": time.time()}
        )
        return name

    def _use(self, name: str, fingerprint: str) -> None:
        self._collection = self._client.get_collection(name)
        self.fingerprint = fingerprint

    def _drop_all_but(self, keep: str) -> None:
        for collection in self._ours():
            if collection.name != keep:
                self._client.delete_collection(collection.name)

    @property
    def collection_name(self) -> str | None:
        return self._collection.name if self._collection is not None else None

    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]:
        """Unit ids with cosine similarity, best first."""
        if self._collection is None:
            raise IndexUnavailable("De index is nog niet geladen.")
        # Ids and distances only: fetching texts and metadata of 100 hits (as langchain-chroma's search does)
        # costs more than the nearest-neighbour search itself. Ids are unit ids.
        found = self._collection.query(query_embeddings=[query_vector], n_results=k, include=["distances"])
        return [(uid, 1.0 - float(distance)) for uid, distance in zip(found["ids"][0], found["distances"][0], strict=True)]
