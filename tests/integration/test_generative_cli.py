"""``AWT_LLM=openai`` with an endpoint that is down: the CLI still answers (extractively), with a Dutch notice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def test_ask_with_an_unreachable_llm_falls_back_to_a_cited_extractive_answer(tmp_path: Path, model_cache: Path) -> None:
    pytest.importorskip("langchain_openai")
    environment = {
        **os.environ,
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_LLM": "openai",
        "AWT_LLM_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens on the discard port
        "AWT_LLM_TIMEOUT": "10",
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", "Wat is de eerste aanbeveling?"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["backend"] == "extractief"
    assert not answer["refused"]
    assert answer["citations"] and answer["citations"][0]["label"] == "Aanbeveling 1"
    assert "[1]" in answer["answer"]
    assert "taalmodel was niet bereikbaar" in answer["notice"]
