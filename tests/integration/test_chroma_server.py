"""Scale-out: several assistant processes share one real ``chroma run`` server (AWT_CHROMA_URL)."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import chromadb
import httpx
import pytest
from fault_support import knowledge_folder, spawn_build
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.service import build_assistant
from assistant.settings import Settings
from tests.support import free_port, stop_process

pytestmark = pytest.mark.integration
CHROMA = Path(sys.executable).with_name("chroma")


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMA.exists() and not shutil.which("chroma"):
        pytest.fail("the chroma server binary from the chromadb package is missing")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not start within 60 s")
        yield url
    finally:
        stop_process(process, timeout=20)


def test_replicas_share_one_server_index(chroma_url: str, tmp_path: Path) -> None:
    embeddings = DeterministicFakeEmbedding(size=32)
    first = build_assistant(Settings(data_dir=tmp_path / "replica-1", chroma_url=chroma_url), embeddings=embeddings)
    second = build_assistant(Settings(data_dir=tmp_path / "replica-2", chroma_url=chroma_url), embeddings=embeddings)
    assert first.search._dense.rebuilt is True  # type: ignore[attr-defined]
    assert second.search._dense.rebuilt is False  # type: ignore[attr-defined]  # found the complete index
    assert first.search._dense.collection_name == second.search._dense.collection_name  # type: ignore[attr-defined]
    for bot in (first, second):
        answer = bot.ask("Wat is de vijfde stap van de derde aanbeveling?")
        assert answer.citations[0].label == "Aanbeveling 3, stap 5"


def test_nothing_is_written_locally_in_server_mode(chroma_url: str, tmp_path: Path) -> None:
    build_assistant(Settings(data_dir=tmp_path, chroma_url=chroma_url), embeddings=DeterministicFakeEmbedding(size=32))
    assert not (tmp_path / "chroma").exists()


class SlowEmbeddings(DeterministicFakeEmbedding):
    """Slow enough that two replicas starting together overlap in their builds."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        time.sleep(1.0)
        return super().embed_documents(texts)


def test_replicas_starting_together_build_once(chroma_url: str, tmp_path: Path) -> None:
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    (knowledge / "advies.md").write_text(
        "# Samen starten\n\nDe raad doet twee aanbevelingen:\n\n1. Bouw de index één keer.\n2. Deel hem.\n",
        encoding="utf-8",
    )
    results: dict[int, object] = {}

    def start(replica: int) -> None:
        settings = Settings(data_dir=tmp_path / f"replica-{replica}", chroma_url=chroma_url, knowledge_dir=knowledge)
        results[replica] = build_assistant(settings, embeddings=SlowEmbeddings(size=32))

    threads = [threading.Thread(target=start, args=(i,)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert set(results) == {1, 2}
    stores = [results[i].search._dense for i in (1, 2)]  # type: ignore[attr-defined]
    assert sorted(s.rebuilt for s in stores) == [False, True]  # one built, the other waited and reused it
    assert stores[0].collection_name == stores[1].collection_name
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    assert not [c.name for c in client.list_collections() if c.name.startswith("claim-")]  # claim released
    for i in (1, 2):
        assert results[i].ask("Wat is de tweede aanbeveling?").citations[0].label == "Aanbeveling 2"  # type: ignore[attr-defined]


def test_a_dead_builders_claim_is_taken_over(chroma_url: str, tmp_path: Path) -> None:
    from assistant.service import fingerprint as knowledge_fingerprint
    from knowledge import knowledge_roots, load_knowledge

    settings = Settings(data_dir=tmp_path / "replica", chroma_url=chroma_url)
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    for collection in client.list_collections():  # start from an empty server
        client.delete_collection(collection.name)
    wanted = knowledge_fingerprint(load_knowledge(knowledge_roots(settings)), settings.embedding_config().identity)
    claim = f"claim-awt-units-{wanted[:16]}"
    client.create_collection(claim, metadata={"heartbeat": time.time() - 3600})  # its builder died an hour ago

    bot = build_assistant(settings, embeddings=DeterministicFakeEmbedding(size=32))
    assert bot.search._dense.rebuilt is True  # type: ignore[attr-defined]
    assert claim not in [c.name for c in client.list_collections()]


def test_a_replica_killed_while_building_is_not_waited_out(chroma_url: str, tmp_path: Path) -> None:
    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    for collection in client.list_collections():  # start from an empty server
        client.delete_collection(collection.name)
    knowledge = knowledge_folder(tmp_path / "kennis", 600, "replica")
    # A heartbeat timeout far beyond the child's deadline: only the dead pid on this host can free the claim.
    env = {"AWT_CHROMA_URL": chroma_url, "AWT_BUILD_HEARTBEAT_TIMEOUT": "3000"}
    dead = spawn_build(tmp_path / "replica-1", knowledge, 0.0, "mid-way", env)
    _, err = dead.communicate(timeout=120)
    assert dead.returncode == -signal.SIGKILL, err
    assert [c.name for c in client.list_collections() if c.name.startswith("claim-")]  # left behind

    survivor = spawn_build(tmp_path / "replica-2", knowledge, 0.0, "", env)
    out, err = survivor.communicate(timeout=120)
    assert survivor.returncode == 0, err
    assert "afgebroken" in err  # the claim was taken over and the half-built collection dropped, in Dutch
    names = {c.name: (c.metadata or {}).get("complete") for c in client.list_collections()}
    assert names == {out.split()[-1]: True}
