"""Who builds the index: of several processes that need the same build, one builds and the others wait for it.

With a local store the build lock file is the claim. The kernel releases a lock when its holder dies, so a
free lock proves that no builder is alive: a killed build is never waited out.

With a Chroma server (replicas on several machines) a claim collection per fingerprint records the builder's
host, pid, process start and a heartbeat that a thread renews. A claim from this host whose process is gone is
stale at once; a claim from another host once its heartbeat is older than ``heartbeat_timeout``.

>>> import tempfile
>>> claim = LockFileClaim(Path(tempfile.mkdtemp()) / "index.lock")
>>> with claim.hold("3fa1", ready=lambda: False) as must_build:  # not built yet: this process builds
...     must_build
True
>>> with claim.hold("3fa1", ready=lambda: True) as must_build:  # built meanwhile: nothing to do
...     must_build
False
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from filelock import FileLock, Timeout

if TYPE_CHECKING:
    import chromadb
    from chromadb.api import ClientAPI

log = logging.getLogger(__name__)

CLAIM_PREFIX = "claim"
POLL_S = 0.5
WAITING = "Een ander proces bouwt de index op; dit proces wacht daarop."


def _process_start(pid: int) -> str:
    """The kernel's start time of ``pid`` (clock ticks since boot), to tell a reused pid apart; "" if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[1].split()[19]  # field 22; the command name before ")" may contain spaces


def _process_alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    return not started or _process_start(pid) in ("", started)


def builder_token() -> str:
    """Names this process as a builder: host, pid and start, so that a reused pid is not mistaken for it."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


class BuildClaim(Protocol):
    """Decides which process builds an index and whether the builder of a half-built collection still lives."""

    token: str

    def hold(self, fingerprint: str, ready: Callable[[], bool]) -> Any:
        """A context manager giving True if this process must build ``fingerprint``, False once ``ready()``."""
        ...

    def try_hold(self) -> Any:
        """A context manager giving True if no builder is busy right now (the caller may clean up), else False."""
        ...

    def builder_alive(self, token: str) -> bool:
        """Whether the process that wrote a collection with builder ``token`` may still be building it."""
        ...


class LockFileClaim:
    """The local store's claim: one lock file in the data dir, held for the whole build."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.token = builder_token()

    def _lock(self) -> FileLock:
        # A fresh lock object per use: filelock objects are shared per path and thread by default, and the
        # server builds in a background thread while requests are answered in others.
        return FileLock(str(self._path), thread_local=False, is_singleton=False)

    @contextmanager
    def hold(self, fingerprint: str, ready: Callable[[], bool]) -> Iterator[bool]:
        """Hold the lock file; True if ``ready()`` is still false once held (see :meth:`BuildClaim.hold`).

        One lock serves every fingerprint: a local store builds one index at a time.
        """
        lock = self._lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            log.warning(WAITING)
            lock.acquire()  # returns when the builder is done, or the moment it dies
        try:
            yield not ready()
        finally:
            lock.release()

    @contextmanager
    def try_hold(self) -> Iterator[bool]:
        """Hold the lock file if it is free (True), without waiting; False while a build holds it."""
        lock = self._lock()
        try:
            lock.acquire(timeout=0)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def builder_alive(self, token: str) -> bool:
        """Always False: it is only asked while this process holds the lock, so no other build is running."""
        return False


class CollectionClaim:
    """A shared Chroma server's claim: a collection per fingerprint, kept alive by a heartbeat thread.

    Creating a collection is atomic on the server, so of several processes exactly one gets the claim.
    """

    def __init__(self, client: ClientAPI, prefix: str, heartbeat_timeout: float) -> None:
        self._client = client
        self._prefix = prefix
        self._timeout = heartbeat_timeout
        self.token = builder_token()
        self._host = socket.gethostname()

    def _name(self, fingerprint: str) -> str:
        return f"{CLAIM_PREFIX}-{self._prefix}-{fingerprint[:16]}"

    def _claims(self) -> list[chromadb.Collection]:
        return [c for c in self._client.list_collections() if c.name.startswith(f"{CLAIM_PREFIX}-{self._prefix}-")]

    def _stale(self, metadata: dict[str, Any]) -> bool:
        host, _, rest = str(metadata.get("builder", "")).partition(":")
        pid, _, started = rest.partition(":")
        if host == self._host and pid.isdigit():
            return not _process_alive(int(pid), started)
        return time.time() - float(metadata.get("heartbeat", 0.0)) > self._timeout

    def _try_create(self, name: str) -> bool:
        try:
            self._client.create_collection(name, metadata={"builder": self.token, "heartbeat": time.time()})
            return True
        except Exception as exc:
            # Chroma reports "already exists" as InternalError locally and differently over HTTP: look, don't parse.
            try:
                self._client.get_collection(name)
            except Exception:
                raise exc from None
            return False

    @contextmanager
    def hold(self, fingerprint: str, ready: Callable[[], bool]) -> Iterator[bool]:
        """Create the claim collection for ``fingerprint``, waiting while a live builder has it.

        Gives what :meth:`BuildClaim.hold` promises. A stale claim (its builder died) is taken over; while it is
        held, a thread renews the heartbeat.
        """
        name = self._name(fingerprint)
        told = False
        while not self._try_create(name):
            if ready():
                yield False
                return
            try:
                metadata = dict(self._client.get_collection(name).metadata or {})
            except Exception:  # released between our two calls: try again
                continue
            if self._stale(metadata):
                log.warning(
                    "Een eerdere opbouw van de index (%s) is afgebroken; dit proces neemt hem over.",
                    metadata.get("builder", "onbekend proces"),
                )
                self._release(name)
                continue
            if not told:
                log.warning(WAITING)
                told = True
            time.sleep(POLL_S)
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(name, stop), name="awt-index-heartbeat", daemon=True)
        beat.start()
        try:
            yield not ready()
        finally:
            stop.set()
            beat.join(timeout=5)
            self._release(name)

    @contextmanager
    def try_hold(self) -> Iterator[bool]:
        """Always True: on a server every builder is told apart by its claim (:meth:`builder_alive`)."""
        yield True

    def _beat(self, name: str, stop: threading.Event) -> None:
        while not stop.wait(self._timeout / 4):
            try:
                self._client.get_collection(name).modify(metadata={"builder": self.token, "heartbeat": time.time()})
            except Exception as exc:  # the server is briefly away: the next beat tries again
                log.debug("heartbeat of %s failed: %s", name, exc)

    def _release(self, name: str) -> None:
        try:
            self._client.delete_collection(name)
        except Exception:  # already gone (taken over as stale): nothing to release
            log.debug("claim %s was already released", name)

    def builder_alive(self, token: str) -> bool:
        """Whether a claim that is not stale names ``token`` as its builder."""
        for claim in self._claims():
            metadata = dict(claim.metadata or {})
            if metadata.get("builder") == token and not self._stale(metadata):
                return True
        return False
