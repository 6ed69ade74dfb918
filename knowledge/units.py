"""Citable units: the smallest passages an answer can point at, always verbatim slices of their source."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

UnitKind = Literal["paragraph", "list_item"]


@dataclass(frozen=True)
class Unit:
    """A verbatim passage of a document with a human label, e.g. ``Aanbeveling 3, stap 5``.

    ``text == document.text[start:end]`` always holds; nothing in a unit is invented.
    """

    id: str
    document: str
    label: str
    heading_path: tuple[str, ...]
    text: str
    start: int
    end: int
    kind: UnitKind = "paragraph"
    lead_in: str | None = None
    parent_id: str | None = None
    ordinal: int | None = None
    page: int | None = None

    def context_text(self) -> str:
        """What is embedded and indexed: the passage with the headings, label and list lead-in around it."""
        parts = [" > ".join(self.heading_path), self.label]
        if self.lead_in:
            parts.append(self.lead_in)
        parts.append(self.text)
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Document:
    """A loaded source document: its full text (what quotes are checked against) and its units."""

    name: str
    title: str
    text: str
    units: tuple[Unit, ...] = field(default=())
    sha256: str = ""
