"""Run a gold set through the assistant, score it, write the reports and decide pass/fail.

The assistant is anything that satisfies :class:`Asker`; by default the real one from
``assistant.service`` (imported only when needed, so tests can inject a fake).

Example::

    >>> config = RunConfig(dataset=Path("evals/gold.jsonl"), output=Path("evals/out"))
    >>> exit_code = run(config)                       # doctest: +SKIP
    >>> exit_code = run(config, asker=FakeAssistant())  # doctest: +SKIP
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol, TextIO

from tqdm import tqdm

from assistant.contract import Answer, Message
from evals.baseline import BaselineEntry, read_baseline, write_baseline
from evals.dataset import GoldItem, dataset_fingerprint, load_dataset
from evals.gate import DEFAULT_TOLERANCE, PROFILES, MetricCheck, check_metrics
from evals.judges import Judge, create_judges
from evals.scoring import ItemResult, applicable_counts, score_item, summarise
from evals.support import LexicalSupportChecker, SupportChecker

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "gold.jsonl"
DEFAULT_OUTPUT = EVALS_DIR / "out"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"
DEFAULT_BACKEND = "extractief"
TIME_FORMAT = "%Y-%m-%d %H:%M UTC"


class Asker(Protocol):
    """The part of the assistant's public API that the evals use."""

    def ask(self, question: str, history: list[Message] | None = None) -> Answer: ...

    def document_text(self, document: str) -> str: ...


def build_asker(backend: str, documents: Sequence[Path] = (), workdir: Path | None = None) -> Asker:
    """The real assistant for ``backend`` (heavy imports happen here, not at module load).

    With ``documents`` (folders of extra documents, e.g. ``evals/documents``) the assistant answers from the
    shipped knowledge plus those documents, with its own index in ``workdir``; only the model cache is shared."""
    from assistant.service import build_assistant
    from assistant.settings import Settings

    settings = Settings(llm=backend)
    if documents:
        if workdir is None:
            raise ValueError("workdir is required with documents")
        knowledge = workdir / "knowledge"
        for folder in (settings.knowledge_dir, *documents):
            shutil.copytree(folder, knowledge, dirs_exist_ok=True)
        settings = Settings(
            llm=backend, knowledge_dir=knowledge, data_dir=workdir / "data", model_cache_dir=settings.models_dir
        )
    assistant: Asker = build_assistant(settings)
    return assistant


class DocumentCache:
    """``asker.document_text`` with memoisation; None for a document it cannot provide."""

    def __init__(self, asker: Asker) -> None:
        self._asker = asker
        self._texts: dict[str, str | None] = {}

    def __call__(self, document: str) -> str | None:
        if document not in self._texts:
            try:
                self._texts[document] = self._asker.document_text(document)
            except Exception:  # an unknown document is a finding about the answer, not a crash
                self._texts[document] = None
        return self._texts[document]


@dataclass(frozen=True)
class RunConfig:
    """Options of ``python -m evals run``."""

    dataset: Path = DEFAULT_DATASET
    output: Path = DEFAULT_OUTPUT
    backend: str = DEFAULT_BACKEND
    baseline: Path = DEFAULT_BASELINE
    update_baseline: bool = False
    tolerance: float = DEFAULT_TOLERANCE
    judges: tuple[str, ...] = ()
    progress: bool = True
    profile: str = "gold"  # which thresholds: "gold" or "blind" (see evals.gate.PROFILES)
    documents: tuple[Path, ...] = ()  # folders of documents added to the shipped knowledge for this run


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
    generated_at: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime(TIME_FORMAT))

    @property
    def n_errors(self) -> int:
        return sum(1 for result in self.results if result.error is not None)

    @property
    def failing(self) -> list[ItemResult]:
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
            "metrics": {key: _round(value) for key, value in self.metrics.items()},
            "counts": self.counts,
            "thresholds": {key: {"op": t.op, "limit": t.limit} for key, t in PROFILES[self.profile].items()},
            "tolerance": self.tolerance,
            "baseline": self.baseline.model_dump(mode="json") if self.baseline else None,
            "baseline_updated": self.baseline_updated,
            "checks": [
                {
                    "metric": check.key,
                    "label": check.spec.label,
                    "value": _round(check.value),
                    "threshold": str(check.threshold) if check.threshold else None,
                    "baseline": _round(check.baseline),
                    "delta": _round(check.delta),
                    "threshold_ok": check.threshold_ok,
                    "regressed": check.regressed,
                }
                for check in self.checks
            ],
            "notes": self.notes,
            "failures": self.failures(include_regressions=not self.baseline_updated),
            "passed": self.passed,
        }


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def collect_answers(
    items: Sequence[GoldItem], asker: Asker, backend: str, *, progress: bool = True
) -> list[tuple[Answer, str | None]]:
    """Ask every question (with its history); an exception becomes an empty answer plus its error."""
    answers: list[tuple[Answer, str | None]] = []
    for item in tqdm(items, desc="Evaluatie", unit="vraag", file=sys.stderr, disable=not progress):
        try:
            answers.append((asker.ask(item.question, history=list(item.history) or None), None))
        except Exception as error:  # one broken question must not hide the results of the others
            empty = Answer(question=item.question, answer="", citations=[], refused=False, backend=backend)
            answers.append((empty, f"{type(error).__name__}: {error}"))
    return answers


def evaluate(
    items: Sequence[GoldItem],
    answers: Sequence[tuple[Answer, str | None]],
    asker: Asker,
    *,
    checker: SupportChecker | None = None,
    judges: Sequence[Judge] = (),
) -> tuple[list[ItemResult], dict[str, float | None], dict[str, int]]:
    """Score the answers: per-item results, summary metrics and how many items each covers."""
    documents = DocumentCache(asker)
    support_checker = checker or LexicalSupportChecker()
    results = [
        score_item(item, answer, documents, support_checker, error=error, judges=judges)
        for item, (answer, error) in zip(items, answers, strict=True)
    ]
    return results, summarise(results), applicable_counts(results)


def write_outputs(run: EvalRun, output: Path) -> None:
    """Write results.jsonl, summary.json, report.md and report.html into ``output``."""
    from evals.html_report import render_html
    from evals.report import render_markdown

    output.mkdir(parents=True, exist_ok=True)
    with (output / "results.jsonl").open("w", encoding="utf-8") as handle:
        for result in run.results:
            handle.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
    summary = json.dumps(run.summary_json(), ensure_ascii=False, indent=2)
    (output / "summary.json").write_text(summary + "\n", encoding="utf-8")
    (output / "report.md").write_text(render_markdown(run), encoding="utf-8")
    (output / "report.html").write_text(render_html(run), encoding="utf-8")


def run(
    config: RunConfig,
    asker: Asker | None = None,
    *,
    checker: SupportChecker | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the whole eval; returns the exit code (0 pass, 1 threshold failure or regression).

    Raises :class:`evals.dataset.DatasetError`, :class:`evals.baseline.BaselineError` or
    :class:`evals.judges.UnknownJudgeError` for unusable input (the CLI turns them into exit 2).
    """
    from evals.report import render_terminal

    out = stdout or sys.stdout
    items = load_dataset(config.dataset)
    baseline = read_baseline(config.baseline, config.backend)
    judges = create_judges(config.judges, config.backend)
    with tempfile.TemporaryDirectory(prefix="awt-evals-") as workdir:
        if asker is None:
            asker = build_asker(config.backend, config.documents, Path(workdir))
        answers = collect_answers(items, asker, config.backend, progress=config.progress)
        results, metrics, counts = evaluate(items, answers, asker, checker=checker, judges=judges)

    fingerprint = dataset_fingerprint(config.dataset)
    notes: list[str] = []
    if baseline is not None and Path(baseline.dataset).name != Path(config.dataset).name and not config.update_baseline:
        notes.append(f"De baseline hoort bij {baseline.dataset}, niet bij deze dataset; er wordt niet vergeleken.")
        baseline = None
    elif baseline is None:
        notes.append(f"Geen baseline voor backend '{config.backend}' in {_display_path(config.baseline)}.")
    elif baseline.dataset_sha256 != fingerprint:
        notes.append("De baseline is gemaakt met een andere versie van de dataset.")
    evaluation = EvalRun(
        dataset=_display_path(config.dataset),
        dataset_sha256=fingerprint,
        backend=config.backend,
        results=results,
        metrics=metrics,
        counts=counts,
        checks=check_metrics(
            metrics, baseline.metrics if baseline else None, config.tolerance, PROFILES[config.profile]
        ),
        tolerance=config.tolerance,
        baseline=baseline,
        notes=notes,
        profile=config.profile,
    )
    if config.update_baseline:
        entry = BaselineEntry(
            dataset=evaluation.dataset,
            dataset_sha256=fingerprint,
            n_items=len(results),
            metrics={key: _round(value, 4) for key, value in metrics.items()},
        )
        write_baseline(config.baseline, config.backend, entry)
        evaluation.baseline_updated = True
        where = _display_path(config.baseline)
        evaluation.notes.append(f"Baseline voor '{config.backend}' bijgewerkt in {where}.")

    write_outputs(evaluation, config.output)
    out.write(render_terminal(evaluation, report_path=_display_path(config.output / "report.html")))
    out.flush()
    return 0 if evaluation.passed else 1

