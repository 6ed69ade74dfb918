"""Scale-out: several assistant processes share one real ``chroma run`` server (AWT_CHROMA_URL)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.bench import free_port
from assistant.service import build_assistant
from assistant.settings import Settings

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
        process.terminate()
        process.wait(timeout=20)


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
