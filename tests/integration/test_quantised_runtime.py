"""The 4-bit runtimes answer like the fp32 export: ``onnx-q4emb`` (the default) with its very vectors, ``onnx-q4``
with the same top-1 unit and nearly equal vectors.

Questions: the training set (evals/train.jsonl) plus a few written here; never the gold or blind sets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from index.e5_offline import ensure_e5_model
from index.embedder import build_embeddings
from index.onnx_embeddings import OnnxEmbeddings
from index.onnx_export import ensure_onnx_model
from index.onnx_q4 import ensure_q4_model
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
WRITTEN = [
    "Welke rol ziet de AWT voor de overheid bij sociale innovatie?",
    "Wat moet de minister volgens het advies doen?",
    "Hoe wordt sociale innovatie gedefinieerd?",
    "Wat is de hoofdstad van Frankrijk?",
    "which countries should the Netherlands work with",
]
MIN_AGREEMENT = 0.98
MIN_COSINE = 0.9999


@pytest.fixture(scope="module")
def folders(model_cache: Path) -> tuple[Path, Path, Path]:
    fp32 = ensure_onnx_model(str(ensure_e5_model(model_cache)), model_cache)
    return fp32, ensure_q4_model(fp32, model_cache), ensure_q4_model(fp32, model_cache, layers=False)


def _questions() -> list[str]:
    lines = (REPO_ROOT / "evals" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()] + WRITTEN


def _vectors(folder: Path, passages: list[str], questions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    model = OnnxEmbeddings.from_dir(folder, query_prefix="query: ", passage_prefix="passage: ", batch_size=16)
    return np.array(model.embed_documents(passages)), np.array(model.embed_queries(questions))


@pytest.mark.parametrize("runtime", [1, 2], ids=["onnx-q4", "onnx-q4emb"])
def test_q4_picks_the_fp32_top_unit_with_nearly_equal_vectors(folders: tuple[Path, Path, Path], runtime: int) -> None:
    passages = [u.context_text() for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units]
    questions = _questions()
    assert len(questions) >= 100
    fp32_units, fp32_questions = _vectors(folders[0], passages, questions)
    q4_units, q4_questions = _vectors(folders[runtime], passages, questions)

    agreement = float(np.mean((fp32_questions @ fp32_units.T).argmax(1) == (q4_questions @ q4_units.T).argmax(1)))
    cosines = np.concatenate([(fp32_units * q4_units).sum(1), (fp32_questions * q4_questions).sum(1)])
    assert agreement >= MIN_AGREEMENT
    assert float(cosines.min()) >= MIN_COSINE


def test_q4emb_keeps_the_fp32_vectors_exactly(folders: tuple[Path, Path, Path]) -> None:
    texts = WRITTEN + [u.context_text() for u in load_knowledge(DEFAULT_KNOWLEDGE_DIR).units[:4]]
    fp32 = OnnxEmbeddings.from_dir(folders[0], batch_size=4).embed_documents(texts)
    q4emb = OnnxEmbeddings.from_dir(folders[2], batch_size=4).embed_documents(texts)
    assert np.array_equal(np.array(fp32), np.array(q4emb))  # same kernels, exact table: same floats


def test_q4_folders_are_a_fraction_of_the_fp32_one(folders: tuple[Path, Path, Path]) -> None:
    fp32_size = (folders[0] / "model.onnx").stat().st_size
    for folder, share in ((folders[1], 0.2), (folders[2], 0.35)):
        size = sum(path.stat().st_size for path in folder.glob("model.onnx*"))  # graph + memory-mapped weights
        assert (folder / "model.onnx.data").is_file()
        assert size < fp32_size * share


def test_default_backend_runs_the_q4emb_folder_and_names_it_in_the_index_identity(
    folders: tuple[Path, Path, Path], model_cache: Path
) -> None:
    default = Settings(model_cache_dir=model_cache).embedding_config()
    fp32 = Settings(model_cache_dir=model_cache, embedding_backend="onnx").embedding_config()
    q4 = Settings(model_cache_dir=model_cache, embedding_backend="onnx-q4").embedding_config()
    assert default.backend == "onnx-q4emb"
    assert len({default.identity, fp32.identity, q4.identity}) == 3
    embeddings = build_embeddings(default)
    assert isinstance(embeddings, OnnxEmbeddings)
    assert len(embeddings.embed_query("Wat is sociale innovatie?")) == 384
