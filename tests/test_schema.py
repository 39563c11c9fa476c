"""schema.graphql is the schema the code builds: every API change shows up in review."""

from __future__ import annotations

from pathlib import Path

from cli.main import schema_sdl

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == schema_sdl(), "schema changed: run `make schema` and commit schema.graphql"
