"""Answer-quality evals for the AWT-assistent: gold set, deterministic metrics, reports.

Run ``python -m evals run`` (see :mod:`evals.__main__`); the pieces:

- :mod:`evals.dataset` – the JSONL gold set and its validation
- :mod:`evals.text`, :mod:`evals.language`, :mod:`evals.support` – normalisation, language, support checks
- :mod:`evals.metrics` – the metrics as pure functions
- :mod:`evals.scoring` – per-item scores and the summary
- :mod:`evals.gate`, :mod:`evals.baseline` – thresholds, tolerance, the committed baseline
- :mod:`evals.runner` – asking the assistant and writing the outputs
- :mod:`evals.report`, :mod:`evals.html_report`, :mod:`evals.chart` – terminal, Markdown and HTML reports
- :mod:`evals.judges` – extension point for optional LLM judges
"""
