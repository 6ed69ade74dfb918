"""The OpenAI chat-completions wire format at ``/v1``: the request, response, stream-chunk and error bodies.

Other OpenAI parameters are accepted and ignored; the extra field ``awt`` of a response carries the whole answer
object, and the extra field ``documents`` of a request restricts the question (as in ``/api/ask``).

Example:
    >>> request = ChatCompletionRequest.model_validate(
    ...     {"model": MODEL_ID, "messages": [{"role": "user", "content": "Wat is de derde aanbeveling?"}]}
    ... )
    >>> request.stream, request.messages[0].role
    (False, 'user')
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from assistant.contract import Answer
from assistant.web.api_models import DOCUMENTS_HELP, MAX_DOCUMENTS

MODEL_ID = "awt-assistent"
MAX_MESSAGES = 500  # a long conversation is fine (only the last MAX_HISTORY turns are used); a flood is not

# --- request ---------------------------------------------------------------------------------------------------


class ContentPart(BaseModel):
    """One part of a message's content; only ``{"type": "text", "text": …}`` is read, other parts are skipped."""

    model_config = ConfigDict(extra="allow")

    type: str
    text: str | None = None


class ChatMessage(BaseModel):
    """One message of the conversation, as OpenAI clients send it."""

    model_config = ConfigDict(extra="allow")

    role: str = Field(
        description="‘user’: een vraag (de laatste is de vraag die beantwoord wordt); ‘assistant’: een eerder "
        "antwoord. Andere rollen (‘system’, ‘developer’, ‘tool’) worden genegeerd."
    )
    content: str | list[ContentPart] | None = None


class StreamOptions(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    model_config = ConfigDict(extra="allow")

    include_usage: StrictBool | None = Field(default=None, description="Stuur aan het eind een stuk met `usage`.")


class ChatCompletionRequest(BaseModel):
    """A chat completion request. Other OpenAI parameters (``temperature``, ``max_tokens``, ``n``, …) are
    accepted and ignored: the answer is always one grounded, cited answer.
    """  # noqa: D205 - this docstring is the OpenAPI description, which stays as it was

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {"model": MODEL_ID, "messages": [{"role": "user", "content": "Wat is de derde aanbeveling?"}]},
                {
                    "model": MODEL_ID,
                    "stream": True,
                    "messages": [
                        {"role": "user", "content": "Wat is de derde aanbeveling?"},
                        {"role": "assistant", "content": "Aanbeveling 3 is … [1]"},
                        {"role": "user", "content": "En wat is de vijfde stap daarvan?"},
                    ],
                },
            ]
        },
    )

    model: str = Field(
        description=f"‘{MODEL_ID}’; met meer documenten geladen ook ‘{MODEL_ID}/<naam>’: alleen uit dat document "
        "(zie `GET /v1/models`)."
    )
    messages: list[ChatMessage] = Field(
        min_length=1,
        max_length=MAX_MESSAGES,
        description="Het gesprek, oudste eerst; het laatste user-bericht is de vraag (niet leeg, hoogstens "
        "AWT_MAX_QUESTION_CHARS tekens).",
        json_schema_extra={
            "contains": {"type": "object", "required": ["role"], "properties": {"role": {"const": "user"}}}
        },
    )
    # strict: the description says boolean, so 0 and "true" are refused rather than guessed at
    stream: StrictBool | None = Field(default=False, description="true: het antwoord als server-sent events.")
    stream_options: StreamOptions | None = None
    # not OpenAI's: the openai package sends it with extra_body={"documents": [...]}
    documents: list[str] | None = Field(default=None, max_length=MAX_DOCUMENTS, description=DOCUMENTS_HELP)


# --- response --------------------------------------------------------------------------------------------------


class ReplyMessage(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    role: Literal["assistant"]
    content: str = Field(description="Het antwoord met markeringen [1] [2] en daaronder de bronnen, leesbaar.")


class Choice(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    index: int
    message: ReplyMessage
    finish_reason: Literal["stop"]
    logprobs: None = None


class Usage(BaseModel):
    """Token counts as OpenAI clients expect them: estimates (characters / 4), no tokenizer is run."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    awt: Answer = Field(
        description="Het volledige antwoord-object, zoals `/api/ask` het geeft (bronnen met citaat en plaats)."
    )


class Delta(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    index: int
    delta: Delta
    finish_reason: Literal["stop"] | None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One streamed event; the last one with ``choices`` carries ``finish_reason: "stop"`` and ``awt``."""

    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    awt: Answer | None = None


class ModelCard(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    object: Literal["list"]
    data: list[ModelCard]


class OpenAIErrorBody(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    message: str = Field(description="Wat er mis is, in het Nederlands.")
    type: str
    param: str | None
    code: str | None


class OpenAIError(BaseModel):
    """Every error of ``/v1``, in the shape OpenAI clients read."""

    error: OpenAIErrorBody
