"""The data that crosses the assistant's public boundary (CLI ``ask --json``, ``/api/ask``, evals)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from knowledge import citation_label
from knowledge.units import Unit


class Message(BaseModel):
    """One turn of a conversation, as given in ``--history`` or ``/api/ask``."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str


class AlsoIn(BaseModel):
    """Another document that holds the cited passage near-identically ("ook in …"): a summary and its full report."""

    document: str  # the other document's name (its file)
    title: str  # the other document's title
    label: str  # the passage's label there, as users see it ("Aanbeveling 2 van ‘Samenvatting’")


class Citation(BaseModel):
    """A source the answer cites: ``[n]`` in the answer points at the citation with that ``n``.

    ``quote`` is verbatim text of ``document``; ``start``/``end`` are its character offsets there. ``also_in``
    names the other loaded documents that say the same (:mod:`index.twins`); empty with one document.
    """

    n: int = Field(ge=1)
    label: str
    document: str
    quote: str
    score: float
    unit_id: str
    start: int
    end: int
    also_in: list[AlsoIn] = Field(default_factory=list)


def cite(
    n: int, unit: Unit, score: float, document_title: str | None = None, also_in: Sequence[AlsoIn] = ()
) -> Citation:
    """The citation ``[n]`` of a whole unit, labelled as users see it (with the page for a PDF).

    It is the one builder every backend uses; ``document_title`` is given when several documents are loaded,
    ``also_in`` when other documents hold the same passage.
    """
    return Citation(
        n=n,
        label=citation_label(unit, document_title),
        document=unit.document,
        quote=unit.text,
        score=round(float(score), 4),
        unit_id=unit.id,
        start=unit.start,
        end=unit.end,
        also_in=list(also_in),
    )


class Answer(BaseModel):
    """The assistant's answer to one question (the ``ask --json`` contract)."""

    question: str
    answer: str
    citations: list[Citation]
    refused: bool
    backend: str
    notice: str | None = None
    removed: list[str] = Field(default_factory=list)
    reason: str = "beantwoord"  # a code of assistant.decision.Reason: why it answered or refused (README)
    confidence: float | None = Field(default=None, ge=0, le=1)  # the decision's certainty; None: no decision made
    index: str | None = None  # which index answered (start of its fingerprint): changes when the documents change


def join_notices(*notices: str | None) -> str | None:
    """Several notices as one ``Answer.notice`` (None when there are none).

    >>> join_notices("Eerste.", None, "Tweede."), join_notices(None)
    ('Eerste. Tweede.', None)
    """
    return " ".join(n for n in notices if n) or None
