"""Fit the answer/refuse model on the training set: ``python -m evals calibrate``.

Only ``evals/train.jsonl`` is read (never the gold set or a blind set). Each training question goes through the
assistant's own retrieval; its signals (:mod:`assistant.decision.signals`) and whether it is answerable are the
data. Questions that a hard rule already decides (nothing asked, a part that does not exist, an amount/date/count
the passages cannot give) do not train the model. A logistic regression on standardised features is fitted, and
its two cut-offs are chosen on cross-validated probabilities:

* ``hedge_at``: below it the assistant refuses; chosen for the best cross-validated decision accuracy, with a
  false refusal counted twice as bad as a wrong answer (a refusal hides passages the user could have checked);
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

from assistant.decision import FEATURES, CalibratedModel, Signals, rule_verdict
from assistant.decision.model import DEFAULT_MODEL_FILE
from assistant.decision.signals import extract
from evals.dataset import GoldItem, load_dataset

DEFAULT_TRAINING_SET = Path("evals/train.jsonl")
FOLDS = 5
FALSE_REFUSAL_COST = 1.5
ANSWER_PRECISION = 0.90


@dataclass(frozen=True)
class Example:
    item: GoldItem
    signals: Signals


def collect(items: Sequence[GoldItem], assistant: Any) -> list[Example]:
    """The signals of every training question, through the assistant's own retrieval."""
    examples = []
    for item in items:
        _text, retrieval = assistant.retrieve(item.question, item.history)
        examples.append(Example(item, extract(retrieval)))
    return examples


def _ruled(signals: Signals) -> bool:
    return rule_verdict(signals) is not None


def _fit(x: np.ndarray, y: np.ndarray, features: Sequence[str]) -> CalibratedModel:
    from sklearn.linear_model import LogisticRegression  # only the calibration needs scikit-learn

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    regression = LogisticRegression(C=1.0, max_iter=1000, class_weight="balanced")
    regression.fit((x - mean) / scale, y)
    return CalibratedModel(
        features=tuple(features),
        mean=tuple(map(float, mean)),
        scale=tuple(map(float, scale)),
        coef=tuple(map(float, regression.coef_[0])),
        intercept=float(regression.intercept_[0]),
    )


def _folds(y: np.ndarray, folds: int) -> list[np.ndarray]:
    """Stratified fold index per example, deterministic."""
    assignment = np.zeros(len(y), dtype=int)
    for label in (0, 1):
        where = np.flatnonzero(y == label)
        assignment[where] = np.arange(len(where)) % folds
    return [np.flatnonzero(assignment == f) for f in range(folds)]


def cross_validated(examples: Sequence[Example], features: Sequence[str], folds: int = FOLDS) -> np.ndarray:
    """Out-of-fold probabilities for the examples the model decides (NaN for those a hard rule decides)."""
    x = np.array([_select(e.signals, features) for e in examples])
    y = np.array([e.item.answerable for e in examples], dtype=int)
    modelled = np.array([not _ruled(e.signals) for e in examples])
    probabilities = np.full(len(examples), np.nan)
    for held_out in _folds(y, folds):
        train = np.setdiff1d(np.flatnonzero(modelled), held_out)
        model = _fit(x[train], y[train], features)
        for i in held_out:
            if modelled[i]:
                probabilities[i] = model.probability_of(x[i].tolist())
    return probabilities


def _select(signals: Signals, features: Sequence[str]) -> list[float]:
    values = dict(zip(FEATURES, signals.vector(), strict=True))
    return [values[name] for name in features]


def _decisions(probabilities: np.ndarray, cut: float) -> np.ndarray:
    """Answered (True) per example: hard-rule examples (NaN) are refusals."""
    return np.where(np.isnan(probabilities), False, probabilities >= cut)


def choose_cutoffs(probabilities: np.ndarray, answerable: np.ndarray) -> tuple[float, float]:
    """``(answer_at, hedge_at)`` from out-of-fold probabilities (see the module docstring)."""
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)

    def cost(cut: float) -> float:
        answered = _decisions(probabilities, cut)
        false_refusals = np.sum(answerable & ~answered)
        wrong_answers = np.sum(~answerable & answered)
        return FALSE_REFUSAL_COST * false_refusals + wrong_answers

    hedge_at = float(min(grid, key=lambda c: (cost(c), -c)))
    answer_at = hedge_at
    for cut in grid[grid >= hedge_at]:
        answered = _decisions(probabilities, cut)
        if answered.sum() and np.mean(answerable[answered]) >= ANSWER_PRECISION:
            answer_at = float(cut)
            break
    return answer_at, hedge_at


def summarise(probabilities: np.ndarray, answerable: np.ndarray, hedge_at: float) -> dict[str, float]:
    answered = _decisions(probabilities, hedge_at)
    return {
        "decision_accuracy": round(float(np.mean(answered == answerable)), 4),
        "false_refusal_rate": round(float(np.mean(~answered[answerable])), 4),
        "wrong_answer_rate": round(float(np.mean(answered[~answerable])), 4),
    }


def calibrate(examples: Sequence[Example], source: Path) -> CalibratedModel:
    """Fit on all examples; cut-offs and the report from cross-validation."""
    answerable = np.array([e.item.answerable for e in examples], dtype=bool)
    probabilities = cross_validated(examples, FEATURES)
    answer_at, hedge_at = choose_cutoffs(probabilities, answerable)
    ablation = {}
    for dropped in FEATURES:
        kept = [f for f in FEATURES if f != dropped]
        held = cross_validated(examples, kept)
        _a, cut = choose_cutoffs(held, answerable)
        ablation[dropped] = summarise(held, answerable, cut)["decision_accuracy"]
    x = np.array([_select(e.signals, FEATURES) for e in examples])
    modelled = np.array([not _ruled(e.signals) for e in examples])
    fitted = _fit(x[modelled], answerable[modelled].astype(int), FEATURES)
    report = {
        "trained_on": str(source),
        "dataset_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "examples": len(examples),
        "decided_by_rules": int((~modelled).sum()),
        "cross_validated": {"folds": FOLDS, **summarise(probabilities, answerable, hedge_at)},
        "ablation_decision_accuracy_without": ablation,
    }
    return CalibratedModel(
        fitted.features, fitted.mean, fitted.scale, fitted.coef, fitted.intercept,
        answer_at=answer_at, hedge_at=hedge_at, report=report,
    )


def run_calibration(dataset: Path, output: Path, assistant: Any) -> CalibratedModel:
    """Collect, fit and write the model file; returns the model."""
    examples = collect(load_dataset(dataset), assistant)
    model = calibrate(examples, dataset)
    model.save(output)
    return model


def describe(model: CalibratedModel) -> str:
    """A Dutch summary for the terminal."""
    report = model.report
    cv = report.get("cross_validated", {})
    lines = [
        f"Beslismodel gefit op {report.get('trained_on')} ({report.get('examples')} vragen, "
        f"{report.get('decided_by_rules')} beslist door vaste regels).",
        f"Drempels: antwoorden vanaf {model.answer_at:.2f}, met voorbehoud vanaf {model.hedge_at:.2f}.",
        f"Kruisvalidatie ({cv.get('folds')} delen): juiste beslissing {cv.get('decision_accuracy')}, "
        f"onterechte weigeringen {cv.get('false_refusal_rate')}, onterechte antwoorden {cv.get('wrong_answer_rate')}.",
        "Zonder kenmerk (juiste beslissing):",
    ]
    for name, value in report.get("ablation_decision_accuracy_without", {}).items():
        lines.append(f"  {name:22s} {value}")
    lines.append("Gewichten: " + json.dumps(dict(zip(model.features, [round(c, 3) for c in model.coef]))))
    return "\n".join(lines)


__all__ = ["DEFAULT_MODEL_FILE", "DEFAULT_TRAINING_SET", "calibrate", "collect", "describe", "run_calibration"]
