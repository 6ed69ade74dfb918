"""General Dutch and English word frequencies on wordfreq's Zipf scale, without importing wordfreq for a question.

:func:`zipf` returns exactly what ``wordfreq.zipf_frequency(word, lang)`` returns. Importing wordfreq costs ~0.4 s
(its ``locate`` dependency walks the stack, plus ftfy and langcodes) and decoding its Dutch and English tables
another ~0.4 s, on every cold start. So once a cache folder is configured (:func:`use_cache_dir`), plain words are
looked up in a SQLite file built once from wordfreq's own results (named after wordfreq's version, so a new version
builds a new file); only other input (capitals, digits, apostrophes, other scripts, …), which wordfreq tokenizes
first, still goes to wordfreq.

>>> zipf("de", "nl") > zipf("sociale", "nl") > zipf("werkplaatsinnovatie", "nl") == 0.0
True
>>> zipf("Sociale", "nl") == zipf("sociale", "nl")  # wordfreq case-folds; the cache only holds folded words
True
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import unicodedata
from contextlib import closing
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from knowledge.cache import replaced_atomically

log = logging.getLogger(__name__)

LANGUAGES = ("nl", "en")
# Bump when what the file holds changes (wordfreq's own version is in the file name too).
_FORMAT = "1"

_lock = threading.Lock()
_cache_dir: Path | None = None
_connection: sqlite3.Connection | None = None
_missing: dict[str, float] = {}  # per language: the Zipf value of a plain word wordfreq does not know
_failed = False  # the cache could not be built or read: wordfreq answers for the rest of the process


def use_cache_dir(folder: Path | None) -> None:
    """Keep the frequency cache in ``folder`` (built there at the first lookup if missing); None: ask wordfreq.

    >>> use_cache_dir(None)
    """
    global _cache_dir, _connection, _failed
    with _lock:
        if folder == _cache_dir:
            return
        if _connection is not None:
            _connection.close()
        _cache_dir, _connection, _failed = folder, None, False
        _missing.clear()
    zipf.cache_clear()


def prepare() -> bool:
    """Build the cache in the configured folder now if it is missing; whether it is usable.

    ``python -m assistant index`` calls it, so a model folder filled ahead of time (and then mounted read-only) has
    the cache too, even when nothing asked for a frequency during the build.
    """
    with _lock:
        return _open() is not None


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str) -> float:
    """``wordfreq.zipf_frequency(word, lang)``: how often ``word`` occurs per billion words, as a base-10 log.

    Args:
        word: Any text; wordfreq normalises and tokenizes it (a phrase counts as its rarest word, roughly).
        lang: A wordfreq language code; only "nl" and "en" use the cache.

    Returns:
        The Zipf frequency rounded to two decimals: 0.0 for a word wordfreq does not know, about 7 for "de".

    >>> zipf("regen", "nl") >= 4.0
    True
    """
    if lang in LANGUAGES and is_plain(word):
        with _lock:
            found = _lookup(word, lang)
        if found is not None:
            return found
    return _wordfreq_zipf(word, lang)


def is_plain(word: str) -> bool:
    """Whether wordfreq takes ``word`` as it is, for Dutch and English: one token, itself, without digits.

    That holds for a non-empty run of lowercase Latin letters that case folding and NFC normalisation leave
    unchanged (wordfreq normalises, case-folds and splits on Unicode word boundaries, none of which fall inside
    such a run). Anything else goes to wordfreq itself.

    >>> is_plain("één"), is_plain("Eén"), is_plain("zo'n"), is_plain("2014"), is_plain("straße"), is_plain("")
    (True, False, False, False, False, False)
    """
    if word.isascii():
        return word.isalpha() and word.islower()
    return (
        word.isalpha()
        and all(_latin_small_letter(char) for char in word)
        and word.casefold() == word
        and unicodedata.is_normalized("NFC", word)
    )


@cache
def _latin_small_letter(char: str) -> bool:
    return unicodedata.category(char) == "Ll" and unicodedata.name(char, "").startswith("LATIN SMALL LETTER ")


def _wordfreq_zipf(word: str, lang: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, lang))


def cache_file(folder: Path) -> Path:
    """The cache file in ``folder`` for the installed wordfreq."""
    return folder / f"wordfreq-{metadata.version('wordfreq')}-{_FORMAT}.sqlite3"


def _lookup(word: str, lang: str) -> float | None:
    """The cached value (caller holds the lock), or None when there is no usable cache."""
    global _failed
    connection = _open()
    if connection is None:
        return None
    try:
        row = connection.execute(f"SELECT level FROM {lang} WHERE word = ?", (word,)).fetchone()
    except sqlite3.Error as error:
        log.warning("Het woordfrequentiebestand is onleesbaar (%s); wordfreq zelf wordt gebruikt.", error)
        _failed = True
        return None
    return int(row[0]) / 100 if row is not None else _missing[lang]


def _open() -> sqlite3.Connection | None:
    """The open cache, opened (and built first if missing) now if need be; None without one."""
    global _connection, _failed
    if _connection is not None or _failed or _cache_dir is None:
        return _connection
    target = cache_file(_cache_dir)
    try:
        if not target.exists():
            build(target)
        _connection = _connect(target)
    except (OSError, sqlite3.Error, ValueError) as error:
        log.warning(
            "Kan het woordfrequentiebestand %s niet maken of lezen (%s); wordfreq zelf wordt gebruikt.", target, error
        )
        _failed = True
    return _connection


def _connect(target: Path) -> sqlite3.Connection:
    # immutable: the file is never changed in place (a new one replaces it), so no locking is needed to read it
    connection = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    try:
        rows = connection.execute("SELECT lang, level FROM missing").fetchall()
        _missing.update({str(lang): int(level) / 100 for lang, level in rows})
        if set(_missing) != set(LANGUAGES):
            raise ValueError("talen ontbreken")
    except BaseException:
        connection.close()
        raise
    return connection


def build(target: Path) -> None:
    """Write the cache file ``target`` from wordfreq's data (~1–2 s), atomically: readers see all of it or none.

    For every plain word (:func:`is_plain`) of the Dutch and English lists, wordfreq's own ``zipf_frequency`` of
    one word per frequency is stored (in hundredths: exact, as checked here), so no rounding is redone here.
    """
    import wordfreq

    with replaced_atomically(target, ".sqlite3") as temporary:
        temporary.chmod(0o644)  # like any model file: readable by whoever shares the model folder
        with closing(sqlite3.connect(temporary)) as db:
            db.execute("PRAGMA journal_mode = OFF")  # a fresh temporary file: a failure leaves it unused anyway
            db.execute("CREATE TABLE missing (lang TEXT PRIMARY KEY, level INTEGER NOT NULL) WITHOUT ROWID")
            for lang in LANGUAGES:
                rows, missing = _levels(wordfreq, lang)
                db.execute(f"CREATE TABLE {lang} (word TEXT PRIMARY KEY, level INTEGER NOT NULL) WITHOUT ROWID")
                db.executemany(f"INSERT INTO {lang} VALUES (?, ?)", sorted(rows))
                db.execute("INSERT INTO missing VALUES (?, ?)", (lang, missing))
            db.commit()


def _levels(wordfreq: Any, lang: str) -> tuple[list[tuple[str, int]], int]:
    """The plain words of ``lang`` with their Zipf value in hundredths, and that of an unknown plain word."""
    frequencies: dict[str, float] = wordfreq.get_frequency_dict(lang)
    by_frequency: dict[float, int] = {}
    rows = []
    for word, frequency in frequencies.items():
        if not is_plain(word):
            continue
        if frequency not in by_frequency:
            # for a plain word, wordfreq's result depends on its frequency alone: one call per frequency suffices
            by_frequency[frequency] = _hundredths(wordfreq.zipf_frequency(word, lang))
        rows.append((word, by_frequency[frequency]))
    unknown = "zzqx"
    while unknown in frequencies:
        unknown += "q"
    return rows, _hundredths(wordfreq.zipf_frequency(unknown, lang))


def _hundredths(value: float) -> int:
    level = round(value * 100)
    if level / 100 != value:
        raise ValueError(f"{value!r} is geen veelvoud van 0,01")
    return level
