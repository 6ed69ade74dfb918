"""The request and response bodies of the JSON API under ``/api`` (what its OpenAPI description shows).

Example:
    >>> AskRequest.model_validate({"question": EXAMPLE_QUESTION}).history
    []
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from assistant.contract import Answer, Citation, Message
from assistant.decision.reasons import Reason
from assistant.questions import VISIBLE_CHARACTER

MAX_HISTORY = 50
MAX_DOCUMENTS = 100
EXAMPLE_QUESTION = "Met welke landen moet Nederland samenwerken?"
DOCUMENTS_HELP = (
    "Beantwoord de vraag alleen uit deze geladen documenten (leeg of weggelaten: uit alle). Een document heet hier "
    "zoals `GET /api/documents` het noemt: de bestandsnaam (met of zonder extensie), de titel of de korte naam; "
    "hoofdletters tellen niet. Een onbekende naam, of een die bij meer documenten past, wordt met uitleg geweigerd."
)


class AskRequest(BaseModel):
    """A question, optionally with the conversation so far (for follow-ups such as ‘En de vijfde stap?’) and the
    documents to answer it from.
    """  # noqa: D205 - this docstring is the OpenAPI description

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": EXAMPLE_QUESTION},
                {
                    "question": "En wat is de vijfde stap daarvan?",
                    "history": [{"role": "user", "content": "Wat is de derde aanbeveling?"}],
                },
            ]
        },
    )

    # clean_question checks these (its Dutch message is kinder than a validation error); the description says
    # them, with maxLength from AWT_MAX_QUESTION_CHARS (see _complete_description)
    question: str = Field(
        description="De vraag, in het Nederlands (of Engels): minstens één zichtbaar teken, hoogstens "
        "AWT_MAX_QUESTION_CHARS tekens.",
        json_schema_extra={"minLength": 1, "pattern": VISIBLE_CHARACTER},
    )
    history: list[Message] = Field(
        default_factory=list, max_length=MAX_HISTORY, description="Het gesprek tot nu toe, oudste eerst."
    )
    documents: list[str] = Field(
        default_factory=list,
        max_length=MAX_DOCUMENTS,
        description=DOCUMENTS_HELP,
    )


def _json_integer(value: Any) -> Any:
    """JSON Schema's integer is a number without a fraction: ``1.0`` is one, ``"1"`` and ``true`` are not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


JsonInteger = Annotated[int, BeforeValidator(_json_integer)]


class FeedbackCitation(Citation):
    """A citation as ``/api/ask`` gave it; strict, so that ``"1"`` is not taken for ``1``."""

    model_config = ConfigDict(strict=True)

    n: JsonInteger = Field(ge=1)
    start: JsonInteger
    end: JsonInteger


class FeedbackAnswer(Answer):
    """The answer object as ``/api/ask`` gave it, sent back unchanged; strict, as the description promises."""

    model_config = ConfigDict(strict=True)

    citations: list[FeedbackCitation]  # type: ignore[assignment]  # pydantic: a stricter field of the same shape
    reason: Reason = Field(default=Reason.BEANTWOORD, strict=False)  # strict would want an enum, not its text


class FeedbackRequest(BaseModel):
    """A vote on an answer that ``/api/ask`` gave (stored only when ``AWT_FEEDBACK=true``)."""

    model_config = ConfigDict(extra="forbid")

    vote: Literal["up", "down"] = Field(description="‘up’ (goed antwoord) of ‘down’ (slecht antwoord).")
    question: str = Field(min_length=1, max_length=10_000)
    history: list[Message] = Field(default_factory=list, max_length=MAX_HISTORY)
    answer: FeedbackAnswer


class FeedbackStored(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    id: int = Field(ge=1, description="Het nummer van de opgeslagen stem.")


class Health(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    status: Literal["ok"]
    documents: int
    titles: list[str] = Field(description="De titels van de geladen documenten, in de volgorde waarin ze zijn geladen.")
    units: int
    backend: str
    feedback: bool
    index: Literal["klaar", "bijwerken"] = Field(
        description="‘bijwerken’: een nieuwe index wordt opgebouwd; tot hij klaar is, antwoordt de huidige."
    )
    progress: float | None = Field(description="Hoe ver het bijwerken is (0–1), als dat bekend is.")
    fingerprint: str | None = Field(description="Welke index antwoordt; staat ook in elk antwoord (‘index’).")
    chat: Literal["klaar", "laden"] = Field(
        description="‘laden’: de server is net gestart; de API antwoordt al, de chat (/ en /embed) volgt over enkele "
        "seconden."
    )


class DocumentInfo(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    name: str = Field(description="De naam van het document (het bestand in de kennismap); kiest het in `documents`.")
    title: str
    short_name: str = Field(description="Hoe het kort wordt aangehaald, zoals ‘AWT’ (leeg als onbekend).")
    date: str = Field(description="Wanneer het verscheen, zoals ‘2014’ (leeg als onbekend).")
    units: int = Field(description="Hoeveel citeerbare passages het heeft.")
    names: list[str] = Field(
        description="Elke naam waarmee `documents` dit document kiest: de bestandsnaam, zonder extensie, de titel, "
        "de korte naam (een naam die bij meer documenten past, staat er niet bij)."
    )


class Documents(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    documents: list[DocumentInfo] = Field(description="De geladen documenten, in de volgorde waarin ze zijn geladen.")


class ErrorDetail(BaseModel):  # noqa: D101 - a docstring would become its OpenAPI description
    detail: str = Field(description="Wat er mis is, in het Nederlands.")
