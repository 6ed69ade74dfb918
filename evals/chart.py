"""An inline SVG bar chart of the metrics (no JavaScript, no external resources).

Each metric between 0 and 1 gets a bar for its value, a dashed red line at its threshold and
a black tick at its baseline value. Counts are left out (they have no 0–1 scale).

Example::

    >>> from evals.gate import check_metrics
    >>> svg = render_metric_chart(check_metrics({"recall_at_3": 0.97, "removed_sentences": 2.0}))
    >>> svg.startswith("<svg"), "Recall@3" in svg, "Verwijderde zinnen" in svg
    (True, True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from evals.gate import MetricCheck

LABEL_WIDTH = 230
BAR_WIDTH = 400
ROW_HEIGHT = 24
TOP = 8
LEGEND_HEIGHT = 34

GOOD = "#2e7d32"
BAD = "#c62828"
INFO = "#78909c"


def _x(value: float) -> float:
    return LABEL_WIDTH + max(0.0, min(1.0, value)) * BAR_WIDTH


def _colour(check: MetricCheck) -> str:
    if check.failed:
        return BAD
    if check.threshold is None and not check.spec.regression_gated:
        return INFO
    return GOOD


def _row(check: MetricCheck, y: float) -> list[str]:
    mid = y + ROW_HEIGHT / 2
    value_text = "n.v.t." if check.value is None else f"{check.value:.3f}"
    tooltip = f"{check.spec.label}: {value_text} — {check.spec.description}"
    parts = [
        f"<g><title>{escape(tooltip)}</title>",
        f'<text x="{LABEL_WIDTH - 8}" y="{mid + 4:.1f}" text-anchor="end">{escape(check.spec.label)}</text>',
        f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{BAR_WIDTH}" height="{ROW_HEIGHT - 8}" fill="#eceff1"/>',
    ]
    if check.value is not None:
        width = _x(check.value) - LABEL_WIDTH
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width:.1f}" height="{ROW_HEIGHT - 8}" '
            f'fill="{_colour(check)}"/>'
        )
    if check.threshold is not None:
        x = _x(check.threshold.limit)
        parts.append(
            f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + ROW_HEIGHT - 1}" stroke="{BAD}" '
            'stroke-width="2" stroke-dasharray="3,2"/>'
        )
    if check.baseline is not None:
        x = _x(check.baseline)
        parts.append(f'<rect x="{x - 1.5:.1f}" y="{y + 2}" width="3" height="{ROW_HEIGHT - 4}" fill="#000"/>')
    value_x = LABEL_WIDTH + BAR_WIDTH + 8
    parts.append(f'<text x="{value_x}" y="{mid + 4:.1f}" class="v">{escape(value_text)}</text>')
    parts.append("</g>")
    return parts


def render_metric_chart(checks: Sequence[MetricCheck]) -> str:
    """An ``<svg>`` element with one bar per 0–1 metric, threshold and baseline markers."""
    shown = [check for check in checks if check.spec.kind != "count"]
    width = LABEL_WIDTH + BAR_WIDTH + 70
    height = TOP + len(shown) * ROW_HEIGHT + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Grafiek van de metrieken">',
        "<style>text{font:12px sans-serif;fill:#222}.v{font-variant-numeric:tabular-nums}</style>",
    ]
    for index, check in enumerate(shown):
        parts += _row(check, TOP + index * ROW_HEIGHT)
    legend_y = TOP + len(shown) * ROW_HEIGHT + 20
    for offset, (tick, text) in enumerate(
        (
            (f'<rect x="{{x}}" y="{legend_y - 10}" width="12" height="10" fill="{GOOD}"/>', "waarde"),
            (
                f'<line x1="{{x}}" y1="{legend_y - 11}" x2="{{x}}" y2="{legend_y + 1}" stroke="{BAD}" '
                'stroke-width="2" stroke-dasharray="3,2"/>',
                "drempel",
            ),
            (f'<rect x="{{x}}" y="{legend_y - 11}" width="3" height="12" fill="#000"/>', "baseline"),
            (f'<rect x="{{x}}" y="{legend_y - 10}" width="12" height="10" fill="{INFO}"/>', "informatief"),
        )
    ):
        x = LABEL_WIDTH + offset * 100
        parts.append(tick.format(x=x))
        parts.append(f'<text x="{x + 18}" y="{legend_y}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
