"""How a citation is written: the ``[n]`` markers in an answer text and the label a user sees for a unit.

Both the answer verifier (``assistant.generative.verify``) and the evals read markers; the notation is defined
once here so that what the product writes and what the evals count cannot drift apart.

>>> marker_numbers("Zo staat het er [2]. En ook dit [1; 2].")
[2, 1]
"""

from __future__ import annotations

import re

from knowledge.units import Unit

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


def citation_label(unit: Unit) -> str:
    """The label a user sees in a citation: the structural label, plus the page for paged documents.

    ``Unit.label`` itself stays structural (``Aanbeveling 2``), because references such as "de tweede
    aanbeveling" and list questions are resolved by parsing labels (``index.references.label_parts``).

    >>> citation_label(Unit("d#bijlage-4", "d.pdf", "Bijlage 4", (), "Tekst.", 0, 6, page=47))
    'Bijlage 4, p. 47'
    >>> citation_label(Unit("d#bijlage-4", "d.txt", "Bijlage 4", (), "Tekst.", 0, 6))
    'Bijlage 4'
    """
    return f"{unit.label}, p. {unit.page}" if unit.page is not None else unit.label
