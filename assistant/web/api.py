"""The JSON API: ``/api/ask`` (the ``ask --json`` contract), ``/api/ask/stream`` (server-sent events),
``/api/health``, ``/api/feedback`` and offline documentation at ``/api/docs``. Every error is Dutch JSON, and
the OpenAPI description at ``/api/openapi.json`` names every status code and limit the server applies.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Iterator, Sequence
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, Route

from assistant.contract import Answer, Citation, Message
from assistant.decision.reasons import Reason
from assistant.generative.streaming import AnswerStream
from assistant.questions import VISIBLE_CHARACTER, InvalidQuestion, clean_question, valid_text
from assistant.settings import Settings
from assistant.web.feedback import FeedbackUnavailable
from assistant.web.guard import route_path
from assistant.web.limits import RETRY_AFTER_SECONDS, Busy, RateLimited, client_key

log = logging.getLogger(__name__)

MAX_HISTORY = 50
EXAMPLE_QUESTION = "Met welke landen moet Nederland samenwerken?"


class AskRequest(BaseModel):
    """A question, optionally with the conversation so far (for follow-ups such as ‘En de vijfde stap?’)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {
                    "question": "En wat is de vijfde stap daarvan?",
                    "history": [{"role": "user", "content": "Wat is de derde aanbeveling?"}],
                },
            ]
        },
    )

    # clean_question checks these (its Dutch message is kinder than a validation error); the description says
    # them, with maxLength from AWT_MAX_QUESTION_CHARS (see _complete_description)
    question: str = Field(
        description="De vraag, in het Nederlands (of Engels): minstens één zichtbaar teken, hoogstens "
        "AWT_MAX_QUESTION_CHARS tekens.",
        json_schema_extra={"minLength": 1, "pattern": VISIBLE_CHARACTER},
    )
    history: list[Message] = Field(
        default_factory=list, max_length=MAX_HISTORY, description="Het gesprek tot nu toe, oudste eerst."
    )


def _json_integer(value: Any) -> Any:
    """JSON Schema's integer is a number without a fraction: ``1.0`` is one, ``"1"`` and ``true`` are not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInteger = Annotated[int, BeforeValidator(_json_integer)]


class FeedbackCitation(Citation):
    """A citation as ``/api/ask`` gave it; strict, so that ``"1"`` is not taken for ``1``."""

    model_config = ConfigDict(strict=True)

    n: JsonInteger = Field(ge=1)
    start: JsonInteger
    end: JsonInteger


class FeedbackAnswer(Answer):
    """The answer object as ``/api/ask`` gave it, sent back unchanged; strict, as the description promises."""

    model_config = ConfigDict(strict=True)

    citations: list[FeedbackCitation]  # type: ignore[assignment]  # pydantic: a stricter field of the same shape
    reason: Reason = Field(default=Reason.BEANTWOORD, strict=False)  # strict would want an enum, not its text


class FeedbackRequest(BaseModel):
    """A vote on an answer that ``/api/ask`` gave (stored only when ``AWT_FEEDBACK=true``)."""

    model_config = ConfigDict(extra="forbid")

    vote: Literal["up", "down"] = Field(description="‘up’ (goed antwoord) of ‘down’ (slecht antwoord).")
    question: str = Field(min_length=1, max_length=10_000)
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY)
    answer: FeedbackAnswer


class FeedbackStored(BaseModel):
    id: int = Field(ge=1, description="Het nummer van de opgeslagen stem.")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    units: int
    backend: str
    feedback: bool
    index: Literal["klaar", "bijwerken"] = Field(
        description="‘bijwerken’: een nieuwe index wordt opgebouwd; tot hij klaar is, antwoordt de huidige."
    )
    progress: float | None = Field(description="Hoe ver het bijwerken is (0–1), als dat bekend is.")
    fingerprint: str | None = Field(description="Welke index antwoordt; staat ook in elk antwoord (‘index’).")


class ErrorDetail(BaseModel):
    detail: str = Field(description="Wat er mis is, in het Nederlands.")


# --- Dutch errors ----------------------------------------------------------------------------------------

_DUTCH_ERRORS: dict[str, str] = {
    "missing": "ontbreekt",
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "model_type": "moet een object zijn",
    "model_attributes_type": "moet een object zijn",
    "dict_type": "moet een object zijn",
    "literal_error": "heeft een ongeldige waarde",
    "extra_forbidden": "is geen toegestaan veld",
    "string_too_short": "mag niet leeg zijn",
    "too_short": "mag niet leeg zijn",  # a list with min_length=1
    "string_too_long": "is te lang",
    "string_unicode": "is geen geldige tekst",
    "enum": "heeft een ongeldige waarde",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "bool_type": "moet true of false zijn",
    "int_type": "moet een geheel getal zijn",
    "float_type": "moet een getal zijn",
}


def _location(loc: Sequence[Any]) -> str:
    parts = [p for p in loc if p != "body"]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: dict[str, Any], example: str) -> str:
    kind = error.get("type", "")
    loc = _location(error.get("loc", ()))
    if kind == "json_invalid":
        return "de inhoud is geen geldige JSON"
    if kind in ("model_attributes_type", "dict_type", "model_type") and not loc:
        return f"de inhoud moet een JSON-object zijn, zoals {example}"
    if kind == "missing" and not loc:
        return f"de inhoud ontbreekt; stuur een JSON-object zoals {example}"
    if kind == "too_long":
        limit = error.get("ctx", {}).get("max_length")
        message = f"is te lang (hoogstens {limit} elementen)" if limit is not None else "is te lang"
    elif kind == "literal_error" and loc.endswith("role"):
        message = "moet ‘user’ of ‘assistant’ zijn"
    elif kind == "literal_error" and loc == "vote":
        message = "moet ‘up’ of ‘down’ zijn"
    else:
        message = _DUTCH_ERRORS.get(kind, "is ongeldig")
    return f"veld ‘{loc or 'inhoud'}’ {message}"


def dutch_validation_message(errors: Sequence[dict[str, Any]], example: str = '{"question": "…"}') -> str:
    """One Dutch sentence for pydantic/FastAPI validation errors; ``example`` is a valid body, named when the body
    is missing or no object.

    >>> dutch_validation_message([{"type": "string_type", "loc": ("body", "question")}])
    'Ongeldig verzoek: veld ‘question’ moet tekst zijn.'
    """
    seen: list[str] = []
    for error in errors:
        text = _describe(dict(error), example)
        if text not in seen:
            seen.append(text)
    return valid_text("Ongeldig verzoek: " + "; ".join(seen[:5]) + ".")  # a field name may carry a lone surrogate


_STATUS_TEXT = {
    400: "Ongeldig verzoek: de inhoud kon niet worden gelezen. Stuur JSON in UTF-8.",
    404: "Dit adres bestaat niet in de API. Zie /api/docs.",
    405: "Deze methode is hier niet toegestaan. Zie /api/docs.",
    413: "Het verzoek is te groot.",
}
UNEXPECTED_ERROR = "Er ging onverwacht iets mis in de server. Probeer het later opnieuw."


class ApiError(StarletteHTTPException):
    """An HTTP error whose ``detail`` is already a Dutch sentence for the client."""


def http_error_text(exc: StarletteHTTPException) -> str:
    """The Dutch sentence for an HTTP error (its own for an :class:`ApiError`, else the one for its status)."""
    if isinstance(exc, ApiError):
        return str(exc.detail)
    return _STATUS_TEXT.get(exc.status_code, "Het verzoek kon niet worden verwerkt.")


def install_error_handlers(app: FastAPI) -> None:
    """FastAPI answers in English by default; this app answers in Dutch, as ``{"detail": "..."}``."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": dutch_validation_message(exc.errors())})

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        text = http_error_text(exc)
        return JSONResponse(status_code=exc.status_code, content={"detail": text}, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, _: Exception) -> Response:
        # Starlette still logs the traceback; the client gets Dutch instead of "Internal Server Error"
        if route_path(request.scope).startswith("/api/"):
            return JSONResponse(status_code=500, content={"detail": UNEXPECTED_ERROR})
        return PlainTextResponse(UNEXPECTED_ERROR, status_code=500)


def _rate_limited_response(exc: RateLimited) -> JSONResponse:
    return JSONResponse(
        status_code=429, content={"detail": str(exc)}, headers={"Retry-After": str(exc.retry_after_seconds)}
    )


def request_client_key(request: Request) -> str:
    """The rate-limit key of an API request (the proxy's user header when configured, else the client IP)."""
    host = request.client.host if request.client else None
    return client_key(host, request.headers, request.app.state.settings.auth_header)


def _busy_response(exc: Busy) -> JSONResponse:
    return JSONResponse(
        status_code=503, content={"detail": str(exc)}, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


# --- the routes ---------------------------------------------------------------------------------------------

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
        "een lege of te lange vraag (Nederlandse uitleg)."
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


async def answer_request(request: Request, question: str, history: Sequence[Message]) -> Answer:
    """How an HTTP request gets an answer (``/api/ask``, ``/v1/chat/completions``; streamed: :func:`answer_events`).

    Check the question, count it against the client's rate limit, wait for a slot, ask the assistant.

    Raises :class:`InvalidQuestion`, :class:`RateLimited` or :class:`Busy`, each with its Dutch message; every
    caller turns them into its own protocol's error.
    """
    state = request.app.state
    _admissible(request, question)
    async with state.limiter.admit():
        return await run_in_threadpool(state.limiter.run, lambda: state.assistant.ask(question, history=history))


async def answer_events(
    request: Request, question: str, history: Sequence[Message]
) -> AsyncGenerator[str | Answer, None]:
    """:func:`answer_request`, streamed: a generative backend's raw text as the model writes it, then the Answer.

    The Answer is the one :func:`answer_request` gives and replaces the text (sentences may be left out, markers
    renumbered, or the extractive answer may stand in); the extractive backend sends no text before it. The
    errors of :func:`answer_request` are raised by the first step, before anything is sent.
    """
    state = request.app.state
    _admissible(request, question)
    async with state.limiter.admit():
        stream = AnswerStream(lambda: state.limiter.run(lambda: state.assistant.ask(question, history=history)))
        try:
            async for text in iterate_in_threadpool(stream):
                yield text
            yield stream.answer
        finally:
            stream.close()  # the client left: the model stops at its next token


def _admissible(request: Request, question: str) -> None:
    state = request.app.state
    clean_question(question, state.settings.max_question_chars)  # before the rate limit: invalid ones don't count
    state.rate_limiter.check(request_client_key(request))  # before waiting for a slot


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
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api", tags=["AWT-assistent"])

    async def _answer(request: Request, body: AskRequest) -> Answer | JSONResponse:
        return await _or_error(answer_request(request, body.question, body.history))

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
            "`verwijzing_bestaat_niet`, `geen_vraag`) en `confidence` hoe zeker die beslissing is (0–1)."
        ),
    )
    async def ask(request: Request, body: AskRequest) -> Any:
        result = await _answer(request, body)
        return result if isinstance(result, JSONResponse) else result.model_dump()

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
        items = answer_events(request, body.question, body.history)
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
        state = request.app.state
        documents = state.assistant.knowledge.documents
        backend = getattr(getattr(state.assistant, "backend", None), "name", None) or state.settings.llm
        index = state.index_status()
        return Health(
            status="ok",
            documents=len(documents),
            units=sum(len(d.units) for d in documents),
            backend=backend,
            feedback=state.feedback is not None,
            index=index.state,
            progress=index.progress,
            fingerprint=index.index,
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
    async def feedback(request: Request, body: FeedbackRequest) -> dict[str, int]:
        store = request.app.state.feedback
        if store is None:
            raise ApiError(404, "Feedback staat uit op deze server (AWT_FEEDBACK).")
        try:
            row_id = await run_in_threadpool(
                store.record,
                body.vote,
                body.question,
                [m.model_dump() for m in body.history],
                body.answer.model_dump(mode="json"),
                source="api",
            )
        except FeedbackUnavailable as exc:
            raise ApiError(503, str(exc)) from None
        return {"id": row_id}

    @router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    async def docs(request: Request) -> HTMLResponse:
        return HTMLResponse(render_docs(request.app.openapi()))

    return router


class NoRoute:
    """Every method on every other path under ``/api``: 405 with ``Allow`` where one of ``routes`` has the path,
    else 404. An ASGI app rather than a function, so that its route takes every method (a function: GET only).
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = [route for route in routes if isinstance(route, Route) and route.methods]

    def allowed_methods(self, scope: Any) -> list[str]:
        methods: set[str] = set()
        for route in self.routes:
            if route.matches(scope)[0] is not Match.NONE:
                methods |= route.methods or set()
        return sorted(methods)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        allowed = self.allowed_methods(scope)
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
        raise StarletteHTTPException(404)


def install_api(app: FastAPI, settings: Settings) -> None:
    """The API under ``/api`` with its Dutch errors and its description. Call it before the chat is mounted at
    ``/``: that mount takes every path, so unknown API paths and undeclared methods are answered here first.
    """
    install_error_handlers(app)
    router = build_router()
    app.include_router(router)
    known = NoRoute([*app.router.routes, *router.routes])  # /api/openapi.json is the app's own route
    app.router.routes.append(Route("/api/{rest:path}", known, include_in_schema=False))
    _complete_description(app, settings)


def _complete_description(app: FastAPI, settings: Settings) -> None:
    """Add to FastAPI's OpenAPI description what it cannot know: the question's ``maxLength``
    (``AWT_MAX_QUESTION_CHARS``), the codes in ``reason``, the events of the stream and, when a login is
    configured, its security scheme and 401/403 answers.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()  # FastAPI's cached description (built anew when routes change): patched in place
        schemas = spec["components"]["schemas"]
        schemas["AskRequest"]["properties"]["question"]["maxLength"] = settings.max_question_chars
        schemas["Answer"]["properties"]["reason"]["enum"] = [reason.value for reason in Reason]
        stream = spec["paths"]["/api/ask/stream"]["post"]["responses"]["200"]
        stream["content"] = {"text/event-stream": {"itemSchema": _STREAM_EVENT}}  # not JSON, as FastAPI assumes
        _describe_login(spec, settings)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
        },
    }


# one server-sent event, as OpenAPI 3.2's itemSchema (which FastAPI's own event streams use too) describes it
_STREAM_EVENT = {
    "oneOf": [
        _event("delta", {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}),
        _event("answer", {"$ref": "#/components/schemas/Answer"}),
    ]
}


def _describe_login(spec: dict[str, Any], settings: Settings) -> None:
    schemes: dict[str, Any] = {}
    if settings.auth_username and settings.auth_password:
        schemes["basic"] = {"type": "http", "scheme": "basic"}
    if settings.auth_header:
        schemes["proxyHeader"] = {
            "type": "apiKey",
            "in": "header",
            "name": settings.auth_header,
            "description": "Gezet door de reverse proxy na diens eigen aanmelding.",
        }
    if not schemes:
        return
    spec["components"]["securitySchemes"] = schemes
    spec["security"] = [{name: []} for name in schemes]  # either is enough
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}}
    if "basic" in schemes:  # WebGuard answers 401 with a challenge whenever basic auth is configured
        code, response = (
            "401",
            {
                "description": "Aanmelden is nodig (HTTP basic auth).",
                "content": body,
                "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
            },
        )
    else:
        code, response = "403", {"description": "Geen toegang: de proxy zette zijn header niet.", "content": body}
    for operations in spec["paths"].values():
        for operation in operations.values():
            operation["responses"][code] = response


# --- offline API documentation --------------------------------------------------------------------------------


def _schema_name(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"lijst van {_schema_name(schema.get('items', {}))}"
    if "anyOf" in schema:
        return " of ".join(_schema_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(json.dumps(v) for v in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    return str(schema.get("type", "object"))


def render_docs(spec: dict[str, Any]) -> str:
    """The OpenAPI description as one self-contained Dutch HTML page (no CDN, no scripts from elsewhere)."""
    esc = html.escape
    parts: list[str] = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            anchor = f"{method}-{path}".replace("/", "-").strip("-")
            parts.append(f'<section id="{esc(anchor)}"><h2><code>{method.upper()} {esc(path)}</code></h2>')
            parts.append(f"<p><strong>{esc(op.get('summary', ''))}</strong></p>")
            if op.get("description"):
                parts.append(f"<p>{esc(op['description'])}</p>")
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                parts.append(
                    f'<p>Inhoud (JSON): <a href="#schema-{esc(_schema_name(body))}">{esc(_schema_name(body))}</a></p>'
                )
            rows = []
            for code, response in op.get("responses", {}).items():
                content = response.get("content", {})
                schema = next(iter(content.values()), {}).get("schema") if content else None
                kind = esc(_schema_name(schema)) if schema else ", ".join(esc(c) for c in content) or "—"
                rows.append(
                    f"<tr><td>{esc(code)}</td><td>{esc(response.get('description', ''))}</td><td>{kind}</td></tr>"
                )
            parts.append("<table><thead><tr><th>Status</th><th>Betekenis</th><th>Inhoud</th></tr></thead><tbody>")
            parts.extend(rows)
            parts.append("</tbody></table></section>")
    schemas = []
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        required = set(schema.get("required", []))
        rows = [
            f"<tr><td><code>{esc(field)}</code>{'' if field in required else ' (optioneel)'}</td>"
            f"<td>{esc(_schema_name(prop))}</td><td>{esc(prop.get('description', ''))}</td></tr>"
            for field, prop in schema.get("properties", {}).items()
        ]
        schemas.append(
            f'<section id="schema-{esc(name)}"><h3>{esc(name)}</h3>'
            f"<p>{esc(schema.get('description', ''))}</p><table><thead><tr><th>Veld</th><th>Type</th>"
            f"<th>Uitleg</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    example = esc(json.dumps({"question": EXAMPLE_QUESTION}, ensure_ascii=False, indent=2))
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>API — AWT-assistent</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem 1.25rem;line-height:1.5;color:#1f2937}}
h1{{color:#154273}} h2{{font-size:1.1rem;margin-top:2rem;border-top:1px solid #d1d5db;padding-top:1rem}}
code,pre,textarea{{font-family:ui-monospace,Menlo,Consolas,monospace}} pre{{background:#f3f4f6;padding:.75rem;overflow:auto}}
table{{border-collapse:collapse;width:100%}} td,th{{border:1px solid #d1d5db;padding:.3rem .5rem;text-align:left;vertical-align:top}}
textarea{{width:100%;min-height:6rem;box-sizing:border-box}} button{{font:inherit;padding:.4rem 1rem;background:#154273;color:#fff;border:0;border-radius:4px;cursor:pointer}}
button:focus-visible,textarea:focus-visible{{outline:3px solid #f59e0b;outline-offset:2px}}
</style></head><body><main>
<h1>AWT-assistent — API</h1>
<p>Een JSON-API over het AWT-advies ‘De kracht van sociale innovatie’ (advies 84, 2014). Foutmeldingen zijn
Nederlands, als <code>{{"detail": "…"}}</code>. Een adres onder <code>/api</code> dat niet bestaat geeft 404; een
methode die een adres niet kent geeft 405, met de methoden die het wel kent in de header <code>Allow</code>. Onder
<code>/v1</code> spreekt de assistent het OpenAI-protocol (chat completions), voor chatprogramma's zoals Open WebUI
en LibreChat; daar hebben foutmeldingen de vorm van OpenAI, <code>{{"error": {{"message": "…"}}}}</code>. De
machineleesbare beschrijving staat in <a href="openapi.json">openapi.json</a>.</p>
<h2>Probeer het</h2>
<label for="body">Inhoud voor <code>POST ask</code></label>
<textarea id="body">{example}</textarea>
<p><button type="button" id="send">Verstuur</button></p>
<pre id="result" aria-live="polite"></pre>
{"".join(parts)}
<h2>Gegevenstypen</h2>
{"".join(schemas)}
</main>
<script>
document.getElementById('send').addEventListener('click', async function () {{
  var out = document.getElementById('result');
  out.textContent = 'Bezig…';
  try {{
    var r = await fetch('ask', {{method: 'POST', headers: {{'Content-Type': 'application/json'}},
                                 body: document.getElementById('body').value}});
    out.textContent = r.status + '\\n' + JSON.stringify(await r.json(), null, 2);
  }} catch (e) {{ out.textContent = 'Fout: ' + e; }}
}});
</script></body></html>"""
