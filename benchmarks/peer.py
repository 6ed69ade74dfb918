"""Time the peer recipe: LangChain's retrieval tutorial with our embedding model, for the bench's ours ÷ peer ratio.

The recipe: every document split by ``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)``, the
chunks embedded by sentence-transformers on torch (``HuggingFaceEmbeddings``, the model our index uses), kept in an
in-memory Chroma collection, and each question answered by ``similarity_search(question, k=4)``. It runs in a
process of its own (``python -m benchmarks.peer``) so that torch's threads and memory do not weigh on ours.
Our warm answer does more (hybrid search, the answer/refuse decision, verbatim quotes), so ours ÷ peer is an
honest upper bound on what that costs.

>>> chunks = split_like_the_tutorial(["Eerste zin. " * 200])
>>> len(chunks), max(len(c.page_content) for c in chunks) <= 1000
(3, True)
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.documents import Document


def split_like_the_tutorial(texts: Sequence[str]) -> list[Document]:
    """The texts as the tutorial's chunks: 1,000 characters with 200 overlap, each with its start offset."""
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200, add_start_index=True)
    return splitter.split_documents([Document(page_content=text) for text in texts])


def peer_latencies_ms(texts: Sequence[str], model_path: str, questions: Sequence[str], rounds: int = 5) -> list[float]:
    """Warm ``similarity_search`` latencies in ms over ``texts``, after one untimed round of ``questions``."""
    import chromadb
    from chromadb.config import Settings
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings

    embeddings = HuggingFaceEmbeddings(model_name=model_path, model_kwargs={"device": "cpu"})
    client = chromadb.EphemeralClient(Settings(anonymized_telemetry=False))
    store = Chroma(collection_name=f"peer-{uuid.uuid4().hex[:8]}", embedding_function=embeddings, client=client)
    chunks = split_like_the_tutorial(texts)
    step = client.get_max_batch_size()  # Chroma refuses more at once (~5,400): 2,000 pages are ~2× that
    for i in range(0, len(chunks), step):
        store.add_documents(chunks[i : i + step])
    for question in questions:
        store.similarity_search(question, k=4)
    latencies = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            store.similarity_search(question, k=4)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def main(argv: Sequence[str]) -> None:
    """``python -m benchmarks.peer MODEL_PATH FILE…``: questions as a JSON list on stdin, latencies as JSON out."""
    model_path, *files = argv
    questions = json.loads(sys.stdin.read())
    texts = [Path(f).read_text(encoding="utf-8") for f in files]
    print(json.dumps(peer_latencies_ms(texts, model_path, questions)))


if __name__ == "__main__":
    main(sys.argv[1:])
