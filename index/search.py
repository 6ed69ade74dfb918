"""Hybrid search: dense (Chroma) and BM25 (Dutch) fused by relative score, with explicit references first.

>>> search = HybridSearch(units, store, embeddings)                       # doctest: +SKIP
>>> [h.unit.label for h in search.search("Wat moeten KNAW en NWO doen?", k=1)]   # doctest: +SKIP
['Aanbeveling 3, stap 5']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from index.lexical import LexicalIndex
from index.references import References, StructureIndex
from index.text import content_words, strip_meta
from knowledge.units import Unit, UnitCatalog

DENSE_WEIGHT = 0.5


def fuse(dense: dict[str, float], lexical: dict[str, float], dense_weight: float = DENSE_WEIGHT) -> dict[str, float]:
    """Relative score fusion: each signal min-max scaled over its candidates, then a weighted sum.

    Unlike reciprocal rank fusion it keeps *how much* better a passage is, so two signals that disagree
    (dense prefers A a little, BM25 prefers B a lot) do not end in a tie.

    >>> fused = fuse({"a": 0.86, "b": 0.84, "c": 0.80}, {"b": 2.7, "a": 1.7})
    >>> max(fused, key=fused.get)
    'b'
    """

    def scaled(scores: dict[str, float]) -> dict[str, float]:
        if not scores:
            return {}
        low, high = min(scores.values()), max(scores.values())
        if high <= 0:
            return {k: 0.0 for k in scores}
        if high - low < 1e-9:
            return {k: 1.0 for k in scores}
        floor = low if len(scores) > 2 else 0.0
        return {k: (v - floor) / (high - floor) for k, v in scores.items()}

    dense_scaled, lexical_scaled = scaled(dense), scaled(lexical)
    return {
        uid: dense_weight * dense_scaled.get(uid, 0.0) + (1 - dense_weight) * lexical_scaled.get(uid, 0.0)
        for uid in dense_scaled.keys() | lexical_scaled.keys()
    }


class DenseSearch(Protocol):
    """What hybrid search needs from a vector store (see :class:`index.store.VectorStore`)."""

    def search(
        self, query_vector: list[float], k: int, documents: frozenset[str] | None = None
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest unit ids to an embedded query, with their cosine similarity, best first.

        With ``documents``, only units of those documents (by name) are searched.
        """
        ...


@dataclass(frozen=True)
class Hit:
    """A unit with the evidence for it: fused score, dense cosine, BM25 score, and whether the question named it."""

    unit: Unit
    score: float
    dense: float
    lexical: float
    structural: bool = False


@dataclass(frozen=True)
class SearchResult:
    """What one search found: the ranked hits, the references the question made and the dense evidence.

    ``best_dense`` is the best cosine any unit got; ``query_vector`` is the embedded query (empty for an empty
    corpus), so that later steps need not embed the question again.
    """

    hits: list[Hit]
    references: References
    best_dense: float
    query_vector: list[float] = field(default_factory=list)


class HybridSearch:
    """Ranks units for a query; built once per process over the loaded units."""

    def __init__(
        self,
        units: Sequence[Unit],
        dense: DenseSearch,
        embeddings: Embeddings,
        dense_weight: float = DENSE_WEIGHT,
        *,
        lexical: LexicalIndex | None = None,
    ) -> None:
        self.units = list(units)
        self.dense_weight = dense_weight
        self.catalog = UnitCatalog(self.units)
        self._position = {u.id: i for i, u in enumerate(self.units)}
        self._documents = np.array([u.document for u in self.units], dtype=object)  # per unit, in order
        self._dense = dense
        self._embeddings = embeddings
        self.lexical = lexical if lexical is not None else LexicalIndex([u.context_text() for u in self.units])
        self.structure = StructureIndex(self.units)

    @property
    def store(self) -> DenseSearch:
        """The vector store the dense half searches."""
        return self._dense

    @property
    def embeddings(self) -> Embeddings:
        """The model that embeds queries for the dense half."""
        return self._embeddings

    def _in_documents(self, documents: frozenset[str]) -> np.ndarray:
        """A mask over the units, in order: True where the unit belongs to one of ``documents``."""
        return np.isin(self._documents, list(documents))

    def best_dense(self, query_vector: list[float]) -> float:
        """The best dense score any unit gets for an embedded query (0.0 for an empty corpus)."""
        hits = self._dense.search(query_vector, k=1) if self.units else []
        return max((sim for _uid, sim in hits), default=0.0)

    def search(
        self,
        query: str,
        k: int = 5,
        references: References | None = None,
        documents: frozenset[str] | None = None,
        focus: frozenset[str] | None = None,
    ) -> SearchResult:
        """The ``k`` best units for ``query``; units it names explicitly come first, all of them.

        Args:
            query: The question as asked.
            k: How many hits at least (more when the question names more units).
            references: The question's references when the caller parsed them already; else they are parsed here.
            documents: Search only the units of these documents (by name); None or empty: all documents.
            focus: The documents the question points to (the user did not choose them): its references are
                resolved in these only, and their units rank before the others'. None or empty: no preference.
        """
        documents = documents or None
        refs = references if references is not None else self.structure.parse(query)
        named = self.structure.resolve(refs) if refs else []
        if documents is not None:
            named = [u for u in named if u.document in documents]
        if focus:
            named = [u for u in named if u.document in focus]
        depth = min(len(self.units), max(50, k * 5))
        focused = strip_meta(query)
        vector = self._embeddings.embed_query(query) if self.units else []
        dense_hits = self._dense.search(vector, k=depth, documents=documents) if self.units else []
        dense_score = {uid: sim for uid, sim in dense_hits if uid in self.catalog}
        lexical = self.lexical.scores(focused)
        if documents is not None:
            lexical = np.where(self._in_documents(documents), lexical, 0.0)
        matched = np.flatnonzero(lexical > 0)
        lexical_rank = matched[np.argsort(-lexical[matched], kind="stable")][:depth].tolist()

        # BM25 only sees the words the corpus shares with the question: trust it as far as it can see.
        seen = self.lexical.coverage(content_words(focused), loose=True)
        lexical_weight = (1 - self.dense_weight) * (1.0 if seen is None else seen)
        weight = 1 - lexical_weight
        fused = fuse(dense_score, {self.units[i].id: float(lexical[i]) for i in lexical_rank}, weight)

        def hit(uid: str, structural: bool = False) -> Hit:
            return Hit(
                unit=self.catalog[uid],
                score=fused.get(uid, 0.0),
                dense=dense_score.get(uid, 0.0),
                lexical=float(lexical[self._position[uid]]),
                structural=structural,
            )

        named_ids = [u.id for u in named]
        is_named = set(named_ids)
        ranked = named_ids + [uid for uid, _ in sorted(fused.items(), key=lambda x: -x[1]) if uid not in is_named]
        if focus:  # a stable partition: the focused documents' units first, each part still in fused order
            ranked.sort(key=lambda uid: self.catalog[uid].document not in focus)
        hits = [hit(uid, uid in is_named) for uid in ranked[: max(k, len(named_ids))]]
        return SearchResult(hits, refs, max(dense_score.values(), default=0.0), vector)
