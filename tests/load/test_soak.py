"""Soak: steady load on a real ``serve`` for ten minutes, with one reindex in the middle. Not in the default run:

    .venv/bin/python -m pytest -m soak tests/load/test_soak.py -s      # AWT_SOAK_SECONDS=600 (default)

Four clients ask without pause; halfway a document is added with ``python -m assistant index PAD`` and the server
rebuilds in the background. Passes with 0 errors and resident memory (after the warm-up and after the reindex
settled, both measured while idle) growing less than 5 %. Prints p50/p95 per phase.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support import free_port

from .loadtest import QUESTIONS, REPO, rss_kb, start_server, stop_server, wait_until_up

pytestmark = [pytest.mark.integration, pytest.mark.soak]
CLIENTS = 4
WARMUP_S = 30.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def test_ten_minutes_of_steady_load_with_a_reindex(tmp_path: Path) -> None:
    seconds = float(os.environ.get("AWT_SOAK_SECONDS", "600"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"AWT_DATA_DIR": str(tmp_path / "data"), "AWT_INDEX_WATCH_INTERVAL": "2", "AWT_WEB_QUEUE_SIZE": "64"}
    server = start_server(port, env)
    latencies: dict[str, list[float]] = {"voor": [], "tijdens": [], "na": []}
    errors: list[str] = []
    phase = "voor"
    rss_series: list[tuple[int, str, int]] = []
    began = time.monotonic()
    try:
        wait_until_up(url, server)

        async def load(until: float) -> None:
            async with httpx.AsyncClient(timeout=120, trust_env=False) as http:

                async def client(c: int) -> None:
                    n = 0
                    while time.monotonic() < until:
                        started = time.perf_counter()
                        try:
                            response = await http.post(f"{url}/api/ask", json={"question": QUESTIONS[(c + n) % 3]})
                            if response.status_code != 200 or not response.json()["citations"]:
                                errors.append(f"HTTP {response.status_code}: {response.text[:200]}")
                        except httpx.HTTPError as exc:
                            errors.append(f"{type(exc).__name__}: {exc}")
                        latencies[phase].append(time.perf_counter() - started)
                        n += 1

                async def sample() -> None:
                    while time.monotonic() < until:
                        rss_series.append((round(time.monotonic() - began), phase, rss_kb(server.pid) or 0))
                        await asyncio.sleep(15)

                await asyncio.gather(sample(), *(client(c) for c in range(CLIENTS)))

        asyncio.run(load(time.monotonic() + WARMUP_S))
        latencies["voor"].clear()
        time.sleep(2)
        rss_start = rss_kb(server.pid)
        asyncio.run(load(time.monotonic() + seconds / 2))

        phase = "tijdens"
        document = tmp_path / "notitie.md"
        document.write_text(
            "# Notitie over werkplaatsinnovatie\n\n"
            + "\n\n".join(
                f"Punt {i}: werkplaatsinnovatie in sector {i} vraagt om ruimte voor experimenten en leren."
                for i in range(200)
            )
            + "\n",
            encoding="utf-8",
        )
        indexer = subprocess.Popen(
            [sys.executable, "-m", "assistant", "index", str(document)],
            cwd=REPO,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

        async def until_switched() -> None:  # load while the document is indexed, until the server switched
            nonlocal phase
            task = asyncio.create_task(load(time.monotonic() + 3600))
            while indexer.poll() is None or httpx.get(f"{url}/api/health", trust_env=False).json()["documents"] < 2:
                await asyncio.sleep(0.5)
            phase = "na"
            await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(until_switched())
        asyncio.run(load(time.monotonic() + seconds / 2))
        assert indexer.returncode == 0, indexer.stderr.read() if indexer.stderr else ""
        time.sleep(2)
        rss_end = rss_kb(server.pid)
        health = httpx.get(f"{url}/api/health", trust_env=False).json()
    finally:
        stop_server(server)

    total = sum(len(v) for v in latencies.values())
    print(f"\nsoak: {seconds:.0f} s, {CLIENTS} clients, {total} requests, {len(errors)} errors")
    for name, values in latencies.items():
        print(
            f"  {name:8s} {len(values):6d} antwoorden  p50 {_percentile(values, 50) * 1000:7.1f} ms  "
            f"p95 {_percentile(values, 95) * 1000:7.1f} ms"
        )
    growth = (rss_end - rss_start) / rss_start * 100 if rss_start and rss_end else float("nan")
    print(f"  RSS {rss_start} kB -> {rss_end} kB ({growth:+.1f} %); documenten na herindexeren: {health['documents']}")
    print("  RSS (s, fase, MB): " + ", ".join(f"{t} {name} {kb // 1024}" for t, name, kb in rss_series))
    assert errors == [], errors[:5]
    assert health["documents"] == 2 and health["index"] == "klaar"
    assert growth < 5.0
