"""What search found for one question, with everything the decision and the answer backends read from it.

>>> Retrieval.__dataclass_fields__["follow_up"].default
False
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index.background import BackgroundStats, World
from index.lexical import LexicalIndex
from index.search import Hit, SearchResult
from index.twins import Twins
from index.word_vectors import WordVectors
from knowledge.units import Document, Unit, UnitCatalog


@dataclass(frozen=True)
class Retrieval:
    """What search found for a question, plus what the refusal decision needs to know."""

    question: str  # the question as asked, without any instructions it contained
    query: str  # what was searched: the question, completed from earlier turns when it follows up
    result: SearchResult
    lexical: LexicalIndex
    units_by_id: UnitCatalog
    notices: list[str] = field(default_factory=list)
    follow_up: bool = False
    background: BackgroundStats | None = None
    world: World | None = None
    word_vectors: WordVectors | None = None
    documents: tuple[Document, ...] = ()  # the loaded documents: how many there are decides how answers name them
    scope: frozenset[str] = frozenset()  # the names of the documents searched, when the question was restricted
    focus: frozenset[str] = frozenset()  # the documents the question points to, when the user did not restrict it
    twins: Twins = field(default_factory=Twins)  # near-identical passages of different documents (index.twins)

    @property
    def searched(self) -> tuple[Document, ...]:
        """The documents the question was answered from: what a refusal says the answer is not in.

        Those the user restricted it to, else those it points to (a question about one advice is refused in that
        advice's name), else all loaded documents.
        """
        names = self.scope or self.focus
        if not names:
            return self.documents
        return tuple(d for d in self.documents if d.name in names)

    @property
    def pointed(self) -> Document | None:
        """The one document the question was restricted to or points to, with several loaded; else None."""
        names = self.scope or self.focus
        if len(self.documents) < 2 or len(names) != 1:
            return None
        return next((d for d in self.documents if d.name in names), None)

    @property
    def hits(self) -> list[Hit]:
        """The units search ranked, best first (named units first)."""
        return self.result.hits

    def children_of(self, unit: Unit) -> list[Unit]:
        """The units whose parent is ``unit`` (its list items), see :meth:`UnitCatalog.children_of`."""
        return self.units_by_id.children_of(unit)

    def lead_in_unit(self, item: Unit) -> Unit | None:
        """The unit that introduces list item ``item``, if any (see :meth:`UnitCatalog.lead_in_unit`)."""
        return self.units_by_id.lead_in_unit(item)
