"""Speed and memory of the assistant on the machine it runs on: ``python -m assistant bench``.

The top layer, next to the evals: it drives the assistant from outside (in-process and as new processes) and is
never imported by it. The command reaches the CLI through the ``awt_assistent.commands`` entry-point group
(pyproject.toml; see :mod:`assistant.plugins`).

- :mod:`benchmarks.corpus` – Dutch corpora of a given size, made from the advice's own sentences
- :mod:`benchmarks.bench` – the measurements, and the table or JSON they are reported in
- :mod:`benchmarks.command` – the ``bench`` command
"""
