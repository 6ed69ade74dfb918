"""Switch off every phone-home of the libraries we use, before they are imported.

Operators can still override a switch by setting the variable themselves (e.g. ``HF_HUB_OFFLINE=0`` to let
sentence-transformers fetch a hub model on a machine with internet access).
"""

from __future__ import annotations

import os

OFFLINE_DEFAULTS: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGSMITH_TRACING": "false",
}


def apply_offline_defaults() -> None:
    """Set each of :data:`OFFLINE_DEFAULTS` in ``os.environ`` unless the operator set it already."""
    for key, value in OFFLINE_DEFAULTS.items():
        os.environ.setdefault(key, value)
