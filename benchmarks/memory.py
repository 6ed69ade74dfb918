"""Measure where a server's memory goes: resident MB added by the model, the index and the web stack.

Run in a fresh process (``python -m benchmarks.memory``, with the ``AWT_*`` settings of the corpus): it loads the
parts in the order ``serve`` does and reads the process's resident set after each, so each figure is what that
part adds on top of the ones before it (shared libraries counted where first loaded).

>>> rss_mb() > 1
True
"""

from __future__ import annotations

import json
from pathlib import Path


def rss_mb() -> float:
    """This process's resident set now, in MB (Linux ``/proc``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def components_mb(question: str) -> dict[str, float]:
    """Resident MB of the interpreter, the embedding model, the index (Chroma, BM25, decision) and the web stack."""
    from assistant.settings import Settings

    settings = Settings()
    start = rss_mb()
    from index.embedder import build_embeddings

    embeddings = build_embeddings(settings.embedding_config())
    embeddings.embed_query(question)
    after_model = rss_mb()
    from assistant.service import build_assistant

    assistant = build_assistant(settings, embeddings=embeddings)
    assistant.ask(question)
    after_index = rss_mb()
    from assistant.web.app import create_app

    create_app(settings, assistant)
    after_web = rss_mb()
    return {
        "python_mb": round(start, 1),
        "model_mb": round(after_model - start, 1),
        "index_mb": round(after_index - after_model, 1),
        "web_mb": round(after_web - after_index, 1),
        "total_mb": round(after_web, 1),
    }


if __name__ == "__main__":
    import sys

    print(json.dumps(components_mb(sys.argv[1] if len(sys.argv) > 1 else "Wat is sociale innovatie?")))
