"""``python -m assistant``: the JSON contract, exit codes, and Dutch errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, data_dir: Path, model_cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "AWT_DATA_DIR": str(data_dir), "AWT_MODEL_CACHE_DIR": str(model_cache), **env}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_dirs(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> tuple[Path, Path]:
    data_dir = tmp_path_factory.mktemp("cli-data")
    result = run_cli("index", data_dir=data_dir, model_cache=model_cache)
    assert result.returncode == 0, result.stderr
    assert "Index klaar" in result.stdout
    return data_dir, model_cache


def test_ask_json_prints_one_object_with_the_contract(cli_dirs: tuple[Path, Path]) -> None:
    result = run_cli(
        "ask", "--json", "Met welke landen moet Nederland samenwerken?", data_dir=cli_dirs[0], model_cache=cli_dirs[1]
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert set(answer) >= {"question", "answer", "citations", "refused", "backend"}
    first = answer["citations"][0]
    assert set(first) >= {"n", "label", "document", "quote", "score"}
    assert first["label"] == "Aanbeveling 3, stap 6"
    assert "Traceback" not in result.stderr


def test_history_file_resolves_a_follow_up(cli_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    history = tmp_path / "gesprek.json"
    history.write_text(json.dumps([{"role": "user", "content": "Wat is de derde aanbeveling?"}]), encoding="utf-8")
    result = run_cli(
        "ask",
        "--json",
        "--history",
        str(history),
        "En de vijfde stap daarvan?",
        data_dir=cli_dirs[0],
        model_cache=cli_dirs[1],
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"][0]["label"] == "Aanbeveling 3, stap 5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "leeg"),
        (["ask", "x" * 5000], "te lang"),
        (["ask", "--history", "/bestaat/niet.json", "Wat is stap 1?"], "gespreksbestand"),
    ],
)
def test_bad_input_exits_2_with_a_dutch_message(cli_dirs: tuple[Path, Path], args: list[str], message: str) -> None:
    result = run_cli(*args, data_dir=cli_dirs[0], model_cache=cli_dirs[1])
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_malformed_history_exits_2(cli_dirs: tuple[Path, Path], tmp_path: Path) -> None:
    history = tmp_path / "kapot.json"
    history.write_text('[{"role": "systeem", "content": 1}]', encoding="utf-8")
    result = run_cli("ask", "--history", str(history), "Wat is stap 1?", data_dir=cli_dirs[0], model_cache=cli_dirs[1])
    assert result.returncode == 2 and "geen geldige lijst" in result.stderr


def test_unknown_backend_is_a_dutch_configuration_error(cli_dirs: tuple[Path, Path]) -> None:
    result = run_cli("ask", "Wat is stap 1?", data_dir=cli_dirs[0], model_cache=cli_dirs[1], AWT_LLM="bestaatniet")
    assert result.returncode == 1
    assert "AWT_LLM" in result.stderr and "Traceback" not in result.stderr
