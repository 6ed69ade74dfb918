"""The chat-model factory, the llama.cpp adapter (with a fake ``Llama``) and real clients against a closed port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.generative import GenerationOptions, GenerativeBackend, backend_label, build_chat_model
from assistant.generative.backend import NOTICE_UNREACHABLE
from assistant.generative.llamacpp import LlamaCppChatModel
from assistant.settings import ConfigurationError, Settings

CLOSED = "http://127.0.0.1:9/v1"  # the discard port: nothing listens there


def test_the_generation_defaults_are_the_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWT_LLM_TEMPERATURE", "AWT_LLM_MAX_TOKENS", "AWT_LLM_CONTEXT", "AWT_LLM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    assert GenerationOptions() == GenerationOptions.from_settings(Settings.model_construct())
    tuned = GenerationOptions.from_settings(Settings(llm_temperature=0.7, llm_max_tokens=64))
    assert (tuned.temperature, tuned.max_tokens, tuned.n_ctx) == (0.7, 64, GenerationOptions().n_ctx)


def test_openai_needs_an_explicit_base_url() -> None:
    with pytest.raises(ConfigurationError, match="AWT_LLM_BASE_URL"):
        build_chat_model(Settings(llm="openai"))


def test_openai_client_is_bounded_by_the_timeout() -> None:
    pytest.importorskip("langchain_openai")
    from langchain_openai import ChatOpenAI

    model = build_chat_model(Settings(llm="openai", llm_base_url=CLOSED, llm_model="qwen", llm_timeout=7))
    assert type(model).__name__ == "ChatOpenAI"
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.request_timeout, model.max_retries) == ("qwen", 7, 0)
    assert model.openai_api_base == CLOSED and model.extra_body == {"max_tokens": 300}


def test_ollama_needs_a_model_and_gets_the_timeout() -> None:
    pytest.importorskip("langchain_ollama")
    from langchain_ollama import ChatOllama

    with pytest.raises(ConfigurationError, match="AWT_LLM_MODEL"):
        build_chat_model(Settings(llm="ollama"))
    model = build_chat_model(Settings(llm="ollama", llm_model="qwen2.5:7b", llm_timeout=9))
    assert type(model).__name__ == "ChatOllama"
    assert isinstance(model, ChatOllama)
    assert model.base_url == "http://127.0.0.1:11434" and model.client_kwargs == {"timeout": 9}
    assert model.repeat_penalty == 1.15 and model.num_predict == 300


def test_llamacpp_needs_an_existing_model_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="AWT_LLM_MODEL"):
        build_chat_model(Settings(llm="llamacpp"))
    with pytest.raises(ConfigurationError) as error:
        build_chat_model(Settings(llm="llamacpp", llm_model=str(tmp_path / "geen.gguf")))
    assert "geen.gguf" in str(error.value) or "llama-cpp-python" in str(error.value)


def test_an_unknown_backend_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="extractief, ollama, openai, llamacpp"):
        build_chat_model(Settings(llm="gpt"))


def test_backend_labels() -> None:
    assert backend_label(Settings(llm="openai")) == "openai:default"
    assert backend_label(Settings(llm="Ollama", llm_model="qwen2.5:7b")) == "ollama:qwen2.5:7b"
    assert backend_label(Settings(llm="llamacpp", llm_model="/m/q.gguf")) == "llamacpp:q.gguf"


def test_build_backend_builds_the_generative_backends() -> None:
    pytest.importorskip("langchain_openai")
    from assistant.service import build_backend

    backend = build_backend(Settings(llm="openai", llm_base_url=CLOSED))
    assert isinstance(backend, GenerativeBackend) and backend.name == "openai:default"
    assert build_backend(Settings()).name == "extractief"
    with pytest.raises(ConfigurationError, match="llamacpp"):
        build_backend(Settings(llm="bestaatniet"))


@pytest.mark.parametrize("llm", ["openai", "ollama"])
def test_a_real_client_against_a_closed_port_falls_back(llm: str) -> None:
    pytest.importorskip(f"langchain_{llm}")
    from test_generative import DECISION, QUESTION, make_retrieval

    settings = Settings(
        llm=llm, llm_base_url=CLOSED if llm == "openai" else "http://127.0.0.1:9", llm_model="m", llm_timeout=5
    )
    backend = GenerativeBackend(build_chat_model(settings), name=backend_label(settings), model=DECISION, timeout=5)
    started = time.monotonic()
    answer = backend.answer(QUESTION, make_retrieval())
    assert time.monotonic() - started < 5
    assert answer.backend == "extractief" and answer.notice == NOTICE_UNREACHABLE and answer.citations


class FakeLlama:
    """Stands in for ``llama_cpp.Llama``: streams fixed pieces, optionally slowly."""

    def __init__(self, pieces: list[str], delay: float = 0.0) -> None:
        self.pieces, self.delay = pieces, delay
        self.calls: list[dict[str, Any]] = []

    def create_chat_completion(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.calls.append(kwargs)
        yield {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]}
        for piece in self.pieces:
            time.sleep(self.delay)
            yield {"choices": [{"delta": {"content": piece}, "finish_reason": None}]}
        yield {"choices": [{"delta": {}, "finish_reason": "stop"}]}


def adapter(llama: FakeLlama, **kwargs: Any) -> LlamaCppChatModel:
    model = LlamaCppChatModel(model_path="/nergens/model.gguf", **kwargs)
    model._llama, model._lock = llama, threading.Lock()
    return model


def test_the_llamacpp_adapter_streams_and_passes_the_options() -> None:
    llama = FakeLlama(["Dit ", "is ", "het ", "antwoord [1]."])
    model = adapter(llama, temperature=0.3, max_tokens=50)
    chunks = [c.text for c in model.stream([SystemMessage("regels"), HumanMessage("vraag")]) if c.text]
    assert chunks == ["Dit ", "is ", "het ", "antwoord [1]."]
    assert model.invoke("vraag").content == "Dit is het antwoord [1]."
    call = llama.calls[0]
    assert call["messages"] == [{"role": "system", "content": "regels"}, {"role": "user", "content": "vraag"}]
    assert (call["temperature"], call["max_tokens"], call["repeat_penalty"], call["stream"]) == (0.3, 50, 1.15, True)


def test_the_llamacpp_adapter_stops_at_the_timeout_and_frees_the_model() -> None:
    model = adapter(FakeLlama(["woord "] * 100, delay=0.02), timeout=0.1)
    with pytest.raises(TimeoutError):
        model.invoke("vraag")
    assert model._lock is not None and not model._lock.locked()


def test_generation_options_come_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("langchain_openai")
    pytest.importorskip("langchain_ollama")
    monkeypatch.setenv("AWT_LLM_TEMPERATURE", "0.7")
    monkeypatch.setenv("AWT_LLM_MAX_TOKENS", "512")
    monkeypatch.setenv("AWT_LLM_CONTEXT", "8192")
    from langchain_ollama import ChatOllama
    from langchain_openai import ChatOpenAI

    openai = build_chat_model(Settings(llm="openai", llm_base_url=CLOSED, llm_model="qwen"))
    assert isinstance(openai, ChatOpenAI)
    assert openai.temperature == 0.7 and openai.extra_body == {"max_tokens": 512}
    ollama = build_chat_model(Settings(llm="ollama", llm_model="qwen2.5:7b"))
    assert isinstance(ollama, ChatOllama)
    assert (ollama.temperature, ollama.num_predict, ollama.num_ctx) == (0.7, 512, 8192)


@pytest.mark.parametrize(("variable", "value"), [("AWT_LLM_TEMPERATURE", "3"), ("AWT_LLM_MAX_TOKENS", "0")])
def test_out_of_range_generation_options_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings()
