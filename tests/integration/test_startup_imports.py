"""``ask`` imports only what answering needs: no web stack, no parsers, no torch (issue 15), no wordfreq, no chromadb.

A fresh interpreter runs the CLI entry in-process on a ready index and prints which of the listed packages ended up in
``sys.modules``; each of them costs start-up time and memory that a question never uses. wordfreq (~0.4 s to import)
is read only once, by the first run, to build the word frequency cache (knowledge.word_frequency); chromadb (~1 s)
only to build the index, which later questions read from its copy (index.store.VectorCopies).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
NOT_FOR_ASK = (
    "gradio",
    "fastapi",
    "langchain_openai",
    "pypdf",
    "docx",
    "lxml",
    "bs4",
    "sentence_transformers",
    "torch",
    "wordfreq",
    "chromadb",
)


def _ask_in_fresh_interpreter(data_dir: Path, model_cache: Path) -> subprocess.CompletedProcess[str]:
    script = textwrap.dedent(
        f"""
        import sys
        from assistant.cli import main
        try:
            main(["ask", "--json", "Met welke landen moet Nederland samenwerken?"])
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
        loaded = sorted(name for name in {NOT_FOR_ASK!r} if name in sys.modules)
        print("LOADED", loaded, file=sys.stderr)
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "AWT_DATA_DIR": str(data_dir),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=600)


def test_ask_imports_none_of_the_heavy_packages(model_cache: Path, tmp_path: Path) -> None:
    first = _ask_in_fresh_interpreter(tmp_path / "data", model_cache)  # may build the models, index, frequency cache
    assert first.returncode == 0, first.stderr
    result = _ask_in_fresh_interpreter(tmp_path / "data", model_cache)  # what every later question costs
    assert result.returncode == 0, result.stderr
    assert '"label": "Aanbeveling 3, stap 6"' in result.stdout
    assert "LOADED []" in result.stderr, result.stderr
