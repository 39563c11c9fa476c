"""Small uploads, browser against Python client: 100 KiB files uploaded one at a time through the
catalogue in headless Chromium (picked until listed) and through ``client.transfer`` (what
``strata upload`` runs), then a batch of 200 picked at once against the client sending the same
200 one after the other; medians, and each as a ratio of its target (400 ms, 20 s).

    python -m bench.web_uploads [--singles 15] [--batch 200]        (make bench-web-uploads)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import WEB, bench_env, chromium_path
from bench.web_transfer import PORT, _folder
from client import transfer
from client.api import StrataClient
from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token

KiB = 1024
TARGET_SINGLE_MS = 400.0
TARGET_BATCH_S = 20.0


def _files(into: Path, prefix: str, count: int) -> list[Path]:
    into.mkdir()
    made = []
    for n in range(count):
        path = into / f"{prefix}-{n:04d}.csv"
        path.write_bytes(os.urandom(100 * KiB))
        made.append(path)
    return made


async def _python(url: str, token: str, singles: list[Path], batch: list[Path]) -> tuple[list[float], float]:
    async with StrataClient(f"{url}/graphql", token) as strata:
        folder = await _folder(url, token)
        each = []
        for path in singles:
            began = time.perf_counter()
            await transfer.upload(strata, path, folder)
            each.append((time.perf_counter() - began) * 1000)
        folder = await _folder(url, token)
        began = time.perf_counter()
        for path in batch:
            await transfer.upload(strata, path, folder)
        return each, time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.web_uploads", description=__doc__)
    parser.add_argument("--singles", type=int, default=15)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args(argv)
    chromium = chromium_path()
    stack = Stack()
    started = stack.up()
    try:
        with tempfile.TemporaryDirectory() as scratch, serve_api(settings_for(bench_env(stack)), port=PORT) as url:
            singles = _files(Path(scratch) / "one", "reading", args.singles)
            batch = _files(Path(scratch) / "many", "sensor", args.batch)
            token = dev_token("alice")
            env = {
                **os.environ,
                "STRATA_WEB_URL": url,
                "STRATA_BENCH_SINGLE_FOLDER": asyncio.run(_folder(url, token)),
                "STRATA_BENCH_BATCH_FOLDER": asyncio.run(_folder(url, token)),
                "STRATA_BENCH_SINGLES": json.dumps([str(p) for p in singles]),
                "STRATA_BENCH_BATCH": json.dumps([str(p) for p in batch]),
                "STRATA_CHROMIUM": chromium,
            }
            ran = subprocess.run(
                ["node", str(WEB / "bench" / "small-uploads.mjs")],
                env=env,
                cwd=WEB,
                capture_output=True,
                text=True,
                check=False,
            )
            if ran.returncode != 0:
                print(ran.stdout[-3000:], ran.stderr[-3000:], file=sys.stderr)
                return 1
            browser = json.loads(ran.stdout.strip().splitlines()[-1])
            python_each, python_batch = asyncio.run(_python(url, token, singles, batch))
    finally:
        stack.down(started)
    if browser["failed"]:
        print(f"{browser['failed']} browser uploads failed", file=sys.stderr)
        return 1
    single, client_single = statistics.median(browser["singleMs"]), statistics.median(python_each)
    batch_s = browser["batchMs"] / 1000
    print("| 100 KiB files | browser | Python client | browser / client | target | browser / target |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| one file, picked until listed (median of {args.singles}, ms) | {single:,.0f} | {client_single:,.0f} | "
        f"{single / client_single:.2f} | {TARGET_SINGLE_MS:,.0f} | {single / TARGET_SINGLE_MS:.2f} |"
    )
    print(
        f"| {args.batch} files picked at once (s) | {batch_s:.1f} | {python_batch:.1f} | "
        f"{batch_s / python_batch:.2f} | {TARGET_BATCH_S:.0f} | {batch_s / TARGET_BATCH_S:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
