"""Errors under ``/v1`` in the shape OpenAI clients read: ``{"error": {"message", "type", "param", "code"}}``.

The message is the same Dutch sentence as under ``/api``; an invalid body is a 400 there, as OpenAI answers.

Example:
    >>> error_response(404, "Onbekend.", "invalid_request_error", "model_not_found").status_code
    404
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.web.errors import UNEXPECTED_ERROR, dutch_validation_message, http_error_text
from assistant.web.guard import is_openai_path, openai_error, route_path
from assistant.web.openai_wire import MODEL_ID

EXAMPLE_BODY = '{"model": "awt-assistent", "messages": [{"role": "user", "content": "…"}]}'


def error_response(
    status: int,
    message: str,
    kind: str,
    code: str | None = None,
    param: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error in OpenAI's shape, with ``message`` (Dutch), OpenAI's ``kind`` (type), ``code`` and ``param``."""
    return JSONResponse(status_code=status, content=openai_error(message, kind, code, param), headers=headers)


_HTTP_ERRORS = {  # status -> (type, code), as OpenAI names them
    400: ("invalid_request_error", "invalid_body"),
    404: ("invalid_request_error", "unknown_url"),
    405: ("invalid_request_error", "method_not_allowed"),
    413: ("invalid_request_error", "request_too_large"),
}


def unknown_model(model: str, *, several: bool = False) -> JSONResponse:
    """The 404 for a model this server does not have (``several``: it has one per document too)."""
    use = f"‘{MODEL_ID}’ of een model per document uit GET /v1/models" if several else f"‘{MODEL_ID}’"
    return error_response(
        404,
        f"Het model ‘{model}’ bestaat hier niet. Gebruik {use}.",
        "invalid_request_error",
        "model_not_found",
        "model",
    )


Handler = Callable[[Request, Any], Response | Awaitable[Response]]  # as Starlette keeps them


async def _delegate(handler: Handler, request: Request, exc: Exception) -> Response:
    """The response of the handler this module replaced (the one for the rest of the app)."""
    result = handler(request, exc)
    return result if isinstance(result, Response) else await result


def install_error_handlers(app: FastAPI) -> None:
    """Errors under ``/v1`` in OpenAI's shape (a 400, not a 422, for an invalid body); elsewhere as before."""
    validation: Handler = app.exception_handlers[RequestValidationError]
    http: Handler = app.exception_handlers[StarletteHTTPException]
    unexpected: Handler = app.exception_handlers[Exception]

    def here(request: Request) -> bool:
        return is_openai_path(route_path(request.scope))

    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        if not here(request):
            return await _delegate(validation, request, exc)
        message = dutch_validation_message(exc.errors(), EXAMPLE_BODY)
        return error_response(400, message, "invalid_request_error", "invalid_body")

    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if not here(request):
            return await _delegate(http, request, exc)
        kind, code = _HTTP_ERRORS.get(exc.status_code, ("invalid_request_error", None))
        return error_response(exc.status_code, http_error_text(exc), kind, code, headers=exc.headers)

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        if not here(request):
            return await _delegate(unexpected, request, exc)
        return error_response(500, UNEXPECTED_ERROR, "server_error")

    app.exception_handlers[RequestValidationError] = on_validation
    app.exception_handlers[StarletteHTTPException] = on_http
    app.exception_handlers[Exception] = on_unexpected
