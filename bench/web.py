"""The web catalogue, measured in headless Chromium: a folder of 100 files drawn, warm (a reload of
its address and a click from its parent, medians), and the JavaScript shipped, gzipped; each as a
ratio of its target (1 s, 250 KB).

    python -m bench.web [--repeat 9]        (make bench-web)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys

from bench import WEB, bench_env, chromium_path
from bench.listing import _fill
from client.api import StrataClient
from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token

PORT = 18700  # one of the catalogue client's redirect URIs
TARGET_MS = 1000.0
TARGET_GZIP = 250 * 1000


async def _parent_of(url: str, token: str, folder: str) -> str:
    async with StrataClient(f"{url}/graphql", token) as strata:
        found = await strata.query("query($id: ID!) { folder(id: $id) { parent { id } } }", {"id": folder})
        return str(found["folder"]["parent"]["id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.web", description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    stack = Stack()
    started = stack.up()
    try:
        env = bench_env(stack)
        chromium = chromium_path()
        with serve_api(settings_for(env), port=PORT) as url:
            token = dev_token("alice")
            folder = asyncio.run(_fill(url, token))
            parent = asyncio.run(_parent_of(url, token, folder))
            measured = subprocess.run(
                ["node", str(WEB / "bench" / "folder-draw.mjs")],
                env={
                    **os.environ,
                    "STRATA_WEB_URL": url,
                    "STRATA_BENCH_FOLDER": folder,
                    "STRATA_BENCH_PARENT": parent,
                    "STRATA_BENCH_REPEAT": str(args.repeat),
                    "STRATA_CHROMIUM": chromium,
                },
                cwd=WEB,
                capture_output=True,
                text=True,
                check=False,
            )
        if measured.returncode != 0:
            print(measured.stdout, measured.stderr, file=sys.stderr)
            return 1
        result = json.loads(measured.stdout.strip().splitlines()[-1])
    finally:
        stack.down(started)
    rows = [
        ("folder of 100 files, reload of its URL (median ms)", result["reloadMs"], TARGET_MS),
        ("folder of 100 files, click from its parent (median ms)", result["clickMs"], TARGET_MS),
        ("JavaScript shipped, gzipped (bytes)", result["shippedGzip"], TARGET_GZIP),
        ("JavaScript loaded for the folder page, gzipped (bytes)", result["loadedGzip"], TARGET_GZIP),
    ]
    print(f"| measure (repeat {result['repeat']}) | value | target | ratio to target |")
    print("|---|---:|---:|---:|")
    for name, value, target in rows:
        print(f"| {name} | {value:,.0f} | {target:,.0f} | {value / target:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
