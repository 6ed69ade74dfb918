"""The ONNX export of multilingual-e5-small gives the torch vectors, and a question never needs torch."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from index import onnx_export
from index.e5_offline import ensure_e5_model
from index.embedder import build_embeddings
from index.onnx_embeddings import OnnxEmbeddings
from index.onnx_export import OnnxExportError, ensure_onnx_model
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ["Met welke landen moet Nederland samenwerken?", "wat zegt bijlage 4", "Wat is de hoofdstad van Frankrijk?"]


@pytest.fixture(scope="module")
def st_folder(model_cache: Path) -> str:
    return str(ensure_e5_model(model_cache))


@pytest.fixture(scope="module")
def onnx_folder(st_folder: str, model_cache: Path) -> Path:
    return ensure_onnx_model(st_folder, model_cache)


def test_exported_model_reproduces_the_torch_vectors(st_folder: str, onnx_folder: Path) -> None:
    from sentence_transformers import SentenceTransformer

    passages = [u.context_text() for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units]
    onnx = OnnxEmbeddings.from_dir(onnx_folder, query_prefix="query: ", passage_prefix="passage: ", batch_size=8)
    torch_model = SentenceTransformer(st_folder, device="cpu")

    expected = torch_model.encode(["passage: " + p for p in passages], normalize_embeddings=True)
    got = np.array(onnx.embed_documents(passages))
    assert (expected * got).sum(axis=1).min() >= 0.9999

    expected_q = torch_model.encode(["query: " + q for q in QUESTIONS], normalize_embeddings=True)
    got_q = np.array([onnx.embed_query(q) for q in QUESTIONS])
    assert (expected_q * got_q).sum(axis=1).min() >= 0.9999


def test_second_call_reuses_the_export(st_folder: str, onnx_folder: Path, model_cache: Path) -> None:
    messages: list[str] = []
    started = time.perf_counter()
    assert ensure_onnx_model(st_folder, model_cache, progress=messages.append) == onnx_folder
    assert time.perf_counter() - started < 0.5
    assert messages == []


def test_default_backend_is_onnx_and_torch_stays_available(onnx_folder: Path, model_cache: Path) -> None:
    assert isinstance(build_embeddings(Settings(model_cache_dir=model_cache).embedding_config()), OnnxEmbeddings)
    torch_backed = build_embeddings(Settings(model_cache_dir=model_cache, embedding_backend="torch").embedding_config())
    assert type(torch_backed).__name__ == "HuggingFaceEmbeddings"


def test_failed_export_falls_back_to_torch_with_a_warning(
    model_cache: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(model_path: str, cache_dir: Path, progress: object = None) -> Path:
        raise OnnxExportError("De ONNX-export wijkt af van het taalmodel (cosinus 0.5 < 0.9999).")

    monkeypatch.setattr(onnx_export, "ensure_onnx_model", broken)
    with caplog.at_level(logging.WARNING):
        embeddings = build_embeddings(Settings(model_cache_dir=model_cache).embedding_config())
    assert type(embeddings).__name__ == "HuggingFaceEmbeddings"
    assert "draait daarom met torch" in caplog.text
    assert len(embeddings.embed_query("sociale innovatie")) == 384


def test_changed_model_files_ask_for_a_new_export(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"one")
    before = onnx_export._fingerprint(str(tmp_path))
    (tmp_path / "model.safetensors").write_bytes(b"other weights")
    assert onnx_export._fingerprint(str(tmp_path)) != before


def test_a_question_from_the_cli_never_imports_torch(onnx_folder: Path, model_cache: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from assistant.cli import main
        try:
            main(["ask", "--json", "Met welke landen moet Nederland samenwerken?"])
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
        heavy = sorted({"torch", "transformers", "sentence_transformers", "sklearn"} & set(sys.modules))
        print("HEAVY", heavy, file=sys.stderr)
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "HF_HUB_OFFLINE": "1",
    }
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert '"label": "Aanbeveling 3, stap 6"' in result.stdout
    assert "HEAVY []" in result.stderr, result.stderr


def test_export_is_fused_and_answers_like_the_unfused_trace(st_folder: str, onnx_folder: Path, tmp_path: Path) -> None:
    import json
    import shutil

    import onnx
    from sentence_transformers import SentenceTransformer

    graph = onnx.load(str(onnx_folder / "model.onnx"), load_external_data=False)
    ops = [node.op_type for node in graph.graph.node]
    assert ops.count("MultiHeadAttention") == 12  # one per layer of e5-small
    assert ops.count("SkipLayerNormalization") == 24
    assert len(ops) < 300  # the unfused trace has ~1,300

    unfused = tmp_path / "unfused"
    unfused.mkdir()
    for name in ("tokenizer.json", "onnx_config.json"):
        shutil.copyfile(onnx_folder / name, unfused / name)
    model = SentenceTransformer(st_folder, device="cpu", model_kwargs={"attn_implementation": "eager"})
    onnx_export._trace(model, unfused / "model.onnx")

    lines = (REPO_ROOT / "evals" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    passages = [u.context_text() for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units]
    vectors = []
    for folder in (unfused, onnx_folder):
        embeddings = OnnxEmbeddings.from_dir(folder, query_prefix="query: ", passage_prefix="passage: ", batch_size=16)
        vectors.append((np.array(embeddings.embed_documents(passages)), np.array(embeddings.embed_queries(questions))))
    (plain_units, plain_questions), (fused_units, fused_questions) = vectors
    top = (plain_questions @ plain_units.T).argmax(1) == (fused_questions @ fused_units.T).argmax(1)
    cosines = np.concatenate([(plain_units * fused_units).sum(1), (plain_questions * fused_questions).sum(1)])
    assert float(top.mean()) >= 0.98
    assert float(cosines.min()) >= 0.9999


def test_a_changed_fusion_asks_for_a_new_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = onnx_export._fingerprint(str(tmp_path))
    monkeypatch.setattr(onnx_export, "FUSION", {**onnx_export.FUSION, "attention": "Attention"})
    assert onnx_export._fingerprint(str(tmp_path)) != before
