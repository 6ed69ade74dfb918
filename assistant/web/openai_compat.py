"""The OpenAI chat-completions routes at ``/v1``, for the front ends and clients that already speak the protocol.

Open WebUI, LibreChat, the ``openai`` package and curl use ``POST /v1/chat/completions`` (plain, or
``stream: true`` as ``chat.completion.chunk`` events ending with ``data: [DONE]``), ``GET /v1/models`` and
``GET /v1/models/{model}``.

It is a second door to the same assistant, not a second pipeline: every question goes through
:func:`assistant.web.api.answer_request`, with the app's login (or ``AWT_API_KEYS``, see
:mod:`assistant.web.guard`), rate limit and capacity limits, under ``AWT_ROOT_PATH``. The bodies are in
:mod:`assistant.web.openai_wire`, the translation of messages in :mod:`assistant.web.openai_text`, the errors in
:mod:`assistant.web.openai_errors` and the additions to the OpenAPI description in
:mod:`assistant.web.openai_schema`.

Example:
    >>> _model_card().id
    'awt-assistent'
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse
from starlette.routing import Route

from assistant.contract import Answer
from assistant.questions import InvalidQuestion, UnknownDocument
from assistant.scope import several
from assistant.settings import Settings
from assistant.web.api import answer_request, word_chunks
from assistant.web.context import web_context
from assistant.web.errors import NoRoute
from assistant.web.guard import OPENAI_PREFIX
from assistant.web.limits import RETRY_AFTER_SECONDS, Busy, RateLimited
from assistant.web.openai_errors import error_response, install_error_handlers, unknown_model
from assistant.web.openai_schema import complete_description
from assistant.web.openai_text import conversation, message_text, reply_text, tokens
from assistant.web.openai_wire import (
    MODEL_ID,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    Delta,
    ModelCard,
    ModelList,
    OpenAIError,
    ReplyMessage,
    Usage,
)
from knowledge.units import KnowledgeBase

STARTED = int(time.time())  # ``created`` of the model: when this server started serving it


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"model": OpenAIError, "description": description, **({"headers": headers} if headers else {})}


_RETRY_AFTER = {"required": True, "schema": {"type": "integer", "minimum": 1}}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(
        "Ongeldig verzoek (Nederlandse uitleg in `error.message`): geen geldige JSON, een verkeerd type, geen "
        "user-bericht, het laatste user-bericht is geen bruikbare vraag (leeg, of langer dan "
        "AWT_MAX_QUESTION_CHARS tekens), of een document in `documents` is niet geladen (`code: unknown_document`)."
    ),
    404: _error("Onbekend model (`code: model_not_found`)."),
    429: _error(
        "Te veel vragen van deze gebruiker in de afgelopen minuut (AWT_RATE_LIMIT).", {"Retry-After": _RETRY_AFTER}
    ),
    503: _error("Even geduld: de server is vol.", {"Retry-After": _RETRY_AFTER}),
    500: _error("Onverwachte fout in de server."),
}


def _model_card(model: str = MODEL_ID) -> ModelCard:
    return ModelCard(id=model, object="model", created=STARTED, owned_by="awt-assistent")


def document_models(knowledge: KnowledgeBase) -> dict[str, str | None]:
    """The model ids ``/v1`` serves, each with the document it answers from (None: all).

    :data:`~assistant.web.openai_wire.MODEL_ID` answers from every document; with more than one loaded, each also
    has a model of its own, ``awt-assistent/<file name without extension>`` (with the extension, or the whole
    name, where that alone would fit two), for clients whose users can only pick a model (Open WebUI).

    >>> from knowledge.units import Document
    >>> docs = [Document(n, n, "") for n in ("advies.txt", "inclusie.pdf", "a/rapport.pdf", "b/rapport.pdf")]
    >>> list(document_models(KnowledgeBase(tuple(docs))))[1:]
    ['awt-assistent/advies', 'awt-assistent/inclusie', 'awt-assistent/a/rapport.pdf', 'awt-assistent/b/rapport.pdf']
    """
    models: dict[str, str | None] = {MODEL_ID: None}
    documents = knowledge.documents
    if len(documents) < 2:
        return models
    files = [d.name.rsplit("/", 1)[-1] for d in documents]
    stems = [file.rsplit(".", 1)[0] if "." in file else file for file in files]
    for document, file, stem in zip(documents, files, stems, strict=True):
        name = stem if stems.count(stem) == 1 else file if files.count(file) == 1 else document.name
        models[f"{MODEL_ID}/{name}"] = document.name
    return models


def _events(
    answer: Answer, content: str, completion_id: str, created: int, usage: Usage | None, model: str
) -> Iterator[str]:
    def event(choices: list[ChunkChoice], **extra: Any) -> str:
        chunk = ChatCompletionChunk(
            id=completion_id, object="chat.completion.chunk", created=created, model=model, choices=choices, **extra
        )
        # unset fields stay out (OpenAI's deltas carry only what is new); finish_reason is always set, null or not
        return f"data: {chunk.model_dump_json(exclude_unset=True)}\n\n"

    yield event([ChunkChoice(index=0, delta=Delta(role="assistant", content=""), finish_reason=None)])
    for piece in word_chunks(content):
        yield event([ChunkChoice(index=0, delta=Delta(content=piece), finish_reason=None)])
    # awt from a full dump: every field of the answer is then 'set' and survives exclude_unset
    yield event([ChunkChoice(index=0, delta=Delta(), finish_reason="stop")], awt=answer.model_dump())
    if usage is not None:
        yield event([], usage=usage)
    yield "data: [DONE]\n\n"


def build_router() -> APIRouter:
    """The routes under ``/v1`` (their errors and description are installed by :func:`install_openai`)."""
    router = APIRouter(prefix=OPENAI_PREFIX, tags=["OpenAI-compatibel"])

    @router.post(
        "/chat/completions",
        response_model=ChatCompletion,
        responses={
            200: {
                "description": "Het antwoord als `chat.completion`; met `stream: true` als server-sent events "
                "(`chat.completion.chunk`, tot slot `data: [DONE]`)."
            },
            **_ERRORS,
        },
        summary="Stel een vraag volgens het OpenAI-protocol (chat completions)",
        description=(
            "Het laatste bericht met `role: user` is de vraag, de user- en assistant-berichten ervoor het gesprek "
            "tot nu toe; systeemberichten worden genegeerd. `content` is het antwoord met markeringen en daaronder "
            "de bronnen; het veld `awt` bevat het volledige antwoord-object van `/api/ask`. `usage` is een schatting."
        ),
    )
    async def chat_completions(request: Request, body: ChatCompletionRequest) -> Any:
        models = document_models(web_context(request).assistant.knowledge)
        if body.model not in models:
            return unknown_model(body.model, several=len(models) > 1)
        chosen = models[body.model]
        documents = [*([chosen] if chosen else []), *(body.documents or [])]  # the model's document and the rest
        try:
            question, history = conversation(body.messages)
            answer = await answer_request(request, question, history, documents)
        except UnknownDocument as exc:
            return error_response(400, str(exc), "invalid_request_error", "unknown_document", "documents")
        except InvalidQuestion as exc:
            return error_response(400, str(exc), "invalid_request_error", "invalid_question", "messages")
        except RateLimited as exc:
            return error_response(
                429,
                str(exc),
                "rate_limit_error",
                "rate_limit_exceeded",
                headers={"Retry-After": str(exc.retry_after_seconds)},
            )
        except Busy as exc:
            return error_response(
                503, str(exc), "server_error", "server_busy", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            )
        content = reply_text(answer, several=several(web_context(request).assistant.knowledge.documents))
        prompt = sum(tokens(message_text(m.content)) for m in body.messages)
        usage = Usage(prompt_tokens=prompt, completion_tokens=tokens(content), total_tokens=prompt + tokens(content))
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if body.stream:
            wants_usage = bool(body.stream_options and body.stream_options.include_usage)
            return StreamingResponse(
                _events(answer, content, completion_id, created, usage if wants_usage else None, body.model),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
            )
        return ChatCompletion(
            id=completion_id,
            object="chat.completion",
            created=created,
            model=body.model,
            choices=[Choice(index=0, message=ReplyMessage(role="assistant", content=content), finish_reason="stop")],
            usage=usage,
            awt=answer,
        )

    @router.get(
        "/models",
        response_model=ModelList,
        responses={
            200: {
                "description": f"‘{MODEL_ID}’ (uit alle documenten); met meer documenten geladen ook "
                f"‘{MODEL_ID}/<naam>’ per document (alleen uit dat document)."
            },
            500: _ERRORS[500],
        },
        summary="Welke modellen zijn er? (de AWT-assistent, en per document één als er meer zijn)",
    )
    async def models(request: Request) -> ModelList:
        known = document_models(web_context(request).assistant.knowledge)
        return ModelList(object="list", data=[_model_card(model) for model in known])

    @router.get(
        "/models/{model:path}",  # the ids of one document's model have a slash: awt-assistent/<naam>
        response_model=ModelCard,
        responses={200: {"description": "Het model."}, 404: _ERRORS[404], 500: _ERRORS[500]},
        summary="Eén model",
    )
    async def model(request: Request, model: str) -> Any:
        known = document_models(web_context(request).assistant.knowledge)
        return _model_card(model) if model in known else unknown_model(model, several=len(known) > 1)

    return router


def install_openai(app: FastAPI, settings: Settings) -> None:
    """The routes under ``/v1``, their errors and their description.

    Call it after :func:`assistant.web.api.install_api` (whose error handlers it extends) and before the chat is
    mounted at ``/`` (which would take every path).
    """
    install_error_handlers(app)
    router = build_router()
    app.include_router(router)
    known = NoRoute(router.routes)
    app.router.routes.append(Route(OPENAI_PREFIX + "/{rest:path}", known, include_in_schema=False))
    complete_description(app, settings)
