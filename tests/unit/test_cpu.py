"""A process that imports the assistant runs numpy's BLAS on one thread, unless the operator says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "import assistant, numpy\n"
    "from threadpoolctl import threadpool_info\n"
    "print(sorted({i['num_threads'] for i in threadpool_info() if i['internal_api'] == 'openblas'}))\n"
)


def _blas_threads(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip()


def test_the_assistant_keeps_blas_on_one_thread() -> None:
    assert _blas_threads() == "[1]"


def test_the_operator_setting_wins() -> None:
    assert _blas_threads(OPENBLAS_NUM_THREADS="2") == "[2]"
