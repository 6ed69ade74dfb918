"""``report.html``: a self-contained page (inline CSS and SVG, no scripts, no external files).

Every piece of text from the dataset or the assistant goes through :func:`html.escape`, since
questions and answers may contain markup.

Example::

    >>> from evals.gate import check_metrics
    >>> html = render_html(EvalRun("gold.jsonl", "abc", "extractief", [], {}, {}, check_metrics({"mrr": 0.9}), 0.02))
    >>> html.startswith("<!DOCTYPE html>"), "GESLAAGD" in html
    (True, True)
"""

from __future__ import annotations

from html import escape

from evals.chart import render_metric_chart
from evals.report import HEADERS, definitions, table_rows
from evals.run_result import EvalRun
from evals.scoring import ItemResult

CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222;
line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:1rem 0}
th,td{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child,td:last-child,th:last-child{text-align:left}
.bad{color:#c62828;font-weight:600}.ok{color:#2e7d32}.info{color:#607d8b}
.verdict{font-size:1.1rem;font-weight:700}.pass{color:#2e7d32}.fail{color:#c62828}
.item{border:1px solid #ddd;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.answer{white-space:pre-wrap;background:#f7f7f7;padding:.5rem;border-left:3px solid #90a4ae}
dt{font-weight:600}dd{margin:0 0 .4rem 1rem;color:#444}.problems li{color:#c62828}.meta{color:#555}
blockquote{margin:.3rem 0 .3rem 1rem;color:#333}
"""


def _status_class(status: str) -> str:
    if status in {"ONDER DREMPEL", "BOVEN DREMPEL", "ACHTERUITGANG"}:
        return "bad"
    return "ok" if status == "ok" else "info"


def _metrics_table(run: EvalRun) -> str:
    head = "".join(f"<th>{escape(header)}</th>" for header in HEADERS)
    body: list[str] = []
    for row in table_rows(run):
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row[:-1])
        status = row[-1]
        body.append(f'<tr>{cells}<td class="{_status_class(status)}">{escape(status)}</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _definitions(run: EvalRun) -> str:
    return "".join(f"<dt>{escape(label)}</dt><dd>{escape(text)}</dd>" for label, text in definitions(run))


def _item(result: ItemResult) -> str:
    item, answer = result.item, result.answer
    category = f' <span class="meta">({escape(item.category)})</span>' if item.category else ""
    variant = f' <span class="meta">variant van {escape(item.variant_of)}</span>' if item.variant_of else ""
    anchor = escape(f"item-{item.id}", quote=True)
    parts = [f'<section class="item" id="{anchor}"><h3>{escape(item.id)}{category}{variant}</h3>']
    parts.append(f"<p><strong>Vraag:</strong> {escape(item.question)}</p>")
    if item.history:
        turns = "".join(
            f"<li><em>{'gebruiker' if m.role == 'user' else 'assistent'}:</em> {escape(m.content)}</li>"
            for m in item.history
        )
        parts.append(f'<p class="meta">Eerder in het gesprek:</p><ul class="meta">{turns}</ul>')
    refused = " (geweigerd)" if answer.refused else ""
    parts.append(f"<p><strong>Antwoord{refused}:</strong></p>")
    parts.append(f'<div class="answer">{escape(answer.answer) or "<em>(leeg)</em>"}</div>')
    if answer.citations:
        cited = "".join(
            f"<li>[{c.n}] <strong>{escape(c.label)}</strong> — {escape(c.document)}"
            f"<blockquote>{escape(c.quote)}</blockquote></li>"
            for c in sorted(answer.citations, key=lambda c: c.n)
        )
        parts.append(f"<p><strong>Geciteerde passages:</strong></p><ul>{cited}</ul>")
    problems = "".join(f"<li>{escape(problem)}</li>" for problem in result.problems)
    parts.append(f'<p><strong>Wat ontbreekt:</strong></p><ul class="problems">{problems}</ul></section>')
    return "".join(parts)


def render_html(run: EvalRun) -> str:
    """The complete report page."""
    failures = run.failures(include_regressions=not run.baseline_updated)
    verdict_class = "pass" if run.passed else "fail"
    verdict = "GESLAAGD" if run.passed else "MISLUKT"
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in failures)
    notes = "".join(f'<p class="meta">Let op: {escape(note)}</p>' for note in run.notes)
    failing = run.failing
    items = "".join(_item(result) for result in failing) or "<p>Geen.</p>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Evaluatie AWT-assistent — {escape(run.backend)}</title><style>{CSS}</style></head><body>"
        "<h1>Evaluatie AWT-assistent</h1>"
        f'<p class="meta">Dataset <code>{escape(run.dataset)}</code> ({len(run.results)} vragen) · '
        f"backend <code>{escape(run.backend)}</code> · {escape(run.generated_at)} · "
        f"tolerantie t.o.v. baseline {run.tolerance:.2f}</p>"
        f'<p class="verdict {verdict_class}">Resultaat: {verdict}</p>'
        f"{f'<ul>{reasons}</ul>' if reasons else ''}{notes}"
        "<h2>Metrieken</h2>"
        f"{_metrics_table(run)}"
        f"<details><summary>Toelichting bij de metrieken</summary><dl>{_definitions(run)}</dl></details>"
        f"<figure>{render_metric_chart(run.checks)}</figure>"
        f"<h2>Items met problemen ({len(failing)} van {len(run.results)})</h2>"
        f"{items}</body></html>\n"
    )
