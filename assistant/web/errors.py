"""Dutch errors of the web API: validation messages, status texts, the handlers, and 404/405 for unknown paths.

FastAPI answers in English by default; this server answers in Dutch, as ``{"detail": "..."}`` (``/v1`` in
OpenAI's shape, see :mod:`assistant.web.openai_errors`).

Example:
    >>> http_error_text(ApiError(404, "Feedback staat uit op deze server (AWT_FEEDBACK)."))
    'Feedback staat uit op deze server (AWT_FEEDBACK).'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import BaseRoute, Match, Route
from starlette.types import Receive, Scope, Send

from assistant.questions import valid_text
from assistant.web.guard import route_path

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
    """One Dutch sentence for pydantic/FastAPI validation errors.

    ``example`` is a valid body, named when the body is missing or no object.

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


class NoRoute:
    """Every method on every other path under a prefix: 405 with ``Allow`` where one of ``routes`` has the path.

    Else 404. An ASGI app rather than a function, so that its route takes every method (a function: GET only).

    Example:
        >>> app = FastAPI()
        >>> @app.get("/api/health")
        ... def health() -> None: ...
        >>> NoRoute(app.router.routes).allowed_methods({"type": "http", "path": "/api/health", "method": "POST"})
        ['GET']
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = [route for route in routes if isinstance(route, Route) and route.methods]

    def allowed_methods(self, scope: Scope) -> list[str]:
        """The methods that the routes take on the path of ``scope`` (none: the path is unknown)."""
        methods: set[str] = set()
        for route in self.routes:
            if route.matches(scope)[0] is not Match.NONE:
                methods |= route.methods or set()
        return sorted(methods)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Raise the 405 or 404 (the app's handlers turn it into Dutch, or OpenAI's shape under ``/v1``)."""
        allowed = self.allowed_methods(scope)
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
        raise StarletteHTTPException(404)
