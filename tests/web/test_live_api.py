"""The API on a real server (real model): many users at once, streaming, and ``python -m assistant serve``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from awt_web_support import REPO

from tests.support import free_port

pytestmark = pytest.mark.integration

QUESTIONS = {
    "Met welke landen moet Nederland samenwerken?": "Aanbeveling 3, stap 6",
    "Wat is sociale innovatie?": "Wat is sociale innovatie?",
}


def test_twenty_concurrent_questions_are_all_answered_correctly(live_server: Any) -> None:
    questions = [q for q in QUESTIONS for _ in range(10)]

    def ask(question: str) -> tuple[str, int, dict[str, Any]]:
        response = httpx.post(f"{live_server.url}/api/ask", json={"question": question}, timeout=120)
        return question, response.status_code, response.json()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ask, questions))
    elapsed = time.monotonic() - started
    assert [status for _, status, _ in results] == [200] * 20, [body for _, s, body in results if s != 200]
    for question, _, body in results:
        assert body["question"] == question
        assert body["refused"] is False
        assert body["citations"][0]["label"] == QUESTIONS[question]
    assert elapsed < 60


def test_follow_up_over_the_api(live_server: Any) -> None:
    history = [{"role": "user", "content": "Wat is de derde aanbeveling?"}]
    response = httpx.post(
        f"{live_server.url}/api/ask",
        json={"question": "En wat is de vijfde stap daarvan?", "history": history},
        timeout=60,
    )
    assert response.status_code == 200
    assert response.json()["citations"][0]["label"] == "Aanbeveling 3, stap 5"


def test_server_sent_events(live_server: Any) -> None:
    with httpx.stream(
        "POST",
        f"{live_server.url}/api/ask/stream",
        json={"question": "Met welke landen moet Nederland samenwerken?"},
        timeout=60,
    ) as response:
        assert response.status_code == 200
        events = [line for line in response.iter_lines() if line.startswith("event: ")]
        # iter_lines consumed the body; the last event carries the full answer
    assert events[-1] == "event: answer" and events.count("event: delta") >= 2


def test_serve_command_starts_one_app_with_chat_embed_and_api(model_cache: Path, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_ROOT_PATH": "/awt",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                health = httpx.get(f"{base}/api/health", timeout=2)
                if health.status_code == 200 and health.json()["chat"] == "klaar":  # the API answers earlier
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "de server kwam niet op"
            time.sleep(0.5)
        assert httpx.get(f"{base}/api/health").json()["units"] > 0
        assert 'lang="nl"' in httpx.get(f"{base}/").text
        assert httpx.get(f"{base}/embed/").status_code == 200
        assert httpx.get(f"{base}/config").json()["root"].endswith("/awt")
        answer = httpx.post(
            f"{base}/api/ask", json={"question": "Met welke landen moet Nederland samenwerken?"}, timeout=60
        )
        assert answer.json()["citations"][0]["label"] == "Aanbeveling 3, stap 6"
        bad = httpx.post(f"{base}/api/ask", json={"question": ""})
        assert bad.status_code == 422 and "leeg" in json.loads(bad.text)["detail"]
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert "draait op http://127.0.0.1:" in output and "/awt/" in output
    assert "Traceback" not in output
