"""Which metrics exist, their thresholds, and the pass/fail decision against a baseline.

A run fails when a metric is on the wrong side of its threshold in :data:`THRESHOLDS`, or when
a regression-gated metric is more than ``tolerance`` worse than in the baseline (lower for
higher-is-better metrics, higher for false refusals). Robustness drops, counts and LLM-judge
scores are informational: shown, never gating (drops over a handful of variant pairs are too
noisy for a hard limit; judges are not deterministic).

Example::

    >>> checks = check_metrics({"label_accuracy": 0.95}, baseline={"label_accuracy": 1.0})
    >>> [(c.key, c.threshold_ok, c.regressed) for c in checks if c.key == "label_accuracy"]
    [('label_accuracy', True, True)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

MetricKind = Literal["rate", "drop", "count", "judge", "info"]


@dataclass(frozen=True)
class MetricSpec:
    """How a summary metric is named (in Dutch), read and gated."""

    key: str
    label: str
    description: str
    higher_is_better: bool = True
    kind: MetricKind = "rate"

    @property
    def regression_gated(self) -> bool:
        """Whether a drop against the baseline fails the gate: only for rates, not drops, counts or judges."""
        return self.kind == "rate"


@dataclass(frozen=True)
class Threshold:
    """``value op limit`` must hold, e.g. ``>= 0.9``."""

    op: Literal[">=", "<="]
    limit: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the limit (with a hair of tolerance for float rounding)."""
        return value >= self.limit - 1e-12 if self.op == ">=" else value <= self.limit + 1e-12

    def __str__(self) -> str:
        return f"{'≥' if self.op == '>=' else '≤'} {self.limit:.2f}"


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("recall_at_1", "Recall@1", "verwachte labels in de eerste bron / min(1, aantal verwacht)"),
    MetricSpec("recall_at_3", "Recall@3", "verwachte labels in de eerste 3 bronnen / min(3, aantal verwacht)"),
    MetricSpec("recall_at_5", "Recall@5", "verwachte labels in de eerste 5 bronnen / min(5, aantal verwacht)"),
    MetricSpec("mrr", "MRR", "1 / rang van de eerste verwachte bron"),
    MetricSpec("label_accuracy", "Juiste eerste bron", "eerste citatie heeft een verwacht label"),
    MetricSpec("label_accuracy_strict", "Alle verwachte bronnen", "elk verwacht label is geciteerd"),
    MetricSpec("quote_verbatim_rate", "Letterlijke citaten", "citaat staat letterlijk in het document"),
    MetricSpec("quote_offset_rate", "Juiste citaatposities", "start/end wijzen precies het citaat aan"),
    MetricSpec("support_recall", "Gevraagde passages", "verplichte tekst staat in een geciteerd citaat"),
    MetricSpec("sentence_support_rate", "Onderbouwde zinnen", "zin gedekt door de bronnen die ze citeert"),
    MetricSpec("citation_precision", "Citatieprecisie", "verwijzing [n] is nodig en relevant (ALCE)"),
    MetricSpec("key_fact_recall", "Kernfeiten", "genoemde kernfeitgroepen per beantwoordbare vraag"),
    MetricSpec("refusal_accuracy", "Terechte weigeringen", "vraag buiten het advies wordt geweigerd"),
    MetricSpec("decision_accuracy", "Juiste beslissing", "beantwoordbaar beantwoord, de rest geweigerd (alle vragen)"),
    MetricSpec(
        "hedged_rate",
        "Met voorbehoud",
        "antwoorden met reden 'onzeker' (tellen als beantwoord)",
        higher_is_better=False,
        kind="info",
    ),
    MetricSpec(
        "false_refusal_rate",
        "Onterechte weigeringen",
        "beantwoordbare vraag wordt geweigerd",
        higher_is_better=False,
    ),
    MetricSpec("dutch_rate", "Nederlandstalig", "antwoord herkend als Nederlands"),
    MetricSpec("document_accuracy", "Juist document", "eerste citatie komt uit het verwachte document"),
    MetricSpec(
        "document_label_accuracy",
        "Juiste bron in juist document",
        "eerste citatie heeft een verwacht label én komt uit het verwachte document",
    ),
    MetricSpec(
        "document_exclusive_rate",
        "Alleen dat document",
        "geen citatie uit een ander document (lijst- en verwijzingsvragen)",
    ),
    MetricSpec(
        "document_coverage",
        "Alle passende documenten",
        "vragen die in meerdere documenten passen: elk verwacht document geciteerd",
    ),
    MetricSpec(
        "robustness_key_fact_drop",
        "Daling kernfeiten bij varianten",
        "origineel − variant (parafrase/typfout); lager is beter",
        higher_is_better=False,
        kind="drop",
    ),
    MetricSpec(
        "robustness_label_drop",
        "Daling juiste bron bij varianten",
        "origineel − variant (parafrase/typfout); lager is beter",
        higher_is_better=False,
        kind="drop",
    ),
    MetricSpec(
        "removed_sentences",
        "Verwijderde zinnen",
        "zinnen die de verificatie schrapte (generatieve backends)",
        higher_is_better=False,
        kind="count",
    ),
)

METRICS_BY_KEY: dict[str, MetricSpec] = {spec.key: spec for spec in METRICS}

#: Gold set (the regression gate). refusal_accuracy alone is shown, not gated: the whole decision is
#: (decision_accuracy).
THRESHOLDS: dict[str, Threshold] = {
    "label_accuracy": Threshold(">=", 0.90),
    "decision_accuracy": Threshold(">=", 0.90),
    "key_fact_recall": Threshold(">=", 0.85),
    "recall_at_3": Threshold(">=", 0.95),
    "false_refusal_rate": Threshold("<=", 0.10),
    "quote_verbatim_rate": Threshold(">=", 1.0),
    "dutch_rate": Threshold(">=", 0.95),
}

#: Blind sets (evals/blind-N.jsonl): the floor CI holds them to. The answer-trust issue asks for label accuracy
#: 0.85, key facts 0.80, decision 0.90 and false refusals 0.10; blind-1 measured 0.846 / 0.863 / 0.838 / 0.011 when
#: it judged the first round (README, "How well it answers"). The gate sits a little below that, so CI catches a
#: fall back towards the old decision (0.802 / 0.762 / 0.808 / 0.143) without pretending the target was met.
BLIND_THRESHOLDS: dict[str, Threshold] = {
    "label_accuracy": Threshold(">=", 0.82),
    "key_fact_recall": Threshold(">=", 0.80),
    "decision_accuracy": Threshold(">=", 0.82),
    "false_refusal_rate": Threshold("<=", 0.10),
    "quote_verbatim_rate": Threshold(">=", 1.0),
    "dutch_rate": Threshold(">=", 1.0),
}
#: The multi-document gold set (evals/gold-library.jsonl: the AWT advice with the generated documents of
#: evals.library). When the set was made, before document scoping, the code measured label 0.931, decision 0.910,
#: key facts 0.914, false refusals 0.034, document 0.846, label in document 0.788, only that document 0.433 (30
#: items), every fitting document 0.833 (6). With scoping (assistant.focus): 0.948, 0.910, 0.948, 0.034, 0.981,
#: 0.923, 0.933, 1.000. The floors sit a little below that, so CI catches a fall back towards unscoped answers; the
#: regression check against evals/baseline-library.json does the fine work. Re-baseline after a change that moves
#: them: ``python -m evals run --profile library --update-baseline``; raise these floors with it.
LIBRARY_THRESHOLDS: dict[str, Threshold] = {
    "label_accuracy": Threshold(">=", 0.92),
    "decision_accuracy": Threshold(">=", 0.88),
    "key_fact_recall": Threshold(">=", 0.90),
    "false_refusal_rate": Threshold("<=", 0.06),
    "quote_verbatim_rate": Threshold(">=", 1.0),
    "dutch_rate": Threshold(">=", 1.0),
    "document_accuracy": Threshold(">=", 0.94),
    "document_label_accuracy": Threshold(">=", 0.88),
    "document_exclusive_rate": Threshold(">=", 0.88),
    "document_coverage": Threshold(">=", 0.83),
}
#: The frozen blind multi-document set (evals/blind-library-1.jsonl, written by a helper that saw only the three
#: documents). It judged the document-scoping change once: label 0.727, decision 0.877, key facts 0.855, false
#: refusals 0.073, document 0.938, label in document 0.667, only that document 0.833 (48 items), every fitting
#: document 0.905 (7). Its floor sits a little below that (README, "Several documents"); never a baseline to tune to.
BLIND_LIBRARY_THRESHOLDS: dict[str, Threshold] = {
    "label_accuracy": Threshold(">=", 0.70),
    "decision_accuracy": Threshold(">=", 0.84),
    "key_fact_recall": Threshold(">=", 0.82),
    "false_refusal_rate": Threshold("<=", 0.10),
    "quote_verbatim_rate": Threshold(">=", 1.0),
    "dutch_rate": Threshold(">=", 1.0),
    "document_accuracy": Threshold(">=", 0.90),
    "document_label_accuracy": Threshold(">=", 0.62),
    "document_exclusive_rate": Threshold(">=", 0.78),
    "document_coverage": Threshold(">=", 0.85),
}
PROFILES: dict[str, dict[str, Threshold]] = {
    "gold": THRESHOLDS,
    "blind": BLIND_THRESHOLDS,
    "library": LIBRARY_THRESHOLDS,
    "blind-library": BLIND_LIBRARY_THRESHOLDS,
}

#: How much worse than the baseline a gated metric may get before the run fails.
DEFAULT_TOLERANCE = 0.02


def judge_spec(name: str) -> MetricSpec:
    """The (informational) spec for the scores of the LLM judge registered as ``name``."""
    return MetricSpec(f"judge_{name}", f"Beoordelaar {name}", "score van een LLM-beoordelaar", kind="judge")


def spec_for(key: str) -> MetricSpec:
    """The spec of a summary metric; unknown keys are treated as judge scores."""
    spec = METRICS_BY_KEY.get(key)
    if spec is not None:
        return spec
    return judge_spec(key.removeprefix("judge_"))


@dataclass(frozen=True)
class MetricCheck:
    """One metric's value set against its threshold and its baseline value."""

    spec: MetricSpec
    value: float | None
    threshold: Threshold | None
    baseline: float | None
    tolerance: float

    @property
    def key(self) -> str:
        """The metric's key, as in :data:`METRICS`."""
        return self.spec.key

    @property
    def delta(self) -> float | None:
        """Value minus baseline value (None if either is missing)."""
        if self.value is None or self.baseline is None:
            return None
        return self.value - self.baseline

    @property
    def threshold_ok(self) -> bool | None:
        """None when there is no threshold or nothing to measure."""
        if self.threshold is None or self.value is None:
            return None
        return self.threshold.holds(self.value)

    @property
    def regressed(self) -> bool:
        """Worse than the baseline by more than the tolerance, for a metric the regression check gates."""
        delta = self.delta
        if delta is None or not self.spec.regression_gated:
            return False
        worse = -delta if self.spec.higher_is_better else delta
        return worse > self.tolerance + 1e-12

    @property
    def failed(self) -> bool:
        """Below its threshold or regressed: the gate fails."""
        return self.threshold_ok is False or self.regressed


def check_metrics(
    metrics: Mapping[str, float | None],
    baseline: Mapping[str, float | None] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    thresholds: Mapping[str, Threshold] = THRESHOLDS,
) -> list[MetricCheck]:
    """A check per metric in ``metrics`` (in :data:`METRICS` order, judge scores last)."""
    order = {spec.key: index for index, spec in enumerate(METRICS)}
    keys = sorted(metrics, key=lambda key: (order.get(key, len(order)), key))
    baseline = baseline or {}
    return [
        MetricCheck(
            spec=spec_for(key),
            value=metrics[key],
            threshold=thresholds.get(key),
            baseline=baseline.get(key),
            tolerance=tolerance,
        )
        for key in keys
    ]
