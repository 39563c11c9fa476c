"""The ``strata`` command line: one parser over the server, operator and people's commands."""

from __future__ import annotations

import argparse
import sys

from cli import completion, operator, people, server
from cli.server import schema_sdl

__all__ = ["build_parser", "main", "schema_sdl"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="strata", description="Strata data space API")
    parser.add_argument("--version", action="version", version=f"strata {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    people.add_commands(commands)
    server.add_commands(commands)
    operator.add_commands(commands)
    completion.add_commands(commands)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("strata")
    except PackageNotFoundError:
        return "unknown (not installed)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
