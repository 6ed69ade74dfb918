"""Faults: a build killed halfway, two builds at once, an unusable data dir — nothing lost, a clear message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fault_support import knowledge_folder, spawn_build
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.service import Assistant, build_assistant
from assistant.settings import Settings
from index.store import IndexUnavailable, VectorStore, open_client

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def _collections(data: Path) -> list[tuple[str, Any]]:
    return [
        (c.name, (c.metadata or {}).get("complete"))
        for c in open_client(Settings(data_dir=data).store_config()).list_collections()
    ]


def _store(assistant: Assistant) -> VectorStore:
    store = assistant.search.store
    assert isinstance(store, VectorStore)
    return store


@pytest.mark.parametrize("kill_at", ["first-batch", "mid-way", "marking-complete"])
def test_killed_build_leaves_the_previous_index_serving_and_blocks_nothing(
    tmp_path: Path, kill_at: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    old = knowledge_folder(tmp_path / "oud", 5, "werkplaatsinnovatie")
    first = build_assistant(Settings(data_dir=data, knowledge_dir=old), embeddings=DeterministicFakeEmbedding(size=16))
    old_name = _store(first).collection_name
    assert old_name is not None

    new = knowledge_folder(tmp_path / "nieuw", 600, "marktfalen")  # three batches
    process = spawn_build(data, new, 0.0, kill_at)
    _, err = process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL, err

    states = dict(_collections(data))
    assert states[old_name] is True
    assert False in states.values()  # the half-built one is there, never marked complete
    again = build_assistant(Settings(data_dir=data, knowledge_dir=old), embeddings=DeterministicFakeEmbedding(size=16))
    assert _store(again).collection_name == old_name and _store(again).rebuilt is False
    assert again.ask("Wat staat er in alinea 3?").citations
    assert "afgebroken opbouw wordt verwijderd" in caplog.text  # the idle lock proved the builder dead
    assert list(dict(_collections(data)).values()) == [True]

    # The dead builder's lock was released by the kernel: the next build starts at once (in a child with a
    # deadline far below the old 300 s stale-claim wait) and nothing half-built is left.
    process = spawn_build(data, new, 0.0)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    assert "wacht" not in err
    assert sorted(complete for _, complete in _collections(data)) == [True, True]  # new + previous


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    knowledge = knowledge_folder(tmp_path / "kennis", 150, "experimenteren")
    processes = [spawn_build(data, knowledge, 0.3), spawn_build(data, knowledge, 0.3)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    names = {out.split()[-1] for out, _ in outputs}
    assert len(names) == 1  # the second waited for the lock and reused the first one's index
    assert _collections(data) == [(names.pop(), True)]


def test_unusable_data_dir_gives_a_dutch_error(tmp_path: Path) -> None:
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="datamap .* kan niet worden aangemaakt"):
        open_client(Settings(data_dir=blocker / "data").store_config())


def test_cli_reports_an_unusable_data_dir_without_traceback(tmp_path: Path, model_cache: Path) -> None:
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "Wat is stap 1?"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "AWT_DATA_DIR": str(blocker / "data"), "AWT_MODEL_CACHE_DIR": str(model_cache)},
    )
    assert result.returncode == 1
    assert "datamap" in result.stderr and "Traceback" not in result.stderr
