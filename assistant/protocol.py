"""What every caller may rely on from an assistant: the :class:`Assistant` protocol and the checked question it takes.

The CLI, the web server (JSON API, chat, OpenAI-compatible API, feedback) and the evals take an
:class:`Assistant`, never a concrete class: :class:`assistant.service.Assistant` (one index),
:class:`assistant.live.LiveAssistant` (rebuilt when the documents change) and the test fakes all satisfy it.

Example:
    >>> from assistant.contract import Answer
    >>> from knowledge.units import KnowledgeBase
    >>> class Echo:
    ...     knowledge = KnowledgeBase(documents=())
    ...     backend = Named("echo")
    ...     def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
    ...         return Answer(question=question, answer=question, citations=[], refused=False, backend="echo")
    ...     def document_text(self, document: str) -> str:
    ...         raise KeyError(document)
    >>> bot: Assistant = Echo()
    >>> bot.ask(checked_question("  Wat is stap 5? ", max_chars=100)).answer
    'Wat is stap 5?'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.contract import Answer, Message
from assistant.questions import clean_question
from knowledge.units import KnowledgeBase


class Question(str):
    r"""A question that :func:`assistant.questions.clean_question` has accepted (and normalised) at the edge.

    An assistant answers a ``Question`` as it is; a plain ``str`` (a library caller, the evals) is checked by the
    assistant itself, which is then that caller's edge. Either way a question is checked once.

    Example:
        >>> isinstance(checked_question("Wat is stap\x00 5?", max_chars=100), Question)
        True
    """

    __slots__ = ()


def checked_question(text: object, max_chars: int) -> Question:
    r"""``text`` cleaned as a :class:`Question`; raises :class:`~assistant.questions.InvalidQuestion` (Dutch).

    >>> checked_question(" Wat is\n stap 5? ", max_chars=100)
    'Wat is stap 5?'
    """
    return Question(clean_question(text, max_chars))


class Backend(Protocol):
    """What callers see of an assistant's answer backend: its name (in every answer and in ``/api/health``)."""

    @property
    def name(self) -> str:
        """The backend's name, as ``AWT_LLM`` names it (``extractief``, ``ollama``, …)."""
        ...


@dataclass(frozen=True)
class Named:
    """A :class:`Backend` that is only a name (for fakes and examples).

    >>> Named("extractief").name
    'extractief'
    """

    name: str


class Assistant(Protocol):
    """An assistant as its callers use it: answer a question, show a source document, say what it knows.

    ``ask`` raises :class:`~assistant.questions.InvalidQuestion` (a Dutch message) for a plain ``str`` it cannot
    use; a :class:`Question` has been checked already and is answered as it is.

    Example:
        >>> from assistant.service import build_assistant                       # doctest: +SKIP
        >>> bot: Assistant = build_assistant()                                   # doctest: +SKIP
        >>> bot.ask("Wat is de derde aanbeveling?").citations[0].label           # doctest: +SKIP
        'Aanbeveling 3'
    """

    @property
    def knowledge(self) -> KnowledgeBase:
        """The documents it answers from (titles for the chat, counts for ``/api/health`` and the CLI)."""
        ...

    @property
    def backend(self) -> Backend:
        """The backend that writes its answers."""
        ...

    def ask(self, question: str, history: Sequence[Message] = (), documents: Sequence[str] = ()) -> Answer:
        """Answer ``question`` in Dutch, reading it as a follow-up to ``history`` (oldest turn first).

        ``documents`` restricts the answer to those loaded documents (each a name, file name or title, see
        :meth:`knowledge.units.KnowledgeBase.matching`); empty means all. An unknown name raises
        :class:`~assistant.questions.UnknownDocument`, an :class:`~assistant.questions.InvalidQuestion`.
        """
        ...

    def document_text(self, document: str) -> str:
        """The full text of a source document (every citation's quote is a slice of it); KeyError if unknown."""
        ...
