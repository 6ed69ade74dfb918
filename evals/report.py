"""Plain-text renderings of a run: the terminal table and ``report.md`` (both in Dutch).

Example::

    >>> from evals.gate import check_metrics
    >>> checks = check_metrics({"recall_at_3": 0.5, "key_fact_recall": 0.9}, baseline={"recall_at_3": 0.96})
    >>> print(render_terminal(EvalRun("gold.jsonl", "abc", "extractief", [], {}, {}, checks, tolerance=0.02)))
    Evaluatie van gold.jsonl (0 vragen, backend extractief)
    <BLANKLINE>
    Metriek     Waarde  Drempel  Baseline  Verschil  n  Status
    Recall@3     0.500   ≥ 0.95     0.960    -0.460     ONDER DREMPEL
    Kernfeiten   0.900   ≥ 0.85         –         –     ok
    <BLANKLINE>
    Items met problemen: 0 van 0
    Resultaat: MISLUKT
    - Recall@3 is 0.500, drempel ≥ 0.95.
    - Recall@3 is 0.500, meer dan 0.02 slechter dan de baseline (0.960).
    <BLANKLINE>
"""

from __future__ import annotations

from html import escape

from evals.gate import MetricCheck
from evals.run_result import EvalRun
from evals.scoring import ItemResult

HEADERS: tuple[str, ...] = ("Metriek", "Waarde", "Drempel", "Baseline", "Verschil", "n", "Status")


def format_value(value: float | None, *, count: bool = False) -> str:
    """A metric value for display: three decimals, whole numbers for counts, "n.v.t." if absent."""
    if value is None:
        return "n.v.t."
    return f"{value:.0f}" if count else f"{value:.3f}"


def format_delta(delta: float | None) -> str:
    """A signed change against the baseline, or "–" when there is nothing to compare."""
    return "–" if delta is None else f"{delta:+.3f}"


def status_text(check: MetricCheck) -> str:
    """Short Dutch verdict for a table row."""
    if check.threshold_ok is False:
        return "ONDER DREMPEL" if check.spec.higher_is_better else "BOVEN DREMPEL"
    if check.regressed:
        return "ACHTERUITGANG"
    if check.threshold_ok is True:
        return "ok"
    if check.value is None:
        return "n.v.t."
    return "info" if not check.spec.regression_gated else "ok"


def table_rows(run: EvalRun) -> list[tuple[str, ...]]:
    """The metrics table (without header) as display strings."""
    rows: list[tuple[str, ...]] = []
    for check in run.checks:
        count = check.spec.kind == "count"
        rows.append(
            (
                check.spec.label,
                format_value(check.value, count=count),
                str(check.threshold) if check.threshold else "–",
                format_value(check.baseline, count=count) if check.baseline is not None else "–",
                format_delta(check.delta),
                str(run.counts.get(check.key, "")),
                status_text(check),
            )
        )
    return rows


def verdict_lines(run: EvalRun) -> list[str]:
    """The verdict, GESLAAGD or MISLUKT, with the reasons, then the notes."""
    failures = run.failures(include_regressions=not run.baseline_updated)
    lines = ["Resultaat: GESLAAGD" if run.passed else "Resultaat: MISLUKT"]
    lines += [f"- {reason}" for reason in failures]
    lines += [f"Let op: {note}" for note in run.notes]
    return lines


def render_terminal(run: EvalRun, report_path: str | None = None) -> str:
    """The metrics table, verdict and a pointer to the report, for stdout."""
    rows = [HEADERS, *table_rows(run)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADERS))]
    lines = [
        f"Evaluatie van {run.dataset} ({len(run.results)} vragen, backend {run.backend})",
        "",
    ]
    for row in rows:
        numbers = [cell.rjust(width) for cell, width in zip(row[1:-1], widths[1:-1], strict=True)]
        cells = [row[0].ljust(widths[0]), *numbers]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    lines.append("")
    lines.append(f"Items met problemen: {len(run.failing)} van {len(run.results)}")
    lines += verdict_lines(run)
    if report_path:
        lines.append(f"Rapport: {report_path}")
    return "\n".join(lines) + "\n"


def definitions(run: EvalRun) -> list[tuple[str, str]]:
    """(label, Dutch explanation) for every metric in the table."""
    return [(check.spec.label, check.spec.description) for check in run.checks]


def _md(text: str) -> str:
    """Markdown-safe inline text: HTML escaped, table pipes and newlines neutralised."""
    return escape(" ".join(text.split())).replace("|", "\\|")


def _md_item(result: ItemResult) -> list[str]:
    item, answer = result.item, result.answer
    title = f"### {_md(item.id)}"
    if item.category:
        title += f" ({_md(item.category)})"
    lines = [title, "", f"**Vraag:** {_md(item.question)}", ""]
    for message in item.history:
        role = "gebruiker" if message.role == "user" else "assistent"
        lines += [f"- *eerder ({role}):* {_md(message.content)}"]
    if item.history:
        lines.append("")
    refused = " *(geweigerd)*" if answer.refused else ""
    lines += [f"**Antwoord{refused}:**", ""]
    answer_lines = (answer.answer or "(leeg)").splitlines()
    lines += [f"> {escape(line)}" if line.strip() else ">" for line in answer_lines]
    lines.append("")
    if answer.citations:
        lines += ["**Geciteerde passages:**", ""]
        for citation in sorted(answer.citations, key=lambda c: c.n):
            source = f"{_md(citation.label)} — {_md(citation.document)}"
            lines.append(f"- [{citation.n}] {source}: “{_md(citation.quote)}”")
        lines.append("")
    lines += ["**Wat ontbreekt:**", ""]
    lines += [f"- {_md(problem)}" for problem in result.problems]
    lines.append("")
    return lines


def render_markdown(run: EvalRun) -> str:
    """``report.md``: metadata, the metrics table, the verdict and every failing item."""
    lines = [
        "# Evaluatie AWT-assistent",
        "",
        f"- Dataset: `{run.dataset}` ({len(run.results)} vragen)",
        f"- Backend: `{run.backend}`",
        f"- Gemaakt: {run.generated_at}",
        f"- Tolerantie t.o.v. baseline: {run.tolerance:.2f}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "| " + " | ".join(["---"] + ["---:"] * (len(HEADERS) - 2) + ["---"]) + " |",
    ]
    lines += ["| " + " | ".join(_md(cell) for cell in row) + " |" for row in table_rows(run)]
    failures = run.failures(include_regressions=not run.baseline_updated)
    lines += ["", f"**Resultaat: {'GESLAAGD' if run.passed else 'MISLUKT'}**", ""]
    if failures:
        lines += [f"- {_md(reason)}" for reason in failures] + [""]
    lines += [f"*Let op:* {_md(note)}\n" for note in run.notes]
    lines += ["<details><summary>Toelichting bij de metrieken</summary>", ""]
    lines += [f"- **{_md(label)}**: {_md(text)}" for label, text in definitions(run)]
    lines += ["", "</details>", ""]
    failing = run.failing
    lines += [f"## Items met problemen ({len(failing)} van {len(run.results)})", ""]
    if not failing:
        lines += ["Geen.", ""]
    for result in failing:
        lines += _md_item(result)
    return "\n".join(lines)
