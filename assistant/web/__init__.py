"""The web server's entry points: build the app, serve it, export the feedback (imports stay lazy).

The server has the Gradio chat (``/``, with the Gradio API ``/ask``), a compact chat for an iframe (``/embed``),
the JSON API (``/api``) and the OpenAI-compatible API (``/v1``).

    python -m assistant serve --host 127.0.0.1 --port 7860

>>> from assistant.web import create_app, serve
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.privacy import apply_offline_defaults

apply_offline_defaults()  # before gradio is imported: no analytics, no hub

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from fastapi import FastAPI

    from assistant.protocol import Assistant
    from assistant.settings import Settings


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """See :func:`assistant.web.app.create_app`."""
    from assistant.web.app import create_app as _create_app

    return _create_app(settings, assistant)


def serve(host: str, port: int) -> None:
    """See :func:`assistant.web.app.serve`."""
    from assistant.web.app import serve as _serve

    _serve(host=host, port=port)


def export_feedback(db_path: Path | str) -> list[dict[str, Any]]:
    """See :func:`assistant.web.feedback.export_feedback`."""
    from assistant.web.feedback import export_feedback as _export

    return _export(db_path)


__all__ = ["create_app", "export_feedback", "serve"]
