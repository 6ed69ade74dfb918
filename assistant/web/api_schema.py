"""What the JSON API's OpenAPI description adds to FastAPI's: limits, documents, reason codes, stream events, login.

FastAPI cannot know the question's ``maxLength`` (``AWT_MAX_QUESTION_CHARS``), the names ``documents`` takes (those
of the documents loaded now), the codes in ``reason``, the events of ``/api/ask/stream`` or, when a login is
configured, its security scheme and 401/403 answers.

Example:
    >>> from assistant.web.api import install_api
    >>> app = FastAPI()
    >>> install_api(app, Settings(max_question_chars=500))  # calls complete_description
    >>> app.openapi()["components"]["schemas"]["AskRequest"]["properties"]["question"]["maxLength"]
    500
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from assistant.decision.reasons import Reason
from assistant.settings import Settings
from assistant.web.api_models import EXAMPLE_QUESTION, MAX_DOCUMENTS
from knowledge.units import KnowledgeBase


def complete_description(app: FastAPI, settings: Settings) -> None:
    """Add to FastAPI's OpenAPI description of ``app`` what it cannot know (see the module's description)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()  # FastAPI's cached description (built anew when routes change): patched in place
        schemas = spec["components"]["schemas"]
        ask = schemas["AskRequest"]
        ask["properties"]["question"]["maxLength"] = settings.max_question_chars
        context = getattr(app.state, "context", None)  # None: an app without an assistant (the example above)
        knowledge = context.assistant.knowledge if context else KnowledgeBase(())  # now: documents may change
        describe_documents(ask["properties"]["documents"], knowledge)
        if knowledge.documents:
            example = {"question": EXAMPLE_QUESTION, "documents": [knowledge.documents[0].name]}
            ask["examples"] = [*(e for e in ask.get("examples", []) if "documents" not in e), example]
        schemas["Answer"]["properties"]["reason"]["enum"] = [reason.value for reason in Reason]
        stream = spec["paths"]["/api/ask/stream"]["post"]["responses"]["200"]
        stream["content"] = {"text/event-stream": {"itemSchema": _STREAM_EVENT}}  # not JSON, as FastAPI assumes
        _describe_login(spec, settings)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def describe_documents(field: dict[str, Any], knowledge: KnowledgeBase) -> None:
    """Say in a ``documents`` field's schema which names it takes now (every one that chooses one document).

    With no document loaded, nothing can be chosen: the field may then only be empty.
    """
    names = knowledge.names()
    field["items"] = {"type": "string", "enum": names} if names else {"type": "string"}
    field["maxItems"] = MAX_DOCUMENTS if names else 0


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
