"""Transfer, signing and listing benchmarks, measured side by side in one run.

    python -m bench [--size-mib 1024] [--repeat 3]
    python -m bench scale ...    (bench/scale.py: the catalogue's queries as the store grows)
    python -m bench soak ...     (bench/soak.py: memory and descriptors under 10 minutes of traffic)

Starts the dev services if needed, runs the API in this process behind a byte counter,
and prints medians and ratios as a Markdown table (also written to bench/results.md).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import bench_env, listing, signing, transfers
from devservices.api import api_process, settings_for
from devservices.services import Stack, dev_token

Row = tuple[str, str, str]


async def median_seconds(action: Callable[[], Awaitable[Any]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        begin = time.perf_counter()
        await action()
        times.append(time.perf_counter() - begin)
    return statistics.median(times)


def write_random(path: Path, size: int) -> None:
    with path.open("wb") as out:
        remaining = size
        while remaining:
            chunk = os.urandom(min(remaining, 64 * 1024 * 1024))
            out.write(chunk)
            remaining -= len(chunk)


async def run(size_mib: int, repeat: int) -> list[str]:
    stack = Stack()
    started = stack.up()
    try:
        env = bench_env(stack)
        settings = settings_for(env)
        token = dev_token("alice")
        lines: list[str] = []
        with tempfile.TemporaryDirectory() as scratch, api_process(env) as (url, counter):
            source = Path(scratch) / "payload.bin"
            write_random(source, size_mib * 1024 * 1024)
            lines += await transfers.run(url, token, settings, source, Path(scratch), counter, repeat, median_seconds)
            lines += await signing.run(url, token, settings, repeat, median_seconds)
        lines += await listing.run(settings, token, repeat)
        await transfers.drop(settings)
        return lines
    finally:
        stack.down(started)


def main() -> int:
    if sys.argv[1:2] == ["soak"]:
        from bench import soak

        return soak.main(sys.argv[2:])
    if sys.argv[1:2] == ["scale"]:
        from bench import scale

        return scale.main(sys.argv[2:])
    parser = argparse.ArgumentParser(prog="bench", description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lines = asyncio.run(run(args.size_mib, args.repeat))
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    (Path(__file__).parent / "results.md").write_text(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
