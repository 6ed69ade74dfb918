"""``python -m assistant bench`` runs end to end and reports every measure; the generated corpus has the asked size.

The numbers themselves are not checked here (they depend on the machine); the README table records them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.corpus import PAGE_CHARS, generate_corpus
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
MEASURES = (
    "warm_p50_ms",
    "warm_p95_ms",
    "embed_floor_ms",
    "cold_ask_s",
    "serve_first_answer_s",
    "index_s",
    "index_chunks_per_s",
    "encode_chunks_per_s",
    "serve_rss_mb",
    "peer_p50_ms",
    "p50_over_floor",
    "p50_over_peer",
    "rss_model_mb",
    "rss_index_mb",
    "rss_total_mb",
)


def _bench(args: list[str], tmp_path: Path, model_cache: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", "bench", *args], env=env, capture_output=True, text=True, timeout=900
    )


def test_bench_json_reports_every_measure_for_the_advice(tmp_path: Path, model_cache: Path) -> None:
    result = _bench(["--json", "--sizes", "advice"], tmp_path, model_cache)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["advice"]
    advice = report["advice"]
    assert advice["chunks"] == len(load_knowledge(DEFAULT_KNOWLEDGE_DIR).units)
    for measure in MEASURES:
        assert isinstance(advice[measure], float) and advice[measure] > 0, (measure, advice[measure])
    assert advice["warm_p95_ms"] >= advice["warm_p50_ms"]
    assert advice["serve_first_answer_s"] > 1 and advice["cold_ask_s"] > 1  # real processes were started
    assert "[advice] warme latentie meten" in result.stderr
    assert advice["p50_over_peer"] == pytest.approx(advice["warm_p50_ms"] / advice["peer_p50_ms"], abs=0.02)
    assert advice["rss_model_mb"] > 50  # the embedding model is the largest part of a server's memory


def test_unknown_size_is_refused_in_dutch(tmp_path: Path, model_cache: Path) -> None:
    result = _bench(["--sizes", "advice,20000p"], tmp_path, model_cache)
    assert result.returncode == 2
    assert "Onbekende grootte(s): 20000p" in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_is_a_registered_command_that_the_assistant_does_not_import(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "AWT_DATA_DIR": str(tmp_path / "data")}
    listed = subprocess.run(
        [sys.executable, "-m", "assistant", "--help"], env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    assert "bench " in listed.stdout
    check = "import sys, assistant.cli; print(sorted(m for m in sys.modules if m.split('.')[0] == 'benchmarks'))"
    imported = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "[]"


def test_generated_corpus_has_the_asked_size_and_structure(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "a", 20)
    generate_corpus(tmp_path / "b", 20)
    generated = (tmp_path / "a" / "achtergrond-20p.md").read_text(encoding="utf-8")
    assert generated == (tmp_path / "b" / "achtergrond-20p.md").read_text(encoding="utf-8")  # same seed, same text
    assert 20 * PAGE_CHARS <= len(generated) <= 30 * PAGE_CHARS
    units = load_knowledge(tmp_path / "a").units
    assert any(u.kind == "list_item" for u in units if u.document == "achtergrond-20p.md")
    assert (tmp_path / "a" / "awt-advies-84-sociale-innovatie.txt").read_bytes() == (
        DEFAULT_KNOWLEDGE_DIR / "awt-advies-84-sociale-innovatie.txt"
    ).read_bytes()
