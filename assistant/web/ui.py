"""The Gradio chat, in Dutch: ``/`` (with a header) and ``/embed`` (compact, for an iframe).

One :class:`WebContext` (the assistant, loaded once per process, and the shared limiter) serves both pages.
A generative backend's tokens appear as the model writes them, and the verified answer then replaces them; the
extractive backend answers at once, and its answer is shown in word chunks so that it appears as it is read.
"""

from __future__ import annotations

import html
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import gradio as gr
from gradio.events import api as gradio_api
from pydantic import TypeAdapter, ValidationError

from assistant.contract import Answer, Message
from assistant.generative.streaming import AnswerStream
from assistant.questions import InvalidQuestion
from assistant.scope import (
    document_noun,
    documents_panel_html,
    example_questions,
    header_html,
    placeholder_html,
    several,
    texts_name,
)
from assistant.web.admission import Admission
from assistant.web.api import word_chunks
from assistant.web.api_models import MAX_HISTORY
from assistant.web.assets import CSS, JS, THEME
from assistant.web.context import WebContext
from assistant.web.feedback import FeedbackUnavailable
from assistant.web.limits import Busy, RateLimited, client_key
from assistant.web.render import (
    MARK_ID,
    answer_markdown,
    notice_markdown,
    source_html,
    sources_intro,
    user_markdown,
)

log = logging.getLogger(__name__)

TITLE = "AWT-assistent"
ALL_DOCUMENTS = "Alle documenten"
ERROR_TEXT = "Er ging iets mis bij het beantwoorden van deze vraag. Probeer het opnieuw of stel de vraag anders."
FEEDBACK_THANKS = "Dank u wel voor uw beoordeling."
STREAM_UPDATES = 24  # at most this many screen updates per answer…
STREAM_DELAY = 0.02  # …this far apart: an answer is on screen within about half a second
SCROLL_JS = f"""() => {{
  setTimeout(() => {{
    const mark = document.getElementById('{MARK_ID}');
    if (mark) {{ mark.scrollIntoView({{block: 'center', behavior: 'smooth'}}); mark.focus({{preventScroll: true}}); }}
  }}, 80);
}}"""
BACK_TO_QUESTION_JS = "() => document.querySelector('#awt-question textarea')?.focus()"
FOCUS_INPUT_JS = """() => {
  if (window.matchMedia('(pointer: coarse)').matches) return;  // no keyboard popping up on phones
  setTimeout(() => document.querySelector('#awt-question textarea')?.focus(), 50);
}"""


def _stream_pieces(text: str) -> Iterator[str]:
    """Growing prefixes of ``text``: a few words more each time, at most :data:`STREAM_UPDATES` of them."""
    words = max(1, len(text.split()))
    per_update = max(2, math.ceil(words / STREAM_UPDATES))
    shown = ""
    for chunk in word_chunks(text, per_update):
        shown += chunk
        yield shown


@dataclass
class Step:
    """One screen update of a chat turn (what :func:`converse` yields; the Gradio handler applies it)."""

    chat: list[dict[str, Any]]
    status: str = ""  # plain text for screen readers (the only live region that speaks for the chat)
    busy: bool | None = None  # True: lock the input while answering; False: unlock; None: leave as is
    restore: str | None = None  # put this question back in the input (the server was too busy)
    warning: str | None = None  # show as a toast
    final: bool = False
    past: list[Message] = field(default_factory=list)  # the conversation as the assistant saw it: for follow-ups
    answered: dict[int, Turn] = field(default_factory=dict)  # chat message index → the turn it answered
    sources: dict[str, Any] = field(default_factory=lambda: {"citations": [], "refused": False})


@dataclass(frozen=True)
class Turn:
    """One answered chat turn, kept in the page's state for a later thumbs up/down."""

    question: str
    history: list[Message]
    answer: Answer


def converse(
    ctx: WebContext,
    message: str,
    chat: list[dict[str, Any]] | None,
    past: list[Message] | None,
    answered: dict[int, Turn] | None,
    client: str | None = None,
    documents: Sequence[str] = (),
) -> Iterator[Step]:
    """One chat turn: validate, check the client's rate limit, wait for a slot, ask, and show the answer.

    A generative backend's raw tokens are shown as they come and then replaced by the verified answer; an answer
    that is there at once (extractive) is shown a few words at a time. ``client`` is the rate-limit key (see
    :func:`assistant.web.limits.client_key`); ``documents`` the documents chosen to answer from (empty: all).
    """
    chat, past, answered = list(chat or []), list(past or []), dict(answered or {})
    try:
        admission = Admission.check(ctx, message, documents)
    except InvalidQuestion as exc:
        yield Step(chat, status=str(exc), warning=str(exc))
        return
    text = admission.question
    chat.append({"role": "user", "content": user_markdown(text)})
    try:
        admission.count(client or "ip:onbekend")
    except RateLimited as exc:
        chat.append({"role": "assistant", "content": notice_markdown(str(exc), "busy")})
        yield Step(chat, status=str(exc), busy=False, restore=text, warning=str(exc))
        return
    yield Step(list(chat), status="Bezig met antwoorden…", busy=True)
    asked = len(chat)
    stream = AnswerStream(lambda: admission.answer(past))
    draft = ""
    loaded = ctx.assistant.knowledge.documents
    about = texts_name(loaded)
    try:
        for piece in stream:  # a generative backend's raw tokens, as they come (the extractive one sends none)
            draft += piece
            chat[asked:] = [{"role": "assistant", "content": answer_markdown(draft)}]
            yield Step(list(chat))
        answer = stream.answer
    except Busy as exc:
        del chat[asked:]
        chat.append({"role": "assistant", "content": notice_markdown(str(exc), "busy")})
        yield Step(chat, status=str(exc), busy=False, restore=text, warning=str(exc))
        return
    except InvalidQuestion as exc:
        del chat[asked - 1 :]
        yield Step(chat, status=str(exc), busy=False, restore=text, warning=str(exc))
        return
    except Exception:  # noqa: BLE001 - the user gets a Dutch message, the log the traceback
        log.exception("Beantwoorden mislukt")
        del chat[asked:]
        chat.append({"role": "assistant", "content": notice_markdown(ERROR_TEXT, "error")})
        yield Step(chat, status=ERROR_TEXT, busy=False)
        return
    finally:
        stream.close()  # a closed page stops the model
    if not draft:  # the answer was there at once: show it a few words at a time, as it is read
        chat.append({"role": "assistant", "content": ""})
        for shown in _stream_pieces(answer.answer):
            chat[-1] = {
                "role": "assistant",
                "content": answer_markdown(shown, refused=answer.refused, notice=answer.notice, about=about),
            }
            yield Step(list(chat))
            time.sleep(STREAM_DELAY)
    chat[asked:] = [  # the verified answer replaces the draft
        {
            "role": "assistant",
            "content": answer_markdown(answer.answer, refused=answer.refused, notice=answer.notice, about=about),
        }
    ]
    answered[len(chat) - 1] = Turn(text, list(past), answer)
    past += [Message(role="user", content=text), Message(role="assistant", content=answer.answer)]
    count = len(answer.citations)
    done = (
        ("De geladen documenten beantwoorden" if several(loaded) else "Het advies beantwoordt") + " deze vraag niet."
        if answer.refused
        else f"Antwoord klaar, met {count} {'bron' if count == 1 else 'bronnen'}."
    )
    yield Step(
        chat,
        status=" ".join(" ".join([done, answer.notice or "", answer.answer]).split()),  # read once, whole
        busy=False,
        final=True,
        past=past,
        answered=answered,
        sources={"citations": [c.model_dump() for c in answer.citations], "refused": answer.refused},
    )


HISTORY_HELP = (
    'De geschiedenis moet JSON zijn: een lijst als [{"role": "user", "content": "Wat is de derde aanbeveling?"}].'
)
_HISTORY = TypeAdapter(list[Message])


DOCUMENTS_HELP = 'De documenten moeten JSON zijn: een lijst van namen als ["awt-advies-84-sociale-innovatie"].'
_NAMES = TypeAdapter(list[str])


def answer_for_client(ctx: WebContext, question: str, history: str, client: str, documents: str = "") -> dict[str, Any]:
    """What ``gradio_client``'s ``predict(question, history, documents, api_name="/ask")`` gets: ``/api/ask``'s answer.

    The question passes the same checks as a chat turn (question and documents, rate limit, a free slot).
    ``documents`` is a JSON list of document names (empty: all). Every refusal to answer is a :class:`gradio.Error`
    with a Dutch message (the client raises it as ``AppError``).
    """
    try:
        names = _NAMES.validate_json(documents) if documents.strip() else []
    except ValidationError:
        raise gr.Error(DOCUMENTS_HELP, print_exception=False) from None
    try:
        admission = Admission.check(ctx, question, names)  # the edge: checked once, here
        past = _HISTORY.validate_json(history) if history.strip() else []
        if len(past) > MAX_HISTORY:
            raise InvalidQuestion(f"De geschiedenis is te lang (hoogstens {MAX_HISTORY} berichten).")
        admission.count(client)
        answer = admission.answer(past)
    except ValidationError:
        raise gr.Error(HISTORY_HELP, print_exception=False) from None
    except (InvalidQuestion, RateLimited, Busy) as exc:
        raise gr.Error(str(exc), print_exception=False) from None
    return answer.model_dump()


def build_chat(ctx: WebContext, *, compact: bool = False) -> gr.Blocks:
    """The chat page; ``compact`` (for ``/embed``) leaves out the header, has a lower chat and fewer examples.

    Two columns (chat | Bronnen and the advice) on a wide screen, one below the other on a narrow one.
    """
    feedback_on = ctx.feedback is not None
    documents = ctx.assistant.knowledge.documents
    examples = example_questions(documents)
    examples = examples[-2:] if compact else examples
    noun = document_noun(documents)
    about = texts_name(documents)
    page = gr.Blocks(title=TITLE, analytics_enabled=False)
    with page:
        history = gr.State([])  # [Message] exactly as the assistant said it: for follow-ups
        sources = gr.State({"citations": [], "refused": False})  # of the latest answer
        turns = gr.State({})  # chat index of an answer -> what was asked and answered (for feedback)

        if not compact:
            gr.HTML(header_html(documents, TITLE), elem_id="awt-header-block")
        with gr.Row(equal_height=False, elem_classes=["awt-main"]):
            with gr.Column(scale=3, min_width=320, elem_classes=["awt-chat-col"]):
                chatbot = gr.Chatbot(
                    label="Gesprek met de AWT-assistent",
                    show_label=False,
                    elem_id="awt-chatbot",
                    height=340 if compact else 460,
                    placeholder=placeholder_html(documents),
                    feedback_options=("Like", "Dislike") if feedback_on else None,
                    buttons=[],  # "copy" would copy the Markdown source, not the text that is shown
                    latex_delimiters=[],
                    group_consecutive_messages=False,
                    sanitize_html=True,
                    render_markdown=True,
                    autoscroll=True,
                )
                # with one document there is nothing to choose: the chat stays as it always was
                scope = (
                    gr.Dropdown(
                        choices=[(ALL_DOCUMENTS, ""), *((d.title, d.name) for d in documents)],
                        value="",
                        label="Vraag over",
                        info="Kies één document, of laat de assistent in alle documenten zoeken.",
                        elem_id="awt-scope",
                        interactive=True,
                        filterable=False,
                    )
                    if len(documents) > 1
                    else None
                )
                with gr.Row(elem_classes=["awt-ask-row"]):
                    question = gr.Textbox(
                        label=f"Uw vraag over {about}",
                        placeholder="Typ uw vraag en druk op Enter…",
                        elem_id="awt-question",
                        lines=1,
                        max_lines=5,
                        max_length=ctx.settings.max_question_chars,
                        scale=5,
                        min_width=200,
                        autofocus=not compact,
                    )
                    send = gr.Button("Vraag stellen", variant="primary", scale=1, min_width=130, elem_id="awt-send")
                gr.HTML('<p class="awt-examples-title" id="awt-examples-title">Voorbeeldvragen</p>')
                with gr.Row(elem_classes=["awt-examples"]):
                    example_buttons = [
                        gr.Button(text, size="sm", variant="secondary", elem_classes=["awt-example"])
                        for text in examples
                    ]
                with gr.Row(elem_classes=["awt-tools"]):
                    new_chat = gr.Button("Nieuw gesprek", size="sm", variant="secondary", elem_id="awt-new")
                status = gr.HTML("", elem_id="awt-status", elem_classes=["awt-sr-only"])
            with gr.Column(scale=2, min_width=300, elem_classes=["awt-side-col"]):
                with gr.Accordion("Bronnen", open=True, elem_id="awt-sources-panel"):

                    @gr.render(inputs=[sources])  # type: ignore[untyped-decorator]  # gradio leaves it untyped
                    def show_sources(state: dict[str, Any]) -> None:
                        citations = list(state.get("citations") or [])
                        refused = bool(state.get("refused"))
                        gr.HTML(sources_intro(citations, refused, about=about, several=len(documents) > 1))
                        for citation in citations:
                            with gr.Group(elem_classes=["awt-source"]):
                                gr.HTML(source_html(citation), padding=False)
                                button = gr.Button(
                                    f"Toon [{citation['n']}] in {noun}",
                                    size="sm",
                                    variant="secondary",
                                    elem_classes=["awt-context-btn"],
                                )
                                button.click(
                                    partial(show_in_context, citation),
                                    None,
                                    [document, document_panel],
                                    queue=False,
                                    api_visibility="private",
                                ).then(None, js=SCROLL_JS)

                with gr.Accordion(
                    f"{noun[:1].upper()}{noun[1:]} in context", open=False, elem_id="awt-document-panel"
                ) as document_panel:
                    document = gr.HTML(ctx.document_view(), elem_id="awt-document")
                    # after reading a passage, one Tab and Enter bring a keyboard user back to the question box
                    back = gr.Button(
                        "Terug naar uw vraag",
                        size="sm",
                        variant="secondary",
                        elem_classes=["awt-context-btn"],
                        elem_id="awt-back",
                    )
                    back.click(None, js=BACK_TO_QUESTION_JS, queue=False, api_visibility="private")
                if len(documents) > 1:  # with one document the header names it, as it always did
                    with gr.Accordion("Documenten", open=True, elem_id="awt-documents-panel"):
                        gr.HTML(documents_panel_html(documents))

        def show_in_context(citation: dict[str, Any]) -> tuple[str, Any]:
            return ctx.document_view(citation), gr.Accordion(open=True)

        def respond(
            message: str,
            chat: list[dict[str, Any]],
            past: list[Message],
            answered: dict[int, Turn],
            request: gr.Request,
            chosen: str | None = None,
        ) -> Iterator[dict[Any, Any]]:
            host = request.client.host if request is not None and request.client else None
            headers = request.headers if request is not None else None
            client = client_key(host, headers, ctx.settings.auth_header)
            for step in converse(ctx, message, chat, past, answered, client, [chosen] if chosen else []):
                if step.warning:
                    gr.Warning(step.warning)
                updates: dict[Any, Any] = {chatbot: step.chat, status: html.escape(step.status)}
                if step.busy is not None:
                    updates.update({b: gr.Button(interactive=not step.busy) for b in [send, *example_buttons]})
                    if step.busy:
                        updates[question] = gr.Textbox(value="", interactive=False)
                    elif step.restore is not None:
                        updates[question] = gr.Textbox(value=step.restore, interactive=True)
                    else:
                        updates[question] = gr.Textbox(interactive=True)
                if step.final:
                    updates.update({history: step.past, turns: step.answered, sources: step.sources})
                yield updates

        outputs = [question, send, *example_buttons, chatbot, history, sources, turns, status]
        inputs = [question, chatbot, history, turns, *([scope] if scope is not None else [])]
        common: dict[str, Any] = {"api_visibility": "private", "trigger_mode": "once"}
        question.submit(respond, inputs, outputs, **common).then(None, js=FOCUS_INPUT_JS)
        send.click(respond, inputs, outputs, **common).then(None, js=FOCUS_INPUT_JS)
        for button, text in zip(example_buttons, examples, strict=True):
            button.click(lambda t=text: t, None, question, queue=False, api_visibility="private").then(
                respond, inputs, outputs, **common
            ).then(None, js=FOCUS_INPUT_JS)

        if scope is not None:  # Gradio's list leaves the focus nowhere once chosen: on to the question
            scope.input(None, js=FOCUS_INPUT_JS, queue=False, api_visibility="private")

        def start_over() -> dict[Any, Any]:
            return {
                chatbot: [],
                history: [],
                turns: {},
                sources: {"citations": [], "refused": False},
                document: ctx.document_view(),
                document_panel: gr.Accordion(open=False),
                question: gr.Textbox(value="", interactive=True),
                status: "Nieuw gesprek gestart.",
            }

        reset = [chatbot, history, turns, sources, document, document_panel, question, status]
        new_chat.click(start_over, None, reset, api_visibility="private").then(None, js=FOCUS_INPUT_JS)
        chatbot.clear(start_over, None, reset, api_visibility="private")

        if feedback_on:

            def on_vote(answered: dict[int, Turn], vote: gr.LikeData) -> None:
                turn = (answered or {}).get(vote.index if isinstance(vote.index, int) else vote.index[0])
                if turn is None or not isinstance(vote.liked, bool) or ctx.feedback is None:
                    return
                try:
                    ctx.feedback.record(
                        "up" if vote.liked else "down",
                        turn.question,
                        turn.history,
                        turn.answer,
                        source="embed" if compact else "chat",
                    )
                except FeedbackUnavailable as exc:
                    gr.Warning(str(exc), duration=8)
                    return
                gr.Info(FEEDBACK_THANKS, duration=4)

            chatbot.like(on_vote, [turns], None, api_visibility="private")

        def ask(  # noqa: D417 - request is Gradio's, not the caller's
            question: str,
            history: str = "[]",
            documents: str = "[]",
            request: gr.Request = None,  # type: ignore[assignment]
        ) -> dict[str, Any]:
            """Beantwoord een vraag over het AWT-advies, met bronnen.

            Args:
                question: de vraag, in het Nederlands.
                history: het gesprek tot nu toe als JSON, oudste eerst: [{"role": "user"|"assistant", "content": "…"}].
                documents: alleen uit deze documenten antwoorden, als JSON-lijst van namen (leeg: uit alle; de namen
                    staan in /api/documents).

            Returns:
                Het antwoord-object van /api/ask: answer, citations (label, quote, start, end), refused, reason, ….
            """
            host = request.client.host if request is not None and request.client else None
            client = client_key(host, request.headers if request is not None else None, ctx.settings.auth_header)
            return answer_for_client(ctx, question, history, client, documents)

        # the one public event of the page (every other one is api_visibility="private"); queued like the chat
        gradio_api(ask, api_name="ask")
    return page


def mount_kwargs() -> dict[str, Any]:
    """Keyword arguments for :func:`gradio.mount_gradio_app` shared by both pages: offline, Dutch, quiet."""
    return {
        "theme": THEME,
        "css": CSS,
        "js": JS,
        "footer_links": [],
        "run_history": False,
        "enable_monitoring": False,
        "pwa": False,
        "ssr_mode": False,
        "mcp_server": False,
        "show_error": False,
    }
