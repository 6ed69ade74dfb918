"""How a citation is written: the ``[n]`` markers in an answer text and the label a user sees for a unit.

Both the answer verifier (``assistant.generative.verify``) and the evals read markers; the notation is defined
once here so that what the product writes and what the evals count cannot drift apart.

>>> marker_numbers("Zo staat het er [2]. En ook dit [1; 2].")
[2, 1]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from knowledge.units import Document, Unit

#: ``[1]``, ``[1, 2]`` and ``[1;2]``: markers that point at numbered citations.
MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")


def marker_numbers(text: str) -> list[int]:
    """The citation numbers the ``[n]`` markers in ``text`` refer to, unique, in order of first mention.

    >>> marker_numbers("A [2]. B [1; 2] en [3].")
    [2, 1, 3]
    """
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            number = int(part)
            if number not in numbers:
                numbers.append(number)
    return numbers


def citation_label(unit: Unit, document_title: str | None = None) -> str:
    """The label a user sees in a citation: the structural label, the document's title if given, the page if any.

    ``Unit.label`` itself stays structural (``Aanbeveling 2``), because references such as "de tweede
    aanbeveling" and list questions are resolved by parsing labels (``index.references.label_parts``).
    The title is given only when several documents are loaded (:func:`document_titles`).

    >>> citation_label(Unit("d#bijlage-4", "d.pdf", "Bijlage 4", (), "Tekst.", 0, 6, page=47))
    'Bijlage 4, p. 47'
    >>> citation_label(Unit("d#bijlage-4", "d.txt", "Bijlage 4", (), "Tekst.", 0, 6))
    'Bijlage 4'
    >>> citation_label(Unit("d#a-2", "d.pdf", "Aanbeveling 2", (), "Tekst.", 0, 6, page=2), "Advies over inclusie")
    'Aanbeveling 2 van ‘Advies over inclusie’, p. 2'
    """
    label = f"{unit.label} van ‘{document_title}’" if document_title else unit.label
    return f"{label}, p. {unit.page}" if unit.page is not None else label


def document_titles(documents: Sequence[Document]) -> dict[str, str]:
    """Each document's title by name when there are several (labels then name the document), else nothing.

    >>> a, b = Document("a.txt", "A", "…"), Document("b.md", "B", "…")
    >>> document_titles([a]), document_titles([a, b])
    ({}, {'a.txt': 'A', 'b.md': 'B'})
    """
    return {d.name: d.title for d in documents} if len(documents) > 1 else {}
