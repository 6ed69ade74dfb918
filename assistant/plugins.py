"""Extra ``python -m assistant`` commands that packages above the assistant register (e.g. ``bench``).

A command is registered in one place, pyproject.toml, under the entry-point group :data:`GROUP` (the way
``llm`` finds its plugins)::

    [project.entry-points."awt_assistent.commands"]
    bench = "benchmarks.command:bench_command"

so the CLI offers it without importing the layer above it. A registered command is imported only when it is
asked for (or listed by ``--help``): ``ask`` and ``serve`` do not pay for it. A built-in command of the same
name wins.

>>> import click
>>> @click.group(cls=PluginGroup)
... def cli() -> None: ...
>>> "bench" in cli.list_commands(click.Context(cli))
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "awt_assistent.commands"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


@cache
def registered_commands() -> dict[str, EntryPoint]:
    """The commands registered under :data:`GROUP`, by name."""
    import tomllib
    from importlib.metadata import EntryPoint, entry_points  # not at import time: ``ask`` never needs them

    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    # The installed metadata is a copy of pyproject.toml made by the last `pip install -e .`; in a source checkout
    # (a worktree on PYTHONPATH, or a pull that added a command) pyproject.toml itself is the current registration.
    try:
        project = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return found
    if project.get("project", {}).get("name") == "awt-assistent":
        table = project["project"].get("entry-points", {}).get(GROUP, {})
        found.update({name: EntryPoint(name, value, GROUP) for name, value in table.items()})
    return found


class PluginGroup(click.Group):
    """A click group that also offers the commands of :func:`registered_commands`, loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The built-in commands and the registered ones, sorted."""
        return sorted({*super().list_commands(ctx), *registered_commands()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """A built-in command, else the registered command of that name (imported now), else None."""
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in registered_commands():
            loaded = registered_commands()[cmd_name].load()
            if not isinstance(loaded, click.Command):
                raise TypeError(f"{GROUP} entry point {cmd_name!r} is not a click command")
            command = loaded
        return command
