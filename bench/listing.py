"""A page of 100 files with owner and folder: latency and MongoDB commands, with and without dataloaders."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx

from client.api import StrataClient
from devservices.api import serve_api
from graphql_api.settings import Settings
from storage.command_counter import CommandCounter

FILES = 100
ROOT = "{ me { organizations { rootFolder { id } } } }"
MKDIR = "mutation($i: CreateFolderInput!) { createFolder(input: $i) { folder { id } userErrors { code message } } }"
CREATE = "mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { id } userErrors { code message } } }"
COMPLETE = (
    "mutation($i: CompleteUploadInput!) { completeUpload(input: $i) { file { id } userErrors { code message } } }"
)
LISTING = """
query($id: ID!) {
  folder(id: $id) {
    files(first: 100) { edges { node { id name size owner { id name } folder { id name } } } }
  }
}
"""


async def _fill(url: str, token: str) -> str:
    async with StrataClient(f"{url}/graphql", token) as strata:
        root = (await strata.query(ROOT))["me"]["organizations"][0]["rootFolder"]["id"]
        folder = await strata.mutate(
            MKDIR, "createFolder", {"i": {"parentId": root, "name": f"listing-{time.time_ns()}"}}
        )
        folder_id: str = folder["folder"]["id"]
        for i in range(FILES):
            upload = await strata.mutate(
                CREATE, "createUpload", {"i": {"folderId": folder_id, "name": f"f{i}", "size": 0}}
            )
            await strata.mutate(COMPLETE, "completeUpload", {"i": {"uploadId": upload["upload"]["id"], "parts": []}})
        return folder_id


async def _measure(
    settings: Settings, token: str, folder: str | None, batch: bool, repeat: int
) -> tuple[float, int, str]:
    counter = CommandCounter()
    with serve_api(settings, command_listeners=[counter], batch_loads=batch) as url:
        folder = folder or await _fill(url, token)
        latencies = []
        commands = 0
        async with httpx.AsyncClient(base_url=url, timeout=60) as http:
            headers = {"Authorization": f"Bearer {token}"}
            await http.post("/graphql", json={"query": LISTING, "variables": {"id": folder}}, headers=headers)
            for _ in range(max(repeat, 15)):
                counter.reset()
                begin = time.perf_counter()
                response = await http.post(
                    "/graphql", json={"query": LISTING, "variables": {"id": folder}}, headers=headers
                )
                latencies.append(time.perf_counter() - begin)
                body: dict[str, Any] = response.json()
                assert len(body["data"]["folder"]["files"]["edges"]) == FILES
                commands = counter.total
    return statistics.median(latencies), commands, folder


async def run(settings: Settings, token: str, repeat: int) -> list[str]:
    with_loaders, loader_commands, folder = await _measure(settings, token, None, True, repeat)
    without, plain_commands, _ = await _measure(settings, token, folder, False, repeat)
    return [
        f"## Folder listing: {FILES} files with owner and folder (p50 of {max(repeat, 15)})",
        "",
        "| loaders | p50 ms | MongoDB commands |",
        "|---|---:|---:|",
        f"| per-request dataloaders | {with_loaders * 1000:.1f} | {loader_commands} |",
        f"| disabled (one query per field) | {without * 1000:.1f} | {plain_commands} |",
        f"| ratio | {without / with_loaders:.1f}x faster | {plain_commands / max(loader_commands, 1):.0f}x fewer |",
        "",
    ]
