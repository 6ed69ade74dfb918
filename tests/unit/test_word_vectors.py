"""Word vectors: the corpus vocabulary embedded once per index, question words embedded once and remembered."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from index.word_vectors import SharedWordVectors, WordVectors, load_word_vectors, vocabulary

AXES = {"regen": [1.0, 0.0, 0.0], "wolk": [0.8, 0.6, 0.0], "land": [0.0, 1.0, 0.0], "maan": [0.0, 0.0, 1.0]}


class CountingEmbed:
    """Fixed vectors per word; records every batch it is asked for."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, words: list[str]) -> list[list[float]]:
        self.batches.append(list(words))
        return [AXES.get(w, [0.0, 0.0, 2.0]) for w in words]


def test_vocabulary_keeps_the_words_that_carry_meaning() -> None:
    assert vocabulary(["De regen valt op 12 landen.", "Regen!"]) == ["landen", "regen", "valt"]


def test_closeness_against_the_vocabulary_and_against_a_few_passages_words() -> None:
    embed = CountingEmbed()
    vectors = WordVectors(["regen", "land"], np.array([AXES["regen"], AXES["land"]], dtype=np.float32), embed)
    assert np.allclose(vectors.closeness(["wolk", "maan"]), [0.8, 0.0])
    assert np.allclose(vectors.closeness(["wolk"], among=["land", "onbekend"]), [0.6])
    assert np.allclose(vectors.closeness(["wolk"], among=["onbekend"]), [0.0])  # no vocabulary word among them
    assert vectors.closeness([]).shape == (0,)


def test_question_words_are_embedded_once_and_vocabulary_words_never(tmp_path: Path) -> None:
    embed = CountingEmbed()
    vectors = WordVectors(["regen"], np.array([AXES["regen"]], dtype=np.float32), embed)
    vectors.closeness(["wolk", "regen", "wolk"])
    vectors.closeness(["wolk", "maan"])
    assert embed.batches == [["wolk"], ["maan"]]


def test_the_vocabulary_is_embedded_once_per_cache_file_and_a_damaged_file_is_remade(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    embed = CountingEmbed()
    target = tmp_path / "index-words.npz"
    first = load_word_vectors(target, ["regen en wolk"], embed)
    second = load_word_vectors(target, ["regen en wolk"], embed)
    assert embed.batches == [["regen", "wolk"]]
    assert second.vocabulary == first.vocabulary and np.allclose(second.vectors, first.vectors)
    load_word_vectors(target, ["regen, wolk en maan"], embed)  # other documents: embedded again
    assert embed.batches[-1] == ["maan", "regen", "wolk"]
    target.write_bytes(b"kapot")
    with caplog.at_level(logging.WARNING):
        remade = load_word_vectors(target, ["regen"], embed)
    assert remade.vocabulary == ["regen"] and "beschadigd" in caplog.text


def test_a_keyed_cache_is_taken_without_picking_the_words_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.word_vectors as module

    embed = CountingEmbed()
    target = tmp_path / "index-words.npz"
    with np.load(_write_old_format(target)) as old:  # a file from before the key: same words, kept and keyed
        assert "key" not in old.files
    first = load_word_vectors(target, ["regen en wolk"], embed)
    assert embed.batches == [] and first.vocabulary == ["regen", "wolk"]
    picked: list[int] = []
    real = module.vocabulary

    def counted(texts: list[str]) -> list[str]:
        picked.append(1)
        return real(texts)

    monkeypatch.setattr(module, "vocabulary", counted)
    again = load_word_vectors(target, ["regen en wolk"], embed)
    assert picked == [] and again.vocabulary == ["regen", "wolk"] and embed.batches == []
    load_word_vectors(target, ["regen en maan"], embed)  # other texts: the words are picked and embedded again
    assert picked == [1] and embed.batches == [["maan", "regen"]]


def test_a_new_index_embeds_only_the_words_no_earlier_index_had(tmp_path: Path) -> None:
    embed = CountingEmbed()
    shared = SharedWordVectors(tmp_path / "models" / "words.sqlite3")
    first = load_word_vectors(tmp_path / "a-words.npz", ["regen en wolk"], embed, shared)
    second = load_word_vectors(tmp_path / "b-words.npz", ["wolk, regen en maan"], embed, shared)
    assert embed.batches == [["regen", "wolk"], ["maan"]]
    assert second.vocabulary == ["maan", "regen", "wolk"]
    assert np.array_equal(second.vectors[1:], first.vectors)  # stored and read back exactly
    alone = load_word_vectors(tmp_path / "c-words.npz", ["wolk, regen en maan"], CountingEmbed())
    assert np.array_equal(second.vectors, alone.vectors)


def test_a_shared_store_that_cannot_be_used_only_means_the_words_are_embedded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    damaged = tmp_path / "words.sqlite3"
    damaged.write_bytes(b"geen database" * 100)
    embed = CountingEmbed()
    with caplog.at_level(logging.INFO):
        vectors = load_word_vectors(tmp_path / "a-words.npz", ["regen en wolk"], embed, SharedWordVectors(damaged))
    assert embed.batches == [["regen", "wolk"]] and vectors.vocabulary == ["regen", "wolk"]
    assert "onleesbaar" in caplog.text and "niet delen" in caplog.text
    assert damaged.read_bytes() == b"geen database" * 100  # left as it was, not half-overwritten


def test_the_shared_store_is_per_model_and_per_embedder(tmp_path: Path) -> None:
    one = SharedWordVectors.for_model(tmp_path, "model-a", CountingEmbed())
    assert one.path == SharedWordVectors.for_model(tmp_path, "model-a", CountingEmbed()).path
    assert one.path != SharedWordVectors.for_model(tmp_path, "model-b", CountingEmbed()).path
    assert one.path != SharedWordVectors.for_model(tmp_path, "model-a", object()).path


def _write_old_format(target: Path) -> Path:
    vectors = np.array([AXES["regen"], AXES["wolk"]], dtype=np.float32)
    np.savez(target, words=np.array(["regen", "wolk"]), vectors=vectors)
    return target
