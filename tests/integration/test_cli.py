"""``python -m assistant``: the JSON contract, exit codes, and Dutch errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def test_documents_lists_the_shipped_advice_and_refuses_to_remove_it(cli_dirs: tuple[Path, Path]) -> None:
    listed = run_cli("documents", data_dir=cli_dirs[0], model_cache=cli_dirs[1])
    assert listed.returncode == 0, listed.stderr
    assert "De kracht van sociale innovatie" in listed.stdout
    assert "awt-advies-84-sociale-innovatie.txt" in listed.stdout and "17 passages" in listed.stdout
    shipped = run_cli(
        "documents", "remove", "awt-advies-84-sociale-innovatie", data_dir=cli_dirs[0], model_cache=cli_dirs[1]
    )
    assert shipped.returncode == 2 and "meegeleverde documenten" in shipped.stderr
    assert "kan niet worden verwijderd" in shipped.stderr and "Traceback" not in shipped.stderr
    unknown = run_cli("documents", "remove", "rapport", data_dir=cli_dirs[0], model_cache=cli_dirs[1])
    assert unknown.returncode == 2
    assert "geen document 'rapport'" in unknown.stderr and "awt-advies-84-sociale-innovatie.txt" in unknown.stderr


def test_an_added_document_is_listed_and_removed_with_the_index_rebuilt(tmp_path: Path, model_cache: Path) -> None:
    data_dir = tmp_path / "data"
    note = tmp_path / "inclusie.md"
    note.write_text(
        "# Advies over digitale inclusie\n\nDe raad doet twee aanbevelingen:\n\n"
        "1. Leer ouderen videobellen in de bibliotheek.\n2. Houd een loket open voor wie niet digitaal kan.\n",
        encoding="utf-8",
    )
    added = run_cli("index", str(note), data_dir=data_dir, model_cache=model_cache)
    assert added.returncode == 0, added.stderr
    listed = run_cli("documents", data_dir=data_dir, model_cache=model_cache)
    assert "Advies over digitale inclusie" in listed.stdout and "toegevoegd" in listed.stdout
    removed = run_cli("documents", "remove", "inclusie", data_dir=data_dir, model_cache=model_cache)
    assert removed.returncode == 0, removed.stderr
    assert "Verwijderd: inclusie.md" in removed.stdout and "Index klaar: 1 document(en)" in removed.stdout
    assert not (data_dir / "knowledge" / "inclusie.md").exists()
    after = run_cli("documents", data_dir=data_dir, model_cache=model_cache)
    assert "digitale inclusie" not in after.stdout and "De kracht van sociale innovatie" in after.stdout
    answer = json.loads(
        run_cli("ask", "--json", "Wie leert ouderen videobellen?", data_dir=data_dir, model_cache=model_cache).stdout
    )
    assert all(c["document"] != "inclusie.md" for c in answer["citations"])


def test_an_unknown_document_exits_2_before_the_model_loads(cli_dirs: tuple[Path, Path]) -> None:
    # a backend that cannot be built fails only when the assistant is built (exit 1): exit 2 means we stopped before
    result = run_cli(
        "ask",
        "--document",
        "rapport",
        "Wat is stap 1?",
        data_dir=cli_dirs[0],
        model_cache=cli_dirs[1],
        AWT_LLM="bestaatniet",
    )
    assert result.returncode == 2, result.stderr
    assert "Er is geen document ‘rapport’ geladen" in result.stderr
    assert "‘De kracht van sociale innovatie’ (awt-advies-84-sociale-innovatie.txt)" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_document_restricts_the_question_to_the_documents_named(tmp_path: Path, model_cache: Path) -> None:
    data_dir = tmp_path / "data"
    note = tmp_path / "inclusie.md"
    note.write_text(
        "# Advies over digitale inclusie\n\nDe raad doet twee aanbevelingen:\n\n"
        "1. Leer ouderen videobellen in de bibliotheek.\n2. Houd een loket open voor wie niet digitaal kan.\n",
        encoding="utf-8",
    )
    assert run_cli("index", str(note), data_dir=data_dir, model_cache=model_cache).returncode == 0

    def ask(*args: str) -> dict[str, Any]:
        result = run_cli("ask", "--json", *args, data_dir=data_dir, model_cache=model_cache)
        assert result.returncode == 0, result.stderr
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer

    question = "Wat is de tweede aanbeveling?"
    everywhere = {c["document"] for c in ask(question)["citations"]}
    assert everywhere == {"inclusie.md", "awt-advies-84-sociale-innovatie.txt"}  # both have a second one
    inclusion = ask("--document", "inclusie", question)
    assert {c["document"] for c in inclusion["citations"]} == {"inclusie.md"}
    assert "loket" in inclusion["answer"]
    advice = ask("--document", "De kracht van sociale innovatie", question)
    assert {c["document"] for c in advice["citations"]} == {"awt-advies-84-sociale-innovatie.txt"}
    both = ask("--document", "inclusie.md", "--document", "awt-advies-84-sociale-innovatie", question)
    assert {c["document"] for c in both["citations"]} == everywhere
