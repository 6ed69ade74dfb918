"""The usage examples in the product modules' docstrings stay true: every module of knowledge, index, assistant
and evals that has one is found and run (a new module needs no registration here)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("knowledge", "index", "assistant", "evals", "benchmarks")


def _modules_with_examples() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path.name == "__main__.py" or ">>>" not in path.read_text(encoding="utf-8"):
                continue
            parts = path.relative_to(REPO).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()
# Their examples need the model, a store, a server or a whole eval run, so they are all "+SKIP" for now (issue 13
# wants runnable ones); the list may only shrink: a module that gains a runnable example must leave it.
ILLUSTRATIVE_ONLY = {
    "index.onnx_embeddings",
    "index.onnx_export",
}


def test_the_examples_are_found() -> None:
    assert {"knowledge.loader", "index.word_vectors", "assistant.decision.decide", "evals.metrics"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert (result.attempted == 0) == (name in ILLUSTRATIVE_ONLY), "update ILLUSTRATIVE_ONLY"
