"""The plain values the index layer is built from (``assistant.settings.Settings`` makes them, in one place).

>>> config = StoreConfig(data_dir=Path("/tmp/awt"))
>>> config.chroma_dir
PosixPath('/tmp/awt/chroma')
>>> EmbeddingConfig(models_dir=Path("/tmp/m"), query_prefix="query: ").identity
'multilingual-e5-small|query: |'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"


@dataclass(frozen=True)
class EmbeddingConfig:
    """Which embedding model runs how, and where its files are kept."""

    models_dir: Path
    model: str = DEFAULT_EMBEDDING_MODEL
    backend: Literal["onnx", "torch"] = "onnx"
    query_prefix: str = ""
    passage_prefix: str = ""

    @property
    def identity(self) -> str:
        """What decides the vectors: a change here must rebuild the index.

        The backend is not part of it: the ONNX export is checked to give the torch vectors (cosine ≥ 0.9999).
        """
        return f"{self.model}|{self.query_prefix}|{self.passage_prefix}"


@dataclass(frozen=True)
class StoreConfig:
    """Where the vector store lives: a folder, or a shared Chroma server."""

    data_dir: Path
    chroma_url: str | None = None
    heartbeat_timeout: float = 30.0  # a builder on another host that has not renewed its claim for this long died

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"
