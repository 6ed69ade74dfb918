"""The gold set: one JSON object per line, validated with pydantic, errors in Dutch.

Item format (extra fields such as notes are kept but ignored)::

    {"id": "def-1", "question": "Wat is sociale innovatie?",
     "history": [{"role": "user", "content": "..."}],             # optional
     "expected_citations": ["Samenvatting"],                       # labels of the right passages
     "support": ["vernieuwing van arbeidsorganisatie"],            # optional, text a cited quote must contain
     "key_facts": [["arbeidsorganisatie", "organisatie van werk"]],  # every group needs one alternative
     "answerable": true, "category": "definitie", "variant_of": null}

With several documents loaded (``python -m evals run --profile library``) three optional fields say which document
an answer must come from; a document is named by its file name (``awk-advies-12-drinkwater.pdf``), its stem or its
title (``Zuinig met zoet water``)::

     "expected_document": "awk-advies-12-drinkwater.pdf",  # the first citation comes from this document
     "only_expected_document": true,                        # and no citation comes from another one
     "expected_documents": ["a.txt", "b.pdf"]               # a question several documents answer: each is cited

``expected_citations`` stay structural labels ("Aanbeveling 2", "Bijlage 2"): the document's title and the page
that a citation label shows with several documents loaded ("Aanbeveling 2 van ‘Zuinig met zoet water’, p. 3")
are compared apart (:func:`evals.metrics.label_parts`). Items without these fields are scored as before.

Example (``load_dataset`` does this for every line of a file)::

    >>> parse_line('{"id": "def-1", "question": "Wat is sociale innovatie?", "answerable": true}', 1).id
    'def-1'
    >>> parse_line('{"question": "Wat is sociale innovatie?", "answerable": true}', 7, "gold.jsonl")
    Traceback (most recent call last):
    ...
    evals.dataset.DatasetError: gold.jsonl, regel 7: veld 'id' ontbreekt.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from assistant.contract import Message


class DatasetError(ValueError):
    """A dataset that cannot be used; the message is Dutch and names the file and line."""


class GoldItem(BaseModel):
    """One question with what a good answer must cite and say."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    history: list[Message] = Field(default_factory=list)
    expected_citations: list[str] = Field(default_factory=list)
    support: list[str] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    answerable: bool
    category: str | None = None
    variant_of: str | None = None
    expected_document: str | None = None
    only_expected_document: bool = False
    expected_documents: list[str] = Field(default_factory=list)

    @field_validator("expected_citations", "support", "expected_documents")
    @classmethod
    def _no_blank_strings(cls, values: list[str]) -> list[str]:
        if any(not value.strip() for value in values):
            raise ValueError("bevat een lege tekst")
        return values

    @field_validator("key_facts")
    @classmethod
    def _groups_have_alternatives(cls, groups: list[list[str]]) -> list[list[str]]:
        for number, group in enumerate(groups, start=1):
            if not group:
                raise ValueError(f"groep {number} heeft geen alternatieven")
            if any(not alternative.strip() for alternative in group):
                raise ValueError(f"groep {number} bevat een lege tekst")
        return groups

    @field_validator("expected_document")
    @classmethod
    def _document_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("mag niet leeg zijn")
        return value

    @model_validator(mode="after")
    def _only_with_a_document(self) -> GoldItem:
        if self.only_expected_document and self.expected_document is None:
            raise ValueError("veld 'only_expected_document' vraagt om een 'expected_document'")
        return self


_DUTCH_ERRORS: dict[str, str] = {
    "missing": "ontbreekt",
    "string_type": "moet tekst zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "list_type": "moet een lijst zijn",
    "model_type": "moet een object zijn",
    "dict_type": "moet een object zijn",
    "literal_error": "heeft een ongeldige waarde",
    "string_too_short": "mag niet leeg zijn",
    "extra_forbidden": "is geen toegestaan veld",
}


def _describe(error: ErrorDetails) -> str:
    location = ".".join(str(part) for part in error["loc"]) or "item"
    if error["type"] == "value_error":
        message = str(error.get("ctx", {}).get("error", error["msg"]))
        if not error["loc"]:  # a rule about the whole item names its fields itself
            return message
    else:
        message = _DUTCH_ERRORS.get(error["type"], f"is ongeldig ({error['msg']})")
    return f"veld '{location}' {message}"


def parse_line(line: str, line_number: int, source: str = "dataset") -> GoldItem:
    """Validate one JSONL line; raise :class:`DatasetError` naming ``source`` and the line."""
    where = f"{source}, regel {line_number}"
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as error:
        raise DatasetError(f"{where}: geen geldige JSON ({error.msg}, kolom {error.colno}).") from None
    if not isinstance(raw, dict):
        raise DatasetError(f"{where}: verwacht een JSON-object, kreeg {type(raw).__name__}.")
    try:
        return GoldItem.model_validate(raw)
    except ValidationError as error:
        details = "; ".join(_describe(detail) for detail in error.errors())
        item_id = raw.get("id")
        label = f" (item '{item_id}')" if isinstance(item_id, str) else ""
        raise DatasetError(f"{where}{label}: {details}.") from None


def load_dataset(path: Path) -> list[GoldItem]:
    """Read and validate a JSONL gold set; blank lines are skipped.

    Raises :class:`DatasetError` (Dutch message with the line number) for invalid JSON, an
    invalid item, a duplicate id, a ``variant_of`` that names no item, or an empty file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DatasetError(f"Kan de dataset {path} niet lezen: {error.strerror or error}.") from None
    items: list[GoldItem] = []
    first_line: dict[str, int] = {}
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        item = parse_line(line, line_number, str(path))
        if item.id in first_line:
            raise DatasetError(
                f"{path}, regel {line_number}: id '{item.id}' komt al voor op regel {first_line[item.id]}."
            )
        first_line[item.id] = line_number
        items.append(item)
    if not items:
        raise DatasetError(f"De dataset {path} bevat geen items.")
    for item in items:
        if item.variant_of is not None and item.variant_of not in first_line:
            raise DatasetError(
                f"{path}, regel {first_line[item.id]}: variant_of '{item.variant_of}' verwijst naar een onbekend id."
            )
    return items


def dataset_fingerprint(path: Path) -> str:
    """SHA-256 of the dataset file, so a baseline can tell which gold set it was made with."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
