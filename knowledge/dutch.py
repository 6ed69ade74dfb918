"""Small, shared facts about Dutch text: number words, plural nouns, accent folding."""

from __future__ import annotations

import re
import unicodedata

CARDINALS: dict[str, int] = {
    "een": 1,
    "één": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "twintig": 20,
}
ORDINALS: dict[str, int] = {
    "eerste": 1,
    "tweede": 2,
    "derde": 3,
    "vierde": 4,
    "vijfde": 5,
    "zesde": 6,
    "zevende": 7,
    "achtste": 8,
    "negende": 9,
    "tiende": 10,
    "elfde": 11,
    "twaalfde": 12,
    "dertiende": 13,
    "veertiende": 14,
    "vijftiende": 15,
    "zestiende": 16,
    "zeventiende": 17,
    "achttiende": 18,
    "negentiende": 19,
    "twintigste": 20,
    "laatste": -1,
}
ENGLISH_ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_VOWELS = "aeiou"


class _CombiningMarks(dict[int, int | None]):
    """``str.translate`` table that deletes combining marks, filled per code point on first sight."""

    def __missing__(self, code_point: int) -> int | None:
        kept = None if unicodedata.combining(chr(code_point)) else code_point
        self[code_point] = kept
        return kept


_STRIP_MARKS = _CombiningMarks()


def fold(text: str) -> str:
    """Lower-case and strip accents, so that ``België`` and ``belgie`` compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():  # this runs over every unit at start-up: skip the table when nothing is accented
        return decomposed
    return decomposed.translate(_STRIP_MARKS)


def parse_number(word: str) -> int | None:
    """``3``, ``drie``, ``derde``, ``third``, ``iii`` → 3; ``laatste`` → -1 (the last one)."""
    w = fold(word).strip(".:,;()")
    if w.isdigit():
        return int(w)
    return _NUMBER_WORDS.get(w, _ROMAN.get(w))


def thousands(number: int) -> str:
    """``number`` written the Dutch way, its thousands grouped by a dot: 1891 → ``1.891``."""
    return f"{number:,}".replace(",", ".")


def singular(noun: str) -> str:
    """Best-effort Dutch singular of a plural noun: ``aanbevelingen`` → ``aanbeveling``, ``stappen`` → ``stap``."""
    w = noun.lower()
    if w.endswith("'s"):
        return w[:-2]
    if w.endswith("en") and len(w) > 4:
        base = w[:-2]
        if len(base) >= 2 and base[-1] == base[-2] and base[-1] not in _VOWELS:
            return base[:-1]
        if base.endswith("z"):
            base = base[:-1] + "s"
        elif base.endswith("v"):
            base = base[:-1] + "f"
        # An open syllable had a long vowel: vragen → vraag, but not -el/-er/-ing endings.
        if len(base) >= 3 and base[-1] not in _VOWELS and base[-2] in "aou" and base[-3] not in _VOWELS:
            return base[:-1] + base[-2] + base[-1]
        return base
    if w.endswith("s") and len(w) > 3 and w[-2] in "eilr":
        return w[:-1]
    return w


NUMBER_WORD_PATTERN = "|".join(sorted({*CARDINALS, *ORDINALS, *ENGLISH_ORDINALS}, key=len, reverse=True))
_NUMBER_RE = re.compile(rf"^(?:\d+|{NUMBER_WORD_PATTERN})$", re.IGNORECASE)


def is_number_word(word: str) -> bool:
    """Whether ``word`` is a number: digits, or a Dutch or English cardinal or ordinal (``drie``, ``derde``)."""
    return bool(_NUMBER_RE.match(word))


_NUMBER_WORDS: dict[str, int] = {}  # folded once: parse_number runs for every word of every question
for _table in (CARDINALS, ORDINALS, ENGLISH_ORDINALS):
    for _word, _value in _table.items():
        _NUMBER_WORDS.setdefault(fold(_word), _value)
