"""The usage examples in the evals modules' docstrings stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "evals.text",
    "evals.support",
    "evals.language",
    "evals.metrics",
    "evals.gate",
    "evals.dataset",
    "evals.baseline",
    "evals.judges",
    "evals.scoring",
    "evals.chart",
    "evals.report",
    "evals.html_report",
    "evals.runner",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
