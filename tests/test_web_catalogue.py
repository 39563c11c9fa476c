"""The web catalogue in a real Chromium (Debian's), against the real stack: Playwright Test runs
``web/tests/e2e`` once, on data this module seeds through the public API.

The catalogue's sign-in client has redirect URIs for fixed local ports only, so this API listens
on WEB_TEST_PORT. The build (``web/dist``) comes from ``make test``'s web step.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shlex
import shutil
import struct
import subprocess
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devservices.api import serve_api
from graphql_api.settings import Settings
from tests.fake_cads import FakeCads, Plan
from tests.fake_clms import FakeClms
from tests.graphql import GraphQLClient
from tests.helpers import create_folder, root_folder, upload_bytes

WEB = Path(__file__).resolve().parents[1] / "web"
WEB_TEST_PORT = 18700


def _png(width: int = 96, height: int = 64) -> bytes:
    """A real PNG (a thermal-looking gradient), so the preview shows a picture."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + b"".join(bytes((min(255, 60 + x * 2), (x * y) % 120, max(0, 200 - y * 3))) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PNG = _png()


@pytest.fixture(scope="module")
def web_url(settings: Settings) -> Iterator[str]:
    if not (WEB / "dist" / "index.html").is_file():
        pytest.fail("web/dist is not built: run `make web` (make test does) before this test")
    with serve_api(settings, port=WEB_TEST_PORT) as url:
        yield url


async def _seed(client: GraphQLClient, carol: GraphQLClient) -> dict[str, Any]:
    """Three levels of folders, an image with a place, a CSV, a 20 MiB file in four parts."""
    root = await root_folder(client, "athena-energy")
    top_name = f"catalogue-{uuid.uuid4().hex[:6]}"
    top = await create_folder(client, root, top_name)
    one = await create_folder(client, top, "level-1")
    two = await create_folder(client, one, "level-2")
    three = await create_folder(client, two, "level-3")
    europe = {"west": -10.0, "south": 35.0, "east": 30.0, "north": 60.0}
    image = await upload_bytes(
        client,
        three,
        f"thermal-{top_name}.png",
        PNG,
        contentType="image/png",
        metadata={"flight": "F-17", "altitudeMetres": 120},
        provenance={
            "sourceKind": "DRONE",
            "sensorId": "flir-vue-640",
            "platform": "DJI M300",
            "bbox": europe,
            "timeRange": {"start": "2026-06-01T10:00:00Z", "end": "2026-06-01T11:00:00Z"},
        },
    )
    csv = b"time,temperature_c\n2026-06-01T10:00:00Z,21.5\n2026-06-01T10:05:00Z,21.7\n"
    readings = await upload_bytes(client, three, f"readings-{top_name}.csv", csv, contentType="text/csv")
    andes = {"west": -75.0, "south": -35.0, "east": -65.0, "north": -15.0}
    await upload_bytes(
        client,
        three,
        f"andes-{top_name}.csv",
        b"a,b\n1,2\n",
        contentType="text/csv",
        provenance={"sourceKind": "SATELLITE", "bbox": andes},
    )
    big_bytes = os.urandom(20 * 1024 * 1024 + 12345)
    big = await upload_bytes(client, three, f"survey-{top_name}.bin", big_bytes, part_size=5 * 1024 * 1024)
    errands = await create_folder(client, one, "errands")
    lonely = await upload_bytes(client, errands, f"lonely-{top_name}.txt", b"left behind\n", contentType="text/plain")
    carol_root = await root_folder(carol, "reading-climate")
    return {
        "top": {"id": top, "name": top_name},
        "levels": [{"id": one, "name": "level-1"}, {"id": two, "name": "level-2"}, {"id": three, "name": "level-3"}],
        "image": {"id": image["id"], "name": image["name"], "sha256": hashlib.sha256(PNG).hexdigest()},
        "readings": {"id": readings["id"], "name": readings["name"]},
        "andes": {"name": f"andes-{top_name}.csv"},
        "big": {"id": big["id"], "name": big["name"], "sha256": hashlib.sha256(big_bytes).hexdigest()},
        "errands": {"id": errands, "name": "errands"},
        "lonely": {"id": lonely["id"], "name": lonely["name"]},
        "carolRoot": carol_root,
    }


@pytest.mark.timeout(1200)  # every Playwright test in one run: browsing, uploads, sharing, Copernicus
async def test_the_catalogue_in_chromium(
    web_url: str, as_user: Any, tmp_path: Path, fake_cads: FakeCads, fake_clms: FakeClms
) -> None:
    npx = shutil.which("npx")
    assert npx, "Node.js's npx is needed for the browser tests"
    installed = await asyncio.to_thread(
        subprocess.run, ["bash", str(WEB / "scripts" / "ensure-chromium.sh")], capture_output=True, text=True
    )
    assert installed.returncode == 0, installed.stderr
    chromium = installed.stdout.strip()
    seed = await _seed(as_user("alice"), as_user("carol"))
    # People exist from their first sign-in: bob, the admin the pages name as whom to ask, has one.
    await as_user("bob").data("{ me { id } }")
    # Copernicus jobs slow enough for each state to be seen in the page, and one that waits.
    live, slow = f"web-live-{uuid.uuid4().hex[:6]}", f"web-slow-{uuid.uuid4().hex[:6]}"
    fake_cads.plans[live] = Plan(
        queued_seconds=1.5, running_seconds=1.5, size=4 * 1024 * 1024, chunk_delay=0.02, hold_until_shown=True
    )
    fake_cads.plans[slow] = Plan(queued_seconds=600, size=10)
    seed["copernicus"] = {"live": live, "slow": slow, "clms": fake_clms.base}
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps(seed))
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{web_url}/web-config.json")).json()["clientId"] == "strata-web"
    env = {
        **os.environ,
        "STRATA_WEB_URL": web_url,
        "STRATA_SEED": str(seed_file),
        "STRATA_CHROMIUM": chromium,
        "CI": "1",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        # STRATA_PLAYWRIGHT_ARGS narrows a run while working on the catalogue (e.g. "share.spec.ts").
        [npx, "playwright", "test", "--reporter=line", *shlex.split(os.environ.get("STRATA_PLAYWRIGHT_ARGS", ""))],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        timeout=1100,
        stdin=subprocess.DEVNULL,
    )
    print(result.stdout[-20000:])
    print(result.stderr[-5000:])
    assert result.returncode == 0, "Playwright tests failed; see the output above and web/test-results/"
    passed = [line for line in result.stdout.splitlines() if " passed" in line]
    assert passed, "Playwright reported no passed tests"
