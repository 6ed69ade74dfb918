"""multilingual-e5's XLM-R tokenizer run by SentencePiece: the ids of ``tokenizer.json`` at a fifth of the memory.

``tokenizers`` holds a Unigram vocabulary's lookup trie as a tree of hash maps: for the 250k pieces of the model's
``tokenizer.json`` that is ~280 MB resident, more than the 4-bit model itself. SentencePiece, the library the
vocabulary was trained with, holds the same pieces and scores in a double-array trie (~50 MB) and loads it without
holding the GIL, so the load overlaps the rest of start-up. The conversion is written once, next to
``tokenizer.json``; it is checked against ``tokenizers`` before it is used, and any tokenizer that is not this
kind (or a failed check, or no ``sentencepiece``) keeps ``tokenizers``.

``tokenizer.json`` describes a pipeline that SentencePiece runs in two steps, kept exactly:

* the special tokens (``<s>``, ``<mask>``, …) are cut out of the raw text first and get their own ids;
* each piece of text between them is normalised with the precompiled NFKC map by the rule of ``tokenizers``
  (:class:`PrecompiledMap`: per grapheme cluster, which differs from SentencePiece's own longest match where a
  cluster has several characters), runs of spaces become one space, a space is put in front unless the text
  starts with one (``Metaspace``, ``prepend_scheme="always"``), and the Unigram model segments it (consecutive
  unknown characters fuse into one ``<unk>``, as in ``tokenizers``);
* ``<s> … </s>`` around the result, truncated to ``max_length`` ids, padded to the longest text of a batch.

>>> Encoding([0, 5, 2, 1], [1, 1, 1, 0], [0, 0, 0, 0]).ids
[0, 5, 2, 1]
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import struct
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    import sentencepiece
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

MODEL_NAME: Final = "tokenizer.spm.model"
NORMALIZER_NAME: Final = "tokenizer.spm.normalizer"
META_NAME: Final = "tokenizer.spm.json"  # written last: the conversion counts only when it is there and current
FORMAT: Final = 1
_SPACES = re.compile(" {2,}")
_SPACE = " "
_METASPACE = "\u2581"
# Strings the conversion must tokenize exactly as tokenizers does before it is used (the tests compare far more).
CHECK_TEXTS: Final = (
    "query: Wat is sociale innovatie?",
    "passage: De AWT beschouwt sociale innovatie als een verzamelnaam (advies 84, 2014).",
    "  twee  spaties\u00a0\u00a0en een harde spatie, tab\tnewline\n einde  ",
    "Café, naïef, coördinatie, e\u0301e\u0301n, Ærø, straße, ﬁnanciën, ①②, ＡＢＣ, ½, ™",
    "emoji 🙂👍🏽 👨‍👩‍👧 en ✓ ✗; cijfers 1.234,56 € 2014-2020 3e",
    "日本語のテキスト, русский текст, ελληνικά, עברית, العربية, हिन्दी",
    "<s>speciaal</s> <mask> <unk><pad> en ▁al een metaspatie",
    "",
    " ",
)


class TokenEncoding(Protocol):
    """What the embedding runtime reads from one encoded text (``tokenizers.Encoding`` has it too)."""

    @property
    def ids(self) -> list[int]:
        """Token ids, padded."""

    @property
    def attention_mask(self) -> list[int]:
        """1 for a token, 0 for padding."""

    @property
    def type_ids(self) -> list[int]:
        """Segment ids (all 0 for one text)."""


class BatchTokenizer(Protocol):
    """A tokenizer that encodes a batch with special tokens, truncated and padded to the batch's longest text."""

    def encode_batch(self, input: Sequence[Any], /) -> Sequence[TokenEncoding]:  # noqa: A002 - tokenizers' name
        """One encoding per text, all of the same length."""


@dataclass(frozen=True)
class Encoding:
    """One encoded text, padded: the fields of ``tokenizers.Encoding`` that a model is fed."""

    ids: list[int]
    attention_mask: list[int]
    type_ids: list[int]


@dataclass(frozen=True)
class _Layout:
    """What ``tokenizer.json`` adds around the Unigram model: special tokens and the template ``<s> A </s>``."""

    bos: int
    eos: int
    added: dict[str, int]  # special tokens cut out of raw text, by their text


class SentencePieceTokenizer:
    """The converted tokenizer: the same ids as ``tokenizers`` for the ``tokenizer.json`` it was made from."""

    def __init__(
        self,
        processor: sentencepiece.SentencePieceProcessor,
        normalizer: PrecompiledMap,
        layout: _Layout,
        *,
        max_length: int,
        pad_id: int,
    ) -> None:
        self._processor = processor
        self._normalizer = normalizer
        self._layout = layout
        self._max_length = max_length
        self._pad_id = pad_id
        ordered = sorted(layout.added, key=len, reverse=True)  # the longest special token wins, as in tokenizers
        self._added = re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None

    @classmethod
    def load(cls, folder: Path, *, max_length: int, pad_id: int) -> SentencePieceTokenizer:
        """Load the conversion written by :func:`convert` into ``folder``."""
        meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
        layout = _Layout(int(meta["bos"]), int(meta["eos"]), {str(k): int(v) for k, v in meta["added"].items()})
        return cls.from_parts(
            (folder / MODEL_NAME).read_bytes(),
            (folder / NORMALIZER_NAME).read_bytes(),
            layout,
            max_length=max_length,
            pad_id=pad_id,
        )

    @classmethod
    def from_parts(
        cls, model: bytes, normalizer: bytes, layout: _Layout, *, max_length: int, pad_id: int
    ) -> SentencePieceTokenizer:
        """The tokenizer from a serialised SentencePiece model, the precompiled normalisation map and the layout."""
        import sentencepiece

        processor = sentencepiece.SentencePieceProcessor(model_proto=model)
        return cls(
            processor,
            PrecompiledMap(normalizer),
            layout,
            max_length=max_length,
            pad_id=pad_id,
        )

    def encode_ids(self, text: str) -> list[int]:
        """``<s>``, the text's ids and ``</s>``, truncated to ``max_length`` ids (the text's end is cut)."""
        ids: list[int] = []
        start = 0
        for special in self._added.finditer(text) if self._added else ():
            ids.extend(self._plain_ids(text[start : special.start()]))
            ids.append(self._layout.added[special.group(0)])
            start = special.end()
        ids.extend(self._plain_ids(text[start:]))
        return [self._layout.bos, *ids[: self._max_length - 2], self._layout.eos]

    def _plain_ids(self, chunk: str) -> list[int]:
        prepared = self._prepared(chunk) if chunk else ""
        return list(self._processor.encode(prepared)) if prepared else []

    def _prepared(self, chunk: str) -> str:
        normalized = _SPACES.sub(_SPACE, self._normalizer.normalize(chunk))
        if not normalized or normalized.startswith((_SPACE, _METASPACE)):
            return normalized
        return _SPACE + normalized

    def encode_batch(self, input: Sequence[Any], /) -> list[Encoding]:  # noqa: A002 - tokenizers' name
        """Every text encoded and padded with ``pad_id`` to the longest of the batch."""
        encoded = [self.encode_ids(str(text)) for text in input]
        width = max((len(ids) for ids in encoded), default=0)
        return [
            Encoding(
                ids + [self._pad_id] * (width - len(ids)),
                [1] * len(ids) + [0] * (width - len(ids)),
                [0] * width,
            )
            for ids in encoded
        ]


def load_tokenizer(
    folder: Path, tokenizer_json: Path, *, max_length: int, pad_id: int, pad_token: str
) -> BatchTokenizer:
    """The tokenizer for an export folder: the SentencePiece conversion when it applies, else ``tokenizers``.

    The conversion is made (and checked) on first use and kept in ``folder``.
    """
    try:
        if _current(folder, tokenizer_json) or convert(tokenizer_json, folder):
            return SentencePieceTokenizer.load(folder, max_length=max_length, pad_id=pad_id)
    except (ImportError, OSError, ValueError, KeyError, RuntimeError) as exc:
        log.warning("De SentencePiece-tokenizer is niet te gebruiken (%s); tokenizers neemt het over.", exc)
    return _tokenizers_tokenizer(tokenizer_json, max_length=max_length, pad_id=pad_id, pad_token=pad_token)


def _tokenizers_tokenizer(tokenizer_json: Path, *, max_length: int, pad_id: int, pad_token: str) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)
    return tokenizer


def _source_key(tokenizer_json: Path) -> dict[str, object]:
    stat = tokenizer_json.stat()
    return {"format": FORMAT, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _current(folder: Path, tokenizer_json: Path) -> bool:
    try:
        meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("source") == _source_key(tokenizer_json)


def convert(tokenizer_json: Path, folder: Path) -> bool:
    """Write the SentencePiece conversion of ``tokenizer_json`` into ``folder``; False if it does not apply.

    It applies to an XLM-R style tokenizer (Unigram, precompiled normaliser, Metaspace, ``<s> A </s>``) and is
    kept only when it gives the ids of ``tokenizers`` on :data:`CHECK_TEXTS` and on a sample of the vocabulary.
    """
    spec = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    parts = _parts(spec)
    if parts is None:
        return False
    model, normalizer, layout = parts
    _write(folder / MODEL_NAME, model)
    _write(folder / NORMALIZER_NAME, normalizer)
    vocab = spec["model"]["vocab"]
    sample = [str(piece).replace(_METASPACE, _SPACE) for piece, _score in vocab[4::997]]
    texts = [*CHECK_TEXTS, *sample, " ".join(sample)]
    ours = SentencePieceTokenizer.from_parts(model, normalizer, layout, max_length=512, pad_id=1)
    theirs = _tokenizers_tokenizer(tokenizer_json, max_length=512, pad_id=1, pad_token="<pad>")
    differ = [t for t in texts if ours.encode_ids(t) != theirs.encode(t).ids]
    if differ:
        log.warning("De SentencePiece-tokenizer wijkt af van tokenizer.json (bij %r); tokenizers blijft.", differ[0])
        return False
    meta = {"source": _source_key(tokenizer_json), "bos": layout.bos, "eos": layout.eos, "added": layout.added}
    _write(folder / META_NAME, json.dumps(meta, ensure_ascii=False).encode("utf-8"))
    return True


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _parts(spec: dict[str, Any]) -> tuple[bytes, bytes, _Layout] | None:
    """The SentencePiece model, the precompiled normalisation map and the special-token layout; None otherwise."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = spec.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        return None
    charsmap = _charsmap(spec.get("normalizer"))
    layout = _layout(spec)
    pre = spec.get("pre_tokenizer") or {}
    metaspace = {"type": "Metaspace", "replacement": _METASPACE, "prepend_scheme": "always", "split": True}
    legacy = {"type": "Metaspace", "replacement": _METASPACE, "add_prefix_space": True}  # read as the one above
    if charsmap is None or layout is None or pre not in (metaspace, legacy):
        return None
    vocab: list[list[Any]] = model["vocab"]
    unk_id = int(model["unk_id"])
    proto = pb.ModelProto()
    proto.trainer_spec.model_type = pb.TrainerSpec.UNIGRAM
    proto.trainer_spec.vocab_size = len(vocab)
    proto.trainer_spec.unk_id = unk_id
    proto.trainer_spec.bos_id = layout.bos
    proto.trainer_spec.eos_id = layout.eos
    proto.trainer_spec.pad_id = -1
    # identity: the text arrives normalised (see _prepared); spaces become ▁ and no second prefix is added
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    special_ids = set(layout.added.values())
    for i, (piece, score) in enumerate(vocab):
        entry = proto.pieces.add()
        entry.piece, entry.score = str(piece), float(score)
        if i == unk_id:
            entry.type = pb.ModelProto.SentencePiece.UNKNOWN
        elif i in special_ids:
            entry.type = pb.ModelProto.SentencePiece.CONTROL  # never matched in text: cut out before, as tokenizers
        else:
            entry.type = pb.ModelProto.SentencePiece.NORMAL
    return proto.SerializeToString(), charsmap, layout


def _charsmap(normalizer: Any) -> bytes | None:
    """The precompiled map of a ``Precompiled`` normaliser, optionally followed by ``Replace(" {2,}", " ")``."""
    steps = normalizer.get("normalizers", []) if isinstance(normalizer, dict) else []
    collapse = {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}
    if not steps or steps[0].get("type") != "Precompiled" or steps[1:] not in ([], [collapse]):
        return None
    return base64.b64decode(steps[0]["precompiled_charsmap"])


def _layout(spec: dict[str, Any]) -> _Layout | None:
    added = spec.get("added_tokens") or []
    if any(t.get("normalized") or t.get("lstrip") or t.get("rstrip") or t.get("single_word") for t in added):
        return None
    post = spec.get("post_processor") or {}
    single = post.get("single") or []
    specials = post.get("special_tokens") or {}
    if post.get("type") != "TemplateProcessing" or len(single) != 3 or "Sequence" not in single[1]:
        return None
    first, last = single[0].get("SpecialToken", {}).get("id"), single[2].get("SpecialToken", {}).get("id")
    if first not in specials or last not in specials:
        return None
    return _Layout(
        bos=int(specials[first]["ids"][0]),
        eos=int(specials[last]["ids"][0]),
        added={str(t["content"]): int(t["id"]) for t in added},
    )


class PrecompiledMap:
    """The ``Precompiled`` normaliser of ``tokenizers`` (its ``spm_precompiled`` crate), rule for rule.

    The map is SentencePiece's: a darts-clone double array over UTF-8 keys and a blob of NUL-terminated
    replacements. ``tokenizers`` walks the text by extended grapheme cluster: a cluster shorter than 6 bytes that
    starts with a key becomes that (shortest) key's replacement as a whole, anything else is mapped character by
    character. SentencePiece itself matches the longest key at every position instead, which differs on clusters
    such as a compatibility character followed by a combining mark or a variation selector.

    >>> PrecompiledMap(struct.pack("<I", 0)).normalize("ok")
    'ok'
    """

    def __init__(self, blob: bytes) -> None:
        (trie_bytes,) = struct.unpack_from("<I", blob, 0)
        self._units = array("I")
        self._units.frombytes(blob[4 : 4 + trie_bytes])
        if struct.pack("=I", 1) != struct.pack("<I", 1):
            self._units.byteswap()
        self._replacements = blob[4 + trie_bytes :]
        self.cluster = lru_cache(maxsize=65536)(self._cluster)

    def normalize(self, text: str) -> str:
        """``text`` normalised as ``tokenizers`` normalises it."""
        import regex

        return "".join(self.cluster(g) for g in regex.findall(r"\X", text))

    def _cluster(self, grapheme: str) -> str:
        if len(grapheme.encode("utf-8")) < 6:
            whole = self.transform(grapheme)
            if whole is not None:
                return whole
        return "".join(c if (n := self.transform(c)) is None else n for c in grapheme)

    def transform(self, chunk: str) -> str | None:
        """The replacement of the shortest key that ``chunk`` starts with, or None (darts-clone prefix search)."""
        units = self._units
        if not units:
            return None
        position = _offset(units[0])
        for byte in chunk.encode("utf-8"):
            position ^= byte
            if position >= len(units):
                return None
            unit = units[position]
            if unit & 0x800000FF != byte:  # the unit's label
                return None
            position ^= _offset(unit)
            if unit >> 8 & 1:  # has a leaf: the first, shortest match
                start = units[position] & 0x7FFFFFFF
                end = self._replacements.find(b"\0", start)
                return self._replacements[start : end if end >= 0 else None].decode("utf-8", errors="replace")
        return None


def _offset(unit: int) -> int:
    return (unit >> 10) << ((unit & (1 << 9)) >> 6)
