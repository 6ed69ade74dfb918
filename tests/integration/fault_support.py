"""Helpers of the fault tests: a child process that builds an index and can kill itself at a chosen point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

BUILD_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys, time
    from pathlib import Path
    from langchain_core.embeddings import DeterministicFakeEmbedding
    from assistant.service import build_assistant
    from assistant.settings import Settings

    kill_at = sys.argv[4] if len(sys.argv) > 4 else ""
    calls = 0

    def die():
        os.kill(os.getpid(), signal.SIGKILL)  # a real kill -9: no finally, no atexit

    class Slow(DeterministicFakeEmbedding):
        def embed_documents(self, texts):
            global calls
            calls += 1
            if kill_at == "first-batch" or (kill_at == "mid-way" and calls == 2):
                die()
            time.sleep(float(sys.argv[3]))
            return super().embed_documents(texts)

    if kill_at == "marking-complete":
        from chromadb.api.models.Collection import Collection
        modify = Collection.modify
        def modify_then_die(self, *args, metadata=None, **kwargs):
            if metadata and metadata.get("complete") is True:
                die()
            return modify(self, *args, metadata=metadata, **kwargs)
        Collection.modify = modify_then_die

    settings = Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]))
    bot = build_assistant(settings, embeddings=Slow(size=16))
    print("KLAAR", bot.search._dense.collection_name, flush=True)
    """
)


def knowledge_folder(folder: Path, paragraphs: int, word: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(
        f"Alinea {i} gaat over {word} en over de rol van sociale innovatie in de samenleving van nu."
        for i in range(paragraphs)
    )
    (folder / "doc.md").write_text(f"# Document\n\n{body}\n", encoding="utf-8")
    return folder


def spawn_build(
    data: Path, knowledge: Path, delay: float, kill_at: str = "", env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """A child process that builds the index; ``kill_at`` makes it SIGKILL itself at that point of the build."""
    return subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(data), str(knowledge), str(delay), kill_at],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
