"""What every page and API route of one web process shares: the assistant, the settings, the limits, the feedback.

:func:`assistant.web.app.create_app` builds one :class:`WebContext` and keeps it as ``app.state.context``; the
routes read it with :func:`web_context`, the chat pages get it as an argument.

Example:
    >>> from assistant.protocol import Named
    >>> from assistant.web.limits import Limiter
    >>> from knowledge.units import Document, KnowledgeBase
    >>> class Bot:
    ...     knowledge = KnowledgeBase((Document("advies.txt", "De kracht van sociale innovatie", "…"),))
    ...     backend = Named("extractief")
    ...     def ask(self, question, history=()): ...
    ...     def document_text(self, document): return "…"
    >>> ctx = WebContext(assistant=Bot(), settings=Settings(), limiter=Limiter(1, 0))
    >>> ctx.document_title("advies.txt"), ctx.index_status().state
    ('De kracht van sociale innovatie', 'klaar')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from assistant.live import IndexStatus
from assistant.protocol import Assistant
from assistant.scope import document_noun
from assistant.settings import Settings
from assistant.web.feedback import FeedbackStore
from assistant.web.limits import Limiter, RateLimiter
from assistant.web.render import document_html


def never_rebuilt() -> IndexStatus:
    """The index status of an assistant that is never rebuilt: always ready (it does not say which index)."""
    return IndexStatus("klaar", None, None)


@dataclass
class WebContext:
    """What every page and API route of one process shares (``rate_limiter`` None: no per-client limit)."""

    assistant: Assistant
    settings: Settings
    limiter: Limiter
    feedback: FeedbackStore | None = None
    rate_limiter: RateLimiter | None = None
    index_status: Callable[[], IndexStatus] = field(default=never_rebuilt)
    chat_ready: bool = True  # False while serve still builds the chat pages (the APIs answer already)

    def document_title(self, name: str) -> str:
        """The title of the document called ``name`` (the name itself if there is no such document)."""
        for doc in self.assistant.knowledge.documents:
            if doc.name == name:
                return str(doc.title)
        return name

    def document_view(self, citation: dict[str, Any] | None = None) -> str:
        """The cited document as HTML with ``citation``'s passage marked (the first document, unmarked, if None)."""
        documents = self.assistant.knowledge.documents
        name = citation["document"] if citation else documents[0].name
        noun = document_noun(documents)
        return document_html(self.document_title(name), self.assistant.document_text(name), citation, noun=noun)


def web_context(request: Request) -> WebContext:
    """The :class:`WebContext` of the app that serves ``request``."""
    context: WebContext = request.app.state.context
    return context
