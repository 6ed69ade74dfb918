"""A bounded load test of ``/api/ask``: C concurrent clients each ask N questions, then it stops by itself.

    .venv/bin/python -m tests.load.loadtest --clients 50 --questions 20

Without ``--url`` it starts ``python -m assistant serve`` itself on a free loopback port (with
``AWT_RATE_LIMIT=0``, so that the per-client limit does not refuse the load), waits until it is up, runs the load
and stops the server again. It prints throughput (answers/s), p50/p95 latency, the number of errors and the
server's resident memory (VmRSS from ``/proc/<pid>/status``) before and after. Bounded in count
(``clients × questions`` requests) and in time (``--max-seconds``; whatever is still running then is cancelled and
counted as an error). Exit status 1 when any request failed.

With the server's defaults (``AWT_WEB_CONCURRENCY=4``, ``AWT_WEB_QUEUE_SIZE=32``) more than 36 clients at once
are more than the server admits: the rest get the designed HTTP 503 "even geduld" at once, and they are counted
as errors (by kind, in the report). The server inherits this environment, so e.g.
``AWT_WEB_QUEUE_SIZE=64 python -m tests.load.loadtest`` measures the same load with everyone admitted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from tests.support import free_port

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = (
    "Met welke landen moet Nederland samenwerken?",
    "Wat is sociale innovatie?",
    "Wat is de derde aanbeveling?",
)
REQUEST_TIMEOUT = 120.0
STARTUP_TIMEOUT = 600.0


@dataclass
class LoadResult:
    clients: int
    questions: int
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)  # of answered requests (HTTP 200), seconds
    errors: int = 0
    uncited: int = 0  # answered, but without citations (or refused)
    error_samples: list[str] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)  # "HTTP 503", "ReadTimeout", "afgebroken", …
    rss_before_kb: int | None = None
    rss_after_kb: int | None = None

    @property
    def answers(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.answers / self.elapsed if self.elapsed > 0 else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in seconds (0 when nothing was answered)."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def rss_growth_mb(self) -> float | None:
        if self.rss_before_kb is None or self.rss_after_kb is None:
            return None
        return (self.rss_after_kb - self.rss_before_kb) / 1024

    def report(self) -> str:
        def mb(kb: int | None) -> str:
            return "onbekend" if kb is None else f"{kb / 1024:.1f} MB"

        growth = self.rss_growth_mb
        lines = [
            f"clients × vragen:  {self.clients} × {self.questions} = {self.clients * self.questions} verzoeken",
            f"duur:              {self.elapsed:.2f} s",
            f"beantwoord:        {self.answers}",
            f"throughput:        {self.throughput:.1f} antwoorden/s",
            f"latency p50:       {self.percentile(50) * 1000:.0f} ms",
            f"latency p95:       {self.percentile(95) * 1000:.0f} ms",
            f"latency max:       {max(self.latencies, default=0.0) * 1000:.0f} ms",
            f"fouten:            {self.errors}"
            + (
                ""
                if not self.error_kinds
                else "  (" + ", ".join(f"{k}: {n}" for k, n in sorted(self.error_kinds.items())) + ")"
            ),
            f"zonder bron:       {self.uncited}",
            f"server RSS voor:   {mb(self.rss_before_kb)}",
            f"server RSS na:     {mb(self.rss_after_kb)}" + ("" if growth is None else f"  (groei {growth:+.1f} MB)"),
        ]
        lines += [f"  fout: {sample}" for sample in self.error_samples[:5]]
        return "\n".join(lines)


def rss_kb(pid: int) -> int | None:
    """Resident memory of a process in kB (``VmRSS`` in ``/proc/<pid>/status``), None when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


async def run_load(
    url: str,
    clients: int,
    questions: int,
    *,
    pid: int | None = None,
    max_seconds: float = 600.0,
    request_timeout: float = REQUEST_TIMEOUT,
    warmup: int = 1,
) -> LoadResult:
    """``clients`` concurrent clients, each asking ``questions`` questions one after the other at ``url``."""
    result = LoadResult(clients=clients, questions=questions)
    endpoint = url.rstrip("/") + "/api/ask"
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    timeout = httpx.Timeout(request_timeout)
    # trust_env=False: never route loopback traffic through an HTTP(S)_PROXY from the environment
    async with httpx.AsyncClient(limits=limits, timeout=timeout, trust_env=False) as http:
        for i in range(warmup):  # the first answer may load lazy parts; not measured
            await http.post(endpoint, json={"question": QUESTIONS[i % len(QUESTIONS)]})
        if pid is not None:
            result.rss_before_kb = rss_kb(pid)

        async def one_client(c: int) -> None:
            for q in range(questions):
                question = QUESTIONS[(c + q) % len(QUESTIONS)]
                started = time.perf_counter()
                try:
                    response = await http.post(endpoint, json={"question": question})
                except httpx.HTTPError as exc:
                    result.errors += 1
                    result.error_kinds[type(exc).__name__] = result.error_kinds.get(type(exc).__name__, 0) + 1
                    result.error_samples.append(f"{type(exc).__name__}: {exc}")
                    continue
                latency = time.perf_counter() - started
                if response.status_code != 200:
                    result.errors += 1
                    kind = f"HTTP {response.status_code}"
                    result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
                    if kind not in " ".join(result.error_samples):
                        result.error_samples.append(f"{kind}: {response.text[:200]}")
                    continue
                result.latencies.append(latency)
                body = response.json()
                if body.get("refused") or not body.get("citations"):
                    result.uncited += 1

        started = time.perf_counter()
        tasks = [asyncio.create_task(one_client(c)) for c in range(clients)]
        _, pending = await asyncio.wait(tasks, timeout=max_seconds)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        result.elapsed = time.perf_counter() - started
        unanswered = clients * questions - result.answers - result.errors
        if unanswered > 0:  # cut off by --max-seconds
            result.errors += unanswered
            result.error_kinds["afgebroken"] = unanswered
            result.error_samples.append(f"{unanswered} verzoeken afgebroken na {max_seconds:.0f} s")
    if pid is not None:
        result.rss_after_kb = rss_kb(pid)
    return result


def start_server(
    port: int, extra_env: dict[str, str] | None = None, *, stderr: int | IO[bytes] = subprocess.PIPE
) -> subprocess.Popen[bytes]:
    """``python -m assistant serve`` on 127.0.0.1:``port`` with the per-client rate limit off. A test that makes
    the server log much passes a file as ``stderr``: a full pipe would stall the server."""
    env = {**os.environ, "AWT_RATE_LIMIT": "0", **(extra_env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )


def wait_until_up(url: str, process: subprocess.Popen[bytes] | None, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise RuntimeError(f"de server stopte (exit {process.returncode}):\n{stderr[-2000:]}")
        try:
            health = httpx.get(url.rstrip("/") + "/api/health", timeout=5, trust_env=False)
            if health.status_code == 200 and health.json().get("chat", "klaar") == "klaar":  # pages, not only API
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"de server was na {timeout:.0f} s nog niet bereikbaar op {url}")
        time.sleep(0.25)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    if process.stderr:
        process.stderr.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50, help="gelijktijdige clients (standaard 50)")
    parser.add_argument("--questions", type=int, default=20, help="vragen per client (standaard 20)")
    parser.add_argument("--url", help="een draaiende server (dan wordt er geen gestart), bijv. http://127.0.0.1:7860")
    parser.add_argument("--pid", type=int, help="met --url: proces-id van die server, voor het geheugengebruik")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="harde tijdslimiet van de belasting")
    parser.add_argument("--startup-seconds", type=float, default=STARTUP_TIMEOUT, help="wachttijd voor het starten")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.questions < 1:
        parser.error("--clients en --questions moeten minstens 1 zijn")

    process: subprocess.Popen[bytes] | None = None
    try:
        if args.url:
            url, pid = args.url, args.pid
        else:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            print(f"server starten op {url} (AWT_RATE_LIMIT=0)…", file=sys.stderr, flush=True)
            process = start_server(port)
            pid = process.pid
        started = time.monotonic()
        wait_until_up(url, process, args.startup_seconds)
        print(f"server klaar na {time.monotonic() - started:.1f} s; belasting start", file=sys.stderr, flush=True)
        result = asyncio.run(run_load(url, args.clients, args.questions, pid=pid, max_seconds=args.max_seconds))
    finally:
        if process is not None:
            stop_server(process)
    print(result.report())
    return 1 if result.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
