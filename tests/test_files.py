"""File operations, metadata and search, and sensor data pushed by a partner service."""

from __future__ import annotations

import json
import uuid
from typing import Any

from motor.motor_asyncio import AsyncIOMotorDatabase
from odmantic import AIOEngine

from graphql_api.settings import Settings
from graphql_api.types import ids
from storage import pages
from storage.models import File, Organisation
from storage.search import FileQuery, Scope, alternatives, file_filter
from storage.tally import tally
from tests.graphql import GraphQLClient
from tests.helpers import create_folder, root_folder, s3_client, sandbox, upload_bytes

RENAME = """
mutation($id: ID!, $name: String!) { renameFile(input: {id: $id, name: $name}) { file { name } userErrors { code } } }
"""
MOVE = """
mutation($id: ID!, $to: ID!) {
  moveFile(input: {id: $id, folderId: $to}) { file { folder { id } } userErrors { code } }
}
"""
DELETE = """
mutation($id: ID!) { deleteFile(input: {id: $id}) { file { status trashedAt trashedBy { name } } userErrors { code } } }
"""
RESTORE = """
mutation($id: ID!) {
  restoreFile(input: {id: $id}) { file { status trashedAt trashedBy { name } } userErrors { code } }
}
"""
PURGE = "mutation($id: ID!) { purgeFile(input: {id: $id}) { purgedFileId userErrors { code } } }"
PURGE_FOLDER = "mutation($id: ID!) { purgeFolder(input: {id: $id}) { purgedFolderId userErrors { code } } }"
DELETE_FOLDER = "mutation($id: ID!) { deleteFolder(input: {id: $id}) { userErrors { code } } }"
METADATA = """
mutation($input: UpdateFileMetadataInput!) {
  updateFileMetadata(input: $input) {
    file { metadata provenance { sourceKind sensorId location { longitude latitude } bbox { west south east north }
           timeRange { start end } } }
    userErrors { code message field }
  }
}
"""
SEARCH = """
query($filter: FileSearchInput, $first: Int = 50, $after: String) {
  searchFiles(filter: $filter, first: $first, after: $after) {
    edges { node { id name provenance { sensorId } owner { name isService } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
FILES = "query($id: ID!) { folder(id: $id) { files { edges { node { name status } } } } }"


def _codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]


async def _names(client: GraphQLClient, folder: str) -> list[str]:
    return [e["node"]["name"] for e in (await client.data(FILES, {"id": folder}))["folder"]["files"]["edges"]]


async def test_rename_move_and_name_clashes(as_user: Any) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    other = await create_folder(alice, top, "other")
    file = await upload_bytes(alice, top, "a.csv", b"1,2\n")
    await upload_bytes(alice, other, "b.csv", b"3,4\n")
    assert (await alice.data(RENAME, {"id": file["id"], "name": "readings.csv"}))["renameFile"]["file"]["name"] == (
        "readings.csv"
    )
    assert _codes((await alice.data(RENAME, {"id": file["id"], "name": "bad/name"}))["renameFile"]) == ["NAME_INVALID"]
    await alice.data(RENAME, {"id": file["id"], "name": "B.CSV"})
    assert _codes((await alice.data(MOVE, {"id": file["id"], "to": other}))["moveFile"]) == ["NAME_TAKEN"]
    await alice.data(RENAME, {"id": file["id"], "name": "c.csv"})
    moved = (await alice.data(MOVE, {"id": file["id"], "to": other}))["moveFile"]
    assert moved["file"]["folder"]["id"] == other
    assert await _names(alice, other) == ["b.csv", "c.csv"]
    assert await _names(alice, top) == []


async def test_trash_restore_and_purge_remove_the_bytes(
    as_user: Any, settings: Settings, mongo: AsyncIOMotorDatabase[Any]
) -> None:
    alice, bob = as_user("alice"), as_user("bob")
    top = await sandbox(alice)
    inner = await create_folder(alice, top, "inner")
    lone = await upload_bytes(alice, top, "lone.txt", b"lone")
    nested = await upload_bytes(alice, inner, "nested.txt", b"nested")
    keys = [d["blob_key"] async for d in mongo.files.find({"name": {"$in": ["lone.txt", "nested.txt"]}})]
    # trash and restore a file: the trash says who deleted it, until it is back
    name = (await alice.data("{ me { name } }"))["me"]["name"]
    deleted = (await alice.data(DELETE, {"id": lone["id"]}))["deleteFile"]["file"]
    assert (deleted["status"], deleted["trashedBy"]) == ("DELETED", {"name": name})
    assert await _names(alice, top) == []
    restored = (await alice.data(RESTORE, {"id": lone["id"]}))["restoreFile"]["file"]
    assert restored == {"status": "AVAILABLE", "trashedAt": None, "trashedBy": None}
    # trash the folder: its file goes with it, and comes back with it
    assert (await alice.data(DELETE_FOLDER, {"id": inner}))["deleteFolder"]["userErrors"] == []
    assert _codes((await alice.data(RESTORE, {"id": nested["id"]}))["restoreFile"]) == ["NOT_IN_TRASH"]
    # purge both for good
    await alice.data(DELETE, {"id": lone["id"]})
    assert (await bob.data(PURGE, {"id": lone["id"]}))["purgeFile"]["userErrors"] == []
    assert (await bob.data(PURGE_FOLDER, {"id": inner}))["purgeFolder"]["userErrors"] == []
    async with s3_client(settings) as s3:
        for key in keys:
            listed = await s3.list_objects_v2(Bucket=settings.s3_bucket, Prefix=key)
            assert listed.get("KeyCount", 0) == 0
    assert await mongo.files.count_documents({"blob_key": {"$in": keys}}) == 0


async def test_metadata_and_provenance_are_validated(as_user: Any) -> None:
    alice = as_user("alice")
    file = await upload_bytes(alice, await sandbox(alice), "scan.ifc", b"ISO-10303-21;")
    good = {
        "id": file["id"],
        "metadata": {"building": "Block C", "floors": [1, 2], "survey": {"by": "drone team"}},
        "provenance": {
            "sourceKind": "BIM",
            "location": {"longitude": -0.97, "latitude": 51.45},
            "bbox": {"west": -1.0, "south": 51.4, "east": -0.9, "north": 51.5},
            "timeRange": {"start": "2026-01-01T00:00:00Z", "end": "2026-01-31T00:00:00Z"},
        },
    }
    updated = (await alice.data(METADATA, {"input": good}))["updateFileMetadata"]
    assert updated["userErrors"] == []
    assert updated["file"]["metadata"]["survey"] == {"by": "drone team"}
    assert updated["file"]["provenance"]["bbox"] == {"west": -1.0, "south": 51.4, "east": -0.9, "north": 51.5}
    bad_inputs: list[dict[str, Any]] = [
        {"metadata": "not an object"},
        {"metadata": {"a.b": 1}},
        {"metadata": {"big": "x" * 20_000}},
        {"metadata": {"deep": json.loads('{"a":' * 12 + "1" + "}" * 12)}},
        {"provenance": {"bbox": {"west": 10, "south": 0, "east": 5, "north": 1}}},
        {"provenance": {"location": {"longitude": 0, "latitude": 95}}},
        {"provenance": {"timeRange": {"start": "2026-02-01T00:00:00Z", "end": "2026-01-01T00:00:00Z"}}},
        {"provenance": {"sensorId": ""}},
    ]
    for bad in bad_inputs:
        result = (await alice.data(METADATA, {"input": {"id": file["id"], **bad}}))["updateFileMetadata"]
        assert _codes(result) == ["METADATA_INVALID"], bad
    unchanged = (await alice.data(METADATA, {"input": {"id": file["id"]}}))["updateFileMetadata"]["file"]
    assert unchanged["metadata"] == good["metadata"]


async def test_service_pushes_sensor_exports_that_people_find(as_user: Any) -> None:
    service, alice, carol = as_user("service"), as_user("alice"), as_user("carol")
    # given: the partner service files IoT exports into athena-energy
    sensor = f"sensor-{uuid.uuid4().hex[:8]}"
    folder = await create_folder(service, await root_folder(service, "athena-energy"), f"iot-{sensor}")
    for day, (lon, lat) in enumerate([(-0.97, 51.45), (2.35, 48.85)], start=1):
        await upload_bytes(
            service,
            folder,
            f"{sensor}-day{day}.csv",
            f"time,temp\n2026-03-0{day}T00:00Z,21.{day}\n".encode(),
            contentType="text/csv",
            provenance={
                "sourceKind": "IOT",
                "sensorId": sensor,
                "location": {"longitude": lon, "latitude": lat},
                "bbox": {"west": lon, "south": lat, "east": lon, "north": lat},
                "timeRange": {"start": f"2026-03-0{day}T00:00:00Z", "end": f"2026-03-0{day}T23:59:59Z"},
            },
        )
    # when alice searches by sensor, place and time
    reading = {"west": -1.5, "south": 51.0, "east": -0.5, "north": 52.0}
    found = (
        await alice.data(
            SEARCH,
            {
                "filter": {
                    "sourceKind": "IOT",
                    "bbox": reading,
                    "timeRange": {"start": "2026-03-01T12:00:00Z", "end": "2026-03-01T13:00:00Z"},
                    "folderId": folder,
                }
            },
        )
    )["searchFiles"]["edges"]
    # then
    assert [e["node"]["name"] for e in found] == [f"{sensor}-day1.csv"]
    assert found[0]["node"]["owner"]["isService"] is True
    by_sensor = (await alice.data(SEARCH, {"filter": {"sensorId": sensor, "contentType": "text/"}}))["searchFiles"]
    assert len(by_sensor["edges"]) == 2
    by_name = (await alice.data(SEARCH, {"filter": {"name": "DAY2", "sourceKind": "IOT"}}))["searchFiles"]["edges"]
    assert f"{sensor}-day2.csv" in [e["node"]["name"] for e in by_name]
    # and another organisation finds nothing
    assert (await carol.data(SEARCH, {"filter": {"sensorId": sensor}}))["searchFiles"]["edges"] == []


async def test_search_pages(as_user: Any) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    for i in range(5):
        await upload_bytes(alice, folder, f"page-{i}.txt", b"x")
    first = (await alice.data(SEARCH, {"filter": {"folderId": folder}, "first": 3}))["searchFiles"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await alice.data(SEARCH, {"filter": {"folderId": folder}, "first": 3, "after": first["pageInfo"]["endCursor"]})
    )["searchFiles"]
    names = [e["node"]["name"] for e in first["edges"] + rest["edges"]]
    assert names == [f"page-{i}.txt" for i in range(5)]
    assert rest["pageInfo"]["hasNextPage"] is False


FACETS = """
query($filter: FileSearchInput) {
  searchFacets(filter: $filter) {
    count exact
    types { value count } sources { value count } years { value count }
    organizations { organization { id slug } count }
  }
}
"""


async def test_search_facets_count_what_the_search_finds(as_user: Any) -> None:
    # given a folder of sensor readings over two years, a report and a drone image
    alice = as_user("alice")
    folder = await sandbox(alice)
    sensor = f"facet-{uuid.uuid4().hex[:8]}"
    for year in (2025, 2026, 2026):
        await upload_bytes(
            alice,
            folder,
            f"{sensor}-{year}-{uuid.uuid4().hex[:4]}.csv",
            b"t,v\n",
            contentType="text/csv",
            provenance={
                "sourceKind": "IOT",
                "sensorId": sensor,
                "timeRange": {"start": f"{year}-01-01T00:00:00Z", "end": f"{year}-01-02T00:00:00Z"},
            },
        )
    await upload_bytes(alice, folder, "report.pdf", b"%PDF", contentType="application/pdf")
    await upload_bytes(alice, folder, "roof.tif", b"II*", contentType="image/tiff", provenance={"sourceKind": "DRONE"})
    # when alice asks for the facets of everything in the folder
    facets = (await alice.data(FACETS, {"filter": {"folderId": folder}}))["searchFacets"]
    # then each facet counts what searchFiles lists, most first
    assert (facets["count"], facets["exact"]) == (5, True)
    assert facets["types"] == [
        {"value": "text/csv", "count": 3},
        {"value": "application/pdf", "count": 1},
        {"value": "image/tiff", "count": 1},
    ]
    assert facets["sources"] == [{"value": "IOT", "count": 3}, {"value": "DRONE", "count": 1}]
    assert facets["years"] == [{"value": "2026", "count": 2}, {"value": "2025", "count": 1}]
    [holder] = facets["organizations"]
    assert (holder["organization"]["slug"], holder["count"]) == ("athena-energy", 5)
    listed = (await alice.data(SEARCH, {"filter": {"folderId": folder}}))["searchFiles"]["edges"]
    assert len(listed) == facets["count"]
    # and a facet's value narrows the search to its count
    narrowed = {"folderId": folder, "sourceKind": "IOT", "organizationId": holder["organization"]["id"]}
    assert (await alice.data(FACETS, {"filter": narrowed}))["searchFacets"]["count"] == 3
    assert len((await alice.data(SEARCH, {"filter": narrowed}))["searchFiles"]["edges"]) == 3
    # and another organisation's member counts nothing of it
    carol = as_user("carol")
    assert (await carol.data(FACETS, {"filter": {"sensorId": sensor}}))["searchFacets"]["count"] == 0


async def test_a_tally_past_its_bound_says_at_least(mongo: AsyncIOMotorDatabase[Any], as_user: Any) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    for i in range(3):
        await upload_bytes(alice, folder, f"bound-{i}.txt", b"x")
    engine = AIOEngine(client=mongo.client, database=mongo.name)
    athena = await engine.find_one(Organisation, Organisation.slug == "athena-energy")
    assert athena is not None
    query = FileQuery(scope=Scope((athena.id,), ()), folder_id=ids.decode(folder, "Folder")[1])
    assert (await tally(engine, query, bound=3)).exact is True
    capped = await tally(engine, query, bound=2)
    assert (capped.count, capped.exact) == (2, False)


async def test_a_search_past_its_bound_pages_through_what_it_found_once_each(
    mongo: AsyncIOMotorDatabase[Any], as_user: Any
) -> None:
    alice = as_user("alice")
    folder = await sandbox(alice)
    for i in range(5):
        await upload_bytes(alice, folder, f"found-{i}.txt", b"x")
    engine = AIOEngine(client=mongo.client, database=mongo.name)
    athena = await engine.find_one(Organisation, Organisation.slug == "athena-energy")
    assert athena is not None
    query = FileQuery(scope=Scope((athena.id,), ()), folder_id=ids.decode(folder, "Folder")[1])
    collection, criteria, either = engine.get_collection(File), file_filter(query), alternatives(query)
    seen: list[str] = []
    after = None
    while True:
        window = pages.Window("name_key", True, after, 2)
        page = await pages.read_found(collection, criteria, either, window, bound=4)
        if not page:
            break
        seen += [d["name"] for d in page]
        after = (page[-1]["name_key"], page[-1]["_id"])
    # four of the five were found, each listed once, in name order
    assert len(seen) == len(set(seen)) == 4
    assert seen == sorted(seen)
    whole = await pages.read_found(collection, criteria, either, pages.Window("name_key", True, None, 10), bound=10)
    assert [d["name"] for d in whole] == [f"found-{i}.txt" for i in range(5)]
