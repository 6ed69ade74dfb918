"""How a question is let in at every web edge: checked, counted against the client's rate limit, answered in a slot.

The JSON API (``/api/ask``, ``/api/ask/stream``), the OpenAI-compatible ``/v1/chat/completions``, the chat and the
Gradio API ``/ask`` all take the same steps, in this order, through one :class:`Admission`:

1. :meth:`Admission.check`: the question is cleaned and the documents it is restricted to are resolved
   (:class:`~assistant.questions.InvalidQuestion`, :class:`~assistant.questions.UnknownDocument`); an invalid
   question does not count against the rate limit,
2. :meth:`Admission.count`: one question of this client (:class:`~assistant.web.limits.RateLimited`),
3. :meth:`Admission.answer`: wait for a free slot (:class:`~assistant.web.limits.Busy`) and ask the assistant.

Each edge turns those errors into its own protocol's (a 422, an OpenAI error, a chat warning, a Gradio error).

Example:
    >>> from assistant.protocol import Named
    >>> from assistant.settings import Settings
    >>> from assistant.web.limits import Limiter
    >>> from knowledge.units import Document, KnowledgeBase
    >>> class Bot:
    ...     knowledge = KnowledgeBase((Document("advies.txt", "Advies", "…"), Document("inclusie.pdf", "Inclusie", "")))
    ...     backend = Named("extractief")
    ...     def ask(self, question, history=(), documents=()): return (question, tuple(documents))
    ...     def document_text(self, document): return "…"
    >>> ctx = WebContext(assistant=Bot(), settings=Settings(), limiter=Limiter(1, 0))
    >>> admission = Admission.check(ctx, "  Wat is stap 5? ", ["inclusie"])
    >>> admission.count("ip:10.0.0.1")
    >>> admission.answer([])
    ('Wat is stap 5?', ('inclusie.pdf',))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from assistant.contract import Answer, Message
from assistant.protocol import Question, checked_question
from assistant.questions import selected_documents
from assistant.web.context import WebContext


@dataclass(frozen=True)
class Admission:
    """A question that passed an edge's checks, with the names of the loaded documents it is restricted to."""

    ctx: WebContext
    question: Question
    documents: tuple[str, ...] = ()  # the documents' own names (unambiguous); empty: all

    @classmethod
    def check(cls, ctx: WebContext, question: object, documents: Sequence[str] = ()) -> Admission:
        """Check ``question`` and resolve ``documents`` (names, file names, titles; see ``KnowledgeBase.matching``).

        Raises :class:`~assistant.questions.InvalidQuestion` (or its :class:`~assistant.questions.UnknownDocument`)
        with a Dutch message. The question is checked here, once: the assistant answers it as it is.
        """
        text = checked_question(question, ctx.settings.max_question_chars)
        chosen = selected_documents(ctx.assistant.knowledge, documents)
        return cls(ctx, text, tuple(sorted(chosen)))

    def count(self, client: str) -> None:
        """Count this question against ``client``'s rate limit (raises :class:`~assistant.web.limits.RateLimited`).

        Before waiting for a slot: a client over its limit does not hold a place in the queue.
        """
        if self.ctx.rate_limiter is not None:
            self.ctx.rate_limiter.check(client)

    def answer(self, history: Sequence[Message]) -> Answer:
        """Wait for a free slot in this (worker) thread and ask; raises :class:`~assistant.web.limits.Busy`.

        The assistant may still raise :class:`~assistant.questions.UnknownDocument` when the documents changed
        since :meth:`check` (a rebuilt index).
        """
        ctx = self.ctx
        return ctx.limiter.run(lambda: ctx.assistant.ask(self.question, history=history, documents=self.documents))

    async def answer_async(self, history: Sequence[Message]) -> Answer:
        """:meth:`answer` for an async route: admitted at the front door (Busy at once when full), then a thread."""
        async with self.ctx.limiter.admit():
            return await run_in_threadpool(self.answer, history)
