"""Faults: a build killed halfway, two builds at once, an unusable data dir — nothing lost, a clear message."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.service import build_assistant
from assistant.settings import Settings
from index.store import IndexUnavailable, open_client

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]

BUILD_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from assistant.service import build_assistant
    from assistant.settings import Settings

    class Slow(DeterministicFakeEmbedding):
        def embed_documents(self, texts):
            time.sleep(float(sys.argv[3]))
            return super().embed_documents(texts)

    bot = build_assistant(Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2])), embeddings=Slow(size=16))
    print("KLAAR", bot.search._dense.collection_name, flush=True)
    """
)


def _knowledge(folder: Path, paragraphs: int, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(
        f"Alinea {i} gaat over {word} en over de rol van sociale innovatie in de samenleving van nu." for i in range(paragraphs)
    )
    (folder / "doc.md").write_text(f"# Document\n\n{body}\n", encoding="utf-8")
    return folder


def _spawn(data: Path, knowledge: Path, delay: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(data), str(knowledge), str(delay)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ},
    )


def _collections(data: Path) -> list[tuple[str, object]]:
    return [(c.name, (c.metadata or {}).get("complete")) for c in open_client(Settings(data_dir=data)).list_collections()]


def test_killed_build_leaves_the_previous_index_serving(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = _knowledge(tmp_path / "oud", 5, "werkplaatsinnovatie")
    first = build_assistant(Settings(data_dir=data, knowledge_dir=old), embeddings=DeterministicFakeEmbedding(size=16))
    old_name = first.search._dense.collection_name

    new = _knowledge(tmp_path / "nieuw", 400, "marktfalen")  # 7 batches of 64, each 1 s
    process = _spawn(data, new, 1.0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(complete is False for _, complete in _collections(data)):
        time.sleep(0.2)
    time.sleep(1.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)

    states = dict(_collections(data))
    assert states[old_name] is True
    assert False in states.values()  # the half-built one is there, never marked complete
    again = build_assistant(Settings(data_dir=data, knowledge_dir=old), embeddings=DeterministicFakeEmbedding(size=16))
    assert again.search._dense.collection_name == old_name and again.search._dense.rebuilt is False
    assert again.ask("Wat staat er in alinea 3?").citations
    healed = build_assistant(Settings(data_dir=data, knowledge_dir=new), embeddings=DeterministicFakeEmbedding(size=16))
    assert healed.search._dense.rebuilt is True
    assert [complete for _, complete in _collections(data)] == [True]


def test_two_builds_at_once_take_turns(tmp_path: Path) -> None:
    data = tmp_path / "data"
    knowledge = _knowledge(tmp_path / "kennis", 150, "experimenteren")
    processes = [_spawn(data, knowledge, 0.3), _spawn(data, knowledge, 0.3)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), [err for _, err in outputs]
    names = {out.split()[-1] for out, _ in outputs}
    assert len(names) == 1  # the second waited for the lock and reused the first one's index
    assert _collections(data) == [(names.pop(), True)]


def test_unusable_data_dir_gives_a_dutch_error(tmp_path: Path) -> None:
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="datamap .* kan niet worden aangemaakt"):
        open_client(Settings(data_dir=blocker / "data"))


def test_cli_reports_an_unusable_data_dir_without_traceback(tmp_path: Path, model_cache: Path) -> None:
    blocker = tmp_path / "een-bestand"
    blocker.write_text("geen map", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "Wat is stap 1?"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "AWT_DATA_DIR": str(blocker / "data"), "AWT_MODEL_CACHE_DIR": str(model_cache)},
    )
    assert result.returncode == 1
    assert "datamap" in result.stderr and "Traceback" not in result.stderr
