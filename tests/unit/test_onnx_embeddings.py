"""OnnxEmbeddings on a tiny hand-built graph: prefixes, padding, batching and order, without the real model.

The graph averages a word-embedding table over the unmasked tokens and L2-normalises the result, the same
contract as an exported sentence-transformers model, so wrong masking or a mixed-up batch order shows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper
from tokenizers import Tokenizer
from tokenizers.models import WordLevel
from tokenizers.pre_tokenizers import WhitespaceSplit

from index.onnx_embeddings import OnnxEmbeddings

VOCAB = ["<pad>", "<unk>", "query:", "passage:", "sociale", "innovatie", "de", "awt", "stap", "vijf", "landen"]
DIM = 4


def _table() -> np.ndarray:
    return np.random.default_rng(84).normal(size=(len(VOCAB), DIM)).astype(np.float32)


def _model(with_token_types: bool) -> onnx.ModelProto:
    table = helper.make_tensor("table", TensorProto.FLOAT, [len(VOCAB), DIM], _table().flatten().tolist())
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["tokens"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "last_axis"], ["mask3"]),
        helper.make_node("Mul", ["tokens", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "seq_axis"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "seq_axis"], ["count"], keepdims=0),
        helper.make_node("Div", ["summed", "count"], ["mean"]),
        helper.make_node("LpNormalization", ["mean"], ["embedding"], axis=1, p=2),
    ]
    inputs = [
        helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
        helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
    ]
    if with_token_types:
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "tokens"]))
    graph = helper.make_graph(
        nodes,
        "mean-pool",
        inputs,
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", DIM])],
        initializer=[
            table,
            helper.make_tensor("last_axis", TensorProto.INT64, [1], [-1]),
            helper.make_tensor("seq_axis", TensorProto.INT64, [1], [1]),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def _graph(with_token_types: bool) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(
        _model(with_token_types).SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _tokenizer() -> Tokenizer:
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = WhitespaceSplit()
    tokenizer.enable_padding(pad_id=0, pad_token="<pad>")
    return tokenizer


def _expected(text: str) -> np.ndarray:
    ids = [VOCAB.index(w) if w in VOCAB else 1 for w in text.split()]
    mean = _table()[ids].mean(axis=0)
    return mean / np.linalg.norm(mean)


@pytest.fixture
def embeddings() -> OnnxEmbeddings:
    return OnnxEmbeddings(_graph(False), _tokenizer(), query_prefix="query: ", passage_prefix="passage: ", batch_size=2)


def test_query_gets_the_query_prefix(embeddings: OnnxEmbeddings) -> None:
    vector = embeddings.embed_query("sociale innovatie")
    np.testing.assert_allclose(vector, _expected("query: sociale innovatie"), atol=1e-6)
    assert not np.allclose(vector, _expected("passage: sociale innovatie"), atol=1e-3)


def test_documents_keep_their_order_and_ignore_padding(embeddings: OnnxEmbeddings) -> None:
    texts = ["de awt stap vijf landen sociale innovatie", "stap", "sociale innovatie de awt", "vijf landen", "de"]
    vectors = embeddings.embed_documents(texts)
    assert len(vectors) == len(texts)
    for text, vector in zip(texts, vectors, strict=True):
        np.testing.assert_allclose(vector, _expected("passage: " + text), atol=1e-6)


def test_batch_size_does_not_change_vectors() -> None:
    texts = [" ".join(VOCAB[4 : 4 + n]) for n in (7, 1, 3, 5, 2)]
    small = OnnxEmbeddings(_graph(False), _tokenizer(), batch_size=1).embed_documents(texts)
    large = OnnxEmbeddings(_graph(False), _tokenizer(), batch_size=64).embed_documents(texts)
    np.testing.assert_allclose(small, large, atol=1e-6)


def test_token_type_ids_are_fed_when_the_graph_wants_them() -> None:
    embeddings = OnnxEmbeddings(_graph(True), _tokenizer())
    np.testing.assert_allclose(embeddings.embed_query("sociale innovatie"), _expected("sociale innovatie"), atol=1e-6)


def test_no_documents_no_vectors(embeddings: OnnxEmbeddings) -> None:
    assert embeddings.embed_documents([]) == []


def test_a_folder_loads_with_its_threads_tokenizer_and_config(tmp_path: Path) -> None:
    onnx.save(_model(False), str(tmp_path / "model.onnx"))
    _tokenizer().save(str(tmp_path / "tokenizer.json"))
    (tmp_path / "onnx_config.json").write_text('{"max_length": 16, "pad_id": 0, "pad_token": "<pad>"}')
    embeddings = OnnxEmbeddings.from_dir(tmp_path, query_prefix="query: ", threads=2)
    options = embeddings._session.get_session_options()
    assert options.intra_op_num_threads == 2
    np.testing.assert_allclose(
        embeddings.embed_query("sociale innovatie"), _expected("query: sociale innovatie"), atol=1e-6
    )


def test_a_tokenizer_sentencepiece_cannot_run_stays_with_tokenizers(tmp_path: Path) -> None:
    from index.spm_tokenizer import META_NAME, load_tokenizer

    word_level = Tokenizer(WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="<unk>"))
    word_level.pre_tokenizer = WhitespaceSplit()
    word_level.save(str(tmp_path / "tokenizer.json"))
    loaded = load_tokenizer(tmp_path, tmp_path / "tokenizer.json", max_length=3, pad_id=0, pad_token="<pad>")
    encodings = loaded.encode_batch(["sociale innovatie de awt", "stap"])
    assert [e.ids for e in encodings] == [[4, 5, 6], [8, 0, 0]]  # truncated to 3, padded with <pad>
    assert not (tmp_path / META_NAME).exists()
