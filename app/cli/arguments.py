"""How every `tradeql` command reads its arguments: one-line errors, shared value checks."""

from __future__ import annotations

import argparse
from typing import NoReturn, TypeAlias


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line instead of argparse's usage block; `--help` shows the usage."""
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


# A string: argparse's class is generic only to type checkers, not at run time.
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"


def actions_of(command: Parser, dest: str) -> Commands:
    """The ACTION words of a command such as `tradeql events list|replay|stats`."""
    return command.add_subparsers(dest=dest, required=True, metavar="ACTION", parser_class=Parser)


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return number


def port(value: str) -> int:
    number = positive(value)
    if number > 65_535:
        raise argparse.ArgumentTypeError(f"{value} is not a TCP port")
    return number
