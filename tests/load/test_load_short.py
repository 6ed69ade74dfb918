"""A short load test in CI: 10 clients × 5 questions against the real assistant on a loopback server.

The server is the uvicorn-in-thread helper of the web tests around the session's ``real_assistant`` (so the
model is loaded once per run); its memory is therefore this process's RSS.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings

from .loadtest import run_load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from awt_web_support import LiveServer  # noqa: E402

pytestmark = pytest.mark.integration


def test_ten_clients_five_questions_each(real_assistant: Any, tmp_path: Path) -> None:
    from assistant.web import create_app

    settings = Settings(data_dir=tmp_path / "data", rate_limit=0)
    with LiveServer(create_app(settings, assistant=real_assistant)) as server:
        result = asyncio.run(run_load(server.url, clients=10, questions=5, pid=os.getpid(), max_seconds=180))
    print(result.report())
    assert result.errors == 0, result.error_samples
    assert result.answers == 50
    assert result.uncited == 0  # every answer cites the advice
    assert result.rss_growth_mb is not None and result.rss_growth_mb < 100
