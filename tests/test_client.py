"""The Python client and the ``strata`` commands: parallel, resumable, verified transfers."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from client import transfer
from client.api import StrataClient, StrataError
from tests.helpers import MiB, sandbox

UPLOADED = "query($id: ID!) { node(id: $id) { ... on Upload { uploadedParts { partNumber } file { id } } } }"


@pytest.fixture(autouse=True)
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(transfer, "STATE_DIR", tmp_path / "state")
    return tmp_path / "state"


async def _cli(capsys: pytest.CaptureFixture[str], api_url: str, token: str, *args: str) -> str:
    code = await asyncio.to_thread(main, [args[0], "--api", f"{api_url}/graphql", "--token", token, *args[1:]])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


async def test_cli_mkdir_upload_ls_download_rm(
    as_user: Any, api_url: str, tokens: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = tokens("alice")
    top = await sandbox(as_user("alice"))
    folder = (await _cli(capsys, api_url, token, "mkdir", top, "drone-2026")).strip()
    source = tmp_path / "flight.tif"
    source.write_bytes(os.urandom(11 * MiB + 7))
    uploaded = await _cli(
        capsys, api_url, token, "upload", str(source), "--folder", folder, "--part-size-mib", "5", "--concurrency", "3"
    )
    file_id, size, name, checksum = uploaded.split()
    assert (int(size), name) == (source.stat().st_size, "flight.tif")
    assert checksum == transfer.file_checksum(source, 5 * MiB)
    listing = await _cli(capsys, api_url, token, "ls", folder)
    assert f"{file_id}  {size:>12}  flight.tif" in listing
    target = tmp_path / "copy.tif"
    await _cli(capsys, api_url, token, "download", file_id, str(target), "--part-size-mib", "2", "--quiet")
    assert target.read_bytes() == source.read_bytes()
    await _cli(capsys, api_url, token, "rm", file_id)
    assert "flight.tif" not in await _cli(capsys, api_url, token, "ls", folder)
    roots = await _cli(capsys, api_url, token, "ls")
    assert "athena-energy/" in roots


async def test_cli_reports_errors_plainly(api_url: str, tokens: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = await asyncio.to_thread(
        main, ["mkdir", "--api", f"{api_url}/graphql", "--token", tokens("carol"), "Rm9sZGVyOjY1", "x"]
    )
    assert code == 1
    assert "strata:" in capsys.readouterr().err


async def test_interrupted_upload_resumes_with_the_same_upload(
    as_user: Any, api_url: str, tokens: Any, tmp_path: Path
) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    source = tmp_path / "lidar.las"
    source.write_bytes(os.urandom(26 * MiB))
    async with StrataClient(f"{api_url}/graphql", tokens("alice")) as strata:
        # given: an upload stopped after some parts (as Ctrl-C does: the task is cancelled)
        task = asyncio.create_task(transfer.upload(strata, source, folder, part_size=5 * MiB, concurrency=1))
        state_file = transfer._upload_state(source, folder, 5 * MiB)
        held: list[Any] = []
        for _ in range(400):
            await asyncio.sleep(0.05)
            state_file.load()
            if upload_id := state_file.data.get("uploadId"):
                node = (await strata.query(UPLOADED, {"id": upload_id}))["node"]
                held = node["uploadedParts"] if node else []
                if held:
                    break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert 1 <= len(held) < 6
        interrupted_file = node["file"]["id"]
        # when run again
        file = await transfer.upload(strata, source, folder, part_size=5 * MiB, concurrency=4)
    # then: the same upload was completed, and the bytes are right
    assert file["id"] == interrupted_file
    assert file["checksum"] == transfer.file_checksum(source, 5 * MiB)
    assert not state_file.path.exists()


async def test_download_resumes_and_verifies(as_user: Any, api_url: str, tokens: Any, tmp_path: Path) -> None:
    source = tmp_path / "model.ifc"
    source.write_bytes(os.urandom(9 * MiB))
    async with StrataClient(f"{api_url}/graphql", tokens("alice")) as strata:
        file = await transfer.upload(strata, source, await sandbox(as_user("alice")))
        target = tmp_path / "out.ifc"
        partial = target.with_name("out.ifc.part")
        state = transfer.UploadState(target.with_name("out.ifc.strata-download.json"))
        # given: a download stopped after a few ranges
        task = asyncio.create_task(transfer.download(strata, file["id"], target, part_size=1 * MiB, concurrency=1))
        for _ in range(400):
            await asyncio.sleep(0.02)
            state.load()
            if len(state.data.get("done", [])) >= 2:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert partial.exists()
        assert not target.exists()
        # when resumed
        await transfer.download(strata, file["id"], target, part_size=1 * MiB)
        assert target.read_bytes() == source.read_bytes()
        # and a damaged partial download is caught by the checksum
        task = asyncio.create_task(
            transfer.download(strata, file["id"], tmp_path / "bad.ifc", part_size=1 * MiB, concurrency=1)
        )
        bad_state = transfer.UploadState(tmp_path / "bad.ifc.strata-download.json")
        for _ in range(400):
            await asyncio.sleep(0.02)
            bad_state.load()
            if len(bad_state.data.get("done", [])) >= 1:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        damaged = tmp_path / "bad.ifc.part"
        with damaged.open("r+b") as handle:
            handle.seek(bad_state.data["done"][0] * MiB - MiB)
            handle.write(b"\x00" * 16)
        with pytest.raises(StrataError) as error:
            await transfer.download(strata, file["id"], tmp_path / "bad.ifc", part_size=1 * MiB)
        assert error.value.codes == ["CHECKSUM_MISMATCH"]
        assert not (tmp_path / "bad.ifc").exists()
