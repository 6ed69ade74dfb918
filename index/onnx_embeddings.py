"""Sentence embeddings with onnxruntime and the model's tokenizer: no torch at query time.

Importing sentence-transformers pulls in torch, transformers and scikit-learn (~9 s on two cores) and
a torch forward pass for one short question takes ~40 ms. The same model exported once to ONNX
(``index.onnx_export``) loads in ~3 s and embeds a question in ~10 ms, with the same vectors
(cosine ≥ 0.9999, checked at export time and in the tests). The export folder holds the graph, which
already does the pooling and L2 normalisation, the model's ``tokenizer.json`` and ``onnx_config.json``; the
tokenizer runs on SentencePiece with ``tokenizer.json``'s ids where it can (``index.spm_tokenizer``).

>>> embeddings = OnnxEmbeddings.from_dir(folder, query_prefix="query: ", passage_prefix="passage: ")  # doctest: +SKIP
>>> len(embeddings.embed_query("Wat is sociale innovatie?"))  # doctest: +SKIP
384
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    import onnxruntime

    from index.spm_tokenizer import BatchTokenizer

GRAPH_NAME = "model.onnx"
TOKENIZER_NAME = "tokenizer.json"
CONFIG_NAME = "onnx_config.json"
SHRINK_AFTER = 8  # texts per call; a question's few words never grow the arena past one query


class OnnxEmbeddings(Embeddings):
    """A LangChain ``Embeddings`` over an onnxruntime session whose output is the normalised sentence vector.

    The session and tokenizer are passed in, so a test can give a small graph; ``from_dir`` builds both
    from an export folder. Documents are embedded in batches of similar length, so little time goes to
    padding, and returned in their original order.
    """

    def __init__(
        self,
        session: onnxruntime.InferenceSession,
        tokenizer: BatchTokenizer,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        batch_size: int = 32,
    ) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in session.get_inputs()}
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size

    @classmethod
    def from_dir(
        cls,
        folder: Path,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        threads: int = 0,
        batch_size: int = 32,
    ) -> OnnxEmbeddings:
        """Load an export folder written by ``index.onnx_export.ensure_onnx_model``.

        ``threads=0`` lets onnxruntime choose its number of intra-op threads.
        """
        import onnxruntime

        from index.spm_tokenizer import load_tokenizer

        config: dict[str, Any] = json.loads((folder / CONFIG_NAME).read_text(encoding="utf-8"))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3  # warnings about the exporter's Gather patterns are not for operators
        session = onnxruntime.InferenceSession(str(folder / GRAPH_NAME), options, providers=["CPUExecutionProvider"])
        tokenizer = load_tokenizer(  # SentencePiece with tokenizer.json's ids when it applies: ~230 MB less
            folder,
            folder / TOKENIZER_NAME,
            max_length=int(config["max_length"]),
            pad_id=int(config["pad_id"]),
            pad_token=str(config["pad_token"]),
        )
        return cls(session, tokenizer, query_prefix=query_prefix, passage_prefix=passage_prefix, batch_size=batch_size)

    def _encode(self, texts: Sequence[str], *, shrink: bool = False) -> list[list[float]]:
        import numpy as np
        import onnxruntime

        encodings = self._tokenizer.encode_batch(list(texts))
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        options = None
        if shrink:
            # onnxruntime keeps its memory arena at the largest batch it ever ran: 32 passages of 512 tokens hold
            # ~0.4 GB that a server answering one short query at a time never needs again. Give it back.
            options = onnxruntime.RunOptions()
            options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        vectors: list[list[float]] = self._session.run(None, feed, options)[0].tolist()
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Passage vectors (with the passage prefix), in batches sorted by length so little is padded."""
        return self._embed_batched([self.passage_prefix + t for t in texts])

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Many queries at once (batched like documents, with the query prefix)."""
        return self._embed_batched([self.query_prefix + t for t in texts])

    def _embed_batched(self, prefixed: list[str]) -> list[list[float]]:
        order = sorted(range(len(prefixed)), key=lambda i: len(prefixed[i]))
        result: list[list[float]] = [[] for _ in prefixed]
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            # only a call big enough to have grown the arena gives it back: shrinking costs a reallocation per run
            shrink = start + self.batch_size >= len(order) and len(order) > SHRINK_AFTER
            for i, vector in zip(batch, self._encode([prefixed[i] for i in batch], shrink=shrink), strict=True):
                result[i] = vector
        return result

    def embed_query(self, text: str) -> list[float]:
        """One question's vector (with the query prefix)."""
        return self._encode([self.query_prefix + text])[0]
