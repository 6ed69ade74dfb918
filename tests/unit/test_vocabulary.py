"""No product word list may carry a word taken from a question we measure or train on.

Word lists are the string literals inside ``frozenset``/``set`` calls and literals, ``re.compile`` patterns and
dicts keyed by words, in every module that reads a question. A word in them that occurs in an eval or training
question must occur in the documents, or belong to a closed class of :mod:`knowledge.vocabulary` (the one module
where hand-written lists live, each documented as a closed class).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import Stemmer

from knowledge import DEFAULT_KNOWLEDGE_DIR
from knowledge.dutch import fold
from knowledge.vocabulary import is_closed_class

ROOT = Path(__file__).resolve().parents[2]
# The modules that read a question (the loader, formats, web and LLM-output parsing never do).
QUESTION_READERS = (
    "knowledge/dutch.py",
    "index/text.py",
    "index/lexical.py",
    "index/references.py",
    "index/search.py",
    "index/background.py",
    "assistant/questions.py",
    "assistant/answer.py",
    "assistant/service.py",
    *(f"assistant/decision/{p.name}" for p in sorted((ROOT / "assistant" / "decision").glob("*.py"))),
)
QUESTION_FILES = sorted((ROOT / "evals").glob("*.jsonl"))
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STEMMER = Stemmer.Stemmer("dutch")
_LIST_CALLS = {"frozenset", "set", "compile"}


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def list_words(path: Path) -> set[str]:
    """Folded words in the word lists and patterns of one module: strings in ``frozenset``/``set`` calls and set
    literals, ``re.compile`` patterns, and the keys of module-level dicts keyed by words (docstrings and messages are
    not lists)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in _LIST_CALLS:
                found.extend(_strings(node))
        elif isinstance(node, ast.Set):
            found.extend(_strings(node))
    for statement in tree.body:  # dicts keyed by words, at module level: lookup tables
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Dict):
            keys = [k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
            if keys and all(re.fullmatch(r"[^\W\d_]+", k) for k in keys):
                found.extend(keys)
    words: set[str] = set()
    for text in found:
        words.update(fold(w) for w in _WORD.findall(text.replace("\\b", " ")))
    return words


def question_words() -> set[str]:
    words: set[str] = set()
    for path in QUESTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts = [item["question"], *(m["content"] for m in item.get("history", []) if m["role"] == "user")]
                for text in texts:
                    words.update(fold(w) for w in _WORD.findall(text))
    return words


def document_stems() -> set[str]:
    """Snowball stems of the documents' words: "aanbeveling" is derived from "aanbevelingen"."""
    words: set[str] = set()
    for path in DEFAULT_KNOWLEDGE_DIR.rglob("*"):
        if path.is_file() and path.suffix in {".txt", ".md"}:
            words.update(fold(w) for w in _WORD.findall(path.read_text(encoding="utf-8")))
    return set(_STEMMER.stemWords(sorted(words)))


def test_the_scanner_sees_word_lists(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        'import re\nA = frozenset("moete alweer".split())\nB = re.compile(r"\\bff\\b|zonder bronnen")\n'
        'C = {"recommendation": "aanbeveling"}\nD = {"fout": "Een lange melding"}\n'
        '"""een docstring met docstringwoord"""\n',
        encoding="utf-8",
    )
    words = list_words(module)
    assert {"moete", "alweer", "zonder", "bronnen", "recommendation", "fout"} <= words
    assert not {"docstringwoord", "lange", "melding"} & words


def test_no_word_list_carries_words_from_measured_questions() -> None:
    assert QUESTION_FILES, "no eval or training files found"
    asked = question_words()
    allowed = document_stems()
    offenders: dict[str, list[str]] = {}
    for name in QUESTION_READERS:
        path = ROOT / name
        bad = sorted(
            w for w in list_words(path) & asked if _STEMMER.stemWord(w) not in allowed and not is_closed_class(w)
        )
        if bad:
            offenders[name] = bad
    assert not offenders, f"word lists with words from eval/training questions: {offenders}"
