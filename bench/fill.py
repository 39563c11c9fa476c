"""Fill an organisation with files of a pilot's shape, straight through the storage layer.

The documents are the ones the API writes (the same models, the same derived keys), placed in a
tree that `strata fsck` finds clean: one sensor-stream folder holding half of the files, the
rest in folders of 10-500 files nested up to six deep, with Copernicus, sensor, drone and BIM
provenance, footprints and time ranges. A few of the files are in the trash, and the
organisation's usage grows by what was added. Each call adds to what an earlier call made: the
stream folder is found again by name, so growing a store step by step keeps its shape.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage import guards, search, shelves, tree
from storage.models import File, FileStatus, Folder, Organisation, Provenance, SourceKind, Upload, User, name_key

STREAM = "sensor-stream"
DEPTH = 6
BATCH = 1000
TRASHED_EVERY = 97  # about 1% of the small folders' files are in the trash
START = datetime(2025, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Filled:
    organisation_id: ObjectId
    stream_folder_id: ObjectId
    small_folder_id: ObjectId
    files: int
    owner_id: ObjectId


def _provenance(rng: random.Random, kind: SourceKind, when: datetime, sensor: str | None) -> Provenance:
    # Footprints over Europe, where the pilots are.
    west = rng.uniform(-10.0, 30.0)
    south = rng.uniform(35.0, 65.0)
    if kind is SourceKind.IOT:
        return Provenance(
            source_kind=kind,
            sensor_id=sensor,
            longitude=west,
            latitude=south,
            west=west,
            south=south,
            east=west,
            north=south,
            time_start=when,
            time_end=when + timedelta(hours=1),
        )
    span = {SourceKind.COPERNICUS: 5.0, SourceKind.SATELLITE: 1.0}.get(kind, 0.02)
    days = {SourceKind.COPERNICUS: 31, SourceKind.SATELLITE: 1}.get(kind, 0)
    return Provenance(
        source_kind=kind,
        platform={SourceKind.DRONE: "DJI M300", SourceKind.SATELLITE: "Sentinel-2"}.get(kind),
        west=west,
        south=south,
        east=west + span,
        north=south + span,
        time_start=when,
        time_end=when + timedelta(days=days, hours=1),
    )


KINDS = {
    SourceKind.COPERNICUS: ("era5-{v}-{t:%Y-%m}-{i:04d}.nc", "application/x-netcdf"),
    SourceKind.DRONE: ("flight-{i:05d}-thermal.tif", "image/tiff"),
    SourceKind.BIM: ("building-{i:05d}-level-{v}.ifc", "application/x-step"),
    SourceKind.SATELLITE: ("s2-l2a-{t:%Y%m%d}-{i:05d}.tif", "image/tiff"),
    SourceKind.OTHER: ("report-{i:05d}-{v}.pdf", "application/pdf"),
}
VARIABLES = ("temperature", "humidity", "wind", "radiation", "precipitation", "pressure")


def _file(
    organisation: Organisation,
    owner: User,
    folder: Folder,
    name: str,
    content_type: str,
    when: datetime,
    provenance: Provenance,
    rng: random.Random,
) -> dict[str, Any]:
    size = rng.randint(1_000, 200_000_000)
    part_size = 16 * 1024 * 1024
    document = File(
        id=ObjectId(),
        name=name,
        name_key=name_key(name),
        organisation_id=organisation.id,
        folder_id=folder.id,
        ancestors=[*folder.ancestors, folder.id],
        owner_id=owner.id,
        size=size,
        content_type=content_type,
        checksum=f"{rng.getrandbits(256):064x}",
        blob_key=uuid.uuid4().hex,
        status=FileStatus.AVAILABLE,
        upload=Upload(
            upload_id=None,
            part_size=part_size,
            part_count=max(1, -(-size // part_size)),
            started_at=when,
            last_activity=when,
        ),
        metadata={"project": rng.choice(("BUILDSPACE", "pilot-athens", "pilot-riga")), "note": "filled"},
        provenance=provenance,
        created_at=when,
        updated_at=when + timedelta(minutes=rng.randint(0, 600)),
    ).model_dump_doc()
    document.update(search.keys_of(document))
    return document


async def _stream_folder(engine: AIOEngine, organisation: Organisation, root: Folder) -> Folder:
    found = await engine.find_one(Folder, {"parent_id": root.id, "name_key": name_key(STREAM), "trash_root_id": None})
    if found is not None:
        return found
    stream = tree.child_folder(root, STREAM, None, START)
    await engine.get_collection(Folder).insert_one(stream.model_dump_doc())
    return stream


async def fill(engine: AIOEngine, organisation: Organisation, owner: User, count: int, seed: int = 7) -> Filled:
    """Add ``count`` files to ``organisation``, owned by ``owner``, inside its tree guard."""
    if organisation.root_folder_id is None:
        raise ValueError(f"{organisation.slug} has no root folder yet: sign in to it once first")
    rng = random.Random(f"{seed}:{organisation.id}:{count}")
    run = uuid.uuid4().hex[:6]
    async with guards.organisation(engine, organisation.id):
        root = await engine.find_one(Folder, {"_id": organisation.root_folder_id})
        assert root is not None
        stream = await _stream_folder(engine, organisation, root)
        files = engine.get_collection(File)
        folders = engine.get_collection(Folder)
        batch: list[dict[str, Any]] = []
        added = 0
        total_size = 0
        sensor = f"sensor-{organisation.slug}-01"

        async def flush() -> None:
            nonlocal batch, total_size
            if batch:
                by_folder: dict[ObjectId, list[dict[str, Any]]] = {}
                for document in batch:
                    by_folder.setdefault(document["folder_id"], []).append(document)
                for folder_id, documents in by_folder.items():
                    await shelves.label(engine, folder_id, documents)
                await files.insert_many(batch, ordered=False)
                total_size += sum(d["size"] for d in batch)
                batch = []

        # Half of them: one sensor recording hourly, named by its hour.
        streamed = count // 2
        existing = await files.count_documents({"folder_id": stream.id})
        for i in range(existing, existing + streamed):
            when = START + timedelta(hours=i)
            name = f"{sensor}-{when:%Y-%m-%dT%H}.csv"
            provenance = _provenance(rng, SourceKind.IOT, when, sensor)
            batch.append(_file(organisation, owner, stream, name, "text/csv", when, provenance, rng))
            if len(batch) >= BATCH:
                await flush()
        added += streamed
        # The rest: project folders of 10-500 files, nested up to six deep.
        chain = [root]
        small: Folder | None = None
        n = 0
        while added < count:
            depth = rng.randint(1, DEPTH)
            chain = chain[: min(len(chain), depth)]
            parent = chain[-1]
            folder = tree.child_folder(parent, f"project-{run}-{n:04d}", None, START + timedelta(days=n % 365))
            await folders.insert_one(folder.model_dump_doc())
            chain.append(folder)
            size = min(rng.randint(10, 500), count - added)
            small = small or (folder if 30 <= size <= 200 else None)
            kind = list(KINDS)[n % len(KINDS)]  # every kind, in turn
            pattern, content_type = KINDS[kind]
            for i in range(size):
                when = START + timedelta(hours=rng.randint(0, 24 * 365))
                name = pattern.format(i=i, t=when, v=VARIABLES[i % len(VARIABLES)])
                provenance = _provenance(rng, kind, when, None)
                document = _file(organisation, owner, folder, name, content_type, when, provenance, rng)
                if i % TRASHED_EVERY == TRASHED_EVERY - 1:
                    document.update(trashed_at=when, trash_root_id=document["_id"], trash_top=True)
                batch.append(document)
                if len(batch) >= BATCH:
                    await flush()
            added += size
            n += 1
        await flush()
        await engine.get_collection(Organisation).update_one(
            {"_id": organisation.id}, {"$inc": {"usage_bytes": total_size}}
        )
    return Filled(organisation.id, stream.id, (small or stream).id, added, owner.id)
