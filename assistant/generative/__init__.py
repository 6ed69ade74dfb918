"""Generative answers from a real LLM (``AWT_LLM=ollama|openai|llamacpp``), every sentence checked against the
passage it cites. The extractive backend stays the default and is the fallback for every failure.

    >>> backend = build_generative_backend(Settings(llm="openai", llm_base_url="http://127.0.0.1:8000/v1"))  # doctest: +SKIP
    >>> for event in stream_answer(assistant, "Wat is de eerste aanbeveling?"):                             # doctest: +SKIP
    ...     print(event)
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.decision import DecisionModel
from assistant.generative.backend import (
    AnswerStream,
    GenerativeBackend,
    StreamingAdapter,
    StreamingBackend,
    answer_language,
    as_streaming,
    stream_answer,
)
from assistant.generative.models import (
    GENERATIVE_BACKENDS,
    GenerationOptions,
    backend_label,
    build_chat_model,
    provider,
)
from assistant.generative.prompt import NO_ANSWER, PROMPT, build_messages
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
    "StreamingAdapter",
    "StreamingBackend",
    "SupportChecker",
    "Verification",
    "answer_language",
    "as_streaming",
    "backend_label",
    "build_chat_model",
    "build_generative_backend",
    "build_messages",
    "provider",
    "stream_answer",
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
