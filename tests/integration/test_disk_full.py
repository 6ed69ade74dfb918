"""A full disk, for real (a small tmpfs as the data dir): the old index keeps answering, errors are Dutch, and
nothing half-written is used later. Needs root to mount; skipped with the exact reason where mounting is refused."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from langchain_core.embeddings import DeterministicFakeEmbedding

from assistant.service import build_assistant
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from index.store import VectorStore, open_client

pytestmark = pytest.mark.integration
EMBEDDINGS = DeterministicFakeEmbedding(size=16)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "schijf"
    mount.mkdir()
    # room for a ~10 MB index build plus the models folder's ~11 MB word frequency cache (knowledge.word_frequency)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=36m", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"mount -t tmpfs werd geweigerd: {done.stderr.strip() or f'afsluitcode {done.returncode}'}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int = 0) -> Path:
    """Write until the disk is full, then free ``leave`` bytes."""
    filler = mount / "vulling"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    block = b"\0" * (1 << 16)
    try:
        while True:
            os.write(fd, block)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def _knowledge(folder: Path, extra_paragraphs: int = 0) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "advies.md").write_text(
        "# Advies\n\nDe raad doet twee aanbevelingen:\n\n1. Bouw de index met zorg.\n2. Bewaar de werkplaatsen.\n",
        encoding="utf-8",
    )
    if extra_paragraphs:
        body = "\n\n".join(
            f"Alinea {i} beschrijft proefveld {i} van het zeewieronderzoek en de rol van sociale innovatie daarin."
            for i in range(extra_paragraphs)
        )
        (folder / "zeewier.md").write_text(f"# Zeewier\n\n{body}\n", encoding="utf-8")
    return folder


def _leftovers(data: Path) -> list[str]:
    return [p.name for p in data.rglob("*") if ".tmp" in p.name and p.name != "vulling"]


def test_a_build_on_a_full_disk_leaves_the_old_index_answering(
    small_disk: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=small_disk / "data", knowledge_dir=_knowledge(tmp_path / "kennis"))
    first = build_assistant(settings, embeddings=EMBEDDINGS)
    _knowledge(tmp_path / "kennis", extra_paragraphs=3000)
    filler = _fill(small_disk, leave=64 * 1024)

    with caplog.at_level(logging.WARNING):
        during = build_assistant(settings, embeddings=EMBEDDINGS)
    assert during.outdated is True and during.index_id == first.index_id
    assert "Te weinig schijfruimte" in caplog.text and "De vorige index blijft in gebruik" in caplog.text
    answer = during.ask("Wat is de tweede aanbeveling?")
    assert answer.citations[0].label == "Aanbeveling 2"
    assert answer.notice is not None and "vorige index" in answer.notice
    assert [d.name for d in during.knowledge.documents] == ["advies.md"]  # the documents as they were indexed

    filler.unlink()
    after = build_assistant(settings, embeddings=EMBEDDINGS)
    assert after.outdated is False and after.index_id != first.index_id
    states = [(c.metadata or {}).get("complete") for c in open_client(settings.store_config()).list_collections()]
    assert False not in states  # nothing half-built is kept, let alone used
    assert {d.name for d in after.knowledge.documents} == {"advies.md", "zeewier.md"}
    assert isinstance(after.search.store, VectorStore) and after.search.store.collection_name is not None
    collection = open_client(settings.store_config()).get_collection(after.search.store.collection_name)
    assert collection.count() == len(after.search.units) > 3000  # complete, every passage of the new document
    assert _leftovers(settings.data_dir) == []


def test_caches_on_a_full_disk_cost_time_not_answers(small_disk: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=small_disk / "data", knowledge_dir=_knowledge(tmp_path / "kennis", 400))
    expected = build_assistant(settings, embeddings=EMBEDDINGS).ask("Wat beschrijft alinea 12?").citations[0].label
    for cache in ("parsed", "lexical", "background", "snapshots"):
        subprocess.run(["rm", "-rf", str(settings.data_dir / cache)], check=True)
    filler = _fill(small_disk)

    full = build_assistant(settings, embeddings=EMBEDDINGS)  # parse and word-index caches cannot be written
    assert full.ask("Wat beschrijft alinea 12?").citations[0].label == expected
    assert _leftovers(settings.data_dir) == []

    filler.unlink()
    again = build_assistant(settings, embeddings=EMBEDDINGS)  # written now, whole
    assert again.ask("Wat beschrijft alinea 12?").citations[0].label == expected
    assert list((settings.data_dir / "parsed").glob("*.json")) and list((settings.data_dir / "lexical").iterdir())
    reread = build_assistant(settings, embeddings=EMBEDDINGS)  # and read back correctly
    assert reread.ask("Wat beschrijft alinea 12?").citations[0].label == expected


def test_feedback_on_a_full_disk_is_refused_in_dutch_and_loses_nothing(small_disk: Path, tmp_path: Path) -> None:
    from assistant.web.app import create_app

    settings = Settings(
        data_dir=small_disk / "data", knowledge_dir=_knowledge(tmp_path / "kennis"), feedback=True, rate_limit=0
    )
    bot = build_assistant(settings, embeddings=EMBEDDINGS)
    client = TestClient(create_app(settings, assistant=bot))
    answer = client.post("/api/ask", json={"question": "Wat is de tweede aanbeveling?"}).json()
    vote = {"vote": "up", "question": "Wat is de tweede aanbeveling?", "answer": answer}
    assert client.post("/api/feedback", json=vote).status_code == 201

    filler = _fill(small_disk)
    response = client.post("/api/feedback", json=vote)
    assert response.status_code == 503
    assert "kon niet worden opgeslagen" in response.json()["detail"]
    assert client.post("/api/ask", json={"question": "Wat is de eerste aanbeveling?"}).status_code == 200

    filler.unlink()
    store = FeedbackStore(settings.data_dir / "feedback.sqlite3")
    assert store.count() == 1  # the stored vote is intact, the failed one left nothing behind
    assert client.post("/api/feedback", json=vote).status_code == 201 and store.count() == 2
