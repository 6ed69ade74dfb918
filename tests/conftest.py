"""Test-wide guards: no test may reach the network, and no test touches the user's real data dir."""
# ruff: noqa: E402

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.privacy import apply_offline_defaults

apply_offline_defaults()
# The network guard itself is pytest-socket, switched on for every test in pyproject.toml
# (``--allow-hosts=127.0.0.1,::1``): a connection to anything but loopback fails the test.


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings built inside a test never write to the user's real data dir."""
    if "AWT_DATA_DIR" not in os.environ or not os.environ["AWT_DATA_DIR"].startswith(str(tmp_path.parent.parent)):
        monkeypatch.setenv("AWT_DATA_DIR", str(tmp_path / "awt-data"))


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One converted embedding model for the whole run (conversion takes a few seconds)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def real_assistant(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Iterator[object]:
    """The real assistant (multilingual-e5-small, Chroma, the shipped advice), built once per test run."""
    from assistant.service import build_assistant
    from assistant.settings import Settings

    data_dir = tmp_path_factory.mktemp("assistant-data")
    yield build_assistant(Settings(data_dir=data_dir, model_cache_dir=model_cache))
