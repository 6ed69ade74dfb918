"""The cached word frequencies equal wordfreq's for every input, and a warm cache never imports wordfreq."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
import wordfreq

from index.text import words
from knowledge import word_frequency
from knowledge.word_frequency import cache_file, is_plain, use_cache_dir, zipf

REPO = Path(__file__).resolve().parents[2]
HARD = [
    "",
    " ",
    "Sociale",
    "SOCIALE",
    "2014",
    "1e",
    "covid19",
    "3,5",
    "zo'n",
    "zo’n",
    "'s",
    "één",
    "Één",
    unicodedata.normalize("NFD", "één"),
    unicodedata.normalize("NFD", "café"),
    "straße",
    "ĳs",
    "ﬁets",
    "ｗｏｒｋ",
    "sociale-innovatie",
    "werk samen",
    "e-mail",
    "社会创新",
    "イノベーション",
    "инновация",
    "καινοτομία",
    "🙂",
    "👍🏽",
    "l@s",
    "ǅ",
    "ŉ",
    "ſ",
    "i̇",
]


@pytest.fixture(scope="module")
def cached(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("wordfreq-cache")
    use_cache_dir(folder)
    yield folder
    use_cache_dir(None)


def _corpus_words() -> set[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "knowledge" / "documents").glob("*"))]
    with (REPO / "evals" / "train.jsonl").open(encoding="utf-8") as lines:
        texts += [json.loads(line)["question"] for line in lines if line.strip()]
    found = {w for text in texts for w in words(text)}
    found |= {w for text in texts for w in text.split()}  # raw: capitals, accents, punctuation, digits
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_equal_to_wordfreq(cached: Path, lang: str) -> None:
    candidates = _corpus_words() | set(wordfreq.top_n_list(lang, 20000)) | set(HARD)
    wrong = [(w, zipf(w, lang), wordfreq.zipf_frequency(w, lang)) for w in sorted(candidates)]
    assert [entry for entry in wrong if entry[1] != entry[2]] == []
    assert cache_file(cached).exists()
    assert sum(map(is_plain, candidates)) > 15000  # most of them came from the cache, not from wordfreq


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_latin_small_letter_is_taken_as_it_is(cached: Path, lang: str) -> None:
    letters = [chr(c) for c in range(0x3000) if is_plain(chr(c))]
    assert "a" in letters and "é" in letters and "ß" not in letters and "ﬁ" not in letters
    for letter in letters:
        for word in (letter, f"ab{letter}cd"):
            assert zipf(word, lang) == wordfreq.zipf_frequency(word, lang), word


def test_the_file_is_named_after_wordfreqs_version(cached: Path) -> None:
    zipf("werk", "nl")
    assert [p.name for p in cached.iterdir()] == [f"wordfreq-{metadata.version('wordfreq')}-1.sqlite3"]


def test_without_a_cache_folder_wordfreq_answers(tmp_path: Path) -> None:
    use_cache_dir(None)
    assert zipf("samenwerken", "nl") == wordfreq.zipf_frequency("samenwerken", "nl")
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_cache_falls_back_to_wordfreq(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache_file(tmp_path).write_bytes(b"no database")
    use_cache_dir(tmp_path)
    try:
        with caplog.at_level(logging.WARNING):
            assert zipf("landen", "nl") == wordfreq.zipf_frequency("landen", "nl")
            assert zipf("countries", "en") == wordfreq.zipf_frequency("countries", "en")
    finally:
        use_cache_dir(None)
    assert [r.message for r in caplog.records if "woordfrequentiebestand" in r.message][:1], caplog.text


def test_an_unwritable_folder_falls_back_to_wordfreq(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    use_cache_dir(blocked / "wordfreq")  # its parent is a file: the cache cannot be made
    try:
        assert zipf("innovatie", "nl") == wordfreq.zipf_frequency("innovatie", "nl")
    finally:
        use_cache_dir(None)


def test_prepare_builds_the_cache_now(tmp_path: Path) -> None:
    assert word_frequency.prepare() is False  # no folder configured: nothing to build
    use_cache_dir(tmp_path)
    try:
        assert word_frequency.prepare() is True
        assert cache_file(tmp_path).exists()
    finally:
        use_cache_dir(None)


def test_a_build_leaves_only_the_finished_file(tmp_path: Path) -> None:
    target = cache_file(tmp_path)
    word_frequency.build(target)
    word_frequency.build(target)  # as a second process would: it replaces the file whole
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_warm_cache_never_imports_wordfreq(cached: Path) -> None:
    zipf("werk", "nl")  # the module fixture's cache is built by now
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from knowledge.word_frequency import use_cache_dir, zipf
        use_cache_dir(Path({str(cached)!r}))
        values = [zipf(w, lang) for w in ("samenwerken", "landen", "werkplaatsinnovatie") for lang in ("nl", "en")]
        print(all(v >= 0 for v in values), "wordfreq" in sys.modules)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
