"""Citable units: the smallest passages an answer can point at, always verbatim slices of their source."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
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


class UnitCatalog(Mapping[str, Unit]):
    """All units by id, with the relations an answer follows; built once, so a question never scans every unit.

    >>> item = Unit("d#1", "d", "Aanbeveling 1", (), "Doe dit.", 20, 28, "list_item", "De AWT adviseert:")
    >>> intro = Unit("d#0", "d", "Inleiding", (), "De AWT adviseert:", 0, 17)
    >>> UnitCatalog([intro, item]).lead_in_unit(item).label
    'Inleiding'
    """

    def __init__(self, units: Iterable[Unit]) -> None:
        self._by_id = {u.id: u for u in units}
        self._children: dict[str, list[Unit]] = {}
        self._paragraphs: dict[str, list[Unit]] = {}
        for unit in self._by_id.values():
            if unit.parent_id:
                self._children.setdefault(unit.parent_id, []).append(unit)
            if unit.kind == "paragraph":
                self._paragraphs.setdefault(unit.document, []).append(unit)
        self._lead_ins: dict[str, Unit | None] = {}

    def __getitem__(self, unit_id: str) -> Unit:
        return self._by_id[unit_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, unit_id: object) -> bool:
        return unit_id in self._by_id

    def children_of(self, unit: Unit) -> list[Unit]:
        """The list items directly below ``unit``, in document order."""
        return list(self._children.get(unit.id, ()))

    def lead_in_unit(self, item: Unit) -> Unit | None:
        """The unit that introduces a list item: its parent item, or the paragraph holding the lead-in line."""
        if item.parent_id:
            return self._by_id.get(item.parent_id)
        if not item.lead_in:
            return None
        if item.id not in self._lead_ins:
            lead_in = item.lead_in
            self._lead_ins[item.id] = next(
                (u for u in self._paragraphs.get(item.document, ()) if lead_in in u.text), None
            )
        return self._lead_ins[item.id]


@dataclass(frozen=True)
class Document:
    """A loaded source document: its full text (what quotes are checked against) and its units.

    The fields after ``sha256`` describe the document for its readers and come from an optional metadata file
    next to it (:mod:`knowledge.metadata`); empty when unknown.
    """

    name: str
    title: str
    text: str
    units: tuple[Unit, ...] = field(default=())
    sha256: str = ""
    kind: str = ""  # what it is, with its article: "het advies", "de notitie" ("het document" when empty)
    short_name: str = ""  # how it is cited in brief, with the date: "AWT" in "(AWT, 2014)"
    date: str = ""  # "2014", "maart 2024"
    author: str = ""  # who wrote it, as in "van de Adviesraad voor …"
    reference: str = ""  # its number in a series: "advies 84"
    examples: tuple[str, ...] = ()  # example questions the chat offers for it
    conversation: tuple[str, ...] = ()  # a question and a follow-up to it, shown before the first question


@dataclass(frozen=True)
class KnowledgeBase:
    """All documents that loaded, and a Dutch message for each file that did not."""

    documents: tuple[Document, ...]
    problems: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[Unit, ...]:
        """The units of all documents, in document order."""
        return tuple(u for d in self.documents for u in d.units)

    def document(self, name: str) -> Document:
        """The document named ``name`` (its path relative to its knowledge folder); KeyError if none."""
        for doc in self.documents:
            if doc.name == name:
                return doc
        raise KeyError(name)

    def matching(self, wanted: str) -> list[Document]:
        """The documents a user may mean by ``wanted``: its name, file name, file stem, title or short name.

        The first of these that matches any document decides (case and surrounding spaces ignored), so a full name
        never loses to a title that happens to contain it.

        >>> kb = KnowledgeBase((Document("a/advies.pdf", "Digitale inclusie", ""), Document("b.txt", "Notitie", "")))
        >>> [d.name for d in kb.matching("advies")], [d.name for d in kb.matching(" digitale INCLUSIE ")]
        (['a/advies.pdf'], ['a/advies.pdf'])
        >>> kb.matching("iets anders")
        []
        """
        key = wanted.strip().casefold()
        if not key:
            return []
        for aspect in _ASPECTS:
            found = [d for d in self.documents if aspect(d).strip().casefold() == key]
            if found:
                return found
        return []

    def names(self) -> list[str]:
        """Every name that chooses exactly one document in :meth:`matching`, document by document.

        What a client may send to restrict a question, and what the API's description enumerates.

        >>> kb = KnowledgeBase((Document("advies.txt", "Advies", ""), Document("advies.pdf", "Rapport", "")))
        >>> kb.names()  # "advies" (both stems, and the title that reads the same) fits both: it is left out
        ['advies.txt', 'advies.pdf', 'Rapport']
        """
        return [name for document in self.documents for name in self.names_of(document)]

    def names_of(self, document: Document) -> list[str]:
        """The names that choose ``document``, and only it, in :meth:`matching`: its own name first.

        >>> kb = KnowledgeBase((Document("a/advies.pdf", "Digitale inclusie", "", short_name="Raad"),))
        >>> kb.names_of(kb.documents[0])
        ['a/advies.pdf', 'advies.pdf', 'advies', 'Digitale inclusie', 'Raad']
        """
        chosen: list[str] = []
        for aspect in _ASPECTS:
            name = aspect(document).strip()
            if name and name not in chosen and [d.name for d in self.matching(name)] == [document.name]:
                chosen.append(name)
        return chosen


def _stem(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


# how a user may name a document, in the order KnowledgeBase.matching tries them
_ASPECTS: tuple[Callable[[Document], str], ...] = (
    lambda d: d.name,
    lambda d: d.name.rsplit("/", 1)[-1],
    lambda d: _stem(d.name),
    lambda d: d.title,
    lambda d: d.short_name,
)
