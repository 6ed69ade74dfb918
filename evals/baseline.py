"""The committed baseline (``evals/baseline.json``): last accepted metric values per backend.

Keyed by backend, because an extractive and a generative backend are not comparable; a run
is only compared with the entry of its own backend. Layout::

    {"version": 1,
     "backends": {"extractief": {"dataset": "evals/gold.jsonl", "dataset_sha256": "…",
                                 "n_items": 60, "metrics": {"label_accuracy": 0.95, …}}}}

Example::

    >>> entry = BaselineEntry(dataset="gold.jsonl", dataset_sha256="ab", n_items=1, metrics={"mrr": 1.0})
    >>> write_baseline(Path("/tmp/b.json"), "extractief", entry)  # doctest: +SKIP
    >>> read_baseline(Path("/tmp/b.json"), "extractief").metrics  # doctest: +SKIP
    {'mrr': 1.0}
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError


class BaselineError(ValueError):
    """An unreadable baseline file (Dutch message)."""


class BaselineEntry(BaseModel):
    """The accepted result of one backend on one version of the gold set."""

    dataset: str
    dataset_sha256: str
    n_items: int
    metrics: dict[str, float | None]


class BaselineFile(BaseModel):
    """The baseline file: the accepted result per backend."""

    version: int = 1
    backends: dict[str, BaselineEntry] = Field(default_factory=dict)


def _read_file(path: Path) -> BaselineFile:
    if not path.exists():
        return BaselineFile()
    try:
        return BaselineFile.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError) as error:
        raise BaselineError(f"De baseline {path} is onleesbaar: {error}") from None


def read_baseline(path: Path, backend: str) -> BaselineEntry | None:
    """The baseline entry for ``backend``, or None when the file or the entry does not exist."""
    return _read_file(path).backends.get(backend)


def write_baseline(path: Path, backend: str, entry: BaselineEntry) -> None:
    """Store ``entry`` for ``backend``, keeping the other backends' entries."""
    data = _read_file(path)
    data.backends[backend] = entry
    data.backends = dict(sorted(data.backends.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data.model_dump(mode="json"), ensure_ascii=False, indent=2, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
