"""The API keeps its contract: schemathesis, with every check, against the OpenAPI description of a real
``python -m assistant serve`` (real model, feedback on, per-client rate limit off, a question limit that is not
the default). Every request goes to 127.0.0.1.

Schemathesis runs as its CLI: its pytest loader for a schema that only exists once a fixture has started the
server (``schemathesis.pytest.from_fixture``) fails on pytest 9 (it sets ``Node._nodeid``, which pytest 9 no
longer has), and the CLI is what the contract was first measured with.
"""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.load.loadtest import start_server, stop_server, wait_until_up
from tests.support import free_port

pytestmark = pytest.mark.integration

SEED = 2014  # fixed: every run sends the same cases
MAX_EXAMPLES = 100  # per operation in the fuzzing phase; the examples and coverage phases add their own cases
MAX_QUESTION_CHARS = 500  # not the default 2000: the description must follow AWT_MAX_QUESTION_CHARS
OPERATIONS = {
    "POST /api/ask",
    "POST /api/ask/stream",
    "POST /api/feedback",
    "GET /api/health",
    "GET /api/documents",
    "POST /v1/chat/completions",
    "GET /v1/models",
    "GET /v1/models/{model}",
}
NO_INPUT = {"GET /api/health", "GET /api/documents", "GET /v1/models"}  # one fuzzing case is all there is
API_KEY = "sk-awt-contract-0123456789"  # /v1 is described with a bearer key: schemathesis also checks it is needed
# A chat completion that the schema allows may still hold no usable question: its *last* user message empty or too
# long. That is a documented 400 that JSON Schema cannot express, so for this one operation and this one check,
# 400 counts as an answer to valid data; every other check (and every other operation) stays as strict as it was.
CONFIG = """
[[operations]]
include-path = "/v1/chat/completions"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""


@dataclass(frozen=True)
class Served:
    url: str
    log: Path


@pytest.fixture(scope="module")
def served(model_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A ``serve`` process; its log goes to a file (a pipe that nobody reads would fill up and stall it)."""
    folder = tmp_path_factory.mktemp("contract")
    env = {
        "AWT_DATA_DIR": str(folder / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_FEEDBACK": "true",  # else /api/feedback can only say 404
        "AWT_MAX_QUESTION_CHARS": str(MAX_QUESTION_CHARS),
        "AWT_API_KEYS": API_KEY,
    }  # and start_server sets AWT_RATE_LIMIT=0: schemathesis asks far more than 30 questions a minute
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("wb") as log:
        process = start_server(port, env, stderr=log)
        try:
            wait_until_up(f"http://127.0.0.1:{port}", process)
            yield Served(f"http://127.0.0.1:{port}", log_path)
        finally:
            stop_server(process)


def _cases_per_phase(ndjson: Path) -> dict[str, collections.Counter[str]]:
    """For each operation, how many cases each phase sent (from schemathesis' event report)."""
    cases: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if finished and "cases" in finished["recorder"]:
            cases[finished["recorder"]["label"]][finished["phase"]] += len(finished["recorder"]["cases"])
    return cases


def test_schemathesis_finds_no_failure(served: Served, tmp_path: Path) -> None:
    summary_path, events_path = tmp_path / "run.json", tmp_path / "run.ndjson"
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{served.url}/api/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "60",
        "--no-color",
        "--header",
        f"Authorization: Bearer {API_KEY}",  # only /v1 asks for it; the rest ignores it
        "--report",
        "json,ndjson",
        "--report-json-path",
        str(summary_path),
        "--report-ndjson-path",
        str(events_path),
    ]
    # in a folder of its own: no schemathesis.toml or example database of a developer's is picked up
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False)
    output = run.stdout[-8000:] + run.stderr[-2000:]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    cases = _cases_per_phase(events_path)
    print(  # shown with -s or -rA
        f"schemathesis: {summary['operations']['tested']} operations, {summary['test_cases']['generated']} cases, "
        f"{len(summary['failures'])} failures, {len(summary['errors'])} errors; "
        + "; ".join(f"{op}: {dict(phases)}" for op, phases in sorted(cases.items()))
    )

    assert run.returncode == 0, output
    assert summary["complete"] and summary["failures"] == [] and summary["errors"] == [], output
    assert summary["test_cases"]["with_failures"] == 0 and summary["test_cases"]["errored"] == 0, output
    assert summary["operations"]["tested"] == len(OPERATIONS) and set(cases) - {"Stateful tests"} == OPERATIONS
    # stateful: schemathesis follows the ids of GET /v1/models into GET /v1/models/{model}
    assert cases["Stateful tests"]["stateful"] > 0, cases
    for phase in ("examples", "coverage", "fuzzing", "stateful"):
        assert summary["phases"][phase]["status"] == "success", summary["phases"]
    for operation in OPERATIONS - NO_INPUT:
        assert cases[operation]["fuzzing"] >= MAX_EXAMPLES, cases
    assert "Traceback" not in served.log.read_text(encoding="utf-8", errors="replace")


def test_the_description_follows_the_settings(served: Served) -> None:
    spec = httpx.get(f"{served.url}/api/openapi.json").json()
    question = spec["components"]["schemas"]["AskRequest"]["properties"]["question"]
    assert question["maxLength"] == MAX_QUESTION_CHARS and question["minLength"] == 1
    assert "security" not in spec  # no login configured (the bearer key is described per /v1 operation)
    too_long = httpx.post(f"{served.url}/api/ask", json={"question": "x" * (MAX_QUESTION_CHARS + 1)})
    assert too_long.status_code == 422 and "te lang" in too_long.json()["detail"]
    longest = httpx.post(f"{served.url}/api/ask", json={"question": "x" * MAX_QUESTION_CHARS}, timeout=60)
    assert longest.status_code == 200


def test_the_description_names_the_documents_a_question_can_be_restricted_to(served: Served) -> None:
    spec = httpx.get(f"{served.url}/api/openapi.json").json()
    names = spec["components"]["schemas"]["AskRequest"]["properties"]["documents"]["items"]["enum"]
    listed = httpx.get(f"{served.url}/api/documents").json()["documents"]
    assert names == [name for document in listed for name in document["names"]]
    assert {"awt-advies-84-sociale-innovatie.txt", "awt-advies-84-sociale-innovatie"} <= set(names)
    for name in names:  # every name the description allows is taken, and the answer comes from that document
        body = {"question": "Wat is de derde aanbeveling?", "documents": [name]}
        answer = httpx.post(f"{served.url}/api/ask", json=body, timeout=60)
        assert answer.status_code == 200 and answer.json()["citations"], (name, answer.text)
    unknown = httpx.post(f"{served.url}/api/ask", json={"question": "Wat?", "documents": ["rapport"]}, timeout=60)
    assert unknown.status_code == 422 and "Er is geen document ‘rapport’ geladen" in unknown.json()["detail"]
