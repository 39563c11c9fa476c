"""The ``strata`` command: ``strata serve`` runs the API, ``strata export-schema`` prints the SDL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql_api.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from graphql_api.app import configure, create_app

    settings = Settings()
    configure(settings)
    uvicorn.run(
        create_app(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        proxy_headers=True,
        ws_max_size=settings.max_body_bytes,
        timeout_graceful_shutdown=20,
    )
    return 0


def schema_sdl() -> str:
    from graphql_api.schema import build_schema

    return build_schema().as_str() + "\n"


def _export_schema(args: argparse.Namespace) -> int:
    sdl = schema_sdl()
    if args.output:
        Path(args.output).write_text(sdl)
    else:
        sys.stdout.write(sdl)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="strata", description="Strata data space API")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL (or write it with -o)")
    export.add_argument("-o", "--output")
    export.set_defaults(handler=_export_schema)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
