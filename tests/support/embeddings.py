"""A stand-in embedding model for tests that build a whole assistant without loading the real one."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from langchain_core.embeddings import Embeddings

DIMENSIONS = 512


class WordEmbeddings(Embeddings):
    """A bag of hashed words: texts that share words are close. Deterministic, no model; unlike a hash of the
    whole text, dense search then agrees with BM25, so which paragraph a question finds does not hang on noise."""

    def embed_query(self, text: str) -> list[float]:
        vector = np.zeros(DIMENSIONS)
        for word in re.findall(r"\w+", text.casefold()):
            vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self.embed_query(t) for t in texts]
