"""Fit the answer/refuse models on the training set: ``python -m evals calibrate``.

Only ``evals/train.jsonl`` is read (never the gold set or a blind set). Each training question goes through the
assistant's own retrieval; its signals (:mod:`assistant.decision.signals`), whether it is answerable and whether it
is a world question (category ``buiten_onderwerp``) are the data. Questions that a hard rule already decides
(nothing asked, a part that does not exist, an amount/date/count the passages cannot give) train neither model.
Two additive logistic models (each signal plus hinges at its quartiles, see :mod:`assistant.decision.model`) are
fitted: the **topic** model on all the rest (world question or not), the **answer** model on the questions that are
not world questions (answerable or not). The cut-offs are chosen on cross-validated probabilities, a false refusal
counted :data:`FALSE_REFUSAL_COST` times as bad as a wrong answer (a refusal hides passages the user could check):

* ``off_topic_at``: at or above it a question is refused as ``buiten_onderwerp``;
* ``hedge_at``: below it the answer model refuses;
* ``answer_at``: at or above it the answer is given without a caveat; the lowest cut-off whose cross-validated
  answers are right at least 90 % of the time.

The report (cross-validated numbers, and an ablation: the accuracy without each feature) is stored in the model
file and printed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.decision import FEATURES, CalibratedModel, DecisionModel, Signals, rule_verdict
from assistant.decision.model import DEFAULT_MODEL_FILE, expand
from assistant.decision.signals import TOPIC_FEATURES, extract
from evals.dataset import GoldItem, load_dataset

DEFAULT_TRAINING_SET = Path("evals/train.jsonl")
FOLDS = 5
KNOT_QUANTILES = (0.25, 0.5, 0.75)
REGULARISATION = 1.0  # scikit-learn's default C
FALSE_REFUSAL_COST = 1.5
ANSWER_PRECISION = 0.90


WORLD = "buiten_onderwerp"  # the training category of world questions


@dataclass(frozen=True)
class Example:
    item: GoldItem
    signals: Signals

    @property
    def world(self) -> bool:
        return self.item.category == WORLD


def collect(items: Sequence[GoldItem], assistant: Any) -> list[Example]:
    """The signals of every training question, through the assistant's own retrieval."""
    examples = []
    for item in items:
        _text, retrieval = assistant.retrieve(item.question, item.history)
        examples.append(Example(item, extract(retrieval)))
    return examples


def _ruled(signals: Signals) -> bool:
    return rule_verdict(signals) is not None


def _knots(x: np.ndarray) -> tuple[tuple[float, ...], ...]:
    """Hinge points per signal: its quartiles (none for a yes/no signal)."""
    points: list[tuple[float, ...]] = []
    for column in x.T:
        if len(np.unique(column)) <= 2:
            points.append(())
        else:
            points.append(tuple(float(k) for k in np.unique(np.round(np.quantile(column, KNOT_QUANTILES), 6))))
    return tuple(points)


def _fit(x: np.ndarray, y: np.ndarray, features: Sequence[str]) -> CalibratedModel:
    from sklearn.linear_model import LogisticRegression  # only the calibration needs scikit-learn

    knots = _knots(x)
    columns = np.array([expand(row.tolist(), knots) for row in x])
    mean, scale = columns.mean(axis=0), columns.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced")
    regression.fit((columns - mean) / scale, y)
    return CalibratedModel(
        features=tuple(features),
        knots=knots,
        mean=tuple(map(float, mean)),
        scale=tuple(map(float, scale)),
        coef=tuple(map(float, regression.coef_[0])),
        intercept=float(regression.intercept_[0]),
    )


def _folds(y: np.ndarray, folds: int) -> list[np.ndarray]:
    """Stratified fold index per example, deterministic."""
    assignment = np.zeros(len(y), dtype=int)
    for label in np.unique(y):
        where = np.flatnonzero(y == label)
        assignment[where] = np.arange(len(where)) % folds
    return [np.flatnonzero(assignment == f) for f in range(folds)]


def _matrix(examples: Sequence[Example], features: Sequence[str]) -> np.ndarray:
    index = [FEATURES.index(name) for name in features]
    return np.array([[e.signals.vector()[i] for i in index] for e in examples])


def _fit_both(examples: Sequence[Example], features: Sequence[str]) -> tuple[CalibratedModel, CalibratedModel]:
    modelled = [e for e in examples if not _ruled(e.signals)]
    topical = [f for f in features if f in TOPIC_FEATURES]
    world = np.array([e.world for e in modelled], dtype=int)
    answerable = np.array([e.item.answerable for e in modelled], dtype=int)
    on_topic = world == 0
    x = _matrix(modelled, features)
    return _fit(_matrix(modelled, topical), world, topical), _fit(x[on_topic], answerable[on_topic], features)


def cross_validated(examples: Sequence[Example], features: Sequence[str], folds: int = FOLDS) -> np.ndarray:
    """Out-of-fold ``(P(world question), P(answerable))`` per example.

    Where a hard rule decides, the pair is ``(0, 1)`` for an answer and ``(NaN, NaN)`` for a refusal.
    """
    strata = np.array([2 * e.world + e.item.answerable for e in examples])
    probabilities = np.full((len(examples), 2), np.nan)
    for i, example in enumerate(examples):
        ruled = rule_verdict(example.signals)
        if ruled is not None and ruled.answer:
            probabilities[i] = (0.0, 1.0)
    for held_out in _folds(strata, folds):
        held = set(held_out.tolist())
        train = [example for i, example in enumerate(examples) if i not in held]
        topic, answer = _fit_both(train, features)
        for i in held_out:
            signals = examples[i].signals
            if not _ruled(signals):
                world = 0.0 if signals.structural else topic.probability(signals)  # as decide() reads it
                probabilities[i] = (world, answer.probability(signals))
    return probabilities


def _answered(probabilities: np.ndarray, off_topic_at: float, hedge_at: float) -> np.ndarray:
    """Answered (True) per example; hard-rule examples (NaN) are refusals."""
    world, answer = probabilities[:, 0], probabilities[:, 1]
    decided = ~np.isnan(world)
    on_topic = np.nan_to_num(world, nan=1.0) < off_topic_at
    answered: np.ndarray = decided & on_topic & (np.nan_to_num(answer) >= hedge_at)
    return answered


def _cost(answered: np.ndarray, answerable: np.ndarray) -> float:
    return FALSE_REFUSAL_COST * float(np.sum(answerable & ~answered)) + float(np.sum(~answerable & answered))


def choose_cutoffs(probabilities: np.ndarray, answerable: np.ndarray) -> tuple[float, float, float]:
    """``(off_topic_at, answer_at, hedge_at)`` from out-of-fold probabilities (see the module docstring)."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    pairs = [(off, hedge) for off in grid for hedge in grid]
    off_topic_at, hedge_at = min(pairs, key=lambda c: (_cost(_answered(probabilities, *c), answerable), -c[0], -c[1]))
    answer_at = hedge_at
    for cut in grid[grid >= hedge_at]:
        answered = _answered(probabilities, off_topic_at, float(cut))
        if answered.sum() and np.mean(answerable[answered]) >= ANSWER_PRECISION:
            answer_at = float(cut)
            break
    return float(off_topic_at), answer_at, float(hedge_at)


def summarise(
    probabilities: np.ndarray, answerable: np.ndarray, off_topic_at: float, hedge_at: float
) -> dict[str, float]:
    answered = _answered(probabilities, off_topic_at, hedge_at)
    return {
        "decision_accuracy": round(float(np.mean(answered == answerable)), 4),
        "false_refusal_rate": round(float(np.mean(~answered[answerable])), 4),
        "wrong_answer_rate": round(float(np.mean(answered[~answerable])), 4),
    }


def _world_refused(
    examples: Sequence[Example], probabilities: np.ndarray, off_topic_at: float, hedge_at: float
) -> float:
    answered = _answered(probabilities, off_topic_at, hedge_at)
    world = np.array([e.world for e in examples])
    return round(float(np.mean(~answered[world])), 4) if world.any() else 1.0


def calibrate(examples: Sequence[Example], source: Path) -> DecisionModel:
    """Fit on all examples; cut-offs and the report from cross-validation."""
    answerable = np.array([e.item.answerable for e in examples], dtype=bool)
    probabilities = cross_validated(examples, FEATURES)
    off_topic_at, answer_at, hedge_at = choose_cutoffs(probabilities, answerable)
    ablation = {}
    for dropped in FEATURES:
        kept = [f for f in FEATURES if f != dropped]
        held = cross_validated(examples, kept)
        off, _a, cut = choose_cutoffs(held, answerable)
        ablation[dropped] = summarise(held, answerable, off, cut)["decision_accuracy"]
    topic, answer = _fit_both(examples, FEATURES)
    report = {
        "trained_on": str(source),
        "dataset_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "examples": len(examples),
        "decided_by_rules": sum(_ruled(e.signals) for e in examples),
        "cross_validated": {
            "folds": FOLDS,
            **summarise(probabilities, answerable, off_topic_at, hedge_at),
            "world_questions_refused": _world_refused(examples, probabilities, off_topic_at, hedge_at),
        },
        "ablation_decision_accuracy_without": ablation,
    }
    return DecisionModel(topic, answer, off_topic_at, answer_at, hedge_at, report)


def run_calibration(dataset: Path, output: Path, assistant: Any) -> DecisionModel:
    """Collect, fit and write the model file; returns the model."""
    examples = collect(load_dataset(dataset), assistant)
    model = calibrate(examples, dataset)
    model.save(output)
    return model


def _slopes(model: CalibratedModel) -> dict[str, float]:
    """Each signal's weight on its first (linear) column, in raw units: its direction at the low end."""
    slopes, column = {}, 0
    for name, points in zip(model.features, model.knots, strict=True):
        slopes[name] = round(model.coef[column] / (model.scale[column] or 1.0), 3)
        column += 1 + len(points)
    return slopes


def describe(model: DecisionModel) -> str:
    """A Dutch summary for the terminal."""
    report = model.report
    cv = report.get("cross_validated", {})
    lines = [
        f"Beslismodel gefit op {report.get('trained_on')} ({report.get('examples')} vragen, "
        f"{report.get('decided_by_rules')} beslist door vaste regels).",
        f"Drempels: buiten onderwerp vanaf {model.off_topic_at:.2f}; antwoorden vanaf {model.answer_at:.2f}, "
        f"met voorbehoud vanaf {model.hedge_at:.2f}.",
        f"Kruisvalidatie ({cv.get('folds')} delen): juiste beslissing {cv.get('decision_accuracy')}, "
        f"onterechte weigeringen {cv.get('false_refusal_rate')}, onterechte antwoorden {cv.get('wrong_answer_rate')}, "
        f"wereldvragen geweigerd {cv.get('world_questions_refused')}.",
        "Zonder kenmerk (juiste beslissing):",
    ]
    for name, value in report.get("ablation_decision_accuracy_without", {}).items():
        lines.append(f"  {name:22s} {value}")
    lines.append("Onderwerpmodel, helling per kenmerk: " + json.dumps(_slopes(model.topic)))
    lines.append("Antwoordmodel, helling per kenmerk: " + json.dumps(_slopes(model.answer)))
    return "\n".join(lines)


__all__ = ["DEFAULT_MODEL_FILE", "DEFAULT_TRAINING_SET", "calibrate", "collect", "describe", "run_calibration"]
