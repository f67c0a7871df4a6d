"""The base of Refuge's management commands: their description in the operator's language.

A command's `help` is a class attribute, read when its module is imported; it is marked with
`gettext_noop` there and translated here, when the parser is made, after refuge/cli.py has
activated the operator's language (REFUGE_LANGUAGE, else the locale variables).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext


class RefugeCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.help:
            parser.description = gettext(self.help)
        return parser
