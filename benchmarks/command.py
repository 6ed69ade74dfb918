"""The ``bench`` command of ``python -m assistant``: the same flags and output as when it lived in the CLI itself.

The CLI finds it through the ``awt_assistent.commands`` entry-point group (pyproject.toml), so the assistant
never imports the benchmarks above it.

>>> bench_command.name, [p.name for p in bench_command.params]
('bench', ['as_json', 'sizes', 'keep'])
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.cli import EXIT_BAD_INPUT


@click.command("bench")
@click.option("--json", "as_json", is_flag=True, help="Print één JSON-object per grootte.")
@click.option("--sizes", default="advice,200p,2000p", show_default=True, help="Corpusgroottes, komma-gescheiden.")
@click.option("--keep", type=click.Path(path_type=Path), help="Bewaar de gegenereerde corpora en indexen hier.")
def bench_command(as_json: bool, sizes: str, keep: Path | None) -> None:
    """Meet snelheid en geheugen (index, warme en koude antwoorden, serve) op deze machine."""
    from benchmarks.bench import run

    try:
        run([s.strip() for s in sizes.split(",") if s.strip()], as_json, keep)
    except ValueError as exc:
        click.echo(f"Fout: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
