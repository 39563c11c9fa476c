"""Whole directories both ways, as ``cp -r`` does: the directory itself arrives inside the target
with its tree kept, every byte under one progress bar. A file already there with the same content
is left alone, so running the same command again after a stop finishes the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO

from client import transfer
from client.api import StrataClient, StrataError
from client.terminal import PartOf, ProgressBar
from client.transfer import MiB

FILES_AT_ONCE = 4  # small files are latency-bound: several at once, each with its parts in parallel


class Tally:
    """How many files each way went, for the bar's label and the closing line."""

    def __init__(self, verb: str, name: str, files: int, progress: ProgressBar) -> None:
        self.verb, self.name, self.files, self.progress = verb, name, files, progress
        self.moved = self.unchanged = self.skipped = 0
        self.label()

    def label(self) -> None:
        finished = self.moved + self.unchanged + self.skipped
        self.progress.label = f"{self.verb} {self.name}/ ({finished} of {self.files} files)"

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.label()
        self.progress.advance(0)  # the count shows at once when it is the last

    def summary(self) -> str:
        words = [f"{self.moved} {self.verb}ed"]
        if self.unchanged:
            words.append(f"{self.unchanged} unchanged")
        if self.skipped:
            words.append(f"{self.skipped} skipped (name taken)")
        return f"{', '.join(words)}; {self.progress.total / MiB:.1f} MiB in all"


async def _each(items: list[Any], work: Callable[[Any], Awaitable[None]], describe: Callable[[Any], str]) -> None:
    """``work`` on every item, a few at once; the first failure names the file it hit."""
    limiter = asyncio.Semaphore(FILES_AT_ONCE)

    async def one(item: Any) -> None:
        async with limiter:
            try:
                await work(item)
            except StrataError as error:
                raise StrataError(f"{describe(item)}: {error}", error.codes) from None

    await asyncio.gather(*(one(item) for item in items))


async def upload_tree(
    client: StrataClient,
    out: TextIO,
    root: Path,
    folder_id: str,
    concurrency: int,
    part_size: int | None,
    quiet: bool,
    name: str | None,
    on_conflict: str,
) -> None:
    from client.commands import ensure_folder, upload_one

    # Symbolic links are not followed: a link out of the tree (or a loop) would upload what
    # the person did not point at.
    entries = sorted(p for p in root.rglob("*") if not p.is_symlink())
    directories = [p for p in entries if p.is_dir()]
    files = [p for p in entries if p.is_file()]
    progress = ProgressBar(sum(p.stat().st_size for p in files), "", enabled=not quiet)
    tally = Tally("upload", name or root.name, len(files), progress)
    top = await ensure_folder(client, folder_id, name or root.name)
    folders = {root: top}
    for directory in directories:  # sorted: a parent comes before what is in it
        folders[directory] = await ensure_folder(client, folders[directory.parent], directory.name)

    async def send(path: Path) -> None:
        _, outcome = await upload_one(
            client,
            path,
            folders[path.parent],
            path.name,
            on_conflict,
            concurrency=concurrency,
            part_size=part_size,
            progress=PartOf(progress),
        )
        if outcome != "moved":
            progress.already(path.stat().st_size)
        tally.count(outcome)

    try:
        await _each(files, send, lambda path: str(path.relative_to(root.parent)))
    finally:
        progress.finish()
    out.write(f"{top}  {name or root.name}/: {tally.summary()}\n")


FOLDER_NAME = "query($id: ID!) { node(id: $id) { ... on Folder { name } } }"


async def download_tree(
    client: StrataClient,
    out: TextIO,
    folder_id: str,
    destination: Path,
    concurrency: int,
    part_size: int,
    quiet: bool,
    force: bool,
) -> None:
    from client.paths import children

    found = (await client.query(FOLDER_NAME, {"id": folder_id}))["node"]
    if found is None:
        raise StrataError(f"folder not found: {folder_id}", ["NOT_FOUND"])
    # As cp -r: into an existing directory it arrives under its own name, else it takes the name given.
    base = destination / found["name"] if destination.is_dir() else destination
    if base.exists() and not base.is_dir():
        raise StrataError(f"{base} is a file; give a directory to download the folder into", ["EXISTS"])
    files: list[tuple[Path, dict[str, Any]]] = []
    directories = [Path()]
    waiting = [(Path(), folder_id)]
    while waiting:
        relative, current = waiting.pop()
        async for node in children(client, current, files=False):
            directories.append(relative / node["name"])
            waiting.append((relative / node["name"], node["id"]))
        async for node in children(client, current, files=True):
            if node["status"] == "AVAILABLE":
                files.append((relative / node["name"], node))
    for directory in directories:
        (base / directory).mkdir(parents=True, exist_ok=True)
    progress = ProgressBar(sum(int(node["size"]) for _, node in files), "", enabled=not quiet)
    tally = Tally("download", found["name"], len(files), progress)

    async def fetch(entry: tuple[Path, dict[str, Any]]) -> None:
        relative, node = entry
        target = base / relative
        if target.exists() and not force:
            local = await asyncio.to_thread(transfer.file_checksum, target, node["checksumPartSize"])
            if local != node["checksum"]:
                raise StrataError(f"{target} exists and differs; pass --force to replace it", ["EXISTS"])
            progress.already(int(node["size"]))
            tally.count("unchanged")
            return
        await transfer.download(
            client, node["id"], target, part_size=part_size, concurrency=concurrency, progress=PartOf(progress)
        )
        tally.count("moved")

    try:
        await _each(files, fetch, lambda entry: f"{found['name']}/{entry[0]}")
    finally:
        progress.finish()
    out.write(f"{base}: {tally.summary()}\n")
