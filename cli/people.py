"""People's commands, through the public API only (``client/``): ``ls``, ``mkdir``, ``rm``,
``upload``, ``download``, ``copernicus``. They never import the server."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from client.api import StrataClient

# Exit codes by class of failure, for scripts: the API refused (1), usage or a local file (2),
# signing in (3), the network (4).
EXIT_REFUSED, EXIT_USAGE, EXIT_AUTH, EXIT_NETWORK = 1, 2, 3, 4


def _data_command(args: argparse.Namespace) -> int:
    import asyncio

    import aiohttp
    import httpx
    from websockets.exceptions import WebSocketException

    from client.api import StrataClient, StrataError, Unreachable
    from client.credentials import SignInError

    # Read before the event loop starts: the request file is the caller's input.
    body: dict[str, object] = {}
    if getattr(args, "request", None):
        try:
            body = json.loads(Path(args.request).read_text())
        except OSError as error:
            print(f"strata: cannot read the request file {args.request}: {error.strerror}", file=sys.stderr)
            return EXIT_USAGE
        except ValueError as error:
            print(f"strata: the request file {args.request} is not JSON: {error}", file=sys.stderr)
            return EXIT_USAGE

    try:
        wanted = search_filter(args) if args.command == "search" else {}
        changes = _changes(args.changes) if args.command == "meta" and args.action == "set" else {}
    except ValueError as error:
        print(f"strata: {error}", file=sys.stderr)
        return EXIT_USAGE

    args.body, args.wanted, args.change_set = body, wanted, changes

    async def run() -> None:
        async with StrataClient(args.api, args.token) as strata:
            await args.step(strata, sys.stdout, args)

    try:
        asyncio.run(run())
    except StrataError as error:
        print(f"strata: {error} ({', '.join(error.codes)})", file=sys.stderr)
        return EXIT_REFUSED
    except SignInError as error:
        print(f"strata: {error}", file=sys.stderr)
        return EXIT_AUTH
    except Unreachable as error:
        print(f"strata: {error}", file=sys.stderr)
        return EXIT_NETWORK
    except (httpx.HTTPError, WebSocketException) as error:
        print(
            f"strata: cannot reach Strata ({type(error).__name__}: {_first_line(error)}); is the API at "
            f"{args.api or 'STRATA_API_URL'} running?",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    except (aiohttp.ClientError, TimeoutError) as error:
        # The parts' own retries are spent: what is stored stays, and the same command resumes.
        print(
            f"strata: the object store dropped the transfer ({type(error).__name__}); "
            "run the same command again to resume",
            file=sys.stderr,
        )
        return EXIT_NETWORK
    except ConnectionError as error:
        print(f"strata: the connection failed ({error.strerror or type(error).__name__}); try again", file=sys.stderr)
        return EXIT_NETWORK
    except OSError as error:
        print(f"strata: {error.filename or 'file'}: {error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("\nstrata: stopped; run the same command again to resume", file=sys.stderr)
        return 130
    return 0


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "no detail"


# Each command's step: what it does once the client is open (``set_defaults(step=...)`` below).
Step = Callable[["StrataClient", TextIO, argparse.Namespace], Awaitable[None]]


async def _ident(strata: StrataClient, reference: str) -> str:
    from client.paths import resolve

    return (await resolve(strata, reference)).id


async def _ls(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.ls(strata, out, await _ident(strata, args.folder) if args.folder else None, args.json)


async def _trash(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.trash(strata, out, args.json)


async def _restore(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.restore(strata, out, args.id)


async def _search(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.search(strata, out, args.wanted, args.json)


async def _mkdir(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands
    from client.api import StrataError

    if args.parents:
        await commands.mkdir_p(strata, out, "/".join(p for p in (args.parent, args.name) if p))
    elif not args.name:
        raise StrataError("give the parent folder and the new name, or -p with a path", ["INVALID"])
    else:
        await commands.mkdir(strata, out, await _ident(strata, args.parent), args.name)


async def _rm(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.rm(strata, out, await _ident(strata, args.id))


async def _mv(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.move(strata, out, args.source, args.target)


async def _rename(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.rename(strata, out, args.item, args.name)


async def _purge(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.purge(strata, out, args.id)


async def _meta_get(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.meta_get(strata, out, args.item)


async def _meta_set(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    await commands.meta_set(strata, out, args.item, args.change_set)


async def _upload(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    part = args.part_size_mib * 1024 * 1024 if args.part_size_mib else None
    folder = await _ident(strata, args.folder)
    await commands.upload(
        strata, out, Path(args.path), folder, args.concurrency, part, args.quiet, args.name, args.on_conflict,
        args.recursive,
    )  # fmt: skip


async def _download(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import commands

    part = args.part_size_mib * 1024 * 1024
    file = await _ident(strata, args.file)
    await commands.download(
        strata, out, file, Path(args.path), args.concurrency, part, args.quiet, args.force, args.recursive
    )


async def _copernicus_ls(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.ls(strata, out)


async def _copernicus_datasets(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.datasets(strata, out, args.service, args.search)


async def _copernicus_cancel(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.cancel(strata, out, args.id, not args.no_wait)


async def _copernicus_follow(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.follow_to_end(strata, out, args.id, args.quiet)


async def _copernicus_get(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.get(strata, out, args.service, args.dataset, args.body, Path(args.target), args.quiet)


async def _copernicus_request(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import copernicus

    await copernicus.request_and_follow(
        strata, out, args.service, args.dataset, args.body, args.folder, args.name, args.follow, args.quiet
    )


async def _share(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    named = (("text", args.terms), ("licence", args.licence), ("expiresAt", args.expires))
    terms: dict[str, object] = {key: value for key, value in named if value}
    if args.allow_reshare:
        terms["allowReshare"] = True
    await sharing.share(strata, out, args.item, args.to, args.role, terms or None, args.message)


async def _shares(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    await sharing.shares(strata, out, args.item, args.json)


async def _accept(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    await sharing.accept(strata, out, args.id, args.accept_terms, _ask)


async def _decline(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    await sharing.decline(strata, out, args.id)


async def _revoke(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    await sharing.revoke(strata, out, args.id)


async def _orgs(strata: StrataClient, out: TextIO, args: argparse.Namespace) -> None:
    from client import sharing

    await sharing.organisations(strata, out, args.search, args.json)


def _ask(question: str) -> bool:
    """A yes from the person at the terminal; no terminal (a script) is a no."""
    if not sys.stdin.isatty():
        print("strata: no terminal to ask; pass --accept-terms to accept the terms shown", file=sys.stderr)
        return False
    return input(question).strip().lower() in ("y", "yes")


def search_filter(args: argparse.Namespace) -> dict[str, object]:
    """The API's FileSearchInput from the command line; a malformed bbox is a usage error."""
    found: dict[str, object] = {}
    for key, value in (
        ("name", args.name),
        ("contentType", args.type),
        ("sourceKind", args.source),
        ("sensorId", args.sensor),
        ("folderId", args.folder),
    ):
        if value:
            found[key] = value
    if args.bbox:
        try:
            west, south, east, north = (float(v) for v in args.bbox.split(","))
        except ValueError:
            raise ValueError("--bbox takes west,south,east,north in degrees, e.g. -10,35,30,60") from None
        found["bbox"] = {"west": west, "south": south, "east": east, "north": north}
    if args.time_from or args.time_to:
        found["timeRange"] = {"start": _moment(args.time_from), "end": _moment(args.time_to, end=True)}
    return found


def _changes(text: str) -> dict[str, object]:
    """``meta set``'s JSON, inline or ``@file``."""
    try:
        raw = Path(text[1:]).read_text() if text.startswith("@") else text
    except OSError as error:
        raise ValueError(f"cannot read {text[1:]}: {error.strerror}") from None
    try:
        found = json.loads(raw)
    except ValueError as error:
        raise ValueError(f"the changes are not JSON: {error}") from None
    if not isinstance(found, dict):
        raise ValueError('the changes are a JSON object: {"metadata": {...}, "provenance": {...}}')
    return found


def _moment(text: str | None, end: bool = False) -> str | None:
    if not text:
        return None
    if len(text) == 10:  # a date: the whole day
        return f"{text}T23:59:59Z" if end else f"{text}T00:00:00Z"
    return text


DEFAULT_ISSUER = "http://127.0.0.1:18080/realms/strata"


def _login(args: argparse.Namespace) -> int:
    import asyncio
    import os
    import webbrowser

    from client import credentials
    from client.login import browser_login, device_login

    issuer = (args.issuer or os.environ.get("STRATA_OIDC_ISSUER", DEFAULT_ISSUER)).rstrip("/")

    def show(code: str, where: str, complete: str | None) -> None:
        print(f"To sign in, open {complete or where}", file=sys.stderr)
        print(f"and check that it shows the code {code}. Waiting...", file=sys.stderr, flush=True)

    def show_address(address: str) -> None:
        print(f"Opening your browser to sign in. If it does not open, go to:\n{address}", file=sys.stderr, flush=True)

    try:
        if args.browser:
            signed_in = asyncio.run(browser_login(issuer, args.client_id, args.api, show_address, webbrowser.open))
        else:
            signed_in = asyncio.run(device_login(issuer, args.client_id, args.api, show))
    except credentials.SignInError as error:
        print(f"strata: {error}", file=sys.stderr)
        return EXIT_AUTH
    except KeyboardInterrupt:
        print("\nstrata: sign-in abandoned", file=sys.stderr)
        return 130
    path = credentials.save(signed_in)
    print(f"Signed in; the sign-in is kept in {path} (only you can read it).", file=sys.stderr)
    return 0


def _logout(args: argparse.Namespace) -> int:
    from client import credentials

    gone = credentials.forget()
    print("Signed out." if gone else "You were not signed in.", file=sys.stderr)
    return 0


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--api", help="GraphQL endpoint (default $STRATA_API_URL or http://127.0.0.1:8000/graphql)")
    shared.add_argument("--token", help="access token (default $STRATA_TOKEN, else the sign-in of `strata login`)")
    transfer = argparse.ArgumentParser(add_help=False)
    transfer.add_argument("--concurrency", type=int, default=8, help="parts in flight at once (default 8)")
    transfer.add_argument("--quiet", action="store_true", help="no progress bar")
    transfer.add_argument(
        "-r", "--recursive", action="store_true", help="a whole directory (folder) and everything in it"
    )
    listing = argparse.ArgumentParser(add_help=False)
    listing.add_argument("--json", action="store_true", help="one JSON object per line, for scripts")
    ls = commands.add_parser(
        "ls", parents=[shared, listing], help="list a folder (every page), or your organisations' root folders"
    )
    ls.add_argument("folder", nargs="?")
    trash = commands.add_parser("trash", parents=[shared, listing], help="what your organisations deleted")
    trash.add_argument("action", choices=["ls"], help="ls: list the trash, newest first")
    restore = commands.add_parser("restore", parents=[shared], help="bring a file or folder back from the trash")
    restore.add_argument("id")
    search = commands.add_parser("search", parents=[shared, listing], help="find files you may read")
    search.add_argument("name", nargs="?", help="part of the name, any case")
    search.add_argument("--type", help="content type, or a prefix ending in '/' (image/)")
    search.add_argument("--source", choices=["DRONE", "IOT", "BIM", "SATELLITE", "COPERNICUS", "OTHER"])
    search.add_argument("--sensor", help="sensor id")
    search.add_argument("--bbox", help="west,south,east,north in degrees: files whose area meets it")
    search.add_argument("--from", dest="time_from", help="ISO date or time: files whose time range reaches it")
    search.add_argument("--to", dest="time_to", help="ISO date or time")
    search.add_argument("--folder", help="only beneath this folder id")
    mkdir = commands.add_parser("mkdir", parents=[shared], help="create a folder (PARENT NAME, or -p PATH)")
    mkdir.add_argument("parent", help="parent folder (path or id); with -p, the whole path")
    mkdir.add_argument("name", nargs="?")
    mkdir.add_argument("-p", "--parents", action="store_true", help="create every missing folder along the path")
    rm = commands.add_parser("rm", parents=[shared], help="move a file or folder (path or id) to the trash")
    rm.add_argument("id")
    mv = commands.add_parser("mv", parents=[shared], help="move a file or folder into another folder")
    mv.add_argument("source")
    mv.add_argument("target", help="the folder to move into (path or id)")
    rename = commands.add_parser("rename", parents=[shared], help="rename a file or folder")
    rename.add_argument("item")
    rename.add_argument("name")
    purge = commands.add_parser("purge", parents=[shared], help="delete an item in the trash for good (admins)")
    purge.add_argument("id")
    meta = commands.add_parser("meta", parents=[shared], help="a file's metadata and provenance")
    meta_actions = meta.add_subparsers(dest="action", required=True)
    meta_get = meta_actions.add_parser("get", help="print them as JSON")
    meta_get.add_argument("item")
    meta_set = meta_actions.add_parser("set", help="replace them")
    meta_set.add_argument("item")
    meta_set.add_argument("changes", help='JSON {"metadata": {...}, "provenance": {...}}, or @file.json')
    upload = commands.add_parser(
        "upload", parents=[shared, transfer], help="upload a file or (-r) a directory; re-run to resume"
    )
    upload.add_argument("path")
    upload.add_argument("--folder", required=True, help="the target folder (path or id)")
    upload.add_argument("--part-size-mib", type=int, help="part size in MiB (default: chosen from the size)")
    upload.add_argument("--name", help="the file's (or folder's) name in Strata (default: the local name)")
    upload.add_argument(
        "--on-conflict",
        choices=["fail", "skip", "rename"],
        default="fail",
        help="when the name is taken: fail (default), skip, or rename to 'name (1).ext'",
    )
    download = commands.add_parser(
        "download", parents=[shared, transfer], help="download a file or (-r) a folder; re-run to resume"
    )
    download.add_argument("file")
    download.add_argument("path")
    download.add_argument("--part-size-mib", type=int, default=16)
    download.add_argument("--force", action="store_true", help="replace a local file that exists")
    copernicus = commands.add_parser("copernicus", parents=[shared], help="request Copernicus data, list requests")
    actions = copernicus.add_subparsers(dest="action", required=True)
    actions.add_parser("ls", help="your Copernicus requests").set_defaults(step=_copernicus_ls)
    ask = actions.add_parser("request", help="ask for data; --follow shows its progress live")
    ask.add_argument("service", help="CDS, ADS, EWDS, ...")
    ask.add_argument("dataset")
    ask.add_argument("--request", help="a JSON file with the upstream request")
    ask.add_argument("--folder", help="folder id for the result (default: Copernicus folder)")
    ask.add_argument("--name", help="file name for the result")
    ask.add_argument("--follow", action="store_true")
    ask.add_argument("--quiet", action="store_true")
    listed = actions.add_parser("datasets", help="a service's catalogue")
    listed.add_argument("service")
    listed.add_argument("search", nargs="?")
    get = actions.add_parser("get", help="ask, wait and download the result (as cdsapi's retrieve)")
    get.add_argument("service")
    get.add_argument("dataset")
    get.add_argument("--request", required=True, help="a JSON file with the upstream request")
    get.add_argument("--target", required=True, help="the local file (or folder) to write")
    get.add_argument("--quiet", action="store_true")
    stop = actions.add_parser("cancel", help="cancel a request in flight")
    stop.add_argument("id")
    stop.add_argument("--no-wait", action="store_true", help="do not wait for the upstream job to stop")
    watch = actions.add_parser("follow", help="show a request's steps until it ends")
    watch.add_argument("id")
    watch.add_argument("--quiet", action="store_true")
    share = commands.add_parser("share", parents=[shared], help="share a file or folder, optionally under terms")
    share.add_argument("item", help="path or id")
    share.add_argument("--to", required=True, help="an e-mail address, or an organisation id (strata orgs)")
    share.add_argument("--role", choices=["viewer", "editor"], default="viewer")
    share.add_argument("--terms", help="terms the grantee must accept first")
    share.add_argument("--licence", help="licence, e.g. CC-BY-4.0")
    share.add_argument("--expires", help="ISO time when the share ends")
    share.add_argument("--allow-reshare", action="store_true")
    share.add_argument("--message", help="a note for the grantee")
    shares = commands.add_parser("shares", parents=[shared, listing], help="shares made to you, or on an item")
    shares.add_argument("item", nargs="?", help="an item you manage (path or id); default: shares made to you")
    accept = commands.add_parser("accept", parents=[shared], help="show a share's terms and accept them")
    accept.add_argument("id")
    accept.add_argument("--accept-terms", action="store_true", help="accept without asking (scripts)")
    decline = commands.add_parser("decline", parents=[shared], help="decline a share made to you")
    decline.add_argument("id")
    revoke = commands.add_parser("revoke", parents=[shared], help="end a share you made or manage")
    revoke.add_argument("id")
    orgs = commands.add_parser("orgs", parents=[shared, listing], help="find organisations to share with")
    orgs.add_argument("search", nargs="?")
    commands_and_steps: list[tuple[argparse.ArgumentParser, Step | None]] = [
        (ls, _ls), (trash, _trash), (restore, _restore), (search, _search), (mkdir, _mkdir), (rm, _rm),
        (mv, _mv), (rename, _rename), (purge, _purge), (upload, _upload), (download, _download),
        (share, _share), (shares, _shares), (accept, _accept), (decline, _decline), (revoke, _revoke),
        (orgs, _orgs), (meta_get, _meta_get), (meta_set, _meta_set), (ask, _copernicus_request),
        (listed, _copernicus_datasets), (get, _copernicus_get), (stop, _copernicus_cancel),
        (watch, _copernicus_follow), (meta, None), (copernicus, None),
    ]  # fmt: skip
    for parser, step in commands_and_steps:
        # A group (meta, copernicus) takes its step from the action chosen under it.
        parser.set_defaults(handler=_data_command, **({"step": step} if step else {}))
    login = commands.add_parser(
        "login", help="sign in: a code shown here for a browser anywhere, or --browser on this machine"
    )
    login.add_argument(
        "--browser", action="store_true", help="sign in with the browser on this machine instead of a code"
    )
    login.add_argument("--issuer", help=f"OIDC issuer (default $STRATA_OIDC_ISSUER or {DEFAULT_ISSUER})")
    login.add_argument("--client-id", default="strata-cli", help="public OIDC client (default strata-cli)")
    login.add_argument("--api", help="GraphQL endpoint to remember with the sign-in")
    login.set_defaults(handler=_login)
    logout = commands.add_parser("logout", help="forget the stored sign-in")
    logout.set_defaults(handler=_logout)
