"""Browser against Python client: the same file uploaded and downloaded through the catalogue in
headless Chromium (parts hashed in a worker, PUT in parallel; ranged GETs checked against the
checksum) and through ``client.transfer`` (what ``strata upload/download`` runs), side by side in one
run, medians of ``--repeat``, MiB/s and the browser's ratio to the client (target: at least 0.7).

    python -m bench.web_transfer [--size-mib 1024] [--repeat 3]        (make bench-web-transfer)
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
import uuid
from pathlib import Path

from bench import WEB, bench_env, chromium_path
from client import transfer
from client.api import StrataClient
from devservices.api import serve_api, settings_for
from devservices.services import Stack, dev_token

PORT = 18700  # one of the catalogue client's redirect URIs
MiB = 1024 * 1024
TARGET_RATIO = 0.7
ROOT = "{ me { organizations { slug rootFolder { id } } } }"
MKDIR = "mutation($p: ID!, $n: String!) { createFolder(input: {parentId: $p, name: $n}) { folder { id } } }"


async def _folder(url: str, token: str) -> str:
    async with StrataClient(f"{url}/graphql", token) as strata:
        organisations = (await strata.query(ROOT))["me"]["organizations"]
        root = next(o for o in organisations if o["slug"] == "athena-energy")["rootFolder"]["id"]
        made = await strata.query(MKDIR, {"p": root, "n": f"bench-{uuid.uuid4().hex[:8]}"})
        return str(made["createFolder"]["folder"]["id"])


async def _python(url: str, token: str, source: Path, into: Path) -> tuple[float, float]:
    async with StrataClient(f"{url}/graphql", token) as strata:
        folder = await _folder(url, token)
        began = time.perf_counter()
        file = await transfer.upload(strata, source, folder)
        up = time.perf_counter() - began
        began = time.perf_counter()
        await transfer.download(strata, file["id"], into)
        down = time.perf_counter() - began
        into.unlink()
        return up, down


def _browser(url: str, token: str, source: Path, chromium: str) -> tuple[float, float, float]:
    folder = asyncio.run(_folder(url, token))
    env = {**os.environ, "STRATA_WEB_URL": url, "STRATA_BENCH_FOLDER": folder, "STRATA_BENCH_FILE": str(source)}
    env["STRATA_CHROMIUM"] = chromium
    ran = subprocess.run(
        ["node", str(WEB / "bench" / "transfer.mjs")], env=env, cwd=WEB, capture_output=True, text=True
    )
    if ran.returncode != 0:
        raise RuntimeError(f"the browser run failed: {ran.stdout[-2000:]} {ran.stderr[-2000:]}")
    found = json.loads(ran.stdout.strip().splitlines()[-1])
    if "checksum verified" not in found["verified"]:
        raise RuntimeError(f"the browser's download was not verified: {found['verified']}")
    return float(found["uploadSeconds"]), float(found["downloadSeconds"]), float(found["plainSeconds"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.web_transfer", description=__doc__)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    chromium = chromium_path()
    stack = Stack()
    started = stack.up()
    runs: dict[str, list[float]] = {
        "browser up": [],
        "browser down": [],
        "browser plain": [],
        "python up": [],
        "python down": [],
    }
    try:
        with tempfile.TemporaryDirectory() as scratch, serve_api(settings_for(bench_env(stack)), port=PORT) as url:
            source = Path(scratch) / "mosaic.bin"
            with source.open("wb") as out:
                for _ in range(args.size_mib):
                    out.write(os.urandom(MiB))
            token = dev_token("alice")
            for _ in range(args.repeat):  # interleaved, so both meet the same machine
                up, down, plain = _browser(url, token, source, chromium)
                runs["browser up"].append(up)
                runs["browser down"].append(down)
                runs["browser plain"].append(plain)
                up, down = asyncio.run(_python(url, token, source, Path(scratch) / "back.bin"))
                runs["python up"].append(up)
                runs["python down"].append(down)
    finally:
        stack.down(started)
    rate = {k: args.size_mib / statistics.median(v) for k, v in runs.items()}
    print(f"| {args.size_mib} MiB, median of {args.repeat} | browser MiB/s | Python client MiB/s | browser / client |")
    print("|---|---:|---:|---:|")
    rows = (
        ("upload", "up", "up"),
        ("download, checksum checked", "down", "down"),
        ("download, browser's own", "plain", "down"),
    )
    for name, browser, python in rows:
        ratio = rate[f"browser {browser}"] / rate[f"python {python}"]
        verdict = "meets" if ratio >= TARGET_RATIO else "below"
        print(
            f"| {name} | {rate[f'browser {browser}']:.1f} | {rate[f'python {python}']:.1f} | {ratio:.2f} "
            f"({verdict} {TARGET_RATIO}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
