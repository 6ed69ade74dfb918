"""How close the world comes to the documents: a background of everyday questions that are not about them.

e5's cosine scores are compressed (on- and off-topic questions overlap around 0.84), so a best score means little
on its own. Two relative readings help, both built from wordfreq's general Dutch vocabulary (no hand-made list,
so they work for any corpus):

* the **world**: questions about everyday words ("Wat is regen?"), embedded once and cached with the model. A
  question that is closer to one of them than to any passage is more likely about the world than the documents.
  Words the documents use are left out of the world for that corpus.
* the **background distribution**: the best dense score such world questions get from this corpus; a question's own
  best score is read as a z-score against it.

>>> stats = BackgroundStats(mean=0.80, std=0.02)
>>> round(stats.relative(0.85), 2)
2.5
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from index.text import FUNCTION_WORDS, analyze, is_function_word
from knowledge.cache import write_json_atomic, write_npz_atomic
from knowledge.dutch import fold
from knowledge.word_frequency import zipf

log = logging.getLogger(__name__)

WORLD_SIZE = 1500
_RANKS = (800, 40000)  # everyday words: past the function words, before the rare ones


@dataclass(frozen=True)
class BackgroundStats:
    """Mean and spread of the best dense score that off-topic questions get from this corpus."""

    mean: float
    std: float

    def relative(self, score: float) -> float:
        """How many background spreads ``score`` lies above the background mean."""
        return (score - self.mean) / max(self.std, 1e-6)


def world_words(size: int = WORLD_SIZE) -> list[str]:
    """Everyday Dutch words spread evenly over wordfreq's frequency ranks (function and English words left out).

    >>> words = world_words(10)
    >>> len(words), all(w.isalpha() for w in words)
    (10, True)
    """
    from wordfreq import top_n_list  # only when a world is made: importing wordfreq costs ~0.4 s

    low, high = _RANKS
    ranked = top_n_list("nl", high)[low:]
    stride = max(1, len(ranked) // (size * 3))
    chosen: list[str] = []
    for word in ranked[::stride]:
        if (
            word.isalpha()
            and len(word) >= 4
            and zipf(word, "en") < zipf(word, "nl")
            and not is_function_word(fold(word))
        ):
            chosen.append(word)
            if len(chosen) == size:
                break
    return chosen


def world_question(word: str) -> str:
    """The question the world asks about one word: a plain definition question, as users ask them.

    >>> world_question("kernfusie")
    'Wat is kernfusie?'
    """
    return f"Wat is {word}?"


class World:
    """The world questions' vectors, and for one corpus the ones about words the corpus does not use."""

    def __init__(self, words: list[str], vectors: np.ndarray) -> None:
        self.words = words
        self.vectors = vectors

    def without(self, corpus_words: Iterable[str]) -> World:
        """The world less the words a corpus uses (also as another form of the same stem)."""
        known = {fold(w) for w in corpus_words}
        stems = set(analyze(" ".join(known)))
        keep = [i for i, w in enumerate(self.words) if fold(w) not in known and not (set(analyze(w)) & stems)]
        return World([self.words[i] for i in keep], self.vectors[keep])

    def nearest(self, vector: Iterable[float], k: int = 1) -> float:
        """The mean cosine of a (unit) query vector with its ``k`` nearest world questions; 0.0 for an empty world.

        More than one neighbour reads the world's density around the question, not one lucky word.
        """
        if not len(self.vectors):
            return 0.0
        scores = self.vectors @ np.asarray(list(vector), dtype=np.float32)
        k = min(k, len(scores))
        return float(np.mean(np.partition(scores, len(scores) - k)[-k:]))

    def stats(self, best_score: Callable[[list[float]], float], sample: int = 200) -> BackgroundStats:
        """The background distribution: the best corpus score of (a spread sample of) the world questions."""
        if not len(self.vectors):
            return BackgroundStats(mean=0.0, std=1.0)
        step = max(1, len(self.vectors) // sample)
        scores = np.array([best_score(v.tolist()) for v in self.vectors[::step]], dtype=np.float64)
        return BackgroundStats(mean=float(scores.mean()), std=float(scores.std()) or 1e-3)


def embed_queries(embeddings: Embeddings, texts: list[str]) -> list[list[float]]:
    """Many queries at once where the model can batch them (``OnnxEmbeddings.embed_queries``), else one by one."""
    batch = getattr(embeddings, "embed_queries", None)
    return batch(texts) if batch else [embeddings.embed_query(t) for t in texts]


def _world_key(model_id: str, embeddings: Embeddings, size: int) -> str:
    """The cache key: a hash of everything the world depends on.

    That is the model, the embeddings' class (a test double must never leave vectors for the real model) and the
    word selection's inputs (size, ranks, wordfreq's data, the function words).
    """
    parts = [model_id, type(embeddings).__qualname__, str(size), str(_RANKS), metadata.version("wordfreq")]
    parts.append(" ".join(sorted(FUNCTION_WORDS)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def load_world(cache_dir: Path, model_id: str, embeddings: Embeddings, size: int = WORLD_SIZE) -> World:
    """The world for an embedding model, from ``cache_dir`` or made now.

    A stored world (its words and vectors) is read back; otherwise the words are chosen and embedded (about 10 s,
    once) and stored there.
    """
    target = cache_dir / f"world-{_world_key(model_id, embeddings, size)}.npz"
    try:
        with np.load(target) as stored:
            words, vectors = [str(w) for w in stored["words"]], stored["vectors"]
        if vectors.shape[0] == len(words):
            return World(words, vectors)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError):
        log.warning("De achtergrondvectoren in %s zijn beschadigd; ze worden opnieuw gemaakt.", target)
    words = world_words(size)
    questions = [world_question(w) for w in words]
    raw = embed_queries(embeddings, questions)
    vectors = np.asarray(raw, dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    try:
        write_npz_atomic(target, words=np.array(words), vectors=vectors)
    except OSError as error:
        log.warning("Kan de achtergrondvectoren niet bewaren (%s).", error)
    return World(words, vectors)


def cached_stats(cache_file: Path, measure: Callable[[], BackgroundStats]) -> BackgroundStats:
    """Read the stats from ``cache_file`` (named after the index fingerprint) or measure and store them."""
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        return BackgroundStats(mean=float(data["mean"]), std=float(data["std"]))
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("De achtergrondmeting in %s is beschadigd; ze wordt opnieuw gemaakt.", cache_file)
    stats = measure()
    try:
        write_json_atomic(cache_file, asdict(stats))
    except OSError as error:
        log.warning("Kan de achtergrondmeting niet bewaren (%s); ze wordt volgende keer opnieuw gemaakt.", error)
    return stats
