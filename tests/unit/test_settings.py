"""Settings: the plain values each layer is built from, and the Dutch message for a bad AWT_* value."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from assistant.settings import Settings, invalid_setting


def test_a_bad_value_is_named_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWT_TOP_K", "0")
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = invalid_setting(caught.value)
    assert message.startswith("ongeldige instelling: ") and "top_k" in message


def test_the_index_layer_gets_plain_values(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, chroma_url="http://chroma:8000", build_heartbeat_timeout=12.0)
    store = settings.store_config()
    assert (store.data_dir, store.chroma_url, store.heartbeat_timeout) == (tmp_path, "http://chroma:8000", 12.0)
    assert store.chroma_dir == settings.chroma_dir == tmp_path / "chroma"
    embedding = settings.embedding_config()
    assert (embedding.query_prefix, embedding.passage_prefix) == ("query: ", "passage: ")  # e5 wants its prefixes
    assert embedding.models_dir == settings.models_dir
    assert Settings(query_prefix="").embedding_config().identity != embedding.identity  # a change rebuilds the index
