"""The ``strata`` command through its real entry point (a subprocess), against the real stack:
listings of every page, the trash, search, and one plain line and an exit code per failure class."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from devservices.api import free_port, serve_api, serve_asgi
from graphql_api.settings import Settings
from tests.fake_cads import FakeCads, Plan
from tests.graphql import GraphQLClient
from tests.helpers import MiB, create_folder, sandbox, upload_bytes
from tests.proxy import cutting_proxy


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


async def test_paths_mkdir_p_mv_rename_meta_and_purge(as_user: Any, api_url: str, tokens: Any, tmp_path: Path) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    top_name = (await alice.data("query($id: ID!) { folder(id: $id) { name } }", {"id": top}))["folder"]["name"]
    base = f"athena-energy/{top_name}"
    token = tokens("alice")
    made = await _strata(api_url, token, "mkdir", "-p", f"{base}/survey/2026/roofs")
    assert made.returncode == 0, made.stderr
    again = await _strata(api_url, token, "mkdir", "-p", f"{base}/Survey/2026/roofs")  # names compare in any case
    assert again.stdout == made.stdout
    source = tmp_path / "roof.csv"
    source.write_bytes(b"t,c\n1,2\n")
    sent = await _strata(api_url, token, "upload", str(source), "--folder", f"{base}/survey/2026/roofs", "--quiet")
    assert sent.returncode == 0, sent.stderr
    assert (await _strata(api_url, token, "mv", f"{base}/survey/2026/roofs/roof.csv", f"{base}/survey")).returncode == 0
    assert (await _strata(api_url, token, "rename", f"{base}/survey/roof.csv", "roof-2026.csv")).returncode == 0
    listed = await _strata(api_url, token, "ls", f"{base}/survey", "--json")
    names = [json.loads(line)["name"] for line in listed.stdout.splitlines()]
    assert names == ["2026", "roof-2026.csv"]
    # metadata and provenance, set and read back
    changes = json.dumps({"metadata": {"flight": "F-9"}, "provenance": {"sourceKind": "DRONE"}})
    assert (await _strata(api_url, token, "meta", "set", f"{base}/survey/roof-2026.csv", changes)).returncode == 0
    shown = json.loads((await _strata(api_url, token, "meta", "get", f"{base}/survey/roof-2026.csv")).stdout)
    assert shown["metadata"] == {"flight": "F-9"}
    assert shown["provenance"]["sourceKind"] == "DRONE"
    # a download by path lands byte for byte
    target = tmp_path / "copy.csv"
    got = await _strata(api_url, token, "download", f"{base}/survey/roof-2026.csv", str(target), "--quiet")
    assert got.returncode == 0, got.stderr
    assert target.read_bytes() == source.read_bytes()
    # a path that does not exist names the missing part; purge is for admins, after the trash
    assert f"not found: {base}/nope" in _plain(await _strata(api_url, token, "ls", f"{base}/nope/deeper"), 1)
    file_id = next(json.loads(line)["id"] for line in listed.stdout.splitlines() if "csv" in line)
    assert (await _strata(api_url, token, "rm", file_id)).returncode == 0
    assert "PERMISSION_DENIED" in _plain(await _strata(api_url, token, "purge", file_id), 1)
    purged = await _strata(api_url, tokens("bob"), "purge", file_id)
    assert purged.returncode == 0, purged.stderr


async def test_share_shares_accept_and_revoke(as_user: Any, api_url: str, tokens: Any) -> None:
    bob, carol = as_user("bob"), as_user("carol")
    await carol.data("{ me { id } }")
    top = await sandbox(bob)
    top_name = (await bob.data("query($id: ID!) { folder(id: $id) { name } }", {"id": top}))["folder"]["name"]
    path = f"athena-energy/{top_name}"
    terms = ["--terms", "Cite the survey; no redistribution.", "--licence", "CC-BY-NC-4.0"]
    made = await _strata(api_url, tokens("bob"), "share", path, "--to", "carol@reading-climate.example", *terms)
    assert made.returncode == 0, made.stderr
    share_id = made.stdout.split()[0]
    assert "pending" in made.stdout
    # carol sees it pending; without a terminal to ask, nothing is accepted
    pending = await _strata(api_url, tokens("carol"), "shares", "--json")
    assert share_id in [json.loads(line)["id"] for line in pending.stdout.splitlines()]
    unasked = await _strata(api_url, tokens("carol"), "accept", share_id)
    assert unasked.returncode == 1
    assert "Cite the survey; no redistribution." in unasked.stdout
    assert "nothing changed" in unasked.stderr
    # the terms shown, then accepted with the hash of what was shown
    accepted = await _strata(api_url, tokens("carol"), "accept", share_id, "--accept-terms")
    assert accepted.returncode == 0, accepted.stderr
    listed = await _strata(api_url, tokens("carol"), "shares", "--json")
    [active] = [json.loads(line) for line in listed.stdout.splitlines() if json.loads(line)["id"] == share_id]
    assert active["status"] == "ACTIVE"
    # bob lists the shares on his folder and revokes
    on_item = await _strata(api_url, tokens("bob"), "shares", path, "--json")
    assert share_id in [json.loads(line)["id"] for line in on_item.stdout.splitlines()]
    assert (await _strata(api_url, tokens("bob"), "revoke", share_id)).returncode == 0
    assert share_id not in (await _strata(api_url, tokens("bob"), "shares", path)).stdout
    # an organisation found in the directory is shared with by its id
    found = await _strata(api_url, tokens("bob"), "orgs", "reading", "--json")
    [reading] = [json.loads(line) for line in found.stdout.splitlines()]
    to_org = await _strata(api_url, tokens("bob"), "share", path, "--to", reading["id"])
    assert to_org.returncode == 0, to_org.stderr
    assert "reading-climate" in to_org.stdout
    assert "e-mail address or an organisation id" in _plain(
        await _strata(api_url, tokens("bob"), "share", top, "--to", "nobody"), 1
    )


async def test_copernicus_datasets_get_and_cancel(
    api_url: str, tokens: Any, fake_cads: FakeCads, tmp_path: Path
) -> None:
    token = tokens("alice")
    dataset = f"cli-get-{uuid.uuid4().hex[:6]}"
    fake_cads.plans[dataset] = Plan(queued_seconds=0.2, running_seconds=0.2, size=3 * 1024 * 1024 + 11)
    listed = await _strata(api_url, token, "copernicus", "datasets", "cds", "cli-get")
    assert dataset in listed.stdout
    request = tmp_path / "request.json"
    request.write_text(json.dumps({"variable": ["2t"], "date": "2024-01-01"}))
    target = tmp_path / "result.grib"
    got = await _strata(
        api_url,
        token,
        "copernicus",
        "get",
        "CDS",
        dataset,
        "--request",
        str(request),
        "--target",
        str(target),
        "--quiet",
    )
    assert got.returncode == 0, got.stderr
    assert target.stat().st_size == 3 * 1024 * 1024 + 11
    # a request still queued upstream is cancelled
    slow = f"cli-cancel-{uuid.uuid4().hex[:6]}"
    fake_cads.plans[slow] = Plan(queued_seconds=60, size=10)
    asked = await _strata(api_url, token, "copernicus", "request", "CDS", slow, "--request", str(request))
    request_id = asked.stdout.split()[0]
    cancelled = await _strata(api_url, token, "copernicus", "cancel", request_id)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "CANCEL" in cancelled.stdout
    # a dataset the service does not list is refused before anything is sent
    refused = await _strata(api_url, token, "copernicus", "request", "cds", "no-such-set", "--request", str(request))
    assert "UNKNOWN_DATASET" in _plain(refused, 1)


async def test_upload_conflicts_names_folders_and_local_files_kept(
    as_user: Any, api_url: str, tokens: Any, tmp_path: Path
) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    token = tokens("alice")
    source = tmp_path / "roof.csv"
    source.write_bytes(b"a,b\n1,2\n")
    first = await _strata(api_url, token, "upload", str(source), "--folder", top, "--quiet")
    assert first.returncode == 0, first.stderr
    # the same content again is not a conflict: nothing is sent, nothing duplicated
    again = await _strata(api_url, token, "upload", str(source), "--folder", top, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout
    source.write_bytes(b"a,b\n3,4\n")
    assert "NAME_TAKEN" in _plain(await _strata(api_url, token, "upload", str(source), "--folder", top, "--quiet"), 1)
    skipped = await _strata(api_url, token, "upload", str(source), "--folder", top, "--on-conflict", "skip", "--quiet")
    assert skipped.stdout == "skipped: roof.csv is there already\n"
    renamed = await _strata(
        api_url, token, "upload", str(source), "--folder", top, "--on-conflict", "rename", "--quiet"
    )
    assert "roof (1).csv" in renamed.stdout
    named = await _strata(api_url, token, "upload", str(source), "--folder", top, "--name", "roof-v2.csv", "--quiet")
    assert "roof-v2.csv" in named.stdout
    # a folder given to upload is refused before anything is created
    assert "pass -r" in _plain(await _strata(api_url, token, "upload", str(tmp_path), "--folder", top), 1)
    listed = await _strata(api_url, token, "ls", top, "--json")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(r["name"] for r in rows) == ["roof (1).csv", "roof-v2.csv", "roof.csv"]
    assert {r["status"] for r in rows} == {"AVAILABLE"}
    # a local file is not overwritten unless asked; a folder id is not a file to download
    file_id = next(r["id"] for r in rows if r["name"] == "roof.csv")
    kept = tmp_path / "kept.csv"
    kept.write_bytes(b"mine")
    assert "pass --force" in _plain(await _strata(api_url, token, "download", file_id, str(kept), "--quiet"), 1)
    assert kept.read_bytes() == b"mine"
    forced = await _strata(api_url, token, "download", file_id, str(kept), "--quiet", "--force")
    assert forced.returncode == 0, forced.stderr
    assert kept.read_bytes() == b"a,b\n1,2\n"  # roof.csv as first uploaded
    assert "pass -r" in _plain(await _strata(api_url, token, "download", top, str(tmp_path / "x")), 1)


async def test_directories_both_ways_under_one_bar_and_again_changes_nothing(
    as_user: Any, api_url: str, tokens: Any, tmp_path: Path
) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    token = tokens("alice")
    tree = tmp_path / "survey"
    (tree / "flights" / "deep" / "empty").mkdir(parents=True)
    contents = {
        "a.csv": b"t,v\n1,2\n",
        "notes.txt": b"roof north\n",
        "flights/f1.bin": os.urandom(6 * 1024 * 1024 + 17),
        "flights/deep/f2.bin": os.urandom(1000),
    }
    for relative, body in contents.items():
        (tree / relative).write_bytes(body)
    (tree / "loop").symlink_to(tree)  # not followed
    sent = await _strata(api_url, token, "upload", "-r", str(tree), "--folder", top, "--part-size-mib", "5")
    assert sent.returncode == 0, sent.stderr
    assert "4 uploaded" in sent.stdout
    # one bar for the whole tree, counting files
    assert "upload survey/ (4 of 4 files)" in sent.stderr
    assert "Traceback" not in sent.stderr
    survey = sent.stdout.split()[0]
    listed = await _strata(api_url, token, "ls", f"{survey}", "--json")
    assert sorted(json.loads(line)["name"] for line in listed.stdout.splitlines()) == ["a.csv", "flights", "notes.txt"]
    # when: the same command again
    again = await _strata(api_url, token, "upload", "-r", str(tree), "--folder", top, "--quiet")
    # then: every file is found unchanged and nothing is created twice
    assert again.returncode == 0, again.stderr
    assert "0 uploaded, 4 unchanged" in again.stdout
    assert again.stdout.split()[0] == survey
    # and the folder comes back down whole, empty folders included
    into = tmp_path / "back"
    into.mkdir()
    got = await _strata(api_url, token, "download", "-r", survey, str(into))
    assert got.returncode == 0, got.stderr
    assert "4 downloaded" in got.stdout
    for relative, body in contents.items():
        assert (into / "survey" / relative).read_bytes() == body, relative
    assert (into / "survey" / "flights" / "deep" / "empty").is_dir()
    assert not (into / "survey" / "loop").exists()
    rerun = await _strata(api_url, token, "download", "-r", survey, str(into), "--quiet")
    assert "0 downloaded, 4 unchanged" in rerun.stdout, rerun.stderr
    # a local file that differs is kept and named
    (into / "survey" / "a.csv").write_bytes(b"mine")
    refused = _plain(await _strata(api_url, token, "download", "-r", survey, str(into), "--quiet"), 1)
    assert "a.csv" in refused
    assert "--force" in refused
    assert (into / "survey" / "a.csv").read_bytes() == b"mine"


async def test_shell_completion_offers_commands_options_and_choices(tmp_path: Path) -> None:
    made = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli", "completion", "bash"], capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    script = tmp_path / "strata.bash"
    script.write_text(made.stdout)

    def offered(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        probe = f"source {script}; COMP_WORDS=(strata {line}); COMP_CWORD={len(words)}; _strata; echo ${{COMPREPLY[@]}}"
        found = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
        return found.stdout.split()

    assert offered("sh") == ["share", "shares"]
    assert {"request", "datasets", "get", "cancel", "follow", "ls"} <= set(offered("copernicus", ""))
    assert offered("share", "x", "--role", "") == ["viewer", "editor"]
    assert "--on-conflict" in offered("upload", "--")
    assert offered("upload", "--on-conflict", "") == ["fail", "skip", "rename"]


@pytest.mark.parametrize("command", [["fsck"], ["quota", "athena-energy", "1000"]], ids=["fsck", "quota"])
def test_operator_commands_say_in_one_line_that_the_store_is_down(command: list[str]) -> None:
    # given: a database address nobody answers at
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    env = {**os.environ, "STRATA_MONGODB_URL": f"mongodb://127.0.0.1:{port}/", "STRATA_MONGODB_TIMEOUT_MS": "500"}
    # when
    result = subprocess.run(
        [sys.executable, "-m", "cli", *command], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    # then
    line = _plain(result, 3)
    assert f"cannot reach the database at mongodb://127.0.0.1:{port}/" in line


async def test_a_proxys_error_page_is_said_in_one_sentence(tokens: Any) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>nginx</body></html>"

    async def bad_gateway(request: Request) -> HTMLResponse:
        return HTMLResponse(page, 502)

    async def a_portal(request: Request) -> HTMLResponse:
        return HTMLResponse("<html><body>Sign in to the hotel wifi</body></html>", 200)

    app = Starlette(
        routes=[Route("/502/graphql", bad_gateway, methods=["POST"]), Route("/200/graphql", a_portal, methods=["POST"])]
    )
    with serve_asgi(app) as url:
        gateway = _plain(await _strata(f"{url}/502", tokens("alice"), "ls"), 4)
        portal = _plain(await _strata(f"{url}/200", tokens("alice"), "ls"), 4)
    assert "the API answered HTTP 502 Bad Gateway with a web page, not GraphQL" in gateway
    assert "HTTP 200 OK with a web page" in portal
    assert "<" not in gateway + portal


async def test_a_transfer_the_store_drops_is_one_sentence_and_the_same_command_resumes(
    settings: Settings, as_user: Any, tokens: Any, tmp_path: Path
) -> None:
    alice = as_user("alice")
    top = await sandbox(alice)
    data = os.urandom(12 * MiB)
    file = await upload_bytes(alice, top, "dropped.bin", data)
    store = httpx.URL(settings.s3_endpoint_url or "")
    target = tmp_path / "dropped.bin"
    # given: an API whose download URLs go through a network that cuts every answer after 1 MiB
    with cutting_proxy((store.host, store.port or 80)) as network:
        routed = {"s3_public_endpoint_url": f"http://127.0.0.1:{network.port}", "copernicus_worker": False}
        with serve_api(settings.model_copy(update=routed)) as url:
            network.cut_after = MiB
            cut = await _strata(
                url, tokens("alice"), "download", file["id"], str(target), "--part-size-mib", "5", "--quiet"
            )
            # then: one sentence, the network's exit code, and nothing half-written in place
            line = _plain(cut, 4)
            assert "the object store dropped the transfer" in line
            assert "run the same command again to resume" in line
            assert network.cuts > 0
            assert not target.exists()
            # and once the network holds, the same command finishes, checked
            network.cut_after = None
            again = await _strata(
                url, tokens("alice"), "download", file["id"], str(target), "--part-size-mib", "5", "--quiet"
            )
            assert again.returncode == 0, again.stderr
    assert target.read_bytes() == data


REQUEST_DATA = """
mutation($d: String!) {
  requestCopernicusData(input: {service: "CDS", dataset: $d, request: {variable: ["2t"]}}) {
    copernicusRequest { id } userErrors { code }
  }
}
"""


async def test_follow_survives_an_api_restart(
    settings: Settings, api_url: str, tokens: Any, fake_cads: FakeCads
) -> None:
    dataset = f"restart-{uuid.uuid4().hex[:6]}"
    fake_cads.plans[dataset] = Plan(queued_seconds=3, running_seconds=3, hold_until_shown=True)
    port = free_port()
    # The suite's own API runs the job; these two only serve the follower, one after the other.
    own = settings.model_copy(update={"copernicus_worker": False})
    env = {k: v for k, v in os.environ.items() if k not in ("STRATA_TOKEN", "STRATA_API_URL")}
    env |= {
        "STRATA_API_URL": f"http://127.0.0.1:{port}/graphql",
        "STRATA_CONFIG_DIR": "/nonexistent-strata-config",
        "STRATA_TOKEN": tokens("alice"),
        "PYTHONUNBUFFERED": "1",  # each step as it is printed
    }
    with serve_api(own, port=port) as url:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            made = await GraphQLClient(http, tokens("alice")).data(REQUEST_DATA, {"d": dataset})
        request_id = made["requestCopernicusData"]["copernicusRequest"]["id"]
        follower = subprocess.Popen(  # noqa: ASYNC220 -- starting it does not wait; it is read in threads
            [sys.executable, "-m", "cli", "copernicus", "follow", request_id],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert follower.stdout is not None
        first = await asyncio.wait_for(asyncio.to_thread(follower.stdout.readline), 30)
        assert first.strip(), "the follower printed its first step"
    # the API is gone: the follower waits, and finds the next one on the same address
    await asyncio.sleep(1.5)
    assert follower.poll() is None
    with serve_api(own, port=port):
        out, err = await asyncio.to_thread(follower.communicate, timeout=90)
    lines = (first + out).splitlines()
    assert follower.returncode == 0, err
    assert "Traceback" not in err
    steps = [line.split()[0] for line in lines[:-1]]  # the last line is the result file
    assert steps == sorted(set(steps), key=steps.index), "no step shown twice"
    assert "RUNNING" in steps
