"""Server commands: ``strata serve`` (the API), ``strata worker`` (the Copernicus worker alone),
``strata export-schema`` (the SDL)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graphql_api.settings import Settings


def _uvicorn(args: argparse.Namespace, worker: bool) -> int:
    """``strata serve`` and ``strata worker``: one server each, drained within the shutdown grace on SIGTERM."""
    import uvicorn

    from graphql_api.app import configure, create_app, create_worker_app
    from graphql_api.limits import http_server_options

    settings = Settings()
    configure(settings)
    options: dict[str, Any] = (
        {"access_log": False} if worker else {"proxy_headers": True, "ws_max_size": settings.max_body_bytes}
    )
    uvicorn.run(
        create_worker_app(settings) if worker else create_app(settings),
        host=args.host,
        port=args.port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        **options,
        **http_server_options(),
    )
    return 0


def _serve(args: argparse.Namespace) -> int:
    return _uvicorn(args, worker=False)


def _worker(args: argparse.Namespace) -> int:
    """Run only the Copernicus worker (its own Deployment); SIGTERM hands its downloads and leases back."""
    return _uvicorn(args, worker=True)


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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = commands.add_parser("serve", help="run the API server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)
    export = commands.add_parser("export-schema", help="print the GraphQL SDL (or write it with -o)")
    export.add_argument("-o", "--output")
    export.set_defaults(handler=_export_schema)
    worker = commands.add_parser("worker", help="run the Copernicus worker alone (HTTP only for probes and metrics)")
    worker.add_argument("--host", default="127.0.0.1")
    worker.add_argument("--port", type=int, default=9100)
    worker.set_defaults(handler=_worker)
