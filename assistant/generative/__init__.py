"""Generative answers from a real LLM (``AWT_LLM=ollama|openai|llamacpp``), each sentence checked against its source.

The extractive backend stays the default and is the fallback for every failure.

    >>> settings = Settings(llm="openai", llm_base_url="http://127.0.0.1:8000/v1")  # doctest: +SKIP
    >>> bot = build_assistant(settings, backend=build_generative_backend(settings))  # doctest: +SKIP
    >>> stream = AnswerStream(lambda: bot.ask("Wat is de eerste aanbeveling?"))  # doctest: +SKIP
    >>> "".join(stream)  # the raw tokens, shown while the model writes them  # doctest: +SKIP
    >>> stream.answer  # the verified answer, which replaces them  # doctest: +SKIP

Which model answers, and what the answers then say in ``backend``:

    >>> backend_label(Settings(llm="ollama", llm_model="qwen2.5:7b"))
    'ollama:qwen2.5:7b'
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.decision import DecisionModel
from assistant.generative.backend import GenerativeBackend, answer_language
from assistant.generative.models import (
    GENERATIVE_BACKENDS,
    GenerationOptions,
    backend_label,
    build_chat_model,
    provider,
)
from assistant.generative.prompt import NO_ANSWER, PROMPT, build_messages
from assistant.generative.streaming import AnswerStream, StreamClosed, send_token
from assistant.generative.verify import LexicalSupportChecker, Passage, SupportChecker, Verification, verify
from assistant.settings import Settings

__all__ = [
    "GENERATIVE_BACKENDS",
    "NO_ANSWER",
    "PROMPT",
    "AnswerStream",
    "GenerationOptions",
    "GenerativeBackend",
    "LexicalSupportChecker",
    "Passage",
    "StreamClosed",
    "SupportChecker",
    "Verification",
    "answer_language",
    "backend_label",
    "build_chat_model",
    "build_generative_backend",
    "build_messages",
    "provider",
    "send_token",
    "verify",
]


def build_generative_backend(
    settings: Settings, chat_model: BaseChatModel | None = None, options: GenerationOptions | None = None
) -> GenerativeBackend:
    """The generative backend for ``settings`` (the chat model from :func:`build_chat_model` unless given)."""
    return GenerativeBackend(
        chat_model or build_chat_model(settings, options),
        name=backend_label(settings),
        model=DecisionModel.load(settings.decision_model),
        max_units=settings.top_k,
        timeout=settings.llm_timeout,
    )
