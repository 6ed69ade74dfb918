"""Measure speed and memory for growing corpora, and report them as a table or JSON (``python -m assistant bench``).

For each size (the advice alone, ~200 and ~2,000 generated Dutch pages) it measures, in this order:
index build time (parsing, embedding, writing Chroma, the BM25 index; libraries and model already loaded, the model
warmed by one full batch, words an earlier index embedded shared) and
chunks/s next to bare ``model.encode`` throughput on the same chunks, warm answer latency
p50/p95 (retrieval + extractive answer, in-process) next to the bare query-embedding time (the floor), cold
``ask`` (a new process: start to answer), and ``serve`` start to first answered request with its peak RSS.
Next to our warm p50 it times the peer recipe (:mod:`benchmarks.peer`, LangChain's retrieval tutorial with the
same model) on the same corpus in the same run, and prints ours ÷ peer next to ours ÷ floor; and it reads the
resident memory each part of a server adds (:mod:`benchmarks.memory`).

The benchmark ships with the package and the tests' helpers (``tests/support``) do not, so it keeps its own two
small process helpers (a free port, stopping a server).

>>> run(["20000p"], as_json=True)
Traceback (most recent call last):
ValueError: Onbekende grootte(s): 20000p. Kies uit: advice, 200p, 2000p.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.settings import Settings
from benchmarks.corpus import generate_corpus

QUESTIONS = [
    "Met welke landen moet Nederland samenwerken?",
    "Wat is de vijfde stap van de derde aanbeveling?",
    "Waarom moet de overheid een actieve rol spelen?",
    "Wat verstaat de AWT onder sociale innovatie?",
    "Wat staat er in bijlage 4?",
    "Welke zes stappen beschrijft de AWT?",
    "Wat moeten KNAW en NWO doen?",
    "Wat is de hoofdstad van Frankrijk?",
    "Hoe moet het bestaande beleid voor bedrijven veranderen?",
    "Wat is werkplaatsinnovatie?",
]
SIZES = {"advice": 0, "200p": 200, "2000p": 2000}  # name: generated pages next to the advice


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(process: subprocess.Popen[Any], timeout: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _env(settings: Settings, knowledge: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AWT_DATA_DIR": str(settings.data_dir),
        "AWT_KNOWLEDGE_DIR": str(knowledge),
        "AWT_MODEL_CACHE_DIR": str(settings.models_dir),
    }


def _cold_ask(settings: Settings, knowledge: Path) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--json", QUESTIONS[0]],
        env=_env(settings, knowledge),
        check=True,
        capture_output=True,
        timeout=600,
    )
    return time.perf_counter() - start


def _peer_p50_ms(settings: Settings, knowledge: Path) -> float:
    """The peer recipe's warm p50 on the same files, in a process of its own (it imports torch)."""
    from index.embedder import resolve_model_path

    files = sorted(str(p) for p in knowledge.iterdir() if p.suffix in {".txt", ".md"})
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.peer", resolve_model_path(settings.embedding_config()), *files],
        input=json.dumps(QUESTIONS),
        env=_env(settings, knowledge),
        check=True,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    latencies: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return statistics.median(latencies)


def _memory_by_component(settings: Settings, knowledge: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", QUESTIONS[0]],
        env=_env(settings, knowledge),
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _serve(settings: Settings, knowledge: Path) -> tuple[float, float]:
    """Seconds from ``serve`` start to the first answered /api/ask, and the server's peak RSS after 20 answers.

    The peak is read once the chat is loaded as well (it is built after the API starts answering).
    """
    import httpx

    port = _free_port()
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=_env(settings, knowledge),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api/ask"
    try:
        first = float("nan")
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                if httpx.post(url, json={"question": QUESTIONS[0]}, timeout=60).status_code == 200:
                    first = time.perf_counter() - start
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        for question in QUESTIONS * 2:
            httpx.post(url, json={"question": question}, timeout=60)
        _wait_for_chat(url.removesuffix("/ask") + "/health", deadline)  # the API answers before the chat is built
        return first, _peak_rss_mb(process.pid)
    finally:
        _stop(process, timeout=30)


def _wait_for_chat(health_url: str, deadline: float) -> None:
    """Until ``/api/health`` says the chat is loaded too, so the peak RSS includes the web stack."""
    import httpx

    while time.monotonic() < deadline:
        if httpx.get(health_url, timeout=60).json().get("chat", "klaar") == "klaar":
            return
        time.sleep(0.2)


def _warm_up(embeddings: Any, knowledge: Path) -> None:
    """Run the model once on a full batch of long passages, before any clock starts.

    The first such batch grows onnxruntime's memory arena (~60 ms at the advice size, measured): without this
    the index build, timed first, paid it and the bare encode, timed after it, did not.
    """
    words = " ".join(p.read_text(encoding="utf-8") for p in sorted(knowledge.iterdir())).split()
    size = int(getattr(embeddings, "batch_size", 32))
    embeddings.embed_documents([" ".join(words[(i * 400 + j) % len(words)] for j in range(400)) for i in range(size)])


def bench_size(
    name: str, pages: int, workdir: Path, model_cache: Path, progress: Callable[[str], None]
) -> dict[str, Any]:
    """Every measure for one corpus size (``pages`` generated pages next to the advice), built below ``workdir``."""
    from assistant.service import build_assistant
    from index.embedder import build_embeddings

    knowledge = workdir / name / "kennis"
    generate_corpus(knowledge, pages)
    settings = Settings(data_dir=workdir / name / "data", knowledge_dir=knowledge, model_cache_dir=model_cache)
    embeddings = build_embeddings(settings.embedding_config())

    _warm_up(embeddings, knowledge)
    progress(f"[{name}] index opbouwen…")
    # Imported before the clock starts, like the model is loaded before it: index_s measures indexing, and a
    # process's one-off start-up is what cold_ask_s measures.
    import chromadb  # noqa: F401
    import chromadb.api.rust  # noqa: F401  (chromadb imports its engine only when the first client opens)
    import langchain_chroma  # noqa: F401

    start = time.perf_counter()
    bot = build_assistant(settings, embeddings=embeddings)
    index_s = time.perf_counter() - start
    chunks = [u.context_text() for u in bot.search.units]

    progress(f"[{name}] kale encode-doorvoer meten…")
    sample = chunks[: min(len(chunks), 2000)]
    start = time.perf_counter()
    embeddings.embed_documents(sample)
    encode_per_s = len(sample) / (time.perf_counter() - start)

    progress(f"[{name}] warme latentie meten…")
    for question in QUESTIONS:
        bot.ask(question)
    latencies, floors = [], []
    for _ in range(5):
        for question in QUESTIONS:
            t = time.perf_counter()
            bot.ask(question)
            latencies.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            embeddings.embed_query(question)
            floors.append((time.perf_counter() - t) * 1000)

    progress(f"[{name}] het recept van de LangChain-tutorial meten (ter vergelijking)…")
    peer_p50 = _peer_p50_ms(settings, knowledge)

    progress(f"[{name}] koude start van ask en serve meten…")
    cold = _cold_ask(settings, knowledge)
    first_answer, rss = _serve(settings, knowledge)
    progress(f"[{name}] geheugen per onderdeel meten…")
    memory = _memory_by_component(settings, knowledge)
    warm_p50 = statistics.median(latencies)
    floor = statistics.median(floors)
    return {
        "pages": pages,
        "chunks": len(chunks),
        "warm_p50_ms": round(warm_p50, 1),
        "warm_p95_ms": round(_percentile(latencies, 0.95), 1),
        "embed_floor_ms": round(floor, 1),
        "peer_p50_ms": round(peer_p50, 1),
        "p50_over_floor": round(warm_p50 / floor, 2),
        "p50_over_peer": round(warm_p50 / peer_p50, 2),
        "cold_ask_s": round(cold, 2),
        "serve_first_answer_s": round(first_answer, 2),
        "index_s": round(index_s, 2),
        "index_chunks_per_s": round(len(chunks) / index_s, 1),
        "encode_chunks_per_s": round(encode_per_s, 1),
        "serve_rss_mb": round(rss, 1),
        **{f"rss_{part}": mb for part, mb in memory.items()},
    }


def run(sizes: list[str], as_json: bool, keep: Path | None = None) -> dict[str, Any]:
    """Measure each of ``sizes`` (names in :data:`SIZES`) and print a Markdown table, or JSON with ``as_json``.

    Progress goes to stderr. The corpora and indexes are built in a temporary folder, or kept in ``keep``.
    Raises ValueError (Dutch) for an unknown size before anything is measured.
    """
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        raise ValueError(f"Onbekende grootte(s): {', '.join(unknown)}. Kies uit: {', '.join(SIZES)}.")
    workdir = keep or Path(tempfile.mkdtemp(prefix="awt-bench-"))
    model_cache = Settings().models_dir
    results: dict[str, Any] = {}
    try:
        for name in sizes:
            results[name] = bench_size(name, SIZES[name], workdir, model_cache, lambda m: print(m, file=sys.stderr))
            print(f"[{name}] {json.dumps(results[name])}", file=sys.stderr)  # kept if a later size fails
    finally:
        if keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    if as_json:
        print(json.dumps(results, indent=2))
    else:
        columns = list(next(iter(results.values())).keys())
        print("| meting | " + " | ".join(results) + " |")
        print("|---|" + "---|" * len(results))
        for column in columns:
            print(f"| {column} | " + " | ".join(str(results[s][column]) for s in results) + " |")
    return results
