"""Extension point for optional LLM-judge columns (none is registered: never used in CI).

A judge scores one answer between 0 and 1 (or None when it cannot judge); its mean shows up
as the informational column ``judge_<name>`` and never gates a run, because a model's verdict
is not deterministic. Register a factory that receives the backend name::

    >>> class LengthJudge:
    ...     name = "lengte"
    ...     def score(self, item: GoldItem, answer: Answer) -> float | None:
    ...         return min(1.0, len(answer.answer) / 500)
    >>> register_judge("lengte", lambda backend: LengthJudge())  # doctest: +SKIP

and run ``python -m evals run --judge lengte``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from assistant.contract import Answer
from evals.dataset import GoldItem


class Judge(Protocol):
    """Scores an answer to a gold item in [0, 1]; None means "cannot judge this one"."""

    name: str

    def score(self, item: GoldItem, answer: Answer) -> float | None:
        """The answer's score in [0, 1], or None when this judge cannot judge the item."""
        ...


JudgeFactory = Callable[[str], Judge]

#: Registered judge factories by name; empty on purpose.
JUDGES: dict[str, JudgeFactory] = {}


def register_judge(name: str, factory: JudgeFactory) -> None:
    """Make ``--judge name`` available; ``factory(backend)`` builds the judge for a run."""
    JUDGES[name] = factory


class UnknownJudgeError(KeyError):
    """A ``--judge`` name that is not registered (Dutch message)."""

    def __str__(self) -> str:
        return str(self.args[0])


def create_judges(names: Sequence[str], backend: str) -> list[Judge]:
    """Build the judges named on the command line, in order."""
    judges: list[Judge] = []
    for name in names:
        factory = JUDGES.get(name)
        if factory is None:
            known = ", ".join(sorted(JUDGES)) or "geen"
            raise UnknownJudgeError(f"Onbekende beoordelaar '{name}' (beschikbaar: {known}).")
        judges.append(factory(backend))
    return judges
