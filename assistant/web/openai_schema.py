"""What the OpenAPI description says of ``/v1`` beyond FastAPI's: the event stream, 400 for 422, the key or login.

``/v1`` is opened with a bearer key from ``AWT_API_KEYS``, or else with the app's login, whose 401/403 answers
then have OpenAI's error body.

Example:
    >>> from assistant.web.api import install_api
    >>> from assistant.web.openai_compat import install_openai
    >>> app = FastAPI()
    >>> install_api(app, Settings())
    >>> install_openai(app, Settings(api_keys=["een-sleutel-van-16-tekens"]))  # calls complete_description
    >>> sorted(app.openapi()["paths"]["/v1/chat/completions"]["post"]["responses"])
    ['200', '400', '401', '404', '429', '500', '503']
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from assistant.settings import Settings
from assistant.web.api_schema import describe_documents
from assistant.web.guard import KEY_MISSING, OPENAI_PREFIX, is_openai_path
from assistant.web.openai_wire import ChatCompletionChunk
from knowledge.units import KnowledgeBase

_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
_CHUNK_EVENT = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "anyOf": [
                {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": "#/components/schemas/ChatCompletionChunk"},
                },
                {"const": "[DONE]"},
            ]
        }
    },
}


def complete_description(app: FastAPI, settings: Settings) -> None:
    """Tell in the OpenAPI description of ``app`` what FastAPI cannot know of ``/v1``.

    That is the event stream, 400 instead of 422, and how ``/v1`` is opened (bearer key, or the app's login with
    OpenAI-shaped 401/403).
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()  # cached and patched in place on every call: each step here may run twice
        schemas = spec["components"]["schemas"]
        chunk = ChatCompletionChunk.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, schema in chunk.pop("$defs", {}).items():
            schemas.setdefault(name, schema)  # FastAPI's own (e.g. Answer with its reason codes) stays
        schemas.setdefault("ChatCompletionChunk", chunk)
        context = getattr(app.state, "context", None)  # None: an app without an assistant (the example above)
        knowledge = context.assistant.knowledge if context else KnowledgeBase(())  # now: documents may change
        documents = schemas["ChatCompletionRequest"]["properties"]["documents"]
        describe_documents(documents.get("anyOf", [documents])[0], knowledge)  # the list, not its null
        stream = spec["paths"][OPENAI_PREFIX + "/chat/completions"]["post"]["responses"]["200"]["content"]
        stream["text/event-stream"] = {"itemSchema": _CHUNK_EVENT}
        if settings.api_keys:
            spec["components"].setdefault("securitySchemes", {})["apiKey"] = {
                "type": "http",
                "scheme": "bearer",
                "description": "Een sleutel uit AWT_API_KEYS (alleen voor /v1).",
            }
        for path, operations in spec["paths"].items():
            if is_openai_path(path):
                for operation in operations.values():
                    _describe_operation(operation, settings)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _describe_operation(operation: dict[str, Any], settings: Settings) -> None:
    responses = operation["responses"]
    responses.pop("422", None)  # /v1 says 400, as OpenAI does
    if settings.api_keys:
        operation["security"] = [{"apiKey": []}]
        responses.pop("403", None)  # the app's login does not apply here: the key does
        responses["401"] = {
            "description": KEY_MISSING,
            "content": _ERROR_CONTENT,
            "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
        }
        return
    for code in ("401", "403"):  # the app's login (described in assistant.web.api), with OpenAI's error body
        if code in responses:
            responses[code] = {**responses[code], "content": _ERROR_CONTENT}
