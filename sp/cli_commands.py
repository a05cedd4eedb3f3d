"""`flask --app sp org|people|saml|audit …`: the command groups, loaded when a command runs.

The commands (`sp/cli.py`, `sp/cli_saml.py`) import every admin use case; a served app runs
none of them, so the app's command group names them here and imports one on first use (a
command line, or `flask --app sp --help`), not at every start.
"""

from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import AppGroup

# Command name → "module:attribute" of its click group or command.
COMMANDS = {
    "org": "sp.cli:org_cli",
    "people": "sp.cli:people_cli",
    "saml": "sp.cli_saml:saml_cli",
    "audit": "sp.cli:audit_cli",
}


class LazyCommands(AppGroup):
    """Flask's app command group, whose own commands are imported by name when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            module, _, attribute = COMMANDS[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


def install(app: Flask) -> None:
    app.cli = LazyCommands()
