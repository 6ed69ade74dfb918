"""The typo check of ``is_function_word`` answers exactly as difflib's ``get_close_matches`` does, only sooner."""

from __future__ import annotations

import difflib
import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index.text import _LONG_FUNCTION_WORDS, TYPO_CUTOFF, _CloseMatch, _near_long_function_word, words

REPO = Path(__file__).resolve().parents[2]


def _difflib(word: str, candidates: list[str] = _LONG_FUNCTION_WORDS) -> bool:
    return bool(difflib.get_close_matches(word, candidates, n=1, cutoff=TYPO_CUTOFF))


def _typos(rng: random.Random, word: str) -> list[str]:
    """One deleted, inserted or replaced letter, and two swapped, at random places."""
    out = []
    for op in "dirs":
        chars = list(word)
        i = rng.randrange(len(chars) - 1)
        if op == "d":
            del chars[i]
        elif op == "i":
            chars.insert(i, rng.choice("abcdeéfghijklmnopqrstuvwxyzë"))
        elif op == "r":
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
        else:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        out.append("".join(chars))
    return out


def test_same_answers_as_difflib_on_the_documents_questions_and_typos() -> None:
    vocabulary: set[str] = set()
    for path in (REPO / "knowledge" / "documents").iterdir():
        if path.suffix in {".txt", ".md"}:
            vocabulary |= set(words(path.read_text(encoding="utf-8")))
    for line in (REPO / "evals" / "train.jsonl").read_text(encoding="utf-8").splitlines():
        vocabulary |= set(words(json.loads(line)["question"]))
    rng = random.Random(84)
    for word in _LONG_FUNCTION_WORDS:
        vocabulary.update(_typos(rng, word))
    checked = sorted(w for w in vocabulary if len(w) >= 5)
    assert len(checked) > 1500
    expected = {w: _difflib(w) for w in checked}
    assert 300 < sum(expected.values()) < len(checked) - 300  # both answers are well represented
    assert {w: _near_long_function_word(w) for w in checked} == expected


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="aeiouklmnrst", min_size=1, max_size=9), min_size=1, max_size=30),
    st.text(alphabet="aeiouklmnrstxé", min_size=1, max_size=10),
)
def test_same_answers_as_difflib_on_any_candidates(candidates: list[str], word: str) -> None:
    assert _CloseMatch(candidates, TYPO_CUTOFF)(word) == _difflib(word, candidates)
