"""People's commands, through the public API only (``client/``): ``ls``, ``mkdir``, ``rm``,
``upload``, ``download``, ``copernicus``. They never import the server."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
