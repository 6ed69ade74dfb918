"""BM25 over the units' context text, with the Dutch analyzer.

>>> idx = LexicalIndex(["Werk samen met andere landen", "Zorg voor kennisbeleid"])
>>> int(idx.scores("samenwerken met landen").argmax())
0
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import shutil
from collections import Counter
from importlib import metadata
from pathlib import Path

import bm25s
import numpy as np

from index.model_folder import ensure_folder
from index.text import analyze, analyze_words, words
from knowledge.word_frequency import zipf

COMMON_WORD_ZIPF = 3.0  # wordfreq: about once per million words and more often
MATCH_CACHE_SIZE = 50_000
# The code that decides the terms: any change to it must not reuse a cached index.
_ANALYZER_SOURCES = ("index/lexical.py", "index/text.py", "knowledge/dutch.py")
log = logging.getLogger(__name__)

# bm25s sets its logger to DEBUG when imported, which would print a line for every index build.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """A BM25 index (bm25s) over a fixed list of texts; scores come back in the same order."""

    def __init__(self, texts: list[str]) -> None:
        tokens = [words(t) for t in texts]
        # each text's words once, in text order: a set's order changes with the hash seed, and the loose match
        # takes the first fitting corpus word in this order, so answers changed from run to run
        self._setup(len(texts), Counter(w for doc in tokens for w in dict.fromkeys(doc)))
        corpus = [(analyze_words(doc) + self._compound_parts(doc)) or ["_"] for doc in tokens]
        self._vocabulary = {term for doc in corpus for term in doc}
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)

    def _setup(self, size: int, surface_frequency: Counter[str]) -> None:
        self._size = size
        self._surface_frequency = surface_frequency
        years = [int(w) for w in surface_frequency if w.isdigit() and len(w) == 4 and w[:2] in {"19", "20"}]
        self._latest_year = max(years, default=None)
        self._by_prefix: dict[str, list[str]] = {}
        for word in surface_frequency:
            self._by_prefix.setdefault(word[:3], []).append(word)
        self._matches: dict[str, tuple[str | None, str | None]] = {}

    @classmethod
    def cached(cls, texts: list[str], cache_dir: Path) -> LexicalIndex:
        """The index of ``texts``, loaded from ``cache_dir`` when built before (by any process), else built and saved.

        Building analyses every word of the corpus (~3 s per 1,000 pages on two cores); loading takes a fraction
        of that. The cache key covers the texts and the analyzer's code, so a change to either builds anew.
        """
        target = cache_dir / _cache_key(texts)[:24]
        try:
            index = cls._load_or_build(texts, target)
        except (OSError, ValueError, KeyError, RuntimeError) as exc:  # a damaged cache costs time, not answers
            log.warning("De woordenindex in %s is onbruikbaar (%s); hij wordt opnieuw opgebouwd.", target, exc)
            shutil.rmtree(target, ignore_errors=True)
            try:
                index = cls._load_or_build(texts, target)
            except (OSError, ValueError, KeyError, RuntimeError):
                return cls(texts)
        for old in cache_dir.iterdir():
            if old.is_dir() and not old.name.startswith(".") and old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)
                old.with_name(f".{old.name}.lock").unlink(missing_ok=True)
        return index

    @classmethod
    def _load_or_build(cls, texts: list[str], target: Path) -> LexicalIndex:
        built: list[LexicalIndex] = []

        def build(folder: Path) -> None:
            built.append(cls(texts))
            built[0].save(folder)

        folder = ensure_folder(target, {"texts": len(texts)}, build, progress_message="")
        return built[0] if built else cls.load(folder)

    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (which must exist), to be read back with :meth:`load`."""
        self._bm25.save(str(folder / "bm25"), show_progress=False)
        meta = {"size": self._size, "vocabulary": sorted(self._vocabulary), "surface": self._surface_frequency}
        (folder / "lexical.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """The index :meth:`save` wrote into ``folder``."""
        meta = json.loads((folder / "lexical.json").read_text(encoding="utf-8"))
        index = cls.__new__(cls)
        index._setup(int(meta["size"]), Counter(meta["surface"]))
        index._vocabulary = set(meta["vocabulary"])
        index._bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
        return index

    def _compound_parts(self, tokens: list[str]) -> list[str]:
        """Stems of the known words inside compounds: "bedrijvenbeleid" also counts as "bedrijven" + "beleid"."""
        parts: list[str] = []
        for word in tokens:
            if len(word) < 9:
                continue
            for i in range(4, len(word) - 3):
                head, tail = word[:i], word[i:]
                if tail in self._surface_frequency and (
                    head in self._surface_frequency or head.rstrip("s") in self._surface_frequency
                ):
                    parts.extend(analyze(f"{head.rstrip('s')} {tail}"))
                    break
        return parts

    def expand(self, query: str) -> list[str]:
        """The query's terms, with words the corpus lacks replaced by the corpus word they stand for."""
        terms = analyze(query)
        for word in words(query):
            if len(word) >= 5 and word not in self._surface_frequency and not (set(analyze(word)) & self._vocabulary):
                known = self.related(word)
                if known:
                    terms.extend(analyze(known))
        return terms

    def scores(self, query: str) -> np.ndarray:
        """The BM25 score of every text for ``query`` (after :meth:`expand`), in the texts' order; 0 for none."""
        terms = [t for t in self.expand(query) if t in self._vocabulary]
        if not terms or not self._size:
            return np.zeros(self._size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def match(self, word: str) -> str | None:
        """The corpus word that ``word`` stands for: itself, its stem, a one-typo variant, or a compound part.

        ``"markt"`` → ``"marktfalen"``, ``"overheidsbemoeienis"`` → ``"overheid"``, ``"werkplaatsinovatie"`` →
        ``"werkplaatsinnovatie"``. A common Dutch word (wordfreq) is taken as itself: ``"koning"`` is no typo of
        ``"koninkrijk"`` and ``"afstand"`` no compound of ``"stand"``; only the head of a corpus compound
        (``"markt"`` / ``"marktfalen"``) or a missed ending (``"europa"`` / ``"europese"``) counts. This is the
        evidence the answer/refuse decision counts.
        """
        return self._lookup(word)[0]

    def related(self, word: str) -> str | None:
        """Like :meth:`match`, but a common word may also match loosely: more recall for ranking."""
        return self._lookup(word)[1]

    def _lookup(self, word: str) -> tuple[str | None, str | None]:
        if word in self._surface_frequency:
            return word, word
        if word not in self._matches:
            if len(self._matches) >= MATCH_CACHE_SIZE:  # questions bring endless new words; keep memory bounded
                self._matches.clear()
            self._matches[word] = self._match_unknown(word)
        return self._matches[word]

    def _match_unknown(self, word: str) -> tuple[str | None, str | None]:
        stems = analyze(word)
        if stems and stems[0] in self._vocabulary:
            return stems[0], stems[0]
        if len(word) < 5:
            return None, None
        loose = self._loose_match(word)
        if zipf(word, "nl") >= COMMON_WORD_ZIPF:
            strict = next(
                (k for k in self._by_prefix.get(word[:3], []) if k.startswith(word) or _same_but_ending(word, k)), None
            )
            return strict, loose
        return loose, loose

    def _loose_match(self, word: str) -> str | None:
        close = difflib.get_close_matches(word, self._by_prefix.get(word[:3], []), n=1, cutoff=0.8)
        if close:
            return close[0]
        for known in self._surface_frequency:
            if len(known) < 5:
                continue
            if word.startswith(known) or word.endswith(known) or known.startswith(word) or known.endswith(word):
                return known  # a compound: "overheidsbemoeienis", "marktfalen"
            shared = len(os.path.commonprefix([word, known]))
            if shared >= 5 and shared >= 0.8 * min(len(word), len(known)):
                return known  # an inflection the stemmer misses: "europa" / "europese"
        return None

    def latest_year(self) -> int | None:
        """The latest year (1900-2099) the corpus mentions, if any."""
        return self._latest_year

    def surface_words(self) -> list[str]:
        """Every folded word form of the corpus."""
        return list(self._surface_frequency)

    def coverage(self, words_: list[str], *, loose: bool = False) -> float | None:
        """Share of the question's content words the corpus knows; ``None`` when there are none.

        Typos, inflections and compounds count as known; with ``loose``, words count as :meth:`related` matches them.
        """
        if not words_:
            return None
        lookup = self.related if loose else self.match
        return sum(lookup(w) is not None for w in words_) / len(words_)


def _same_but_ending(word: str, known: str) -> bool:
    """Two forms of one word: they differ only in their last few letters ("europa" / "europese")."""
    shared = len(os.path.commonprefix([word, known]))
    return shared >= 5 and shared >= len(word) - 1 and shared >= len(known) - 3


def _cache_key(texts: list[str]) -> str:
    digest = hashlib.sha256(f"bm25s {metadata.version('bm25s')} PyStemmer {metadata.version('PyStemmer')}".encode())
    root = Path(__file__).resolve().parents[1]
    for source in _ANALYZER_SOURCES:
        digest.update((root / source).read_bytes())
    for text in texts:
        digest.update(f"{len(text)}:".encode())
        digest.update(text.encode())
    return digest.hexdigest()
