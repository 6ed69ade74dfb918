"""A LangChain chat model over a local GGUF file through llama-cpp-python (the optional ``[llamacpp]`` extra).

A small adapter over ``llama_cpp.Llama.create_chat_completion`` instead of langchain-community's
``ChatLlamaCpp``: it needs nothing but langchain-core, streams, and bounds every call by a timeout.
``llama_cpp`` is imported only when a model is loaded.

    >>> model = LlamaCppChatModel(model_path="/tmp/qwen.gguf", timeout=120)   # doctest: +SKIP
    >>> model.invoke("Zeg hallo.").content                                    # doctest: +SKIP
    'Hallo!'

A missing extra or file is a Dutch message (``AWT_LLM_MODEL`` names the file), raised when the model loads:

    >>> LlamaCppChatModel(model_path="/bestaat/niet.gguf", timeout=5).load()  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    LlamaCppUnavailable: AWT_LLM=llamacpp heeft llama-cpp-python nodig (of het modelbestand bestaat niet).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_CACHE: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_CACHE_LOCK = threading.Lock()


class LlamaCppUnavailable(RuntimeError):
    """llama-cpp-python is not installed or the model file cannot be loaded; ``str()`` is Dutch."""


def load_llama(model_path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    """The loaded model (one per file and settings, shared by all backends) and the lock that serialises it."""
    key = (str(Path(model_path).resolve()), n_ctx, n_threads)
    with _CACHE_LOCK:
        if key not in _CACHE:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise LlamaCppUnavailable(
                    "AWT_LLM=llamacpp heeft llama-cpp-python nodig: pip install 'awt-assistent[llamacpp]'."
                ) from exc
            if not Path(model_path).is_file():
                raise LlamaCppUnavailable(f"Het modelbestand '{model_path}' (AWT_LLM_MODEL) bestaat niet.")
            try:
                llama = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, seed=0, verbose=False)
            except (ValueError, RuntimeError, OSError) as exc:
                raise LlamaCppUnavailable(
                    f"Het modelbestand '{model_path}' kan niet worden geladen als GGUF-model ({exc})."
                ) from exc
            _CACHE[key] = (llama, threading.Lock())
        return _CACHE[key]


def _as_dict(message: BaseMessage) -> dict[str, str]:
    return {"role": _ROLES.get(message.type, "user"), "content": message.text}


class LlamaCppChatModel(BaseChatModel):
    """Chat completions from a local GGUF model; ``timeout`` bounds each call (waiting for the model included)."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = Field(default_factory=lambda: os.cpu_count() or 2)
    temperature: float = 0.2
    max_tokens: int = 300
    repeat_penalty: float = 1.15
    top_p: float = 0.9
    timeout: float | None = 60.0

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "repeat_penalty": self.repeat_penalty,
        }

    def load(self) -> Any:
        """Load the GGUF file now (otherwise on the first call); raises :class:`LlamaCppUnavailable`."""
        if self._llama is None:
            self._llama, self._lock = load_llama(self.model_path, self.n_ctx, self.n_threads)
        return self._llama

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self.load()
        assert self._lock is not None
        started = time.monotonic()
        deadline = None if self.timeout is None else started + self.timeout
        if not self._lock.acquire(timeout=-1 if deadline is None else max(0.0, deadline - time.monotonic())):
            raise TimeoutError(f"het model was na {self.timeout:.0f} s nog bezig met een andere vraag")
        try:
            chunks = llama.create_chat_completion(
                messages=[_as_dict(m) for m in messages],
                temperature=kwargs.get("temperature", self.temperature),
                top_p=self.top_p,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                repeat_penalty=self.repeat_penalty,
                stop=stop or None,
                stream=True,
            )
            for chunk in chunks:
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"het model had na {self.timeout:.0f} s nog geen volledig antwoord")
                choice = chunk["choices"][0]
                text = choice.get("delta", {}).get("content") or ""
                if not text:
                    continue
                if run_manager is not None:
                    run_manager.on_llm_new_token(text)
                yield ChatGenerationChunk(message=AIMessageChunk(content=text))
        finally:
            self._lock.release()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
