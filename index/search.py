"""Hybrid search: dense (Chroma) and BM25 (Dutch) fused by reciprocal rank, with explicit references first.

>>> search = HybridSearch(units, store, embeddings)                       # doctest: +SKIP
>>> [h.unit.label for h in search.search("Wat moeten KNAW en NWO doen?", k=1)]   # doctest: +SKIP
['Aanbeveling 3, stap 5']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from langchain_core.embeddings import Embeddings

from index.lexical import LexicalIndex
from index.references import References, StructureIndex
from index.text import strip_meta
from knowledge.units import Unit

RRF_K = 60


class DenseSearch(Protocol):
    """What hybrid search needs from a vector store (see :class:`index.store.VectorStore`)."""

    def search(self, query_vector: list[float], k: int) -> list[tuple[str, float]]: ...


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
    hits: list[Hit]
    references: References
    best_dense: float


class HybridSearch:
    """Ranks units for a query; built once per process over the loaded units."""

    def __init__(self, units: Sequence[Unit], dense: DenseSearch, embeddings: Embeddings) -> None:
        self.units = list(units)
        self._by_id = {u.id: u for u in self.units}
        self._position = {u.id: i for i, u in enumerate(self.units)}
        self._dense = dense
        self._embeddings = embeddings
        self.lexical = LexicalIndex([u.context_text() for u in self.units])
        self.structure = StructureIndex(self.units)

    def unit(self, unit_id: str) -> Unit:
        return self._by_id[unit_id]

    def search(self, query: str, k: int = 5, references: References | None = None) -> SearchResult:
        refs = references if references is not None else self.structure.parse(query)
        named = self.structure.resolve(refs) if refs else []
        depth = min(len(self.units), max(50, k * 5))
        focused = strip_meta(query)
        dense_hits = self._dense.search(self._embeddings.embed_query(query), k=depth) if self.units else []
        dense_score = {uid: sim for uid, sim in dense_hits if uid in self._by_id}
        lexical = self.lexical.scores(focused)
        lexical_rank = [i for i in np.argsort(-lexical, kind="stable") if lexical[i] > 0][:depth]

        fused: dict[str, float] = {}
        for rank, (uid, _) in enumerate(sorted(dense_score.items(), key=lambda x: -x[1])):
            fused[uid] = fused.get(uid, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, i in enumerate(lexical_rank):
            uid = self.units[i].id
            fused[uid] = fused.get(uid, 0.0) + 1.0 / (RRF_K + rank + 1)

        def hit(uid: str, structural: bool = False) -> Hit:
            return Hit(
                unit=self._by_id[uid],
                score=fused.get(uid, 0.0),
                dense=dense_score.get(uid, 0.0),
                lexical=float(lexical[self._position[uid]]),
                structural=structural,
            )

        named_ids = [u.id for u in named]
        ranked = named_ids + [uid for uid, _ in sorted(fused.items(), key=lambda x: -x[1]) if uid not in named_ids]
        hits = [hit(uid, uid in named_ids) for uid in ranked[: max(k, len(named_ids))]]
        return SearchResult(hits, refs, max(dense_score.values(), default=0.0))
