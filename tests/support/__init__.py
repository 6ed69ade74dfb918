"""Helpers the tests share: a free loopback port, stopping a server process.

Imported as ``tests.support`` (like ``tests.load.loadtest``): pytest puts the repository root on the path
(``pythonpath`` in pyproject.toml), and ``python -m tests.load.loadtest`` runs from it.
"""

from tests.support.processes import free_port, stop_process

__all__ = ["free_port", "stop_process"]
