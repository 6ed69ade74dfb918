"""Share two cores well: numpy's BLAS on one thread, so its idle threads do not take CPU from onnxruntime.

OpenBLAS keeps its worker threads spinning for a while after each matrix product. The decision's small products
(a question against the world questions and the documents' words) then leave those threads busy while
onnxruntime embeds the next question on the same two cores: measured with ``python -m assistant bench --sizes
advice`` on 2 cores, warm p50 31.5 → 16.5 ms and the bare query embedding 19.0 → 12.0 ms with one BLAS thread.
Set before numpy is imported; an operator's own ``OPENBLAS_NUM_THREADS`` wins.

>>> apply_cpu_defaults()
>>> os.environ["OPENBLAS_NUM_THREADS"] != ""
True
"""

from __future__ import annotations

import os

CPU_DEFAULTS: dict[str, str] = {"OPENBLAS_NUM_THREADS": "1"}


def apply_cpu_defaults() -> None:
    """Set each of :data:`CPU_DEFAULTS` in ``os.environ`` unless the operator set it already."""
    for key, value in CPU_DEFAULTS.items():
        os.environ.setdefault(key, value)
