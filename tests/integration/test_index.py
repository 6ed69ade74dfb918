"""The Chroma index: rebuilt when its inputs change, reused otherwise, never left half-built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings

from assistant.service import build_assistant, fingerprint
from assistant.settings import Settings
from index.store import VectorCopies, VectorStore, build_claim, open_client, open_store
from knowledge import load_knowledge
from knowledge.units import Unit

pytestmark = pytest.mark.integration


class CountingEmbeddings(DeterministicFakeEmbedding):
    """A deterministic fake that counts embedded passages and can die partway through a build."""

    embedded: int = 0
    fail_after: int | None = None

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("build killed")
        self.embedded += len(texts)
        return super().embed_documents(texts)


def _units(n: int, word: str = "innovatie") -> list[Unit]:
    return [
        Unit(
            id=f"doc#{i}",
            document="doc.md",
            label=f"Punt {i}",
            heading_path=("Doc",),
            text=f"{word} {i}",
            start=0,
            end=1,
        )
        for i in range(n)
    ]


def _store(tmp_path: Path, embeddings: Embeddings) -> VectorStore:
    settings = Settings(data_dir=tmp_path)
    client = open_client(settings.store_config())
    return VectorStore(client, embeddings, claim=build_claim(settings.store_config(), client))


def test_built_once_then_reused(tmp_path: Path) -> None:
    emb = CountingEmbeddings(size=16)
    assert _store(tmp_path, emb).ensure(_units(5), "fp-a") is True
    assert emb.embedded == 5
    again = _store(tmp_path, emb)
    assert again.ensure(_units(5), "fp-a") is False
    assert emb.embedded == 5  # nothing re-embedded
    assert again.search(emb.embed_query(_units(5)[3].context_text()), k=1)[0][0] == "doc#3"


def test_changed_fingerprint_rebuilds_and_keeps_only_the_previous_collection(tmp_path: Path) -> None:
    emb = CountingEmbeddings(size=16)
    first = _store(tmp_path, emb)
    first.ensure(_units(3), "fp-a")
    second = _store(tmp_path, emb)
    assert second.ensure(_units(4), "fp-b") is True
    names = {c.name for c in open_client(Settings(data_dir=tmp_path).store_config()).list_collections()}
    assert names == {first.collection_name, second.collection_name}  # first may still be answering elsewhere
    assert first.search(emb.embed_query(_units(3)[1].context_text()), k=1)[0][0] == "doc#1"
    third = _store(tmp_path, emb)
    assert third.ensure(_units(5), "fp-c") is True
    names = {c.name for c in open_client(Settings(data_dir=tmp_path).store_config()).list_collections()}
    assert names == {second.collection_name, third.collection_name}
    assert second.complete_fingerprints() == ["fp-c", "fp-b"]


def test_interrupted_build_leaves_the_previous_index_serving(tmp_path: Path) -> None:
    emb = CountingEmbeddings(size=16)
    _store(tmp_path, emb).ensure(_units(10), "fp-old")
    emb.fail_after = emb.embedded + 64  # dies after the first batch of the next build
    broken = _store(tmp_path, emb)
    assert broken.ensure(_units(200, "nieuw"), "fp-new") is False
    assert broken.fingerprint == "fp-old"
    assert broken.search(emb.embed_query(_units(10)[7].context_text()), k=1)[0][0] == "doc#7"
    emb.fail_after = None
    healed = _store(tmp_path, emb)
    assert healed.ensure(_units(200, "nieuw"), "fp-new") is True
    states = [
        (c.metadata or {}).get("complete")
        for c in open_client(Settings(data_dir=tmp_path).store_config()).list_collections()
    ]
    assert states == [True, True]  # the new one and the previous one; nothing half-built


def test_first_build_failure_is_raised(tmp_path: Path) -> None:
    emb = CountingEmbeddings(size=16, fail_after=0)
    with pytest.raises(RuntimeError):
        _store(tmp_path, emb).ensure(_units(3), "fp")


def test_corrupt_store_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    emb = CountingEmbeddings(size=16)
    _store(tmp_path, emb).ensure(_units(3), "fp")
    sqlite = next((tmp_path / "chroma").glob("*.sqlite3"))
    sqlite.write_bytes(b"dit is geen database" * 100)
    store = _store(tmp_path, emb)
    assert store.ensure(_units(3), "fp") is True
    assert list(tmp_path.glob("chroma.beschadigd-*"))


def test_fingerprint_follows_knowledge_and_model(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n\nEen alinea over innovatie.\n", encoding="utf-8")
    kb = load_knowledge(tmp_path)
    base = fingerprint(kb, "model-a")
    assert fingerprint(load_knowledge(tmp_path), "model-a") == base
    assert fingerprint(kb, "model-b") != base
    (tmp_path / "a.md").write_text("# A\n\nEen andere alinea over innovatie.\n", encoding="utf-8")
    assert fingerprint(load_knowledge(tmp_path), "model-a") != base


def _one_document(tmp_path: Path, paragraph: str) -> tuple[Path, Settings]:
    """A knowledge folder with ``a.md`` holding ``paragraph``, and settings that use it."""
    knowledge = tmp_path / "kennis"
    knowledge.mkdir()
    (knowledge / "a.md").write_text(f"# A\n\n{paragraph}\n", encoding="utf-8")
    return knowledge, Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge)


def test_assistant_rebuilds_when_a_document_is_added(tmp_path: Path) -> None:
    knowledge, settings = _one_document(tmp_path, "Een alinea over innovatie.")
    emb = CountingEmbeddings(size=16)
    build_assistant(settings, embeddings=emb)
    first = emb.embedded
    build_assistant(settings, embeddings=emb)
    assert emb.embedded == first
    (knowledge / "b.md").write_text("# B\n\nNog een alinea.\n", encoding="utf-8")
    bot = build_assistant(settings, embeddings=emb)
    assert emb.embedded > first
    assert {d.name for d in bot.knowledge.documents} == {"a.md", "b.md"}


def test_a_server_start_after_a_change_answers_from_the_previous_index_with_its_own_documents(tmp_path: Path) -> None:
    knowledge, settings = _one_document(tmp_path, "Een alinea over werkplaatsinnovatie.")
    emb = CountingEmbeddings(size=16)
    first = build_assistant(settings, embeddings=emb)
    (knowledge / "a.md").write_text(
        "# A\n\nDeze alinea is herschreven en gaat nu over iets anders.\n", encoding="utf-8"
    )
    embedded = emb.embedded

    stale = build_assistant(settings, embeddings=emb, outdated_ok=True)
    assert stale.outdated is True and emb.embedded == embedded  # nothing built before answering
    assert stale.index_id == first.index_id
    answer = stale.ask("Waar gaat de alinea over?")
    assert answer.notice is not None and "vorige index" in answer.notice
    assert "werkplaatsinnovatie" in stale.document_text("a.md")  # quotes check against the text as indexed
    assert all(stale.document_text(c.document)[c.start : c.end] == c.quote for c in answer.citations)

    fresh = build_assistant(settings, embeddings=emb, outdated_ok=True)  # still no newer index: same again
    assert fresh.outdated is True
    current = build_assistant(settings, embeddings=emb)
    assert current.outdated is False and current.index_id != first.index_id
    assert build_assistant(settings, embeddings=emb, outdated_ok=True).outdated is False  # now up to date


def _two_document_units(n: int) -> list[Unit]:
    return [
        Unit(
            id=f"{'a' if i % 3 else 'b'}#{i}",
            document="a.md" if i % 3 else "b.md",
            label=f"Punt {i}",
            heading_path=("Doc",),
            text=f"passage {i} over {'water' if i % 2 else 'fietsen'} en {i * 7 % 13}",
            start=0,
            end=1,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("exact_up_to", [10_000, 10])
def test_a_search_finds_what_chromas_own_query_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact_up_to: int
) -> None:
    # the served vectors are scanned in memory up to EXACT_SEARCH_MAX_UNITS, queried in Chroma above it: same result
    monkeypatch.setattr("index.store.EXACT_SEARCH_MAX_UNITS", exact_up_to)
    embeddings = DeterministicFakeEmbedding(size=48)
    store = _store(tmp_path, embeddings)
    units = _two_document_units(120)
    store.ensure(units, "fp")
    collection = store._client.get_collection(store.collection_name or "")
    for text in ("water en 3", "fietsen", "passage 17", "iets heel anders"):
        vector = embeddings.embed_query(text)
        for documents in (None, frozenset({"b.md"}), frozenset({"a.md", "b.md"})):
            found = store.search(vector, k=15, documents=documents)
            where: Any = {"document": "b.md"} if documents == frozenset({"b.md"}) else None
            queries: Any = [vector]
            chroma = collection.query(query_embeddings=queries, n_results=15, where=where, include=["distances"])
            assert [uid for uid, _ in found] == chroma["ids"][0]
            distances = chroma["distances"][0] if chroma["distances"] else []
            assert [round(sim, 4) for _, sim in found] == [round(1.0 - d, 4) for d in distances]
            if documents == frozenset({"b.md"}):
                assert all(uid.startswith("b#") for uid, _ in found)


def _local_store(tmp_path: Path, embeddings: Embeddings) -> VectorStore:
    return open_store(Settings(data_dir=tmp_path).store_config(), embeddings)


def test_a_later_process_serves_the_copy_without_opening_chroma(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings(size=24)
    built = _local_store(tmp_path, embeddings)
    assert built.ensure(_two_document_units(40), "fp") is True
    copy = tmp_path / "vectors" / "fp.npz"
    assert copy.is_file()  # written when the built collection was first served

    opened: list[bool] = []
    later = VectorStore(
        lambda: opened.append(True) or open_client(Settings(data_dir=tmp_path).store_config()),  # type: ignore[func-returns-value]
        embeddings,
        copies=VectorCopies(tmp_path / "vectors"),
    )
    assert later.ensure(_two_document_units(40), "fp") is False
    assert opened == [] and later.collection_name == built.collection_name and later.ready("fp")
    for text in ("water en 3", "fietsen", "iets heel anders"):
        vector = embeddings.embed_query(text)
        for documents in (None, frozenset({"b.md"})):
            assert later.search(vector, 7, documents) == built.search(vector, 7, documents)


def test_an_unreadable_copy_falls_back_to_chroma_and_is_written_again(tmp_path: Path) -> None:
    embeddings = DeterministicFakeEmbedding(size=24)
    _local_store(tmp_path, embeddings).ensure(_units(6), "fp")
    copy = tmp_path / "vectors" / "fp.npz"
    copy.write_bytes(b"niet meer leesbaar")
    again = _local_store(tmp_path, embeddings)
    assert again.ensure(_units(6), "fp") is False  # served from the complete collection, not rebuilt
    assert [uid for uid, _ in again.search(embeddings.embed_query(_units(6)[2].context_text()), 1)] == ["doc#2"]
    copy.unlink()
    _local_store(tmp_path, embeddings).ensure(_units(6), "fp")
    assert copy.is_file()


def test_a_killed_build_sends_the_next_process_to_chroma_to_clean_up(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings(size=16)
    _local_store(tmp_path, embeddings).ensure(_units(5), "fp-old")
    dying = _local_store(tmp_path, embeddings)
    embeddings.fail_after = embeddings.embedded + 1
    with pytest.raises(RuntimeError):
        dying._build(_units(300), "fp-new", None)  # what a killed builder leaves: a note and, here, no collection
    assert not list((tmp_path / "vectors").glob("*.building"))  # a build that fails (not killed) cleans up its note

    (tmp_path / "vectors" / "awt-units-dood.building").touch()  # a builder killed before it could clean up
    opened: list[bool] = []
    later = VectorStore(
        lambda: opened.append(True) or open_client(Settings(data_dir=tmp_path).store_config()),  # type: ignore[func-returns-value]
        embeddings,
        claim=build_claim(
            Settings(data_dir=tmp_path).store_config(), open_client(Settings(data_dir=tmp_path).store_config())
        ),
        copies=VectorCopies(tmp_path / "vectors"),
    )
    assert later.ensure(_units(5), "fp-old") is False
    assert opened == [True]  # the note sent it to Chroma, which found nothing half-built left and dropped the note
    assert not list((tmp_path / "vectors").glob("*.building"))


def test_dropped_collections_lose_their_copies(tmp_path: Path) -> None:
    embeddings = DeterministicFakeEmbedding(size=16)
    for index_id in ("fp-1", "fp-2", "fp-3"):
        _local_store(tmp_path, embeddings).ensure(_units(4), index_id)
    assert sorted(p.name for p in (tmp_path / "vectors").glob("*.npz")) == ["fp-2.npz", "fp-3.npz"]
