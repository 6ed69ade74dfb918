"""No question string crashes ``ask``: it either answers (contract intact) or raises InvalidQuestion in Dutch."""

from __future__ import annotations

import re
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.questions import InvalidQuestion

pytestmark = pytest.mark.integration

SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # typed: hypothesis takes its literal category names
questions = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=SURROGATES), max_size=60),
    st.sampled_from(
        ["Wat is stap ", "aanbeveling ", "bijlage ", "<script>", "[1]", "\u202e", "\x00", "?" * 50]
    ).flatmap(lambda prefix: st.text(max_size=40).map(lambda rest: prefix + rest)),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=questions)
def test_no_question_crashes_ask(real_assistant: Any, question: str) -> None:
    try:
        answer = real_assistant.ask(question)
    except InvalidQuestion as exc:
        assert str(exc) and ("vraag" in str(exc).lower())
        return
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers <= {c.n for c in answer.citations}
    for citation in answer.citations:
        assert citation.quote in real_assistant.document_text(citation.document)


@pytest.mark.parametrize(
    "question",
    [
        "Wat is stap 5?\udcff",  # a lone surrogate, as invalid UTF-8 decodes with surrogateescape
        "Wat\u0000 is\u0007 de\u001b[31m eerste aanbeveling?",
        "**Wat** is `aanbeveling` _2_? # kop",
        "' OR 1=1; DROP TABLE units; --",
        "🙂" * 500,
    ],
)
def test_odd_characters_are_handled(real_assistant: Any, question: str) -> None:
    try:
        answer = real_assistant.ask(question)
    except InvalidQuestion as exc:
        assert "vraag" in str(exc).lower()
    else:
        assert answer.answer
