"""What a query costs the store, counted where it is spent: the rows PostgreSQL hands FerretDB.

FerretDB matches in Go whatever its store did not; every row it is handed is a document decoded
and tested. So a query whose rows grow with the whole collection, not with its answer, is the
defect the scale benchmark finds in milliseconds; here it is found in rows, which no machine's
load changes. One organisation holds a small tree, another 2,000 files in the same collections:
the small organisation's pages must not read the other's documents.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from bench import fill
from devservices.services import Stack
from graphql_api.settings import Settings
from storage import consistency, directory, guards, pages, search, shares, shelves, tree, upgrade
from storage.copernicus import jobs
from storage.models import (
    SEARCH_KEYS,
    CopernicusRequest,
    File,
    Folder,
    GranteeKind,
    Organisation,
    RequestStatus,
    ResourceKind,
    Share,
    ShareRole,
    ShareStatus,
    SourceKind,
    User,
)
from storage.mongo import Database
from storage.search import FileQuery, Scope

ELSEWHERE = 2000
HERE = 120


@dataclass
class Store:
    db: Database
    stack: Stack
    here: Organisation
    filled: fill.Filled
    person: User
    there: Organisation
    crowded: fill.Filled  # its stream folder holds ELSEWHERE / 2 files

    def rows(self) -> int:
        return self.stack.postgres.rows_read(self.db.name)


def _user(name: str) -> User:
    now = datetime.now(UTC)
    return User(id=ObjectId(), subject=f"cost-{name}", name=name, created_at=now, last_seen_at=now)


@pytest.fixture(scope="module")
async def store(stack: Stack, settings: Settings) -> AsyncIterator[Store]:
    db = Database.connect(settings.mongodb_url, f"{settings.mongodb_database}_cost", timeout_ms=30_000)
    await db.ensure_indexes()
    try:
        here = await directory.upsert_organisation(db.engine, "cost-here", "Cost here")
        there = await directory.upsert_organisation(db.engine, "cost-there", "Cost there")
        person, other = _user("here"), _user("there")
        for user in (person, other):
            await db.engine.get_collection(User).insert_one(user.model_dump_doc())
        filled = await fill.fill(db.engine, here, person, HERE)
        crowded = await fill.fill(db.engine, there, other, ELSEWHERE)
        now = datetime.now(UTC)
        # Many finished requests and shares among others; two shares to our person.
        requests = [_request(other, there, now) for _ in range(300)]
        await db.engine.get_collection(CopernicusRequest).insert_many([r.model_dump_doc() for r in requests])
        grants = [_share(there, ObjectId(), now) for _ in range(300)]
        grants += [_share(there, person.id, now), _share(there, person.id, now)]
        await db.engine.get_collection(Share).insert_many([g.model_dump_doc() for g in grants])
        yield Store(db, stack, here, filled, person, there, crowded)
    finally:
        await db.client.drop_database(db.name)
        db.close()


def _request(owner: User, organisation: Organisation, now: datetime) -> CopernicusRequest:
    return CopernicusRequest(
        id=ObjectId(),
        owner_id=owner.id,
        organisation_id=organisation.id,
        service="cds",
        dataset="reanalysis-era5-single-levels",
        request={},
        fingerprint=ObjectId().binary.hex(),
        status=RequestStatus.COMPLETED,
        next_poll_at=now,
        created_at=now,
        updated_at=now,
    )


def _share(organisation: Organisation, grantee: ObjectId, now: datetime) -> Share:
    return Share(
        id=ObjectId(),
        resource_kind=ResourceKind.FOLDER,
        resource_id=ObjectId(),
        organisation_id=organisation.id,
        grantee_kind=GranteeKind.USER,
        grantee_id=grantee,
        role=ShareRole.VIEWER,
        terms_hash="none",
        status=ShareStatus.ACTIVE,
        created_by=ObjectId(),
        created_at=now,
        updated_at=now,
    )


async def _rows_for(store: Store, query: object) -> int:
    before = store.rows()
    await query  # type: ignore[misc]
    return store.rows() - before


def _window(key: str = "name_key") -> pages.Window:
    return pages.Window(key, True, None, 101)


async def test_a_small_folder_reads_its_own_files(store: Store) -> None:
    # given: a folder of at most 200 files, 2,000 more files elsewhere in the collection
    small = await tree.files_in(store.db.engine, store.filled.small_folder_id, _window())
    # when
    rows = await _rows_for(store, tree.files_in(store.db.engine, store.filled.small_folder_id, _window("size")))
    # then: the folder's rows, and a few for the metadata of the collection
    assert 0 < len(small) <= rows <= len(small) + 5


async def test_the_trash_reads_the_organisations_trash(store: Store) -> None:
    trashed = await tree.trashed_files(store.db.engine, store.here.id, _window("trashed_at"))
    rows = await _rows_for(store, tree.trashed_files(store.db.engine, store.here.id, _window("trashed_at")))
    # the organisation's trashed files only: none of the 2,000 elsewhere
    assert rows <= HERE // 2
    assert len(trashed) <= rows


async def test_a_search_reads_one_organisations_files(store: Store) -> None:
    scope = Scope(organisation_ids=(store.here.id,), shared_ids=())
    rows = await _rows_for(store, tree.search(store.db.engine, FileQuery(scope=scope), _window()))
    assert rows <= HERE + 5


async def test_shares_to_a_person_read_their_shares(store: Store) -> None:
    now = datetime.now(UTC)
    query = shares.to_grantees(store.db.engine, [store.person.id], [ShareStatus.ACTIVE], now, _window("created_at"))
    rows = await _rows_for(store, query)
    assert 2 <= rows <= 5


async def test_the_workers_due_read_skips_finished_requests(store: Store) -> None:
    later = datetime.now(UTC) + timedelta(days=1)
    rows = await _rows_for(store, jobs.due(store.db.engine, later, 100))
    # 300 finished requests: none is handed over
    assert rows <= 5


async def test_the_count_sees_a_scan(store: Store) -> None:
    # A nested field is not handed to the store: every document of the collection is read.
    # This is what the bounds above would see if a page scanned, so they can fail.
    files = store.db.engine.get_collection(File)
    rows = await _rows_for(store, files.find({"provenance.source_kind": "NO-SUCH-KIND"}).to_list(length=None))
    assert rows >= HERE + ELSEWHERE


async def _walk(store: Store, folder_id: ObjectId, key: str, ascending: bool) -> tuple[list[ObjectId], int]:
    """Every live file of the folder, page by page of 100; and the most rows one of the first pages read."""
    seen: list[ObjectId] = []
    after = None
    most = 0
    counted = 0
    while True:
        window = pages.Window(key, ascending, after, 101)
        # Rows counted on the first pages only: each count is a psql run, and pages are alike.
        before = store.rows() if counted < 3 else None
        found = await tree.files_in(store.db.engine, folder_id, window)
        if before is not None:
            most = max(most, store.rows() - before)
            counted += 1
        seen += [f.id for f in found[:100]]
        if len(found) <= 100:
            return seen, most
        last = found[99]
        after = (getattr(last, key), last.id)


async def _expected(store: Store, folder_id: ObjectId, key: str, ascending: bool) -> list[ObjectId]:
    documents = await store.db.engine.get_collection(File).find({"folder_id": folder_id}).to_list(length=None)
    live = [d for d in documents if d.get("trash_root_id") is None]
    # BSON keeps times to the millisecond; the order is (value, id) either way.
    live.sort(key=lambda d: (d[key], d["_id"]), reverse=not ascending)
    return [d["_id"] for d in live]


@pytest.mark.parametrize("ascending", [True, False], ids=["ascending", "descending"])
async def test_a_crowded_folder_pages_through_every_order_a_shelf_at_a_time(store: Store, ascending: bool) -> None:
    folder_id = store.crowded.stream_folder_id
    for key in shelves.SORT_KEYS:
        # when
        seen, most = await _walk(store, folder_id, key, ascending)
        # then: every file once, in order; no page read more than itself and two shelves
        assert seen == await _expected(store, folder_id, key, ascending), key
        assert len(seen) == ELSEWHERE // 2
        assert most <= 101 + 2 * shelves.LIMIT + 10, key


async def test_renames_moves_and_edits_keep_every_order_true(store: Store) -> None:
    # given: files of the crowded folder renamed to sort first, edited, and moved out
    engine = store.db.engine
    folder_id = store.crowded.stream_folder_id
    documents = await engine.get_collection(File).find({"folder_id": folder_id}).to_list(length=None)
    target = await engine.find_one(Folder, {"_id": store.crowded.small_folder_id})
    assert target is not None
    async with guards.organisation(engine, store.there.id):
        for document in documents[:30]:
            name = f"aaa-renamed-{document['_id']}.csv"
            await tree.rename(engine, File, document["_id"], name, name)
        for document in documents[30:60]:
            await tree.update_file(engine, document["_id"], {"metadata": {"edited": True}})
        for document in documents[60:70]:
            moved = await engine.find_one(File, {"_id": document["_id"]})
            assert moved is not None
            await tree.move_file(engine, moved, target)
    # then: every order of both folders is still whole and in order, and fsck finds them shelved right
    for key in shelves.SORT_KEYS:
        for folder in (folder_id, target.id):
            assert (await _walk(store, folder, key, True))[0] == await _expected(store, folder, key, True), key
    report = await consistency.check(engine)
    assert report.misshelved == []
    assert report.clean, report.lines()


SEARCHES = {
    "a word": FileQuery(scope=Scope((), ()), name="thermal"),
    "a prefix": FileQuery(scope=Scope((), ()), name="flight-000"),
    "a type": FileQuery(scope=Scope((), ()), content_type="image/tiff"),
    "a source": FileQuery(scope=Scope((), ()), source_kind=SourceKind.BIM),
    "an area": FileQuery(scope=Scope((), ()), bbox=(5.0, 50.0, 5.5, 50.5)),
    "a day": FileQuery(
        scope=Scope((), ()), time_from=datetime(2025, 3, 1, tzinfo=UTC), time_to=datetime(2025, 3, 2, tzinfo=UTC)
    ),
}


@pytest.mark.parametrize("shape", list(SEARCHES))
async def test_a_search_reads_what_its_keys_find_not_the_organisation(store: Store, shape: str) -> None:
    # given: the crowded organisation's 2,000 files; a search that its keys narrow
    query = dataclasses.replace(SEARCHES[shape], scope=Scope((store.there.id,), ()))
    window = _window()
    # when
    found = await tree.search(store.db.engine, query, window)
    rows = await _rows_for(store, tree.search(store.db.engine, query, window))
    # then: what it found, and its keys' neighbours; never the whole organisation
    everything = await _plain_search(store, query)
    assert everything, "the filled data has files of this shape"
    assert [f.id for f in found] == everything[: window.limit]
    assert rows < ELSEWHERE // 2, (shape, rows, len(everything))


async def _plain_search(store: Store, query: FileQuery) -> list[ObjectId]:
    """The same search as one plain filter over the organisation: what the keys must not change."""
    criteria = {**search.file_filter(query), "organisation_id": store.there.id}
    for key in search.key_filter(query):
        criteria.pop(key, None)
    documents = await store.db.engine.get_collection(File).find(criteria).to_list(length=None)
    documents.sort(key=lambda d: (d["name_key"], d["_id"]))
    return [d["_id"] for d in documents]


async def test_files_an_older_version_wrote_get_shelves_and_search_keys_once(store: Store) -> None:
    # given: files of the small organisation as an older version wrote them, and a fresh store's marker gone
    engine = store.db.engine
    files = engine.get_collection(File)
    folder_id = store.filled.small_folder_id
    derived = {shelves.field(k): "" for k in shelves.SORT_KEYS} | {k: "" for k in SEARCH_KEYS}
    await files.update_many({"folder_id": folder_id}, {"$unset": derived})
    await engine.database[upgrade.DONE].delete_many({})
    # when
    given = await upgrade.run(engine)
    again = await upgrade.run(engine)
    # then: each was given both once; every order reads whole again; a name search finds them
    assert given >= 1
    assert again == 0
    for key in shelves.SORT_KEYS:
        assert (await _walk(store, folder_id, key, True))[0] == await _expected(store, folder_id, key, True), key
    some = await files.find_one({"folder_id": folder_id, "trash_root_id": None})
    assert some is not None
    query = FileQuery(scope=Scope((store.here.id,), ()), name=some["name"])
    assert some["_id"] in [f.id for f in await tree.search(engine, query, _window())]
    assert (await consistency.check(engine)).misshelved == []


async def test_a_days_search_reads_about_that_day_not_its_month(store: Store) -> None:
    # given: the crowded organisation's files, many with a time range inside March 2025
    scope = Scope((store.there.id,), ())
    day = FileQuery(scope=scope, time_from=datetime(2025, 3, 1, tzinfo=UTC), time_to=datetime(2025, 3, 2, tzinfo=UTC))
    month = dataclasses.replace(day, time_to=datetime(2025, 3, 31, tzinfo=UTC))
    # when
    day_rows = await _rows_for(store, tree.search(store.db.engine, day, _window()))
    month_rows = await _rows_for(store, tree.search(store.db.engine, month, _window()))
    # then: the day's search reads its matches and the files of its days (and the month-long ones)
    matches = await _plain_search(store, day)
    print(f"day: {len(matches)} found, {day_rows} rows; month: {month_rows} rows")
    assert matches
    assert day_rows <= 2 * len(matches) + 10
    assert day_rows < month_rows


async def test_people_and_folders_an_older_version_wrote_are_made_findable_once(store: Store) -> None:
    # given: a person without the keys that find them, a folder without its name keys, no markers
    engine = store.db.engine
    await engine.get_collection(User).update_one(
        {"_id": store.person.id},
        {
            "$set": {"memberships": [{"organisation_id": store.here.id, "role": "MEMBER"}]},
            "$unset": {"people_keys": ""},
        },
    )
    folder = await tree.get_folder(engine, store.filled.small_folder_id)
    assert folder is not None
    await engine.get_collection(Folder).update_one(
        {"_id": folder.id}, {"$unset": {"name_prefixes": "", "name_words": ""}}
    )
    await engine.database[upgrade.DONE].delete_many({})
    scope = Scope((store.here.id,), ())
    window = pages.Window("name_key", True, None, 10)
    assert folder.id not in [f.id for f in await tree.search_folders(engine, scope, folder.name, window)]
    # when
    await upgrade.run(engine)
    # then: the folder is found by its name, the person by the start of theirs
    assert folder.id in [f.id for f in await tree.search_folders(engine, scope, folder.name, window)]
    found = await directory.colleagues(engine, [store.here.id], "here", 5, but=ObjectId())
    assert [u.id for u in found] == [store.person.id]
