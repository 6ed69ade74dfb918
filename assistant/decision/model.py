"""The calibrated models that turn signals into probabilities.

One asks whether the question is about the documents at all, the other whether they answer it.

Each is an additive logistic model: a signal enters as a piecewise-linear curve (the signal itself plus hinges at its
quartiles in the training data), so "a little more coverage" can matter more at the low end than at the top. Both
are fitted on ``evals/train.jsonl`` by ``python -m evals calibrate`` and stored in one small JSON file next to this
module (:class:`DecisionModel`). Prediction needs only the standard library.

>>> model = CalibratedModel(features=("coverage",), knots=((),), mean=(0.5,), scale=(0.25,), coef=(2.0,),
...                         intercept=0.0)
>>> round(model.probability_of([1.0]), 3)
0.982
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from assistant.decision.signals import FEATURES, Signals
from assistant.settings import ConfigurationError

DEFAULT_MODEL_FILE = Path(__file__).with_name("calibration.json")


class ModelFileError(ConfigurationError):
    """The calibration file is missing or unusable; the message is Dutch."""


def expand(values: Sequence[float], knots: Sequence[Sequence[float]]) -> list[float]:
    """Each value, followed by its hinges ``max(0, value - knot)``: the columns the weights apply to.

    >>> expand([0.5, 1.0], [(0.2, 0.6), ()])
    [0.5, 0.3, 0.0, 1.0]
    """
    columns: list[float] = []
    for value, points in zip(values, knots, strict=True):
        columns.append(value)
        columns.extend(max(0.0, value - knot) for knot in points)
    return [round(c, 12) for c in columns]


@dataclass(frozen=True)
class CalibratedModel:
    """One logistic model: signals, their hinge points, standardisation and weights."""

    features: tuple[str, ...]
    knots: tuple[tuple[float, ...], ...]
    mean: tuple[float, ...]  # per expanded column
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability_of(self, values: Sequence[float]) -> float:
        """P(answerable) for the raw signal values of :attr:`features`."""
        columns = expand(values, self.knots)
        z = self.intercept + sum(
            c * (x - m) / (s or 1.0) for c, x, m, s in zip(self.coef, columns, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def probability(self, signals: Signals) -> float:
        """The model's probability for these signals."""
        values = dict(zip(FEATURES, signals.vector(), strict=True))
        return self.probability_of([values[name] for name in self.features])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CalibratedModel:
        """The model stored as ``data`` (its ``asdict``), checked against this version's features.

        Raises:
            ValueError: The model names features this version lacks, or its widths do not agree (a Dutch message).
        """
        model = cls(
            features=tuple(data["features"]),
            knots=tuple(tuple(map(float, points)) for points in data["knots"]),
            mean=tuple(map(float, data["mean"])),
            scale=tuple(map(float, data["scale"])),
            coef=tuple(map(float, data["coef"])),
            intercept=float(data["intercept"]),
        )
        unknown = set(model.features) - set(FEATURES)
        width = len(model.features) + sum(len(points) for points in model.knots)
        if (
            unknown
            or len(model.knots) != len(model.features)
            or not (width == len(model.mean) == len(model.scale) == len(model.coef))
        ):
            raise ValueError(f"past niet bij deze versie (onbekende kenmerken: {', '.join(sorted(unknown)) or 'geen'})")
        return model


#: Says no to everything: the stand-in when only retrieval is needed (calibration itself).
NEVER = CalibratedModel((), (), (), (), (), -50.0)


@dataclass(frozen=True)
class DecisionModel:
    """The two calibrated models and their cut-offs.

    ``topic``: P(the question is about something the documents do not cover at all); at or above ``off_topic_at``
    it is refused as ``buiten_onderwerp``. ``answer``: P(the documents answer it); at or above ``answer_at`` it is
    answered, at or above ``hedge_at`` answered with a caveat, below refused.
    """

    topic: CalibratedModel
    answer: CalibratedModel
    off_topic_at: float = 0.5
    answer_at: float = 0.5
    hedge_at: float = 0.5
    report: dict[str, Any] = field(default_factory=dict)  # how it was fitted: data, cross-validated numbers

    def save(self, path: Path) -> None:
        """Write both models, their cut-offs and the fitting report as JSON, to be read back with :meth:`load`."""
        path.write_text(json.dumps(asdict(self), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> DecisionModel:
        """Read a calibration file (default: the one shipped next to this module)."""
        path = path or DEFAULT_MODEL_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                topic=CalibratedModel.from_dict(data["topic"]),
                answer=CalibratedModel.from_dict(data["answer"]),
                off_topic_at=float(data["off_topic_at"]),
                answer_at=float(data["answer_at"]),
                hedge_at=float(data["hedge_at"]),
                report=dict(data.get("report", {})),
            )
        except FileNotFoundError:
            raise ModelFileError(f"Het beslismodel {path} ontbreekt. Maak het met: python -m evals calibrate") from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelFileError(
                f"Het beslismodel {path} is onbruikbaar ({error}). Maak het opnieuw met: python -m evals calibrate"
            ) from None
