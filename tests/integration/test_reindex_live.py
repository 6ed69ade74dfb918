"""Reindex without downtime: a running ``serve`` keeps answering while a document is added, then uses it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import free_port, stop_process

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
KNOWN = "Met welke landen moet Nederland samenwerken?"


def _new_document(folder: Path) -> Path:
    """Large enough that building its index takes seconds, about a subject the advice never mentions."""
    folder.mkdir()
    log = "\n\n".join(f"Meting {i}: proefvak {i} ligt {i * 3} meter van boei {i % 17}." for i in range(600))
    path = folder / "zeewier.md"
    path.write_text(
        "# Zeewierkwekerij in de Noordzee\n\nZeewierkwekerij levert per hectare meer eiwit op dan sojateelt op land."
        f"\n\n## Meetlogboek\n\n{log}\n",
        encoding="utf-8",
    )
    return path


def test_serve_keeps_answering_while_a_document_is_indexed_then_cites_it(model_cache: Path, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AWT_DATA_DIR": str(tmp_path / "data"),
        "AWT_MODEL_CACHE_DIR": str(model_cache),
        "AWT_INDEX_WATCH_INTERVAL": "0.5",
        "AWT_RATE_LIMIT": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{base}/api/health", timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("serve did not start within 240 s")
        assert health["index"] == "klaar" and health["fingerprint"]
        before = health["fingerprint"]

        answers: list[tuple[int, dict[str, Any]]] = []
        states: list[str] = []
        stop = threading.Event()

        def keep_asking() -> None:
            with httpx.Client(timeout=60) as client:
                while not stop.is_set():
                    response = client.post(f"{base}/api/ask", json={"question": KNOWN})
                    answers.append((response.status_code, response.json()))
                    states.append(client.get(f"{base}/api/health").json()["index"])

        asker = threading.Thread(target=keep_asking)
        asker.start()
        try:
            added = subprocess.run(
                [sys.executable, "-m", "assistant", "index", str(_new_document(tmp_path / "nieuw"))],
                cwd=REPO,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert added.returncode == 0, added.stderr
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and httpx.get(f"{base}/api/health").json()["fingerprint"] == before:
                time.sleep(0.5)
        finally:
            stop.set()
            asker.join(timeout=120)

        assert len(answers) >= 10
        assert all(status == 200 for status, _ in answers), [body for status, body in answers if status != 200]
        assert all(body["citations"] for _, body in answers)
        assert all(
            body["citations"][0]["label"] == "Aanbeveling 3, stap 6" for _, body in answers if body["index"] == before
        )
        assert "bijwerken" in states  # the server said it was updating, and answered meanwhile
        assert {body["index"] for _, body in answers} >= {before}

        health = httpx.get(f"{base}/api/health").json()
        assert health["fingerprint"] != before and health["index"] == "klaar" and health["documents"] == 2
        answer = httpx.post(f"{base}/api/ask", json={"question": "Waar ligt proefvak 12?"}).json()
        assert answer["refused"] is False and answer["citations"][0]["document"] == "zeewier.md", answer
        assert answer["index"] == health["fingerprint"]
        assert server.poll() is None  # no restart
    finally:
        stop_process(server, timeout=20)
