"""Tokens of an answer while it is written, from the backend that writes them to the page that shows them.

The backend sends each token with :func:`send_token`; an :class:`AnswerStream` runs a question in a worker thread
and hands the tokens on as they come, then the answer. The chat and ``/api/ask/stream`` both use this one path:
the answer at the end is exactly what ``ask`` returns, so streaming never changes it (the verified answer may
differ from the text that was streamed).
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable
from contextvars import ContextVar

from assistant.contract import Answer

_listener: ContextVar[Callable[[str], None] | None] = ContextVar("awt_token_listener", default=None)


class StreamClosed(Exception):
    """Nobody reads the stream any more (the client left): the model stops at its next token."""


def send_token(text: str) -> None:
    """Hand ``text`` to the :class:`AnswerStream` this question runs in; nothing happens outside one.

    Raises :class:`StreamClosed` once the reader has closed the stream.
    """
    listener = _listener.get()
    if listener is not None:
        listener(text)


class AnswerStream:
    """The text of an answer while it is generated, then the answer: ``ask`` runs in a worker thread.

    Iterating gives the new text since the previous step (tokens that arrived together come as one piece);
    it stops when ``ask`` has returned, and :attr:`answer` holds its result. An exception of ``ask`` is raised
    by the iteration (or by :attr:`answer`). A backend that sends no tokens (the extractive one) streams nothing.

    Example:
        >>> def ask() -> Answer:
        ...     for token in ["Een ", "antwoord ", "[1]"]:
        ...         send_token(token)
        ...     return Answer(question="Vraag?", answer="Een antwoord.", citations=[], refused=False, backend="nep")
        >>> stream = AnswerStream(ask)
        >>> "".join(stream)
        'Een antwoord [1]'
        >>> stream.answer.answer
        'Een antwoord.'
    """

    def __init__(self, ask: Callable[[], Answer]) -> None:
        self._items: queue.SimpleQueue[str | Answer | BaseException] = queue.SimpleQueue()
        self._closed = threading.Event()
        self._answer: Answer | None = None
        self._error: BaseException | None = None
        self._done = False
        context = contextvars.copy_context()  # the caller's context, plus the listener of this stream
        thread = threading.Thread(target=context.run, args=(self._work, ask), name="awt-answer-stream", daemon=True)
        thread.start()

    def _listen(self, text: str) -> None:
        if self._closed.is_set():
            raise StreamClosed("de lezer van de stroom is weg")
        self._items.put(text)

    def _work(self, ask: Callable[[], Answer]) -> None:
        _listener.set(self._listen)
        try:
            self._items.put(ask())
        except BaseException as error:  # noqa: BLE001 - handed to the reader, who raises it
            self._items.put(error)

    def __iter__(self) -> AnswerStream:
        return self

    def __next__(self) -> str:
        if self._done:
            self._raise_error()
            raise StopIteration
        item = self._items.get()
        text = ""
        while isinstance(item, str):
            text += item
            try:
                item = self._items.get_nowait()
            except queue.Empty:
                return text
        self._done = True
        if isinstance(item, Answer):
            self._answer = item
        else:
            self._error = item
        if text:
            return text
        self._raise_error()
        raise StopIteration

    def _raise_error(self) -> None:
        if self._error is not None:
            raise self._error

    @property
    def answer(self) -> Answer:
        """The answer ``ask`` returned (waits for the rest of the stream)."""
        for _ in self:
            pass
        if self._answer is None:  # pragma: no cover - the iteration raised the error instead
            raise RuntimeError("de stroom eindigde zonder antwoord")
        return self._answer

    def close(self) -> None:
        """Stop reading (from any thread): the model stops at its next token, and its slot is freed."""
        self._closed.set()
