"""Helpers the tests share: a free loopback port, stopping a server process.

Imported as ``tests.support`` (like ``tests.load.loadtest``): the tests run with the repository root on the path
(``python -m pytest`` from it, as scripts/test.sh does).
"""

from tests.support.processes import free_port, stop_process

__all__ = ["free_port", "stop_process"]
