"""Which language is an answer written in? py3langid restricted to a few likely candidates.

Restricting the candidate set keeps short Dutch answers from being labelled as some far-away
language; the identifier is our own instance, so the module-wide py3langid state is untouched.

Example::

    >>> detect_language("De AWT adviseert de overheid om meer ruimte te geven aan experimenten.")
    'nl'
    >>> is_dutch("The council advises the government to experiment more.")
    False
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from evals.text import strip_markers

#: Candidates for the answer language: Dutch and the languages it is most easily confused with.
DEFAULT_LANGUAGES: tuple[str, ...] = ("nl", "en", "de", "fr", "af")


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
    identifier.set_languages(list(languages))
    return identifier


def detect_language(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES) -> str | None:
    """ISO 639-1 code of the most likely language of ``text`` (markers removed), None if empty."""
    cleaned = strip_markers(text)
    if not any(ch.isalpha() for ch in cleaned):
        return None
    identifier = _identifier(tuple(languages))
    language, _score = identifier.classify(cleaned)  # type: ignore[attr-defined]
    return str(language)


def is_dutch(text: str, languages: Sequence[str] = DEFAULT_LANGUAGES) -> bool:
    """Whether ``text`` is classified as Dutch among ``languages`` (an empty text is not)."""
    return detect_language(text, languages) == "nl"
