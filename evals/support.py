"""Does a set of cited passages support an answer sentence? Pluggable, lexical by default.

The default :class:`LexicalSupportChecker` is a deterministic stand-in for the NLI model that
ALCE uses: a sentence counts as supported when at least ``threshold`` of its content tokens
(folded, stemmed, Dutch stopwords removed) occur in the cited passages. Another checker (an NLI
model, an LLM judge) only has to implement :class:`SupportChecker`.

Example::

    >>> checker = LexicalSupportChecker(threshold=0.6)
    >>> checker.supports("De AWT adviseert meer experimenten.", ["De AWT adviseert experimenten."])
    True
    >>> checker.supports("Nederland stopt met subsidies.", ["De AWT adviseert experimenten."])
    False
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from evals.text import content_tokens


class SupportChecker(Protocol):
    """Decides whether ``passages`` together support the claim made in ``sentence``."""

    def supports(self, sentence: str, passages: Sequence[str]) -> bool:
        """Whether ``passages`` together support ``sentence``."""
        ...


class LexicalSupportChecker:
    """Supported when the share of the sentence's content tokens found in the passages ≥ threshold.

    A sentence without content tokens is trivially supported (it claims nothing); with no
    passages, a sentence with content is never supported.
    """

    def __init__(self, threshold: float = 0.6) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold = threshold

    def coverage(self, sentence: str, passages: Sequence[str]) -> float:
        """Share of the sentence's content tokens (with repeats) that occur in the passages."""
        tokens = content_tokens(sentence)
        if not tokens:
            return 1.0
        vocabulary: set[str] = set()
        for passage in passages:
            vocabulary.update(content_tokens(passage))
        return sum(1 for token in tokens if token in vocabulary) / len(tokens)

    def supports(self, sentence: str, passages: Sequence[str]) -> bool:
        """Whether the sentence's :meth:`coverage` reaches the threshold."""
        return self.coverage(sentence, passages) >= self.threshold
