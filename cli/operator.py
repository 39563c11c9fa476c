"""Operator commands, run where the servers' settings are: ``strata quota`` and ``strata fsck``
write to the database directly, as no GraphQL caller may."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError
from pymongo.errors import ConnectionFailure, PyMongoError

from graphql_api.settings import Settings

Handler = Callable[[argparse.Namespace], int]
STORE_DOWN = 3


def _one_line_on_store_failure(handler: Handler) -> Handler:
    """A store that cannot be reached is one sentence and an exit code, never a traceback."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        settings = Settings()
        try:
            return handler(args)
        except ConnectionFailure:
            print(f"strata: cannot reach the database at {settings.mongodb_url}: is it running?", file=sys.stderr)
        except PyMongoError as error:
            reason = str(error).splitlines()[0][:200]
            print(f"strata: the database at {settings.mongodb_url} refused: {reason}", file=sys.stderr)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "?")
            print(f"strata: the object store refused ({code}) for bucket {settings.s3_bucket!r}", file=sys.stderr)
        except BotoCoreError as error:
            print(f"strata: cannot reach the object store at {settings.s3_endpoint_url}: {error}", file=sys.stderr)
        return STORE_DOWN

    return run


@_one_line_on_store_failure
def _fsck(args: argparse.Namespace) -> int:
    """Operator command: report (and with --repair mend) tree, usage and bucket drift."""
    import asyncio

    from graphql_api.app import blob_config
    from storage import consistency
    from storage.blobs import BlobStore
    from storage.mongo import Database

    settings = Settings()

    async def run() -> consistency.Report:
        db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=settings.mongodb_timeout_ms)
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


@_one_line_on_store_failure
def _quota(args: argparse.Namespace) -> int:
    """Operator command: set or clear an organisation's storage quota, straight in the database."""
    import asyncio

    from resolvers.organisations import set_quota
    from storage.mongo import Database

    settings = Settings()

    async def run() -> bool:
        db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=settings.mongodb_timeout_ms)
        try:
            return await set_quota(db, args.slug, None if args.bytes < 0 else args.bytes)
        finally:
            db.close()

    if not asyncio.run(run()):
        print(f"strata: no organisation {args.slug!r} (it appears once a member signs in)", file=sys.stderr)
        return 1
    print(f"{args.slug}: quota {'removed' if args.bytes < 0 else f'{args.bytes} bytes'}")
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fsck = commands.add_parser("fsck", help="operator: check the tree, usage and bucket; --repair mends them")
    fsck.add_argument("--repair", action="store_true", help="mend what is found (see storage/consistency.py)")
    fsck.set_defaults(handler=_fsck)
    quota = commands.add_parser("quota", help="operator: set an organisation's storage quota (-1 removes it)")
    quota.add_argument("slug")
    quota.add_argument("bytes", type=int)
    quota.set_defaults(handler=_quota)
