"""``python -m assistant``: the command-line interface (:mod:`assistant.cli`)."""

from assistant.cli import run

run()
