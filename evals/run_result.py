"""One finished eval run: what the reports show and what decides pass or fail.

>>> from evals.gate import check_metrics
>>> checks = check_metrics({"recall_at_3": 0.5}, baseline={"recall_at_3": 0.96})
>>> run = EvalRun("gold.jsonl", "abc", "extractief", [], {}, {}, checks, tolerance=0.02)
>>> run.passed
False
>>> run.failures(include_regressions=False)
['Recall@3 is 0.500, drempel ≥ 0.95.']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from evals.baseline import BaselineEntry
from evals.gate import PROFILES, MetricCheck
from evals.scoring import ItemResult

TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


@dataclass
class EvalRun:
    """Everything the reports show: per-item results, summary metrics and the checks."""

    dataset: str
    dataset_sha256: str
    backend: str
    results: list[ItemResult]
    metrics: dict[str, float | None]
    counts: dict[str, int]
    checks: list[MetricCheck]
    tolerance: float
    baseline: BaselineEntry | None = None
    notes: list[str] = field(default_factory=list)
    baseline_updated: bool = False
    profile: str = "gold"
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).strftime(TIME_FORMAT))

    @property
    def n_errors(self) -> int:
        """How many questions the assistant raised an error on."""
        return sum(1 for result in self.results if result.error is not None)

    @property
    def failing(self) -> list[ItemResult]:
        """The items with at least one problem."""
        return [result for result in self.results if result.failed]

    def failures(self, *, include_regressions: bool = True) -> list[str]:
        """Dutch reasons why the run fails; empty when it passes."""
        reasons: list[str] = []
        for check in self.checks:
            if check.threshold_ok is False and check.threshold is not None and check.value is not None:
                reasons.append(f"{check.spec.label} is {check.value:.3f}, drempel {check.threshold}.")
            regressed = include_regressions and check.regressed
            if regressed and check.baseline is not None and check.value is not None:
                reasons.append(
                    f"{check.spec.label} is {check.value:.3f}, meer dan {self.tolerance:.2f} slechter dan "
                    f"de baseline ({check.baseline:.3f})."
                )
        if self.n_errors:
            reasons.append(f"{self.n_errors} vraag/vragen gaven een fout in de assistent.")
        return reasons

    @property
    def passed(self) -> bool:
        """No failures; regressions do not count when this run has just become the baseline."""
        return not self.failures(include_regressions=not self.baseline_updated)

    def summary_json(self) -> dict[str, Any]:
        """The ``summary.json`` document."""
        return {
            "dataset": self.dataset,
            "dataset_sha256": self.dataset_sha256,
            "backend": self.backend,
            "generated_at": self.generated_at,
            "n_items": len(self.results),
            "n_answerable": sum(1 for r in self.results if r.item.answerable),
            "n_unanswerable": sum(1 for r in self.results if not r.item.answerable),
            "n_failing_items": len(self.failing),
            "n_errors": self.n_errors,
            "metrics": {key: round_metric(value) for key, value in self.metrics.items()},
            "counts": self.counts,
            "thresholds": {key: {"op": t.op, "limit": t.limit} for key, t in PROFILES[self.profile].items()},
            "tolerance": self.tolerance,
            "baseline": self.baseline.model_dump(mode="json") if self.baseline else None,
            "baseline_updated": self.baseline_updated,
            "checks": [
                {
                    "metric": check.key,
                    "label": check.spec.label,
                    "value": round_metric(check.value),
                    "threshold": str(check.threshold) if check.threshold else None,
                    "baseline": round_metric(check.baseline),
                    "delta": round_metric(check.delta),
                    "threshold_ok": check.threshold_ok,
                    "regressed": check.regressed,
                }
                for check in self.checks
            ],
            "notes": self.notes,
            "failures": self.failures(include_regressions=not self.baseline_updated),
            "passed": self.passed,
        }


def round_metric(value: float | None, digits: int = 6) -> float | None:
    """A metric rounded for JSON (None stays None)."""
    return None if value is None else round(value, digits)
