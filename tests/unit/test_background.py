"""The world background: everyday questions, cached per embedding model, without the corpus's own words."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index.background import BackgroundStats, World, cached_stats, load_world, world_words


class CountingEmbeddings:
    """Deterministic unit vectors; counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        rng = np.random.default_rng(abs(hash(text)) % 2**32)
        vector = rng.normal(size=8)
        return (vector / np.linalg.norm(vector)).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]


def test_world_words_are_everyday_dutch() -> None:
    words = world_words(50)
    assert len(words) == 50 and len(set(words)) == 50
    assert not {"de", "het", "wat", "the"} & set(words)


def test_the_world_is_embedded_once_and_then_read_from_the_cache(tmp_path: Path) -> None:
    embeddings = CountingEmbeddings()
    first = load_world(tmp_path, "model-a", embeddings, size=20)  # type: ignore[arg-type]
    asked = embeddings.calls
    second = load_world(tmp_path, "model-a", embeddings, size=20)  # type: ignore[arg-type]
    assert asked == 20 and embeddings.calls == asked
    assert np.allclose(first.vectors, second.vectors)
    load_world(tmp_path, "model-b", embeddings, size=20)  # type: ignore[arg-type]
    assert embeddings.calls == 2 * asked  # another model: its own vectors


def test_words_the_corpus_uses_leave_the_world() -> None:
    world = World(["regen", "landen", "maan"], np.eye(3, dtype=np.float32))
    rest = world.without(["land", "innovatie"])
    assert rest.words == ["regen", "maan"]
    assert rest.nearest([1.0, 0.0, 0.0]) == 1.0 and rest.nearest([0.0, 1.0, 0.0]) == 0.0


def test_stats_are_cached_and_a_damaged_cache_is_remade(tmp_path: Path) -> None:
    target = tmp_path / "stats.json"
    measured = cached_stats(target, lambda: BackgroundStats(0.8, 0.02))
    assert cached_stats(target, lambda: BackgroundStats(0.0, 1.0)) == measured
    target.write_text("{kapot", encoding="utf-8")
    assert cached_stats(target, lambda: BackgroundStats(0.5, 0.1)) == BackgroundStats(0.5, 0.1)


def test_nearest_reads_the_mean_of_the_k_closest_world_questions() -> None:
    world = World(["a", "b", "c"], np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32))
    assert world.nearest([1.0, 0.0]) == 1.0
    assert abs(world.nearest([1.0, 0.0], k=2) - 0.8) < 1e-6
    assert abs(world.nearest([1.0, 0.0], k=10) - 1.6 / 3) < 1e-6  # k beyond the world: all of it
