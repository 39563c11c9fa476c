"""The ``strata`` command through its real entry point (a subprocess), against the real stack:
listings of every page, the trash, search, and one plain line and an exit code per failure class."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers import create_folder, sandbox, upload_bytes


async def _strata(
    api_url: str, token: str | None, *args: str, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("STRATA_TOKEN", "STRATA_API_URL")}
    env["STRATA_API_URL"] = f"{api_url}/graphql"
    env["STRATA_CONFIG_DIR"] = str(config or Path("/nonexistent-strata-config"))
    if token:
        env["STRATA_TOKEN"] = token
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _plain(result: subprocess.CompletedProcess[str], code: int) -> str:
    """A failure is one line on stderr starting with strata:, never a traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("strata: "), lines
    return lines[0]


async def test_ls_lists_every_page_and_speaks_json(as_user: Any, api_url: str, tokens: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    for n in range(103):
        await create_folder(alice, top, f"plot-{n:03}")
    await upload_bytes(alice, top, "readme.txt", b"hello\n")
    listed = await _strata(api_url, tokens("alice"), "ls", top, "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["name"] for r in rows if r["kind"] == "folder"] == [f"plot-{n:03}" for n in range(103)]
    assert [r["name"] for r in rows if r["kind"] == "file"] == ["readme.txt"]
    # a file where a folder is wanted is said plainly
    file_id = next(r["id"] for r in rows if r["kind"] == "file")
    assert "is not a folder" in _plain(await _strata(api_url, tokens("alice"), "ls", file_id), 1)


async def test_rm_trash_restore_and_search(as_user: Any, api_url: str, tokens: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    made = await upload_bytes(
        alice,
        top,
        "roof-thermal.png",
        b"\x89PNG....",
        contentType="image/png",
        provenance={"sourceKind": "DRONE", "bbox": {"west": 2, "south": 48, "east": 3, "north": 49}},
    )
    token = tokens("alice")
    assert (await _strata(api_url, token, "rm", made["id"])).returncode == 0
    trashed = await _strata(api_url, token, "trash", "ls", "--json")
    assert trashed.returncode == 0, trashed.stderr
    assert made["id"] in [json.loads(line)["id"] for line in trashed.stdout.splitlines()]
    restored = await _strata(api_url, token, "restore", made["id"])
    assert restored.returncode == 0, restored.stderr
    assert made["id"] not in (await _strata(api_url, token, "trash", "ls")).stdout
    # search with the API's filters
    found = await _strata(
        api_url, token, "search", "ROOF-THERMAL", "--source", "DRONE", "--bbox", "0,45,5,50", "--json"
    )
    assert found.returncode == 0, found.stderr
    assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [made["id"]]
    elsewhere = await _strata(api_url, token, "search", "roof-thermal", "--bbox", "-80,-40,-70,-30")
    assert elsewhere.stdout == ""
    assert "--bbox takes west,south,east,north" in _plain(await _strata(api_url, token, "search", "--bbox", "1,2"), 2)


async def test_each_failure_class_is_one_line_and_its_exit_code(api_url: str, tokens: Any, tmp_path: Path) -> None:
    token = tokens("alice")
    # not signed in: the API refuses (1)
    assert "UNAUTHENTICATED" in _plain(await _strata(api_url, None, "ls"), 1)
    # usage: a missing or malformed request file (2)
    missing = await _strata(api_url, token, "copernicus", "request", "CDS", "x", "--request", str(tmp_path / "no.json"))
    assert "cannot read the request file" in _plain(missing, 2)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert "is not JSON" in _plain(
        await _strata(api_url, token, "copernicus", "request", "CDS", "x", "--request", str(bad)), 2
    )
    # a broken stored sign-in (3)
    config = tmp_path / "config"
    config.mkdir()
    (config / "credentials.json").write_text("[]")
    assert "strata login" in _plain(await _strata(api_url, None, "ls", config=config), 3)
    # the network: nothing listens there (4)
    down = await _strata("http://127.0.0.1:9", token, "ls")
    assert "cannot reach Strata" in _plain(down, 4)
    version = await _strata(api_url, None, "--version")
    assert version.stdout.startswith("strata ")
