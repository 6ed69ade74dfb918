"""Opt-in: the real ``llamacpp`` backend end to end on a local GGUF model.

AWT_TEST_GGUF=/tmp/qwen1.5b.gguf .venv/bin/python -m pytest -m gguf tests/integration/test_generative_gguf.py
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.gguf, pytest.mark.integration]
GGUF = os.environ.get("AWT_TEST_GGUF", "")


@pytest.fixture(scope="module")
def gguf_backend() -> object:
    if not GGUF or not Path(GGUF).is_file():
        pytest.skip("AWT_TEST_GGUF does not name a GGUF model file")
    pytest.importorskip("llama_cpp")
    from assistant.generative import build_generative_backend
    from assistant.settings import Settings

    return build_generative_backend(Settings(llm="llamacpp", llm_model=GGUF, llm_timeout=600))


def test_the_local_model_answers_in_dutch_with_verified_citations(
    gguf_backend: object, real_assistant: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.generative import AnswerStream, answer_language
    from assistant.generative.backend import GenerativeBackend

    assert isinstance(gguf_backend, GenerativeBackend)
    monkeypatch.setattr(real_assistant, "backend", gguf_backend)  # restored after the test
    stream = AnswerStream(lambda: real_assistant.ask("Met welke landen moet Nederland samenwerken?"))  # type: ignore[attr-defined]
    tokens = list(stream)
    answer = stream.answer.model_dump()
    assert len(tokens) > 1 or answer["backend"] == "extractief"
    assert answer["backend"] in (gguf_backend.name, "extractief")
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    assert numbers and numbers <= {c["n"] for c in answer["citations"]}
    assert [c["n"] for c in answer["citations"]] == list(range(1, len(answer["citations"]) + 1))
    assert answer_language(answer["answer"]) == "nl"
    if answer["backend"] == gguf_backend.name:
        assert any(c["label"].startswith("Aanbeveling 3") for c in answer["citations"])


def test_an_unanswerable_question_is_refused_without_the_model(
    gguf_backend: object, real_assistant: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(real_assistant, "backend", gguf_backend)
    answer = real_assistant.ask("Hoeveel kost een brood in Parijs?")  # type: ignore[attr-defined]
    assert answer.refused and answer.backend == "extractief"
