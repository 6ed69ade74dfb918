"""The ASGI layer in front of everything the web server serves: login, security headers, Dutch page locale.

* Login (optional): HTTP basic auth (``AWT_AUTH_USERNAME``/``AWT_AUTH_PASSWORD``, compared in constant time)
  and/or a header that the reverse proxy sets after its own login (``AWT_AUTH_HEADER``, e.g. ``X-Remote-User``).
  When a login is configured it guards *every* path: the chat, ``/embed``, ``/api/*`` (health and docs too).
  The OpenAI-compatible ``/v1/*`` follows that login, unless bearer keys are configured (``AWT_API_KEYS``): then a
  key, and only a key, opens ``/v1/*`` (front ends such as Open WebUI can send a key, not a basic login).
* Headers on every response: a Content-Security-Policy that only allows the app's own origin (so the page
  makes no request elsewhere) with ``frame-ancestors`` from ``AWT_FRAME_ANCESTORS``; ``X-Frame-Options:
  SAMEORIGIN`` only when that is the default ``'self'`` (the old header cannot express a list of origins).
* Gradio's page is served with ``lang="nl"`` and its built-in texts in Dutch, whatever the browser's language.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_FRAME_ANCESTORS = "'self'"
REALM = "AWT-assistent"
OPENAI_PREFIX = "/v1"  # the OpenAI-compatible API (assistant.web.openai_compat): errors in OpenAI's shape
KEY_MISSING = (
    "Ongeldige of ontbrekende API-sleutel. Stuur de header ‘Authorization: Bearer <sleutel>’ met een geldige sleutel."
)

# Gradio's texts follow navigator.language; this runs before Gradio starts, so they (and <html lang>) are Dutch.
_DUTCH_LOCALE_SCRIPT = (
    "<script>(function(){try{var l=function(){return 'nl'},ls=function(){return ['nl-NL','nl']};"
    "Object.defineProperty(Navigator.prototype,'language',{get:l,configurable:true});"
    "Object.defineProperty(Navigator.prototype,'languages',{get:ls,configurable:true});}catch(e){}})();</script>"
)


def content_security_policy(frame_ancestors: str) -> str:
    """Same-origin only: scripts, styles, fonts, images and connections from the app itself."""
    return "; ".join(
        [
            "default-src 'self'",
            # Gradio's page carries its config in an inline script and runs its js= hooks with new Function()
            "script-src 'self' 'unsafe-inline' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "media-src 'self' data: blob:",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def openai_error(message: str, kind: str, code: str | None = None, param: str | None = None) -> dict[str, Any]:
    """An error body as the OpenAI API gives it, so that its clients show ``message`` (Dutch) to their user.

    >>> openai_error("Het model bestaat niet.", "invalid_request_error", "model_not_found", "model")["error"]["code"]
    'model_not_found'
    """
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def is_openai_path(path: str) -> bool:
    """Whether a route path (without the sub-path) belongs to the OpenAI-compatible API."""
    return path == OPENAI_PREFIX or path.startswith(OPENAI_PREFIX + "/")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class WebGuard:
    """Pure ASGI middleware (it does not buffer streams, so Gradio's server-sent events pass straight through)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        frame_ancestors: str = DEFAULT_FRAME_ANCESTORS,
        auth_username: str | None = None,
        auth_password: str | None = None,
        auth_header: str | None = None,
        api_keys: Sequence[str] = (),
        root_path: str = "",
    ) -> None:
        self.app = app
        self.root_path = root_path
        self.auth_username = auth_username
        self.auth_password = auth_password
        self.api_keys = [key.encode() for key in api_keys]
        self.auth_header = auth_header.lower().encode("latin-1") if auth_header else None
        ancestors = " ".join(frame_ancestors.split()) or DEFAULT_FRAME_ANCESTORS
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", content_security_policy(ancestors).encode("latin-1")),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if ancestors == DEFAULT_FRAME_ANCESTORS:
            self.headers.append((b"x-frame-options", b"SAMEORIGIN"))

    @property
    def login_required(self) -> bool:
        """Whether a login (basic auth or the proxy's header) is configured."""
        return bool(self.auth_header or (self.auth_username and self.auth_password))

    # --- login ---------------------------------------------------------------------------------------------

    def _basic_ok(self, scope: Scope) -> bool:
        if not (self.auth_username and self.auth_password):
            return False
        value = _header(scope, b"authorization") or ""
        scheme, _, encoded = value.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            username, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user_ok = hmac.compare_digest(username.encode(), self.auth_username.encode())
        password_ok = hmac.compare_digest(password.encode(), self.auth_password.encode())
        return bool(sep) and user_ok and password_ok

    def _header_ok(self, scope: Scope) -> bool:
        if not self.auth_header:
            return False
        return any(key.lower() == self.auth_header and value.strip() for key, value in scope.get("headers", []))

    def _key_ok(self, scope: Scope) -> bool:
        scheme, _, given = (_header(scope, b"authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        token = given.strip().encode("latin-1")
        # every key is compared, in constant time: how long the check takes says nothing about which key is close
        matches = [hmac.compare_digest(token, key) for key in self.api_keys]
        return any(matches)

    def _keyed(self, scope: Scope) -> bool:
        return bool(self.api_keys) and is_openai_path(route_path(scope))

    def authorized(self, scope: Scope) -> bool:
        """Whether the request may pass: the API key under ``/v1`` when keys are set, else the login if any."""
        if self._keyed(scope):
            return self._key_ok(scope)
        return not self.login_required or self._header_ok(scope) or self._basic_ok(scope)

    async def _deny(self, scope: Scope, send: Send) -> None:
        basic = bool(self.auth_username and self.auth_password)
        keyed = self._keyed(scope)
        if keyed:
            status, text = 401, KEY_MISSING
        elif basic:
            status, text = 401, "Aanmelden is nodig om de AWT-assistent te gebruiken."
        else:
            status, text = 403, "Geen toegang: de AWT-assistent is alleen bereikbaar via het intranet (na aanmelden)."
        path = route_path(scope)
        if is_openai_path(path):
            code = "invalid_api_key" if status == 401 else "permission_denied"
            kind = "invalid_request_error" if status == 401 else "permission_error"
            body = json.dumps(openai_error(text, kind, code), ensure_ascii=False).encode("utf-8")
            content_type = b"application/json"
        elif path.startswith("/api/") or path == "/api":
            body = json.dumps({"detail": text}, ensure_ascii=False).encode("utf-8")
            content_type = b"application/json"
        else:
            body = (
                f'<!doctype html><html lang="nl"><meta charset="utf-8"><title>AWT-assistent</title><p>{text}</p></html>'
            ).encode()
            content_type = b"text/html; charset=utf-8"
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *self.headers]
        if keyed:
            headers.append((b"www-authenticate", f'Bearer realm="{REALM}"'.encode()))
        elif basic:
            headers.append((b"www-authenticate", f'Basic realm="{REALM}", charset="UTF-8"'.encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    # --- the middleware ----------------------------------------------------------------------------------

    def _rooted(self, scope: Scope) -> Scope:
        """Put the public sub-path in ``root_path`` and in front of ``path`` (as the ASGI spec has it).

        Whether or not the proxy stripped it: then routing, Gradio's URLs and the OpenAPI ``servers`` all agree.
        """
        if not self.root_path or scope["type"] not in ("http", "websocket"):
            return scope
        scope = dict(scope)
        scope["root_path"] = self.root_path
        path: str = scope.get("path", "")
        if path != self.root_path and not path.startswith(self.root_path + "/"):
            scope["path"] = self.root_path + path
            if isinstance(scope.get("raw_path"), bytes):
                scope["raw_path"] = self.root_path.encode() + scope["raw_path"]
        return scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then pass it on with the security headers added to its response."""
        scope = self._rooted(scope)
        if scope["type"] == "websocket":
            if not self.authorized(scope):
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self.authorized(scope):
            await self._deny(scope, send)
            return
        if scope.get("method") == "GET" and _is_page(route_path(scope)):
            # Gradio compresses its page; ask for it plain so that the Dutch locale can be put in
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
        await self.app(scope, receive, _HeaderSender(send, self.headers))


def route_path(scope: Scope) -> str:
    """The path without the public sub-path (``/awt/api/ask`` → ``/api/ask``)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "") or ""
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :] or "/"
    return path


def _is_page(path: str) -> bool:
    return path in ("/", "/embed", "/embed/")


class _HeaderSender:
    """Adds the security headers; makes Gradio's HTML page Dutch (only unencoded ``text/html`` is touched)."""

    def __init__(self, send: Send, headers: list[tuple[bytes, bytes]]) -> None:
        self.send = send
        self.extra = headers
        self.start: Message | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {k for k, _ in self.extra}
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            headers.extend(self.extra)
            message = {**message, "headers": headers}
            content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
            encoded = any(k.lower() == b"content-encoding" for k, _ in headers)
            if content_type.startswith(b"text/html") and not encoded:
                self.start = message  # hold it until the body is complete
                return
            await self.send(message)
            return
        if message["type"] == "http.response.body" and self.start is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _dutch_page(b"".join(self.chunks))
            headers = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await self.send({**self.start, "headers": headers})
            self.start = None
            await self.send({"type": "http.response.body", "body": body})
            return
        await self.send(message)


def _dutch_page(body: bytes) -> bytes:
    if b"window.gradio_config" not in body:
        return body
    body = body.replace(b'<html\n\tlang="en"', b'<html\n\tlang="nl"', 1).replace(
        b'<html lang="en"', b'<html lang="nl"', 1
    )
    return body.replace(b"<head>", b"<head>" + _DUTCH_LOCALE_SCRIPT.encode(), 1)
