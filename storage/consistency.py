"""The consistency check behind ``strata fsck``: tree shape, usage, and bucket against documents.

Reports (and with ``repair`` mends) what concurrent writes or a crash can leave behind:
- a folder or file whose parent is missing, or whose ancestors disagree with its parent's,
  or that sits in a cycle (its parent chain never reaches the root): reattached under a
  ``Recovered`` folder in its organisation's root;
- a live item beneath a trashed folder: put in the trash with that folder;
- an organisation whose ``usage_bytes`` is not the sum of its files' sizes: set to that sum;
- a file on another shelf than its folder's ladder gives it (``storage/shelves.py``): relabelled;
- an object in the bucket that no File names, older than ``grace`` (a newer one may belong to
  an upload being created this moment): removed.

Each organisation is checked and mended inside its tree guard, so nothing moves under it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage import guards, shelves, tree
from storage.blobs import BlobStore
from storage.models import File, Folder, Organisation, name_key

RECOVERED = "Recovered"


@dataclass
class Report:
    orphans: list[str] = field(default_factory=list)
    cycles: list[str] = field(default_factory=list)
    wrong_ancestors: list[str] = field(default_factory=list)
    live_under_trash: list[str] = field(default_factory=list)
    usage_drift: dict[str, tuple[int, int]] = field(default_factory=dict)  # slug -> (recorded, actual)
    misshelved: list[str] = field(default_factory=list)
    stray_objects: list[str] = field(default_factory=list)
    repaired: bool = False

    @property
    def clean(self) -> bool:
        return not (
            self.orphans
            or self.cycles
            or self.wrong_ancestors
            or self.live_under_trash
            or self.usage_drift
            or self.misshelved
            or self.stray_objects
        )

    def lines(self) -> list[str]:
        out = [f"orphan: {i}" for i in self.orphans]
        out += [f"cycle: {i}" for i in self.cycles]
        out += [f"ancestors wrong: {i}" for i in self.wrong_ancestors]
        out += [f"live beneath the trash: {i}" for i in self.live_under_trash]
        out += [f"usage of {s}: recorded {r}, stored {a}" for s, (r, a) in self.usage_drift.items()]
        out += [f"on the wrong shelf of its folder: {i}" for i in self.misshelved]
        out += [f"object no file names: {k}" for k in self.stray_objects]
        return out


async def check(
    engine: AIOEngine, blobs: BlobStore | None = None, *, repair: bool = False, grace: timedelta = timedelta(hours=1)
) -> Report:
    report = Report(repaired=repair)
    blob_keys: set[str] = set()
    for organisation in await engine.find(Organisation, {}):
        async with guards.organisation(engine, organisation.id):
            blob_keys |= await _check_organisation(engine, organisation, report, repair)
    if blobs is not None:
        cutoff = datetime.now(UTC) - grace
        # Read the files again: an upload created after its organisation was checked names its blob too.
        blob_keys |= {d["blob_key"] async for d in engine.get_collection(File).find({}, {"blob_key": 1})}
        stray = [key async for key, modified in blobs.objects() if key not in blob_keys and modified < cutoff]
        report.stray_objects += stray
        if repair and stray:
            await blobs.delete_many(stray)
    return report


async def _check_organisation(engine: AIOEngine, organisation: Organisation, report: Report, repair: bool) -> set[str]:
    folders = {f.id: f for f in await engine.find(Folder, {"organisation_id": organisation.id})}
    files = list(await engine.find(File, {"organisation_id": organisation.id}))
    broken: list[Folder | File] = []
    for folder in folders.values():
        if folder.parent_id is None:
            continue
        parent = folders.get(folder.parent_id)
        if parent is None:
            report.orphans.append(f"folder {folder.id} {folder.name!r}")
            broken.append(folder)
        elif not _reaches_root(folder, folders):
            report.cycles.append(f"folder {folder.id} {folder.name!r}")
            broken.append(folder)
        elif set(folder.ancestors) != {*parent.ancestors, parent.id}:
            report.wrong_ancestors.append(f"folder {folder.id} {folder.name!r}")
    for file in files:
        parent = folders.get(file.folder_id)
        if parent is None:
            report.orphans.append(f"file {file.id} {file.name!r}")
            broken.append(file)
        elif set(file.ancestors) != {*parent.ancestors, parent.id}:
            report.wrong_ancestors.append(f"file {file.id} {file.name!r}")
    if repair and broken:
        await _reattach(engine, organisation, broken, folders)
    if repair and (broken or report.wrong_ancestors):
        await _rebuild_ancestors(engine, organisation)
        folders = {f.id: f for f in await engine.find(Folder, {"organisation_id": organisation.id})}
        files = list(await engine.find(File, {"organisation_id": organisation.id}))
    items: list[Folder | File] = [*folders.values(), *files]
    for item in items:
        if item.trash_root_id is not None:
            continue
        trashed = next((folders[a] for a in item.ancestors if a in folders and folders[a].trash_root_id), None)
        if trashed is not None:
            report.live_under_trash.append(f"{type(item).__name__.lower()} {item.id} {item.name!r}")
            if repair:
                await _trash_with(engine, item, trashed)
    await _check_shelves(engine, files, report, repair)
    stored = sum(f.size for f in files)
    if stored != organisation.usage_bytes:
        report.usage_drift[organisation.slug] = (organisation.usage_bytes, stored)
        if repair:
            await engine.get_collection(Organisation).update_one(
                {"_id": organisation.id}, {"$set": {"usage_bytes": stored}}
            )
    return {f.blob_key for f in files}


async def _check_shelves(engine: AIOEngine, files: Sequence[File], report: Report, repair: bool) -> None:
    by_folder: dict[ObjectId, list[dict[str, Any]]] = {}
    for file in files:
        by_folder.setdefault(file.folder_id, []).append(file.model_dump_doc())
    for folder_id, documents in by_folder.items():
        wrong = set(await shelves.misplaced(engine, folder_id, documents))
        report.misshelved += [f"file {d['_id']} {d['name']!r}" for d in documents if d["_id"] in wrong]
        if repair and wrong:
            await shelves.reshelve(engine, folder_id, [d for d in documents if d["_id"] in wrong])


def _reaches_root(folder: Folder, folders: dict[ObjectId, Folder]) -> bool:
    seen: set[ObjectId] = set()
    current: Folder | None = folder
    while current is not None and current.parent_id is not None:
        if current.id in seen:
            return False
        seen.add(current.id)
        current = folders.get(current.parent_id)
    return current is not None


async def _reattach(
    engine: AIOEngine, organisation: Organisation, broken: Sequence[Folder | File], folders: dict[ObjectId, Folder]
) -> None:
    """Hang every broken item (and so its subtree) under ``Recovered`` in the root, ancestors rebuilt."""
    assert organisation.root_folder_id is not None
    root = folders[organisation.root_folder_id]
    recovered = next(
        (f for f in folders.values() if f.parent_id == root.id and f.name_key == name_key(RECOVERED)), None
    )
    if recovered is None:
        recovered = await tree.insert_folder(engine, tree.child_folder(root, RECOVERED, None))
        folders[recovered.id] = recovered
    for item in broken:
        suffix = f" ({item.id})"
        changes: dict[str, Any] = {"name": item.name[: 255 - len(suffix)] + suffix}
        changes["name_key"] = name_key(changes["name"])
        if isinstance(item, Folder):
            changes |= {"parent_id": recovered.id}
            await engine.get_collection(Folder).update_one({"_id": item.id}, {"$set": changes})
        else:
            changes |= {"folder_id": recovered.id}
            await tree.set_file(engine, item.id, changes)


async def _rebuild_ancestors(engine: AIOEngine, organisation: Organisation) -> None:
    """Every folder's and file's ancestors from its parent chain, written where they differ."""
    folders = {f.id: f for f in await engine.find(Folder, {"organisation_id": organisation.id})}
    chains: dict[ObjectId, list[ObjectId]] = {}

    def chain(folder_id: ObjectId) -> list[ObjectId]:
        if folder_id not in chains:
            folder = folders[folder_id]
            chains[folder_id] = [] if folder.parent_id is None else [*chain(folder.parent_id), folder.parent_id]
        return chains[folder_id]

    for folder in folders.values():
        if set(chain(folder.id)) != set(folder.ancestors):
            await engine.get_collection(Folder).update_one(
                {"_id": folder.id}, {"$set": {"ancestors": chain(folder.id)}}
            )
    for file in await engine.find(File, {"organisation_id": organisation.id}):
        wanted = [*chain(file.folder_id), file.folder_id]
        if set(wanted) != set(file.ancestors):
            await engine.get_collection(File).update_one({"_id": file.id}, {"$set": {"ancestors": wanted}})


async def _trash_with(engine: AIOEngine, item: Folder | File, trashed: Folder) -> None:
    changes: dict[str, Any] = {"trash_root_id": trashed.trash_root_id, "trashed_at": trashed.trashed_at}
    if isinstance(item, File):
        if item.status == "AVAILABLE":
            changes["status"] = "DELETED"
        await engine.get_collection(File).update_one({"_id": item.id}, {"$set": changes})
    else:
        await engine.get_collection(Folder).update_one({"_id": item.id}, {"$set": changes})
