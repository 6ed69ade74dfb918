"""Assembling and serving the one FastAPI app of the web server, from the settings.

The chat is at ``/``, the compact chat at ``/embed``, the JSON API under ``/api`` and the OpenAI-compatible API
under ``/v1``, all behind :class:`assistant.web.guard.WebGuard`.

>>> normalized_root_path("/awt/")
'/awt'
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse

from assistant.live import IndexStatus, LiveAssistant
from assistant.protocol import Assistant
from assistant.settings import ConfigurationError, Settings, invalid_setting
from assistant.web.api import install_api
from assistant.web.context import WebContext, never_rebuilt
from assistant.web.feedback import FEEDBACK_FILE, FeedbackStore
from assistant.web.guard import WebGuard
from assistant.web.limits import Limiter, RateLimiter
from assistant.web.openai_compat import install_openai

if TYPE_CHECKING:
    from assistant.web.staged import StagedApp

log = logging.getLogger(__name__)

_ROOT_PATH = re.compile(r"^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$")
_FRAME_ANCESTORS = re.compile(r"^[A-Za-z0-9*'./:_ -]+$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_API_KEY = re.compile(r"^[!-+\--~]{16,}$")  # visible ASCII but the comma (it separates keys), at least 16

API_DESCRIPTION = (
    "Vragen over het AWT-advies ‘De kracht van sociale innovatie’ (advies 84, 2014), beantwoord met letterlijke "
    'citaten. Alle foutmeldingen zijn Nederlands, als `{"detail": "…"}`. Een adres onder `/api` dat niet bestaat '
    "geeft 404; een methode die een adres niet kent geeft 405, met de methoden die het wel kent in de header `Allow`. "
    "Onder `/v1` spreekt de assistent het OpenAI-protocol (chat completions) voor bestaande chatprogramma's; daar "
    'hebben de foutmeldingen de vorm van OpenAI: `{"error": {"message": "…", "type", "param", "code"}}`.'
)
CHAT_LOADING_PAGE = (
    '<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">'
    "<title>AWT-assistent</title></head><body><p>De chat wordt geladen; dit duurt enkele seconden. "
    "De pagina ververst vanzelf.</p></body></html>"
)


def normalized_root_path(value: str) -> str:
    """``awt/`` → ``/awt``; ``""`` and ``/`` mean: served at the root.

    >>> normalized_root_path("awt/"), normalized_root_path("/"), normalized_root_path("/intra/awt")
    ('/awt', '', '/intra/awt')
    """
    value = value.strip().strip("/")
    root = f"/{value}" if value else ""
    if not _ROOT_PATH.match(root):
        raise ConfigurationError(f"AWT_ROOT_PATH '{value}' is geen geldig pad (bijvoorbeeld: /awt).")
    return root


def check_web_settings(settings: Settings) -> None:
    """Refuse settings that would make the server unsafe or broken, with a Dutch message for the operator."""
    if bool(settings.auth_username) != bool(settings.auth_password):
        raise ConfigurationError("Stel AWT_AUTH_USERNAME en AWT_AUTH_PASSWORD allebei in (of geen van beide).")
    if not _FRAME_ANCESTORS.match(settings.frame_ancestors.strip() or "'self'"):
        raise ConfigurationError(
            "AWT_FRAME_ANCESTORS mag alleen bronnen bevatten, gescheiden door spaties, zoals "
            "\"'self' https://intranet.example.nl\" (geen ; of komma)."
        )
    if settings.auth_header and not _HEADER_NAME.match(settings.auth_header):
        raise ConfigurationError(f"AWT_AUTH_HEADER '{settings.auth_header}' is geen geldige headernaam.")
    if not all(_API_KEY.match(key) for key in settings.api_keys):  # the keys themselves are never shown
        raise ConfigurationError(
            "Elke sleutel in AWT_API_KEYS moet minstens 16 tekens lang zijn, zonder spaties of andere tekens "
            "dan letters, cijfers en leestekens (meerdere sleutels scheidt u met komma's)."
        )


def build_context(settings: Settings, assistant: Assistant | None = None) -> WebContext:
    """What the routes share; without ``assistant`` the live one is built (model and index) and watched."""
    index_status: Callable[[], IndexStatus] = never_rebuilt
    if assistant is None:
        from assistant.service import build_assistant

        live = LiveAssistant(settings, build_assistant)
        live.start_watching()
        assistant, index_status = live, live.status
    return WebContext(
        assistant=assistant,
        settings=settings,
        limiter=Limiter(settings.web_concurrency, settings.web_queue_size),
        feedback=FeedbackStore(settings.data_dir / FEEDBACK_FILE) if settings.feedback else None,
        rate_limiter=RateLimiter(settings.rate_limit),
        index_status=index_status,
    )


def create_app(
    settings: Settings | None = None,
    assistant: Assistant | None = None,
    *,
    context: WebContext | None = None,
    chat: bool = True,
) -> FastAPI:
    """The whole web server as one ASGI app.

    The assistant (model and index) is built here, once per process, and rebuilt when the documents change,
    unless one is given (tests pass a shared or a fake one) or a ``context`` that holds it. With ``chat=False``
    the app has the APIs only, and ``/`` and ``/embed`` say that the chat is loading (``serve`` starts so).
    """
    settings = settings or Settings()
    check_web_settings(settings)
    root = normalized_root_path(settings.root_path)
    context = context or build_context(settings, assistant)

    app = FastAPI(
        title="AWT-assistent",
        description=API_DESCRIPTION,
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.context = context  # what every route reads, through assistant.web.context.web_context
    install_api(app, settings)
    install_openai(app, settings)

    @app.get("/embed", include_in_schema=False)
    async def embed_slash() -> RedirectResponse:
        return RedirectResponse("embed/", status_code=307)  # relative: right behind any proxy prefix

    if chat:
        _mount_chat(app, context, root)
    else:
        for path in ("/embed/", "/"):

            @app.get(path, include_in_schema=False)
            async def chat_loading() -> HTMLResponse:
                return HTMLResponse(CHAT_LOADING_PAGE, status_code=503, headers={"Retry-After": "2"})

    app.add_middleware(
        WebGuard,
        frame_ancestors=settings.frame_ancestors,
        auth_username=settings.auth_username,
        auth_password=settings.auth_password,
        auth_header=settings.auth_header,
        api_keys=settings.api_keys,
        root_path=root,
    )
    return app


def _mount_chat(app: FastAPI, context: WebContext, root: str) -> None:
    import gradio as gr

    from assistant.web.ui import build_chat, mount_kwargs

    settings = context.settings
    for path, compact in (("/embed", True), ("/", False)):  # "/" last: it catches everything else
        page = build_chat(context, compact=compact)
        # Gradio's queue holds waiting events of every kind (answers, re-rendering the sources, …); when it is
        # full the page says "even geduld" (translated in assets.JS). The limiter bounds the model itself.
        page.queue(
            default_concurrency_limit=settings.web_concurrency, max_size=max(1, settings.web_queue_size), api_open=False
        )
        gradio_root = (root + ("" if path == "/" else path)) if root else None
        gr.mount_gradio_app(app, page, path=path, root_path=gradio_root, **mount_kwargs())


def _limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's heap arenas (what MALLOC_ARENA_MAX does), before any thread starts; elsewhere a no-op.

    Glibc gives every thread that allocates its own heap arena and keeps what each ever held: a background
    reindex next to request threads left ~10-20 % more resident memory for good. On musl or macOS this does
    nothing.
    """
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(-8, arenas)  # -8: M_ARENA_MAX


def serve(host: str = "127.0.0.1", port: int = 7860) -> None:
    """Load the assistant once and serve chat, embed page and API with uvicorn until stopped.

    The APIs answer as soon as the model and the index are loaded; the chat (Gradio, ~3 s to import) is built in
    a thread meanwhile and swapped in when ready (:class:`assistant.web.staged.StagedApp`); until then ``/`` says
    it is loading and ``/api/health`` reports ``"chat": "laden"``.
    """
    import uvicorn
    from pydantic import ValidationError

    from assistant.web.staged import StagedApp
    from index.store import IndexUnavailable

    _limit_malloc_arenas()
    try:
        settings = Settings()
        check_web_settings(settings)
        print("De AWT-assistent wordt geladen (taalmodel en index)…", file=sys.stderr, flush=True)
        context = build_context(settings)
        context.chat_ready = False
        staged = StagedApp(create_app(settings, context=context, chat=False))
    except ValidationError as exc:
        raise SystemExit(f"Fout: {invalid_setting(exc)}") from None
    except (ConfigurationError, IndexUnavailable) as exc:
        raise SystemExit(f"Fout: {exc}") from None
    threading.Thread(target=load_chat, args=(staged, settings, context), name="chat-load", daemon=True).start()
    root = normalized_root_path(settings.root_path)
    shown = "localhost" if host in ("0.0.0.0", "::") else host
    print(f"De AWT-assistent draait op http://{shown}:{port}{root}/ (stoppen: Ctrl+C)", file=sys.stderr, flush=True)
    uvicorn.run(
        staged,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1,::1",
        timeout_graceful_shutdown=5,
        log_level="warning",
    )


def load_chat(staged: StagedApp, settings: Settings, context: WebContext) -> None:
    """Build the full app (APIs and chat) and let ``staged`` serve it; on failure the APIs keep answering.

    It starts once the APIs are being served: importing Gradio holds the GIL most of the time and would slow the
    server's own start.
    """
    try:
        staged.wait_until_serving()
        staged.replace_from_thread(create_app(settings, context=context))
    except Exception:
        log.exception("De chat kon niet worden geladen; de API werkt wel.")
        return
    context.chat_ready = True
