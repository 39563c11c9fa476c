"""Operator commands, run where the servers' settings are: ``strata quota`` and ``strata fsck``
write to the database directly, as no GraphQL caller may."""

from __future__ import annotations

import argparse
import sys

from graphql_api.settings import Settings


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


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fsck = commands.add_parser("fsck", help="operator: check the tree, usage and bucket; --repair mends them")
    fsck.add_argument("--repair", action="store_true", help="mend what is found (see storage/consistency.py)")
    fsck.set_defaults(handler=_fsck)
    quota = commands.add_parser("quota", help="operator: set an organisation's storage quota (-1 removes it)")
    quota.add_argument("slug")
    quota.add_argument("bytes", type=int)
    quota.set_defaults(handler=_quota)
