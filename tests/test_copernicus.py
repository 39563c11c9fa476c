"""Copernicus data through Strata: request, follow, land as a File; failures, cancel, dedupe, subscriptions."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from websockets.asyncio.client import connect

from graphql_api.settings import Settings
from tests.fake_cads import FakeCads, Plan, payload_bytes
from tests.graphql import GraphQLClient, error_codes
from tests.helpers import download_bytes, eventually, object_id, sandbox, upload_exists

REQUEST = """
mutation($input: RequestCopernicusDataInput!) {
  requestCopernicusData(input: $input) { copernicusRequest { id status } userErrors { code message field } }
}
"""
STATUS = """
query($id: ID!) {
  copernicusRequest(id: $id) {
    id status upstreamStatus upstreamJobId attempts
    progress { bytes total }
    error { code message }
    history { seq status upstreamStatus progress { bytes total } }
    resultFile { id name size status folder { name } provenance { sourceKind }
                 download(partSize: 4194304) { url parts { partNumber rangeStart rangeEnd } } }
  }
}
"""
CANCEL = """
mutation($id: ID!) { cancelCopernicusRequest(input: {id: $id}) { copernicusRequest { status } userErrors { code } } }
"""
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED"}


async def _request(client: GraphQLClient, dataset: str, request: dict[str, Any], **extra: Any) -> str:
    result = (
        await client.data(REQUEST, {"input": {"service": "CDS", "dataset": dataset, "request": request, **extra}})
    )["requestCopernicusData"]
    assert result["userErrors"] == [], result
    return str(result["copernicusRequest"]["id"])


async def _until(client: GraphQLClient, request_id: str, statuses: set[str], within: float = 30) -> dict[str, Any]:
    return await _until_seen(client, request_id, lambda found: found["status"] in statuses, within)


async def _until_seen(
    client: GraphQLClient, request_id: str, seen: Callable[[dict[str, Any]], bool], within: float = 30
) -> dict[str, Any]:
    async def status() -> dict[str, Any]:
        found: dict[str, Any] = (await client.data(STATUS, {"id": request_id}))["copernicusRequest"]
        return found

    return await eventually(status, seen, within)


def _dataset(name: str) -> str:
    return f"{name}-{time.time_ns() % 10**9}"


async def test_life_cycle_ends_in_a_file(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("reanalysis-era5-land")
    # Each state lasts until a poll has shown it, so the history shows each one however loaded the machine.
    fake_cads.plans[dataset] = Plan(
        queued_seconds=0.3, running_seconds=0.3, size=12 * 1024 * 1024 + 5, hold_until_shown=True
    )
    request_id = await _request(alice, dataset, {"variable": ["2t"], "year": "2025"})
    done = await _until(alice, request_id, TERMINAL)
    assert done["status"] == "COMPLETED", done
    statuses = [h["status"] for h in done["history"]]
    assert statuses[0] == "PENDING"
    assert "QUEUED" in statuses
    assert "RUNNING" in statuses
    assert statuses[-1] == "COMPLETED"
    assert [h["seq"] for h in done["history"]] == list(range(1, len(statuses) + 1))
    steps = [h["progress"]["bytes"] for h in done["history"] if h["progress"]]
    assert steps == sorted(steps)
    assert steps[-1] == 12 * 1024 * 1024 + 5
    file = done["resultFile"]
    assert file["status"] == "AVAILABLE"
    assert file["folder"]["name"] == "Copernicus"
    assert file["provenance"]["sourceKind"] == "COPERNICUS"
    expected = b"".join(payload_bytes(done["upstreamJobId"], 12 * 1024 * 1024 + 5))
    assert await download_bytes(file["download"]["url"], file["download"]["parts"]) == expected


async def test_polling_goes_on_when_the_clock_steps_back(as_user: Any, fake_cads: FakeCads, clock: Any) -> None:
    # Wall clocks jump (NTP, tests): a listing stamped two hours ahead must not park later jobs for two hours.
    alice = as_user("alice")
    clock.advance(timedelta(hours=2))
    ahead = _dataset("ahead")
    fake_cads.plans[ahead] = Plan(queued_seconds=0.3, size=10)
    assert (await _until(alice, await _request(alice, ahead, {"x": 1}), TERMINAL))["status"] == "COMPLETED"
    clock.offset = timedelta()
    behind = _dataset("behind")
    fake_cads.plans[behind] = Plan(queued_seconds=0.3, size=10)
    done = await _until(alice, await _request(alice, behind, {"x": 1}), TERMINAL)
    assert done["status"] == "COMPLETED", done


async def test_identical_request_reuses_the_result_or_joins_the_job(as_user: Any, fake_cads: FakeCads) -> None:
    alice, bob, carol = as_user("alice"), as_user("bob"), as_user("carol")
    dataset = _dataset("cams-europe")
    fake_cads.plans[dataset] = Plan(queued_seconds=0.5, size=100)
    first = await _request(alice, dataset, {"a": 1, "b": [1, 2]})
    joined = await _request(alice, dataset, {"b": [1, 2], "a": 1})
    assert joined == first
    # Another person, even of the same organisation, never gets alice's request back.
    bobs = await _request(bob, dataset, {"b": [1, 2], "a": 1})
    assert bobs != first
    await _until(alice, first, TERMINAL)
    assert await _request(alice, dataset, {"a": 1, "b": [1, 2]}) == first
    theirs = await _request(carol, dataset, {"a": 1, "b": [1, 2]})
    assert theirs not in (first, bobs)
    await _until(carol, theirs, TERMINAL)
    await _until(bob, bobs, TERMINAL)
    submissions = [j for j in fake_cads.jobs.values() if j.dataset == dataset]
    assert len(submissions) == 3


async def test_identical_requests_at_the_same_moment_become_one(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("twins")
    fake_cads.plans[dataset] = Plan(outcome="failed")
    ids = await asyncio.gather(*(_request(alice, dataset, {"t": 1}) for _ in range(8)))
    assert len(set(ids)) == 1
    await _until(alice, ids[0], TERMINAL)
    # A failed request does not stand for its fingerprint: asking again starts afresh.
    fake_cads.plans[dataset] = Plan(size=10)
    again = await _request(alice, dataset, {"t": 1})
    assert again != ids[0]
    assert (await _until(alice, again, TERMINAL))["status"] == "COMPLETED"
    assert len([j for j in fake_cads.jobs.values() if j.dataset == dataset]) == 2


JOINED = """mutation($input: RequestCopernicusDataInput!) {
  requestCopernicusData(input: $input) { copernicusRequest { id } joinedEarlier userErrors { code } }
}"""


async def test_a_request_asked_again_in_flight_says_it_joined_the_first(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("joined")
    fake_cads.plans[dataset] = Plan(queued_seconds=60, size=10)
    asked = {"input": {"service": "CDS", "dataset": dataset, "request": {"area": [60, -10, 35, 30]}}}
    first = (await alice.data(JOINED, asked))["requestCopernicusData"]
    again = (await alice.data(JOINED, asked))["requestCopernicusData"]
    assert (first["joinedEarlier"], again["joinedEarlier"]) == (False, True)
    assert again["copernicusRequest"]["id"] == first["copernicusRequest"]["id"]
    cancel = "mutation($id: ID!) { cancelCopernicusRequest(input: {id: $id}) { userErrors { code } } }"
    assert (await alice.data(cancel, {"id": first["copernicusRequest"]["id"]}))["cancelCopernicusRequest"][
        "userErrors"
    ] == []


@pytest.mark.parametrize(
    ("plan", "licences", "code"),
    [
        (Plan(outcome="failed"), True, "UPSTREAM_FAILED"),
        (Plan(outcome="rejected"), True, "UPSTREAM_FAILED"),
        (Plan(licence_required=True), False, "LICENCE_NOT_ACCEPTED"),
        (Plan(results_expired=True), True, "RESULTS_EXPIRED"),
    ],
)
async def test_failures_end_with_a_clear_error(
    as_user: Any, fake_cads: FakeCads, plan: Plan, licences: bool, code: str
) -> None:
    alice = as_user("alice")
    dataset = _dataset("failing")
    fake_cads.plans[dataset] = plan
    fake_cads.accepted_licences = licences
    try:
        done = await _until(alice, await _request(alice, dataset, {"x": 1}), TERMINAL)
    finally:
        fake_cads.accepted_licences = True
    assert done["status"] == "FAILED"
    assert done["error"]["code"] == code
    assert done["resultFile"] is None


async def test_rate_limits_are_waited_out(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("busy")
    fake_cads.plans[dataset] = Plan(size=10)
    fake_cads.rate_limit_every = 3
    try:
        done = await _until(alice, await _request(alice, dataset, {"x": 1}), TERMINAL, within=60)
    finally:
        fake_cads.rate_limit_every = 0
    assert done["status"] == "COMPLETED", done


@pytest.mark.parametrize("when", ["PENDING", "QUEUED", "RUNNING", "DOWNLOADING"])
async def test_cancel(as_user: Any, fake_cads: FakeCads, mongo: Any, settings: Settings, when: str) -> None:
    """Acted on at the worker's next tick in every state: a job sitting out a 10-minute
    Retry-After, and a download half way (its multipart upload aborted, no File)."""
    alice, carol = as_user("alice"), as_user("carol")
    dataset = _dataset("slow")
    fake_cads.plans[dataset] = {
        "PENDING": Plan(busy_for=600),
        "QUEUED": Plan(queued_seconds=30),
        "RUNNING": Plan(queued_seconds=0.1, running_seconds=30),
        "DOWNLOADING": Plan(queued_seconds=0.1, running_seconds=0.1, size=32 * 1024 * 1024, chunk_delay=0.05),
    }[when]
    request_id = await _request(alice, dataset, {"x": 1})
    found = await _until(alice, request_id, {when})
    if when == "PENDING":  # told by the upstream to come back in ten minutes
        found = await _until_seen(alice, request_id, lambda f: f["attempts"] > 0)
    elif when == "DOWNLOADING":  # half way
        found = await _until_seen(alice, request_id, lambda f: bool((f["progress"] or {}).get("bytes")))
    assert found["status"] == when, found
    transfer = (await mongo.copernicus_requests.find_one({"_id": object_id(request_id)}))["transfer"]
    assert [
        e["code"] for e in (await carol.data(CANCEL, {"id": request_id}))["cancelCopernicusRequest"]["userErrors"]
    ] == ["NOT_FOUND"]
    assert (await alice.data(CANCEL, {"id": request_id}))["cancelCopernicusRequest"]["userErrors"] == []
    done = await _until(alice, request_id, TERMINAL, within=20)
    assert done["status"] == "CANCELLED", done
    assert done["resultFile"] is None
    assert done["history"][-1]["status"] == "CANCELLED"
    upstream = [j for j in fake_cads.jobs.values() if j.dataset == dataset]
    if when == "PENDING":
        assert upstream == []  # never submitted
    elif when in ("QUEUED", "RUNNING"):
        assert [j.dismissed for j in upstream] == [True]
    else:
        assert transfer.get("upload_id"), found
        assert not await upload_exists(settings, transfer["blob_key"], transfer["upload_id"])
        assert await mongo.files.count_documents({"metadata.copernicus.dataset": dataset}) == 0
    # The cancel document goes with the worker's tick after the ending; on a loaded machine that
    # tick may come just after the answer above.
    await eventually(
        lambda: mongo.copernicus_cancels.count_documents({"_id": object_id(request_id)}), lambda n: n == 0, 10
    )
    again = (await alice.data(CANCEL, {"id": request_id}))["cancelCopernicusRequest"]
    assert [e["code"] for e in again["userErrors"]] == ["ALREADY_ENDED"]


async def test_bad_requests(as_user: Any) -> None:
    alice, dave = as_user("alice"), as_user("dave")
    cases = [
        ({"service": "NOPE", "dataset": "d", "request": {}}, "UNKNOWN_SERVICE"),
        ({"service": "ADS", "dataset": "d", "request": {}}, "SERVICE_NOT_ENABLED"),
        ({"service": "CDS", "dataset": "no-such-dataset", "request": {}}, "UNKNOWN_DATASET"),
        ({"service": "CDS", "dataset": "bad/id", "request": {}}, "INVALID"),
        ({"service": "CDS", "dataset": "d", "request": [1, 2]}, "INVALID"),
        ({"service": "CDS", "dataset": "d", "request": {"big": "x" * 70_000}}, "INVALID"),
    ]
    for input_, code in cases:
        result = (await alice.data(REQUEST, {"input": input_}))["requestCopernicusData"]
        assert [e["code"] for e in result["userErrors"]] == [code], input_
    nobody = await dave.data(REQUEST, {"input": {"service": "CDS", "dataset": "d", "request": {}}})
    assert [e["code"] for e in nobody["requestCopernicusData"]["userErrors"]] == ["PERMISSION_DENIED"]


async def test_services_and_datasets(as_user: Any) -> None:
    alice = as_user("alice")
    services = (await alice.data("{ copernicusServices { id enabled } }"))["copernicusServices"]
    assert {s["id"]: s["enabled"] for s in services} == {
        "CDS": True,
        "ADS": False,
        "EWDS": False,
        "CLMS": True,
        "GALILEO_HAS": True,
    }
    found = (await alice.data('{ copernicusDatasets(service: "CDS", search: "era5") { id title } }'))[
        "copernicusDatasets"
    ]
    assert "reanalysis-era5-single-levels" in [d["id"] for d in found]


async def test_subscription_streams_every_step_in_order(
    as_user: Any, api_url: str, tokens: Any, fake_cads: FakeCads
) -> None:
    alice = as_user("alice")
    dataset = _dataset("followed")
    fake_cads.plans[dataset] = Plan(
        queued_seconds=0.3, running_seconds=0.3, size=11 * 1024 * 1024, hold_until_shown=True
    )
    request_id = await _request(alice, dataset, {"x": 1}, folderId=await sandbox(alice))
    subscription = """
    subscription($id: ID!) {
      copernicusRequestUpdated(id: $id) { event { seq status progress { bytes } } request { status } }
    }
    """
    events: list[dict[str, Any]] = []
    async with connect(api_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {tokens('alice')}"}})
        )
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": subscription, "variables": {"id": request_id}}}
            )
        )
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if message["type"] == "complete":
                break
            assert message["type"] == "next", message
            events.append(message["payload"]["data"]["copernicusRequestUpdated"]["event"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    statuses = [e["status"] for e in events]
    assert statuses[0] == "PENDING"
    assert statuses[-1] == "COMPLETED"
    assert statuses.index("QUEUED") < statuses.index("RUNNING") < statuses.index("DOWNLOADING")
    assert [e["progress"]["bytes"] for e in events if e["progress"]][-1] == 11 * 1024 * 1024


async def test_cli_requests_and_follows(
    api_url: str, tokens: Any, fake_cads: FakeCads, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main

    dataset = _dataset("cli")
    fake_cads.plans[dataset] = Plan(queued_seconds=0.2, running_seconds=0.2, size=6 * 1024 * 1024)
    request_file = tmp_path / "request.json"
    request_file.write_text(json.dumps({"variable": "2t"}))
    common = ["--api", f"{api_url}/graphql", "--token", tokens("alice")]
    argv = ["copernicus", *common, "request", "CDS", dataset, "--request", str(request_file), "--follow", "--quiet"]
    assert await asyncio.to_thread(main, argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("PENDING")
    assert any(line.startswith("QUEUED") for line in out)
    assert out[-1].split()[1] == str(6 * 1024 * 1024)
    assert await asyncio.to_thread(main, ["copernicus", *common, "ls"]) == 0
    assert dataset in capsys.readouterr().out


async def test_clms_life_cycle_and_cancel(as_user: Any, fake_clms: Any) -> None:
    alice = as_user("alice")
    request = {"DatasetDownloadInformationID": "d1", "OutputFormat": "GTiff", "BoundingBox": [-1, 51, 0, 52]}
    result = await alice.data(REQUEST, {"input": {"service": "CLMS", "dataset": "clc-2018", "request": request}})
    request_id = result["requestCopernicusData"]["copernicusRequest"]["id"]
    done = await _until(alice, request_id, TERMINAL)
    assert done["status"] == "COMPLETED", done
    assert "In_progress" in [h["upstreamStatus"] for h in done["history"]]
    task = fake_clms.tasks[done["upstreamJobId"]]
    assert task.request["OutputFormat"] == "GTiff"
    expected = b"".join(payload_bytes(task.id, task.size))
    assert (
        await download_bytes(done["resultFile"]["download"]["url"], done["resultFile"]["download"]["parts"]) == expected
    )
    assert fake_clms.token_exchanges >= 1
    # cancel a second one while it is queued, which it stays for longer than the test takes
    fake_clms.size, fake_clms.queued_seconds = 10, 60
    try:
        second = await alice.data(REQUEST, {"input": {"service": "CLMS", "dataset": "clc-2018", "request": {"n": 2}}})
        second_id = second["requestCopernicusData"]["copernicusRequest"]["id"]
        await _until(alice, second_id, {"QUEUED", "RUNNING"})
        asked = await alice.data(CANCEL, {"id": second_id})
        assert asked["cancelCopernicusRequest"]["userErrors"] == [], asked
        cancelled = await _until(alice, second_id, TERMINAL)
        assert cancelled["status"] == "CANCELLED"
        assert fake_clms.tasks[cancelled["upstreamJobId"]].cancelled
    finally:
        fake_clms.size, fake_clms.queued_seconds = 3000, 0.5


SERVICES = "{ copernicusServices { id enabled hasOwnKey } }"
SET_KEY = """
mutation($s: String!, $k: String!) { setCopernicusKey(input: {service: $s, key: $k}) { service userErrors { code } } }
"""


async def test_own_upstream_key_is_sealed_used_and_removable(as_user: Any, fake_cads: FakeCads, mongo: Any) -> None:
    from tests.fake_cads import KEY

    carol = as_user("carol")
    before = {s["id"]: s for s in (await carol.data(SERVICES))["copernicusServices"]}
    assert before["ADS"] == {"id": "ADS", "enabled": False, "hasOwnKey": False}
    refused = await carol.data(REQUEST, {"input": {"service": "ADS", "dataset": "cams-x", "request": {}}})
    assert [e["code"] for e in refused["requestCopernicusData"]["userErrors"]] == ["SERVICE_NOT_ENABLED"]
    # when carol brings her own key
    assert (await carol.data(SET_KEY, {"s": "ADS", "k": KEY}))["setCopernicusKey"]["userErrors"] == []
    after = {s["id"]: s for s in (await carol.data(SERVICES))["copernicusServices"]}
    assert after["ADS"] == {"id": "ADS", "enabled": True, "hasOwnKey": True}
    stored = await mongo.users.find_one({"email": "carol@reading-climate.example"})
    assert stored is not None
    assert stored["upstream_keys"]["ADS"]
    assert KEY not in str(stored)
    dataset = _dataset("cams-own-key")
    fake_cads.plans[dataset] = Plan(size=50)
    done = await _until(carol, await _request_on(carol, "ADS", dataset), TERMINAL)
    assert done["status"] == "COMPLETED", done
    # a wrong key fails the request as an upstream authentication problem
    await carol.data(SET_KEY, {"s": "ADS", "k": "not-the-key"})
    failed = await _until(carol, await _request_on(carol, "ADS", _dataset("cams-bad-key")), TERMINAL)
    assert failed["error"]["code"] == "UPSTREAM_AUTH"
    # removed: ADS is off again for carol
    await carol.data('mutation { removeCopernicusKey(input: {service: "ADS"}) { userErrors { code } } }')
    assert {s["id"]: s["enabled"] for s in (await carol.data(SERVICES))["copernicusServices"]}["ADS"] is False


async def _request_on(client: GraphQLClient, service: str, dataset: str) -> str:
    result = await client.data(REQUEST, {"input": {"service": service, "dataset": dataset, "request": {"k": 1}}})
    assert result["requestCopernicusData"]["userErrors"] == [], result
    return str(result["requestCopernicusData"]["copernicusRequest"]["id"])


async def test_galileo_has_records_a_mountpoint_for_the_asked_duration(as_user: Any, fake_caster: Any) -> None:
    alice = as_user("alice")
    mounts = (await alice.data('{ copernicusDatasets(service: "GALILEO_HAS") { id title } }'))["copernicusDatasets"]
    assert [m["id"] for m in mounts] == ["HAS_EU", "HAS_GLOBAL"]
    asked = {"input": {"service": "GALILEO_HAS", "dataset": "HAS_EU", "request": {"durationSeconds": 1.5}}}
    request_id = (await alice.data(REQUEST, asked))["requestCopernicusData"]["copernicusRequest"]["id"]
    done = await _until(alice, request_id, TERMINAL)
    assert done["status"] == "COMPLETED", done
    file = done["resultFile"]
    recorded = await download_bytes(file["download"]["url"], file["download"]["parts"])
    frames = recorded.count(b"\xd3\x00\x18")
    # about 1.5 s of a frame every 20 ms, and whole frames only at the start
    assert 20 <= frames <= 120, frames
    assert recorded[:1] == b"\xd3"
    bad = {"input": {"service": "GALILEO_HAS", "dataset": "HAS_EU", "request": {"durationSeconds": 0}}}
    failed = await _until(
        alice, (await alice.data(REQUEST, bad))["requestCopernicusData"]["copernicusRequest"]["id"], TERMINAL
    )
    assert failed["error"]["code"] == "INVALID_REQUEST"


async def test_a_result_carries_the_area_and_time_its_request_asked_for(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("reanalysis-era5-single-levels")
    fake_cads.plans[dataset] = Plan(queued_seconds=0.1, running_seconds=0.1, size=1024)
    request = {"variable": ["2t"], "area": [56, 3, 50, 8], "date": "2024-07-01/2024-07-31"}
    done = await _until(alice, await _request(alice, dataset, request), TERMINAL)
    assert done["status"] == "COMPLETED", done
    file_id = done["resultFile"]["id"]
    found = await alice.data(
        "query($id: ID!) { node(id: $id) { ... on File { provenance { bbox { west south east north }"
        " timeRange { start end } } } } }",
        {"id": file_id},
    )
    provenance = found["node"]["provenance"]
    assert provenance["bbox"] == {"west": 3.0, "south": 50.0, "east": 8.0, "north": 56.0}
    assert provenance["timeRange"]["start"].startswith("2024-07-01T00:00:00")
    assert provenance["timeRange"]["end"].startswith("2024-07-31T23:59:59")
    # so spatial and time search find it, and miss it elsewhere
    search = """query($box: BoundingBoxInput!, $from: DateTime!) {
      searchFiles(filter: {bbox: $box, timeRange: {start: $from}, sourceKind: COPERNICUS}, first: 100) { nodes { id } }
    }"""
    near = {"west": 4.0, "south": 51.0, "east": 5.0, "north": 52.0}
    far = {"west": -80.0, "south": -40.0, "east": -70.0, "north": -30.0}
    hits = await alice.data(search, {"box": near, "from": "2024-07-15T00:00:00Z"})
    assert file_id in [n["id"] for n in hits["searchFiles"]["nodes"]]
    misses = await alice.data(search, {"box": far, "from": "2024-07-15T00:00:00Z"})
    assert file_id not in [n["id"] for n in misses["searchFiles"]["nodes"]]


async def test_service_names_in_any_case_and_datasets_checked_before_submission(
    as_user: Any, fake_cads: FakeCads
) -> None:
    alice = as_user("alice")
    dataset = _dataset("case-blind")
    fake_cads.plans[dataset] = Plan(size=10)
    done = await _until(alice, await _request_on(alice, "cds", dataset), TERMINAL)
    assert done["status"] == "COMPLETED", done
    # a dataset the catalogue does not list is refused here, and nothing reaches the upstream
    unknown = _dataset("not-listed")
    refused = await alice.data(REQUEST, {"input": {"service": "Cds", "dataset": unknown, "request": {}}})
    [error] = refused["requestCopernicusData"]["userErrors"]
    assert (error["code"], error["field"]) == ("UNKNOWN_DATASET", ["dataset"])
    assert "copernicusDatasets" in error["message"]
    assert fake_cads.calls("POST", f"/api/retrieve/v1/processes/{unknown}/execution") == 0
    assert fake_cads.calls("POST", f"/api/retrieve/v1/processes/{dataset}/execution") == 1
    # the catalogue answers in any case too; an unknown service is named as such
    listed = await alice.data('{ copernicusDatasets(service: "cds", search: "era5") { id } }')
    assert listed["copernicusDatasets"]
    body = await alice.execute('{ copernicusDatasets(service: "NOPE") { id } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "no service called 'NOPE'" in body["errors"][0]["message"]


async def test_a_catalogue_that_does_not_answer_is_the_upstream_s_failure(as_user: Any, fake_cads: FakeCads) -> None:
    alice = as_user("alice")
    dataset = _dataset("while-down")
    fake_cads.plans[dataset] = Plan(size=10)
    fake_cads.catalogue_down = True
    try:
        body = await alice.execute('{ copernicusDatasets(service: "CDS") { id } }')
        assert error_codes(body) == ["UPSTREAM_UNAVAILABLE"]
        # a request is not refused for it: the upstream itself decides on the dataset
        done = await _until(alice, await _request_on(alice, "CDS", dataset), TERMINAL)
        assert done["status"] == "COMPLETED", done
    finally:
        fake_cads.catalogue_down = False
