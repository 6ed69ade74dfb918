"""Single words as the embedding model sees them: how close a question's word comes to the documents' words.

Exact and stemmed matching misses a paraphrase ("buurlanden" for "andere landen"), and a question about the world
("koning", "stoverij") uses words no passage has anything near. Each word of the documents is embedded once per
index (cached next to the background stats); a question's words are embedded when asked (memoised), and each is
read as its best cosine with the documents' words, or with the words of a few passages.

>>> vectors = WordVectors(["regen", "zon"], np.eye(2, dtype=np.float32), lambda ws: [[0.6, 0.8] for _ in ws])
>>> [round(float(c), 2) for c in vectors.closeness(["wolk"])]
[0.8]
>>> [round(float(c), 2) for c in vectors.closeness(["wolk"], among=["regen"])]
[0.6]
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np

from index.text import FUNCTION_WORDS, is_function_word, words
from knowledge.cache import write_npz_atomic

log = logging.getLogger(__name__)

EmbedWords = Callable[[list[str]], list[list[float]]]
MEMO_SIZE = 20_000
VOCABULARY_RULES = 1  # raise when vocabulary() or is_function_word() decide differently: cached vocabularies are remade


def vocabulary(texts: Iterable[str]) -> list[str]:
    """The documents' distinct words that carry meaning (letters only, three or more, no function words), sorted.

    >>> vocabulary(["De raad adviseert de ministeries.", "De raad en de ministeries."])
    ['adviseert', 'ministeries', 'raad']
    """
    return sorted({w for text in texts for w in words(text) if len(w) >= 3 and w.isalpha() and not is_function_word(w)})


def _unit_rows(raw: Sequence[Sequence[float]]) -> np.ndarray:
    vectors = np.asarray(raw, dtype=np.float32).reshape(len(raw), -1)
    unit: np.ndarray = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12)
    return unit


class WordVectors:
    """The documents' vocabulary with its vectors, and the embedding function for words it has not seen."""

    def __init__(self, vocabulary: Sequence[str], vectors: np.ndarray, embed: EmbedWords) -> None:
        self.vocabulary = list(vocabulary)
        self.vectors = vectors
        self._row = {word: i for i, word in enumerate(self.vocabulary)}
        self._embed = embed
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors_of(self, terms: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``terms``: the vocabulary's own, else embedded now (one batch) and remembered."""
        with self._lock:
            missing = [t for t in dict.fromkeys(terms) if t not in self._row and t not in self._memo]
        fresh = _unit_rows(self._embed(missing)) if missing else np.zeros((0, self.vectors.shape[1]), np.float32)
        with self._lock:
            for term, vector in zip(missing, fresh, strict=True):
                self._memo[term] = vector
                if len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
            rows = [self.vectors[self._row[t]] if t in self._row else self._memo[t] for t in terms]
        return np.array(rows, dtype=np.float32).reshape(len(terms), self.vectors.shape[1])

    def closeness(self, terms: Sequence[str], among: Iterable[str] | None = None) -> np.ndarray:
        """Per term, its best cosine with the vocabulary, or with the vocabulary words in ``among``; 0 if none."""
        if not terms:
            return np.zeros(0, dtype=np.float32)
        if among is None:
            candidates = self.vectors  # the whole vocabulary: no copy of it per question
        else:
            rows = sorted({self._row[w] for w in among if w in self._row})
            candidates = self.vectors[rows]
        if not len(candidates):
            return np.zeros(len(terms), dtype=np.float32)
        best: np.ndarray = (self.vectors_of(terms) @ candidates.T).max(axis=1)
        return best


class SharedWordVectors:
    """Word vectors kept per embedding model across indexes, so that a new index embeds only words no index had.

    A word's vector depends on the model alone, not on the documents, yet embedding an index's vocabulary was about
    a third of indexing one advice. The vectors live in one SQLite file per model in the model cache; several
    processes may read and add at once (a killed writer's transaction is rolled back by the next one), and a cache
    that cannot be read or written (a read-only model folder, a full disk) only means the words are embedded.

    >>> import tempfile
    >>> shared = SharedWordVectors(Path(tempfile.mkdtemp()) / "words.sqlite3")
    >>> shared.add(["regen"], np.array([[0.6, 0.8]], dtype=np.float32))
    >>> shared.get(["regen", "zon"])["regen"].tolist()
    [0.6000000238418579, 0.800000011920929]
    """

    FORMAT = "1"  # raise when what a stored vector means changes (how words are put to the model)

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_model(cls, folder: Path, model_id: str, embedder: object) -> SharedWordVectors:
        """The store for one model in ``folder``; the embedder's class is in the name (a test double has its own)."""
        key = hashlib.sha256(f"{cls.FORMAT}|{model_id}|{type(embedder).__qualname__}".encode()).hexdigest()[:24]
        return cls(folder / f"words-{key}.sqlite3")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("CREATE TABLE IF NOT EXISTS vectors (word TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        return connection

    def get(self, words: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored unit vectors of those ``words`` that have one."""
        if not self.path.exists():
            return {}
        found: dict[str, np.ndarray] = {}
        try:
            with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                for start in range(0, len(words), 500):
                    batch = list(words[start : start + 500])
                    marks = ",".join("?" * len(batch))
                    for word, blob in connection.execute(
                        f"SELECT word, vector FROM vectors WHERE word IN ({marks})", batch
                    ):
                        found[word] = np.frombuffer(blob, dtype=np.float32)
        except sqlite3.Error as error:
            log.warning(
                "De gedeelde woordvectoren in %s zijn onleesbaar (%s); de woorden worden ingebed.", self.path, error
            )
            return {}
        return found

    def add(self, words: Sequence[str], vectors: np.ndarray) -> None:
        """Keep the unit ``vectors`` of ``words`` (rows in the same order) for later indexes; a failure is logged."""
        rows = [(w, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for w, v in zip(words, vectors, strict=True)]
        try:
            with closing(self._connect()) as connection, connection:
                connection.executemany("INSERT OR IGNORE INTO vectors (word, vector) VALUES (?, ?)", rows)
        except (sqlite3.Error, OSError) as error:
            log.info(  # a read-only model folder is a supported set-up, not a fault
                "Kan de woordvectoren niet delen in %s (%s); een volgende index bedt ze opnieuw in.", self.path, error
            )


def load_word_vectors(
    cache_file: Path, texts: Iterable[str], embed: EmbedWords, shared: SharedWordVectors | None = None
) -> WordVectors:
    """The vocabulary of ``texts`` with its vectors, from ``cache_file`` or made now.

    The cache file is named after the index; when it is missing, stale or damaged the vocabulary is made again:
    words ``shared`` has are taken from it, the others embedded (about a second for one advice) and added to it.
    The file also holds a key of the texts and the word rules, so a start whose texts match takes the stored
    vocabulary as it is, without picking the words again.
    """
    texts = list(texts)
    key = vocabulary_key(texts)
    cached: list[str] | None = None
    try:
        with np.load(cache_file) as stored:
            cached, vectors = [str(w) for w in stored["words"]], stored["vectors"]
            stored_key = str(stored["key"]) if "key" in stored.files else None
        if stored_key == key and vectors.shape[0] == len(cached):
            return WordVectors(cached, vectors, embed)
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError):
        log.warning("De woordvectoren in %s zijn beschadigd; ze worden opnieuw gemaakt.", cache_file)
        cached = None
    words_wanted = vocabulary(texts)
    if cached == words_wanted and vectors.shape[0] == len(cached):
        _save(cache_file, words_wanted, vectors, key)  # a file from before the key: keyed now, not embedded again
        return WordVectors(cached, vectors, embed)
    vectors = _vectors_of(words_wanted, embed, shared) if words_wanted else np.zeros((0, 1), np.float32)
    _save(cache_file, words_wanted, vectors, key)
    return WordVectors(words_wanted, vectors, embed)


def _vectors_of(words_wanted: list[str], embed: EmbedWords, shared: SharedWordVectors | None) -> np.ndarray:
    """Unit vectors of ``words_wanted`` in order: from ``shared`` where it has them, the rest embedded and shared."""
    known = shared.get(words_wanted) if shared is not None else {}
    new = [w for w in words_wanted if w not in known]
    fresh = _unit_rows(embed(new)) if new else np.zeros((0, 0), np.float32)
    if shared is not None and new:
        shared.add(new, fresh)
    made = dict(zip(new, fresh, strict=True))
    return np.array([known[w] if w in known else made[w] for w in words_wanted], dtype=np.float32)


def vocabulary_key(texts: Sequence[str]) -> str:
    """Changes with the texts, the function words (their libraries' lists) and :data:`VOCABULARY_RULES`."""
    digest = hashlib.sha256(f"{VOCABULARY_RULES}|".encode())
    digest.update("\x1f".join(sorted(FUNCTION_WORDS)).encode())
    for text in texts:
        digest.update(b"\x1e" + text.encode())
    return digest.hexdigest()


def _save(cache_file: Path, words_wanted: list[str], vectors: np.ndarray, key: str) -> None:
    try:
        write_npz_atomic(cache_file, words=np.array(words_wanted), vectors=vectors, key=np.array(key))
    except OSError as error:
        log.warning("Kan de woordvectoren niet bewaren (%s); ze worden volgende keer opnieuw gemaakt.", error)
