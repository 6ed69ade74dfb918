"""The JSON API's routes under ``/api``: ask (plain and as server-sent events), health, documents and feedback.

``/api/ask`` gives the ``ask --json`` contract, ``/api/ask/stream`` the same answer as server-sent events,
``/api/health`` what the server knows, ``/api/documents`` the loaded documents and the names that restrict a
question to them, and ``/api/feedback`` stores a vote. The bodies are in
:mod:`assistant.web.api_models`, the Dutch errors in :mod:`assistant.web.errors`, the offline documentation at
``/api/docs`` in :mod:`assistant.web.api_docs` and what the OpenAPI description adds in
:mod:`assistant.web.api_schema`.

Example:
    >>> list(word_chunks("Werk samen met Duitsland.", 2))
    ['Werk samen ', 'met Duitsland.']
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.routing import Route

from assistant.contract import Answer, Message
from assistant.generative.streaming import AnswerStream
from assistant.questions import InvalidQuestion
from assistant.settings import Settings
from assistant.web.admission import Admission
from assistant.web.api_docs import render_docs
from assistant.web.api_models import (
    AskRequest,
    DocumentInfo,
    Documents,
    ErrorDetail,
    FeedbackRequest,
    FeedbackStored,
    Health,
)
from assistant.web.api_schema import complete_description
from assistant.web.context import web_context
from assistant.web.errors import ApiError, NoRoute, install_error_handlers
from assistant.web.feedback import FeedbackUnavailable
from assistant.web.limits import RETRY_AFTER_SECONDS, Busy, RateLimited, client_key


def _rate_limited_response(exc: RateLimited) -> JSONResponse:
    return JSONResponse(
        status_code=429, content={"detail": str(exc)}, headers={"Retry-After": str(exc.retry_after_seconds)}
    )


def request_client_key(request: Request) -> str:
    """The rate-limit key of an API request (the proxy's user header when configured, else the client IP)."""
    host = request.client.host if request.client else None
    return client_key(host, request.headers, web_context(request).settings.auth_header)


def _busy_response(exc: Busy) -> JSONResponse:
    return JSONResponse(
        status_code=503, content={"detail": str(exc)}, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


_RETRY_AFTER = {
    "description": "Na hoeveel seconden het zin heeft het opnieuw te proberen.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """An error response of the description: always ``{"detail": "<Dutch sentence>"}``."""
    return {"model": ErrorDetail, "description": description, **({"headers": headers} if headers else {})}


Responses = dict[int | str, dict[str, Any]]  # FastAPI's ``responses=``
_UNEXPECTED: Responses = {500: _error("Onverwachte fout in de server (een fout in de assistent zelf).")}
_BAD_BODY: Responses = {
    400: _error("De inhoud kon niet worden gelezen (geen tekst in UTF-8)."),
    422: _error(
        "Ongeldige vraag of ongeldig verzoek: geen geldige JSON, een ontbrekend of onbekend veld, een verkeerd type, "
        "een lege of te lange vraag, een document in `documents` dat niet geladen is (Nederlandse uitleg)."
    ),
}
_ASK_ERRORS: Responses = {
    **_BAD_BODY,
    429: _error(
        "Te veel vragen van deze gebruiker in de afgelopen minuut (AWT_RATE_LIMIT); "
        "probeer het na Retry-After seconden opnieuw.",
        {"Retry-After": _RETRY_AFTER},
    ),
    503: _error("Even geduld: de server is vol; probeer het na Retry-After seconden.", {"Retry-After": _RETRY_AFTER}),
    **_UNEXPECTED,
}


def word_chunks(text: str, words: int = 3) -> Iterator[str]:
    """The text in pieces of a few words (with their spaces), for streaming; joined they give ``text`` back.

    >>> list(word_chunks("een twee drie vier", 2))
    ['een twee ', 'drie vier']
    """
    tokens = re.findall(r"\S+\s*|\s+", text)
    for i in range(0, len(tokens), words):
        yield "".join(tokens[i : i + words])


async def answer_request(
    request: Request, question: str, history: Sequence[Message], documents: Sequence[str] = ()
) -> Answer:
    """The one way an HTTP request gets an answer (``/api/ask``, ``/v1/chat/completions``).

    Streamed, the same way is :func:`answer_events`.

    It takes the steps of :class:`~assistant.web.admission.Admission`: check the question and the documents it is
    restricted to (empty: all), count it against the client's rate limit, wait for a slot and ask the assistant.
    Raises :class:`InvalidQuestion` (also for an unknown document), :class:`RateLimited` or :class:`Busy`, each
    with its Dutch message; every caller turns them into its own protocol's error.
    """
    return await _admitted(request, question, documents).answer_async(history)


async def answer_events(
    request: Request, question: str, history: Sequence[Message], documents: Sequence[str] = ()
) -> AsyncGenerator[str | Answer, None]:
    """:func:`answer_request`, streamed: a generative backend's raw text as the model writes it, then the Answer.

    The Answer is the one :func:`answer_request` gives and replaces the text (sentences may be left out, markers
    renumbered, or the extractive answer may stand in); the extractive backend sends no text before it. The
    errors of :func:`answer_request` are raised by the first step, before anything is sent.
    """
    admission = _admitted(request, question, documents)
    async with admission.ctx.limiter.admit():
        stream = AnswerStream(lambda: admission.answer(history))
        try:
            async for piece in iterate_in_threadpool(stream):
                yield piece
            yield stream.answer
        finally:
            stream.close()  # the client left: the model stops at its next token


def _admitted(request: Request, question: str, documents: Sequence[str]) -> Admission:
    # the HTTP edge checks the question, once: before the rate limit (invalid ones don't count) and the wait
    admission = Admission.check(web_context(request), question, documents)
    admission.count(request_client_key(request))  # before waiting for a slot
    return admission


T = TypeVar("T")


async def _or_error(pending: Awaitable[T]) -> T | JSONResponse:
    """The result of ``pending``, or the JSON error for an invalid question, a rate limit or a full server."""
    try:
        return await pending
    except InvalidQuestion as exc:
        return JSONResponse(status_code=422, content={"detail": str(exc)})
    except RateLimited as exc:
        return _rate_limited_response(exc)
    except Busy as exc:
        return _busy_response(exc)


def _sse(event: str, data: Any) -> str:
    """One server-sent event (the JSON edge of ``/api/ask/stream``)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def build_router() -> APIRouter:
    """The routes under ``/api`` (their errors and description are installed by :func:`install_api`)."""
    router = APIRouter(prefix="/api", tags=["AWT-assistent"])

    async def _answer(request: Request, body: AskRequest) -> Answer | JSONResponse:
        return await _or_error(answer_request(request, body.question, body.history, body.documents))

    @router.post(
        "/ask",
        response_model=Answer,
        responses={200: {"description": "Het antwoord, of een weigering met uitleg (`refused: true`)."}, **_ASK_ERRORS},
        summary="Stel een vraag over het advies",
        description=(
            "Geeft hetzelfde JSON-object als `python -m assistant ask --json`: het antwoord met markeringen "
            "[1] [2] en de bronnen (`citations`), letterlijk geciteerd met hun plaats (`start`/`end`) in het "
            "document. `refused: true` betekent dat het advies de vraag niet beantwoordt; `reason` zegt waarom "
            "(`beantwoord`, `onzeker`: beantwoord met voorbehoud, `buiten_onderwerp`, `niet_in_tekst`, "
            "`vraagt_om_bedrag`, `vraagt_om_persoon`, `vraagt_om_datum`, `vraagt_om_aantal`, "
            "`verwijzing_bestaat_niet`, `geen_vraag`) en `confidence` hoe zeker die beslissing is (0–1). Met "
            "`documents` komt het antwoord alleen uit die documenten (zie `GET /api/documents`)."
        ),
    )
    async def ask(request: Request, body: AskRequest) -> Answer | JSONResponse:
        return await _answer(request, body)

    @router.post(
        "/ask/stream",
        response_model=None,
        responses={
            200: {
                "description": 'Server-sent events: `delta` ({"text"}) het antwoord terwijl het ontstaat, een '
                "paar woorden per keer, dan `answer` met het volledige antwoord-object. Dat vervangt de tekst van de "
                "deltas: met een taalmodel is die tekst een concept, waaruit de controle zinnen kan weglaten.",
            },
            **_ASK_ERRORS,
        },
        summary="Stel een vraag; het antwoord komt in stukjes (server-sent events)",
    )
    async def ask_stream(request: Request, body: AskRequest) -> Any:
        items = answer_events(request, body.question, body.history, body.documents)
        first = await _or_error(anext(items))  # errors still get their status code: nothing is sent yet
        if isinstance(first, JSONResponse):
            return first

        async def events() -> AsyncIterator[str]:
            item = first
            try:
                if isinstance(item, Answer):  # there at once (extractive): a few words at a time
                    for chunk in word_chunks(item.answer):
                        yield _sse("delta", {"text": chunk})
                while isinstance(item, str):  # a generative backend's raw text, as the model writes it
                    yield _sse("delta", {"text": item})
                    item = await anext(items)
                yield _sse("answer", item.model_dump())
            finally:
                await items.aclose()

        return StreamingResponse(
            events(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )

    @router.get(
        "/health",
        response_model=Health,
        responses={200: {"description": "De assistent draait."}, **_UNEXPECTED},
        summary="Draait de assistent, en met welke kennis?",
    )
    async def health(request: Request) -> Health:
        ctx = web_context(request)
        documents = ctx.assistant.knowledge.documents
        index = ctx.index_status()
        return Health(
            status="ok",
            documents=len(documents),
            titles=[d.title for d in documents],
            units=sum(len(d.units) for d in documents),
            backend=ctx.assistant.backend.name,
            feedback=ctx.feedback is not None,
            index=index.state,
            progress=index.progress,
            fingerprint=index.index,
            chat="klaar" if ctx.chat_ready else "laden",
        )

    @router.get(
        "/documents",
        response_model=Documents,
        responses={200: {"description": "De geladen documenten."}, **_UNEXPECTED},
        summary="Welke documenten zijn geladen, en met welke naam beperkt u een vraag tot één ervan?",
        description="Elke naam in `names` kan in `documents` van `/api/ask` (en van `/v1/chat/completions`).",
    )
    async def documents(request: Request) -> Documents:
        knowledge = web_context(request).assistant.knowledge
        return Documents(
            documents=[
                DocumentInfo(
                    name=d.name,
                    title=d.title,
                    short_name=d.short_name,
                    date=d.date,
                    units=len(d.units),
                    names=knowledge.names_of(d),
                )
                for d in knowledge.documents
            ]
        )

    @router.post(
        "/feedback",
        status_code=201,
        response_model=FeedbackStored,
        responses={
            201: {"description": "De stem is opgeslagen."},
            404: _error("Feedback staat uit op deze server (AWT_FEEDBACK)."),
            **_BAD_BODY,
            503: _error("De beoordeling kon niet worden opgeslagen (bijv. volle schijf)."),
            **_UNEXPECTED,
        },
        summary="Geef een duim omhoog of omlaag voor een antwoord (alleen als feedback aan staat)",
    )
    async def feedback(request: Request, body: FeedbackRequest) -> FeedbackStored:
        store = web_context(request).feedback
        if store is None:
            raise ApiError(404, "Feedback staat uit op deze server (AWT_FEEDBACK).")
        try:
            row_id = await run_in_threadpool(
                store.record, body.vote, body.question, body.history, body.answer, source="api"
            )
        except FeedbackUnavailable as exc:
            raise ApiError(503, str(exc)) from None
        return FeedbackStored(id=row_id)

    @router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(render_docs(request.app.openapi()))

    return router


def install_api(app: FastAPI, settings: Settings) -> None:
    """The API under ``/api`` with its Dutch errors and its description.

    Call it before the chat is mounted at ``/``: that mount takes every path, so unknown API paths and
    undeclared methods are answered here first.
    """
    install_error_handlers(app)
    router = build_router()
    app.include_router(router)
    known = NoRoute([*app.router.routes, *router.routes])  # /api/openapi.json is the app's own route
    app.router.routes.append(Route("/api/{rest:path}", known, include_in_schema=False))
    complete_description(app, settings)
