"""Explicit references in questions resolve to the units the loader labelled."""

from __future__ import annotations

import pytest

from index.references import StructureIndex, merge_references
from knowledge import DEFAULT_KNOWLEDGE_DIR, load_knowledge


@pytest.fixture(scope="module")
def structure() -> StructureIndex:
    return StructureIndex(load_knowledge(DEFAULT_KNOWLEDGE_DIR).units)


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Wat is aanbeveling 2?", ["Aanbeveling 2"]),
        ("Wat is de vijfde stap van de derde aanbeveling?", ["Aanbeveling 3, stap 5"]),
        ("stap 5 van aanbeveling 3", ["Aanbeveling 3, stap 5"]),
        ("Wat staat er in bijlage 4?", ["Bijlage 4"]),
        ("Hoe luidt aanbeveling nummer één?", ["Aanbeveling 1"]),
        ("Wat zeggen aanbeveling 1 en 2?", ["Aanbeveling 1", "Aanbeveling 2"]),
        ("Wat is de laatste stap?", ["Aanbeveling 3, stap 6"]),
        ("Wat houdt de laatste van de drie aanbevelingen in?", ["Aanbeveling 3"]),
        ("What is the second recommendation?", ["Aanbeveling 2"]),
        ("Wat staat er in bijlgae 4?", ["Bijlage 4"]),
        ("Welke aanbevelingen doet de AWT?", ["Aanbeveling 1", "Aanbeveling 2", "Aanbeveling 3"]),
        ("Welke zes stappen beschrijft de AWT?", [f"Aanbeveling 3, stap {i}" for i in range(1, 7)]),
        ("Wat zegt het advies over Europa?", []),
        ("Wat staat er in bijlage 1?", []),
    ],
)
def test_references_resolve(structure: StructureIndex, question: str, labels: list[str]) -> None:
    assert [u.label for u in structure.resolve(structure.parse(question))] == labels


def test_a_resolution_is_remembered_but_never_shared_with_a_caller(structure: StructureIndex) -> None:
    refs = structure.parse("Welke zes stappen beschrijft de AWT?")
    first = structure.resolve(refs)
    first.clear()  # a caller may change its own list
    again = structure.resolve(structure.parse("Welke zes stappen beschrijft de AWT?"))
    assert [u.label for u in again] == [f"Aanbeveling 3, stap {i}" for i in range(1, 7)]


def test_a_reference_to_something_absent_is_still_recognised(structure: StructureIndex) -> None:
    refs = structure.parse("Wat staat er in bijlage 1?")
    assert refs.pairs == [{"bijlage": 1}]


def test_follow_up_inherits_the_earlier_recommendation(structure: StructureIndex) -> None:
    merged = merge_references(
        structure.parse("En wat is de vijfde stap daarvan?"), [structure.parse("Wat is aanbeveling 3?")]
    )
    assert [u.label for u in structure.resolve(merged)] == ["Aanbeveling 3, stap 5"]


def test_follow_up_does_not_override_what_the_question_says(structure: StructureIndex) -> None:
    merged = merge_references(structure.parse("En aanbeveling 2?"), [structure.parse("Wat is aanbeveling 3?")])
    assert [u.label for u in structure.resolve(merged)] == ["Aanbeveling 2"]
