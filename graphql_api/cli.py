"""The ``strata`` command: ``strata serve`` runs the API, ``strata export-schema`` prints the SDL."""

from __future__ import annotations

import argparse
import json
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


def _fsck(args: argparse.Namespace) -> int:
    """Operator command: report (and with --repair mend) tree, usage and bucket drift."""
    import asyncio

    from graphql_api.app import blob_config
    from storage import consistency
    from storage.blobs import BlobStore
    from storage.mongo import Database

    settings = Settings()

    async def run() -> consistency.Report:
        db = Database.connect(settings.mongodb_url, settings.mongodb_database)
        try:
            async with BlobStore.open(blob_config(settings)) as blobs:
                return await consistency.check(db.engine, blobs, repair=args.repair)
        finally:
            db.close()

    report = asyncio.run(run())
    for line in report.lines():
        print(line)
    if report.clean:
        print("strata fsck: consistent")
        return 0
    print(f"strata fsck: {len(report.lines())} problems{', repaired' if args.repair else ''}")
    return 0 if args.repair else 1


def _quota(args: argparse.Namespace) -> int:
    """Operator command: set or clear an organisation's storage quota, straight in the database."""
    import asyncio

    from resolvers.organisations import set_quota
    from storage.mongo import Database

    settings = Settings()

    async def run() -> bool:
        db = Database.connect(settings.mongodb_url, settings.mongodb_database)
        try:
            return await set_quota(db, args.slug, None if args.bytes < 0 else args.bytes)
        finally:
            db.close()

    if not asyncio.run(run()):
        print(f"strata: no organisation {args.slug!r} (it appears once a member signs in)", file=sys.stderr)
        return 1
    print(f"{args.slug}: quota {'removed' if args.bytes < 0 else f'{args.bytes} bytes'}")
    return 0


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


def _data_command(args: argparse.Namespace) -> int:
    import asyncio

    from client import commands
    from client.api import StrataClient, StrataError

    # Read before the event loop starts: the request file is the caller's input.
    body = json.loads(Path(args.request).read_text()) if getattr(args, "request", None) else {}

    async def run() -> None:
        async with StrataClient(args.api, args.token) as strata:
            out = sys.stdout
            if args.command == "ls":
                await commands.ls(strata, out, args.folder)
            elif args.command == "mkdir":
                await commands.mkdir(strata, out, args.parent, args.name)
            elif args.command == "rm":
                await commands.rm(strata, out, args.id)
            elif args.command == "copernicus":
                from client import copernicus

                if args.action == "ls":
                    await copernicus.ls(strata, out)
                else:
                    await copernicus.request_and_follow(
                        strata, out, args.service, args.dataset, body, args.folder, args.name, args.follow, args.quiet
                    )
            elif args.command == "upload":
                part = args.part_size_mib * 1024 * 1024 if args.part_size_mib else None
                await commands.upload(strata, out, Path(args.path), args.folder, args.concurrency, part, args.quiet)
            else:
                part = args.part_size_mib * 1024 * 1024
                await commands.download(strata, out, args.file, Path(args.path), args.concurrency, part, args.quiet)

    try:
        asyncio.run(run())
    except StrataError as error:
        print(f"strata: {error} ({', '.join(error.codes)})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nstrata: stopped; run the same command again to resume", file=sys.stderr)
        return 130
    return 0


def _add_data_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--api", help="GraphQL endpoint (default $STRATA_API_URL or http://127.0.0.1:8000/graphql)")
    shared.add_argument("--token", help="access token (default $STRATA_TOKEN)")
    transfer = argparse.ArgumentParser(add_help=False)
    transfer.add_argument("--concurrency", type=int, default=8, help="parts in flight at once (default 8)")
    transfer.add_argument("--quiet", action="store_true", help="no progress bar")
    ls = commands.add_parser("ls", parents=[shared], help="list a folder, or your organisations' root folders")
    ls.add_argument("folder", nargs="?")
    mkdir = commands.add_parser("mkdir", parents=[shared], help="create a folder")
    mkdir.add_argument("parent")
    mkdir.add_argument("name")
    rm = commands.add_parser("rm", parents=[shared], help="move a file or folder to the trash")
    rm.add_argument("id")
    upload = commands.add_parser("upload", parents=[shared, transfer], help="upload a file; re-run to resume")
    upload.add_argument("path")
    upload.add_argument("--folder", required=True, help="id of the target folder")
    upload.add_argument("--part-size-mib", type=int, help="part size in MiB (default: chosen from the size)")
    download = commands.add_parser("download", parents=[shared, transfer], help="download a file; re-run to resume")
    download.add_argument("file")
    download.add_argument("path")
    download.add_argument("--part-size-mib", type=int, default=16)
    copernicus = commands.add_parser("copernicus", parents=[shared], help="request Copernicus data, list requests")
    actions = copernicus.add_subparsers(dest="action", required=True)
    actions.add_parser("ls", help="your Copernicus requests")
    ask = actions.add_parser("request", help="ask for data; --follow shows its progress live")
    ask.add_argument("service", help="CDS, ADS, EWDS, ...")
    ask.add_argument("dataset")
    ask.add_argument("--request", help="a JSON file with the upstream request")
    ask.add_argument("--folder", help="folder id for the result (default: Copernicus folder)")
    ask.add_argument("--name", help="file name for the result")
    ask.add_argument("--follow", action="store_true")
    ask.add_argument("--quiet", action="store_true")
    for parser in (ls, mkdir, rm, upload, download, copernicus):
        parser.set_defaults(handler=_data_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="strata", description="Strata data space API")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_data_commands(commands)
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
    fsck = commands.add_parser("fsck", help="operator: check the tree, usage and bucket; --repair mends them")
    fsck.add_argument("--repair", action="store_true", help="mend what is found (see storage/consistency.py)")
    fsck.set_defaults(handler=_fsck)
    quota = commands.add_parser("quota", help="operator: set an organisation's storage quota (-1 removes it)")
    quota.add_argument("slug")
    quota.add_argument("bytes", type=int)
    quota.set_defaults(handler=_quota)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
