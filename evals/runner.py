"""Run a gold set through the assistant, score it, write the reports and decide pass/fail.

The assistant is any :class:`assistant.protocol.Assistant`; by default the real one from
``assistant.service`` (imported only when needed, so tests can inject a fake). The gold questions reach it as
plain text: the assistant is their edge and checks them, as it would a library caller's.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from tqdm import tqdm

from assistant.contract import Answer
from assistant.protocol import Assistant
from evals.baseline import BaselineEntry, read_baseline, write_baseline
from evals.dataset import GoldItem, dataset_fingerprint, load_dataset
from evals.gate import DEFAULT_TOLERANCE, PROFILES, check_metrics
from evals.html_report import render_html
from evals.judges import Judge, create_judges
from evals.library import write_library
from evals.report import render_markdown, render_terminal
from evals.run_result import EvalRun, round_metric
from evals.scoring import ItemResult, applicable_counts, score_item, summarise
from evals.support import LexicalSupportChecker, SupportChecker

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_DATASET = EVALS_DIR / "gold.jsonl"
DEFAULT_OUTPUT = EVALS_DIR / "out"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"
DEFAULT_BACKEND = "extractief"
#: The multi-document profile: its own gold set and baseline, and the generated documents of evals.library loaded
#: next to the shipped knowledge.
LIBRARY_PROFILE = "library"
#: Profiles whose questions are about the library: the generated documents are loaded with them.
LIBRARY_PROFILES = frozenset({LIBRARY_PROFILE, "blind-library"})
PROFILE_DATASETS: dict[str, Path] = {LIBRARY_PROFILE: EVALS_DIR / "gold-library.jsonl"}
PROFILE_BASELINES: dict[str, Path] = {LIBRARY_PROFILE: EVALS_DIR / "baseline-library.json"}


def build_asker(backend: str, documents: Sequence[Path] = (), workdir: Path | None = None) -> Assistant:
    """The real assistant for ``backend`` (heavy imports happen here, not at module load).

    With ``documents`` (folders of extra documents, e.g. ``evals/documents``) the assistant answers from the
    shipped knowledge plus those documents, with its own index in ``workdir``; only the model cache is shared.
    """
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
    return build_assistant(settings)


class DocumentCache:
    """``asker.document_text`` with memoisation; None for a document it cannot provide."""

    def __init__(self, asker: Assistant) -> None:
        self._asker = asker
        self._texts: dict[str, str | None] = {}

    def __call__(self, document: str) -> str | None:
        """The document's text, or None if the assistant cannot provide it."""
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
    profile: str = "gold"  # which thresholds: "gold", "blind" or "library" (see evals.gate.PROFILES)
    documents: tuple[Path, ...] = ()  # folders of documents added to the shipped knowledge for this run
    library: bool = False  # also generate evals.library's documents into the run's folder and load them


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def collect_answers(
    items: Sequence[GoldItem], asker: Assistant, backend: str, *, progress: bool = True
) -> list[tuple[Answer, str | None]]:
    """Ask every question (with its history); an exception becomes an empty answer plus its error."""
    answers: list[tuple[Answer, str | None]] = []
    for item in tqdm(items, desc="Evaluatie", unit="vraag", file=sys.stderr, disable=not progress):
        try:
            answers.append((asker.ask(item.question, history=item.history), None))
        except Exception as error:  # one broken question must not hide the results of the others
            empty = Answer(question=item.question, answer="", citations=[], refused=False, backend=backend)
            answers.append((empty, f"{type(error).__name__}: {error}"))
    return answers


def evaluate(
    items: Sequence[GoldItem],
    answers: Sequence[tuple[Answer, str | None]],
    asker: Assistant,
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
    asker: Assistant | None = None,
    *,
    checker: SupportChecker | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run the whole eval; returns the exit code (0 pass, 1 threshold failure or regression).

    Raises :class:`evals.dataset.DatasetError`, :class:`evals.baseline.BaselineError` or
    :class:`evals.judges.UnknownJudgeError` for unusable input (the CLI turns them into exit 2).
    """
    out = stdout or sys.stdout
    items = load_dataset(config.dataset)
    baseline = read_baseline(config.baseline, config.backend)
    judges = create_judges(config.judges, config.backend)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="awt-evals-") as workdir:
        if asker is None:
            documents = config.documents
            if config.library:
                generated = Path(workdir) / "bibliotheek"
                names = [path.name for path in write_library(generated) if path.suffix in {".pdf", ".docx"}]
                documents = (*documents, generated)
                notes.append(f"Gegenereerde documenten geladen (evals/library): {', '.join(names)}.")
            asker = build_asker(config.backend, documents, Path(workdir))
        answers = collect_answers(items, asker, config.backend, progress=config.progress)
        results, metrics, counts = evaluate(items, answers, asker, checker=checker, judges=judges)

    fingerprint = dataset_fingerprint(config.dataset)
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
            metrics={key: round_metric(value, 4) for key, value in metrics.items()},
        )
        write_baseline(config.baseline, config.backend, entry)
        evaluation.baseline_updated = True
        where = _display_path(config.baseline)
        evaluation.notes.append(f"Baseline voor '{config.backend}' bijgewerkt in {where}.")

    write_outputs(evaluation, config.output)
    out.write(render_terminal(evaluation, report_path=_display_path(config.output / "report.html")))
    out.flush()
    return 0 if evaluation.passed else 1
