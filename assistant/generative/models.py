"""One factory for the chat model named by ``AWT_LLM``, with the sampling options every provider shares.

``ollama``, ``openai`` (any OpenAI-compatible server) or ``llamacpp`` (a local GGUF file). Provider packages are
imported only here, only for the provider chosen.

>>> backend_label(Settings(llm="openai", llm_model="qwen2.5-7b-instruct"))
'openai:qwen2.5-7b-instruct'
>>> backend_label(Settings(llm="llamacpp", llm_model="/modellen/qwen1.5b.gguf"))
'llamacpp:qwen1.5b.gguf'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.settings import ConfigurationError, Settings

GENERATIVE_BACKENDS: tuple[str, ...] = ("ollama", "openai", "llamacpp")
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
OPENAI_DEFAULT_MODEL = "default"  # llama.cpp server, LiteLLM and TGI accept any name; vLLM needs the served name


def _setting_default(name: str) -> Any:
    """The default of a :class:`Settings` field: the one place each default is written."""
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class GenerationOptions:
    """Sampling and size limits shared by every provider; the defaults are those of the ``AWT_LLM_*`` settings.

    Example:
        >>> GenerationOptions() == GenerationOptions.from_settings(Settings.model_construct())
        True
        >>> GenerationOptions(max_tokens=50).max_tokens
        50
    """

    temperature: float = _setting_default("llm_temperature")
    max_tokens: int = _setting_default("llm_max_tokens")
    repeat_penalty: float = 1.15  # small local models loop without it
    n_ctx: int = _setting_default("llm_context")
    n_threads: int | None = _setting_default("llm_threads")  # llamacpp: None = every core
    max_retries: int = 0  # a retry would double the time the user waits beyond AWT_LLM_TIMEOUT

    @classmethod
    def from_settings(cls, settings: Settings) -> GenerationOptions:
        """The options an operator set with ``AWT_LLM_TEMPERATURE``, ``…_MAX_TOKENS``, ``…_CONTEXT``, ``…_THREADS``."""
        return cls(
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            n_ctx=settings.llm_context,
            n_threads=settings.llm_threads,
        )


def provider(settings: Settings) -> str:
    """The provider ``AWT_LLM`` names, in lower case."""
    return settings.llm.strip().lower()


def backend_label(settings: Settings) -> str:
    """What the ``backend`` field of an answer says when the model answered, e.g. ``openai:qwen2.5-7b``."""
    name = provider(settings)
    model = settings.llm_model or (OPENAI_DEFAULT_MODEL if name == "openai" else "")
    if name == "llamacpp" and model:
        model = Path(model).name
    return f"{name}:{model}" if model else name


def build_chat_model(settings: Settings, options: GenerationOptions | None = None) -> BaseChatModel:
    """The LangChain chat model for ``settings``; raises :class:`ConfigurationError` (Dutch) when it cannot be built.

    Every call is bounded by ``AWT_LLM_TIMEOUT`` and not retried.
    """
    options = options or GenerationOptions.from_settings(settings)
    name = provider(settings)
    if name == "openai":
        return _openai(settings, options)
    if name == "ollama":
        return _ollama(settings, options)
    if name == "llamacpp":
        return _llamacpp(settings, options)
    raise ConfigurationError(
        f"Onbekende antwoordmotor '{settings.llm}' (AWT_LLM). "
        f"Beschikbaar: extractief, {', '.join(GENERATIVE_BACKENDS)}."
    )


def _missing_package(package: str, llm: str) -> ConfigurationError:
    return ConfigurationError(f"AWT_LLM={llm} heeft het pakket {package} nodig: pip install {package}")


def _openai(settings: Settings, options: GenerationOptions) -> BaseChatModel:
    if not settings.llm_base_url:
        # Never fall back to a cloud endpoint: questions would leave the machine without the operator knowing.
        raise ConfigurationError(
            "AWT_LLM=openai heeft AWT_LLM_BASE_URL nodig, het adres van een OpenAI-compatibele server "
            "(bijvoorbeeld http://127.0.0.1:8000/v1 voor vLLM of http://127.0.0.1:8080/v1 voor llama.cpp)."
        )
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise _missing_package("langchain-openai", "openai") from exc
    return ChatOpenAI(
        model=settings.llm_model or OPENAI_DEFAULT_MODEL,
        base_url=settings.llm_base_url,
        api_key=SecretStr(settings.llm_api_key or "geen-sleutel"),  # local servers ignore it; the client needs one
        timeout=settings.llm_timeout,
        max_retries=options.max_retries,
        temperature=options.temperature,
        # max_tokens itself is sent as max_completion_tokens, which not every compatible server knows
        extra_body={"max_tokens": options.max_tokens},
        stream_usage=False,
    )


def _ollama(settings: Settings, options: GenerationOptions) -> BaseChatModel:
    if not settings.llm_model:
        raise ConfigurationError("AWT_LLM=ollama heeft AWT_LLM_MODEL nodig, de naam van het model (bijv. qwen2.5:7b).")
    try:
        from langchain_ollama import ChatOllama
    except ImportError as exc:
        raise _missing_package("langchain-ollama", "ollama") from exc
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else None
    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url or DEFAULT_OLLAMA_URL,
        temperature=options.temperature,
        num_predict=options.max_tokens,
        num_ctx=options.n_ctx,
        repeat_penalty=options.repeat_penalty,
        client_kwargs={"timeout": settings.llm_timeout, **({"headers": headers} if headers else {})},
    )


def _llamacpp(settings: Settings, options: GenerationOptions) -> BaseChatModel:
    from assistant.generative.llamacpp import LlamaCppChatModel, LlamaCppUnavailable

    if not settings.llm_model:
        raise ConfigurationError("AWT_LLM=llamacpp heeft AWT_LLM_MODEL nodig, het pad naar een GGUF-bestand.")
    model = LlamaCppChatModel(
        model_path=str(Path(settings.llm_model).expanduser()),
        n_ctx=options.n_ctx,
        n_threads=options.n_threads or os.cpu_count() or 2,
        temperature=options.temperature,
        max_tokens=options.max_tokens,
        repeat_penalty=options.repeat_penalty,
        timeout=settings.llm_timeout,
    )
    try:
        model.load()  # fail at start-up, not at the first question
    except LlamaCppUnavailable as exc:
        raise ConfigurationError(str(exc)) from exc
    return model
