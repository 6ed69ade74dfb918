"""The calibrated model that turns signals into the probability that the documents answer a question.

A logistic regression over :data:`~assistant.decision.signals.FEATURES`, fitted on ``evals/train.jsonl`` by
``python -m evals calibrate`` and stored as a small JSON file next to this module. Prediction needs only numpy.

>>> model = CalibratedModel(features=("coverage",), mean=(0.5,), scale=(0.25,), coef=(2.0,), intercept=0.0)
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


@dataclass(frozen=True)
class CalibratedModel:
    """Standardised features, weights and the two probability cut-offs of the decision."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    answer_at: float = 0.5  # at or above: answer
    hedge_at: float = 0.5  # at or above (and below answer_at): answer, saying the evidence is moderate
    report: dict[str, Any] = field(default_factory=dict)  # how it was fitted: data, cross-validated numbers

    def probability_of(self, vector: Sequence[float]) -> float:
        z = self.intercept + sum(
            c * (x - m) / (s or 1.0) for c, x, m, s in zip(self.coef, vector, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def probability(self, signals: Signals) -> float:
        """P(the documents answer the question | signals)."""
        values = dict(zip(FEATURES, signals.vector(), strict=True))
        return self.probability_of([values[name] for name in self.features])

    def save(self, path: Path) -> None:
        data = asdict(self)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path | None = None) -> CalibratedModel:
        """Read a calibration file (default: the one shipped next to this module)."""
        path = path or DEFAULT_MODEL_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = cls(
                features=tuple(data["features"]),
                mean=tuple(map(float, data["mean"])),
                scale=tuple(map(float, data["scale"])),
                coef=tuple(map(float, data["coef"])),
                intercept=float(data["intercept"]),
                answer_at=float(data["answer_at"]),
                hedge_at=float(data["hedge_at"]),
                report=dict(data.get("report", {})),
            )
        except FileNotFoundError:
            raise ModelFileError(
                f"Het beslismodel {path} ontbreekt. Maak het met: python -m evals calibrate"
            ) from None
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ModelFileError(f"Het beslismodel {path} is onbruikbaar ({error}).") from None
        unknown = set(model.features) - set(FEATURES)
        if unknown or not (len(model.features) == len(model.mean) == len(model.scale) == len(model.coef)):
            raise ModelFileError(
                f"Het beslismodel {path} past niet bij deze versie (onbekende kenmerken: "
                f"{', '.join(sorted(unknown)) or 'geen'}). Maak het opnieuw met: python -m evals calibrate"
            )
        return model
