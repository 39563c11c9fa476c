"""Sign-in that lasts: ``strata login`` through the device grant against the real Keycloak, a
stored sign-in with 0600 permissions, and a transfer that outlives several short-lived tokens."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.api import StrataClient
from client.credentials import Credentials, StoredSignIn, load
from client.objects import ObjectStoreSession, Reply
from client.transfer import upload
from tests.helpers import sandbox
from tests.keycloak import KeycloakClient


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env(tmp_path: Path, keycloak: KeycloakClient, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STRATA_TOKEN"}
    env.update(
        {
            "STRATA_CONFIG_DIR": str(tmp_path / "config"),
            "STRATA_OIDC_ISSUER": keycloak.issuer,
            "STRATA_API_URL": f"{api_url}/graphql",
        }
    )
    return env


async def test_login_with_the_device_grant_then_commands_need_no_token(
    tmp_path: Path, keycloak: KeycloakClient, api_url: str
) -> None:
    env = _env(tmp_path, keycloak, api_url)
    login = _cli("login", env=env)
    assert login.stderr is not None
    # The address to open is the first line; Keycloak is told the code by the address itself.
    first = await asyncio.to_thread(login.stderr.readline)
    assert first.startswith("To sign in, open http"), first
    address = first.removeprefix("To sign in, open ").strip()
    await asyncio.to_thread(keycloak.approve_device, address, "alice")
    _, rest = await asyncio.to_thread(login.communicate, timeout=60)
    assert login.returncode == 0, rest
    assert "Signed in" in rest
    stored = tmp_path / "config" / "credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    kept = load(stored)
    assert kept is not None
    assert kept.refresh_token
    # when: a command with no token given
    listed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli", "ls"], env=env, capture_output=True, text=True, timeout=60
    )
    # then: it ran as alice, through the stored sign-in
    assert listed.returncode == 0, listed.stderr
    assert "athena-energy" in listed.stdout
    # and logout forgets it; without a sign-in the API's refusal is one line, no traceback
    out = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli", "logout"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0
    assert not stored.exists()
    refused = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli", "ls"], env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert "UNAUTHENTICATED" in refused.stderr


async def test_login_through_the_browser_on_this_machine(
    tmp_path: Path, keycloak: KeycloakClient, api_url: str
) -> None:
    env = _env(tmp_path, keycloak, api_url)
    env["BROWSER"] = "true"  # webbrowser runs `true ADDRESS`: this test is the browser
    login = _cli("login", "--browser", env=env)
    assert login.stderr is not None
    first = await asyncio.to_thread(login.stderr.readline)
    assert "Opening your browser" in first, first
    address = (await asyncio.to_thread(login.stderr.readline)).strip()
    assert "code_challenge_method=S256" in address
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in address
    # when: a stray request reaches the listener first, then the browser signs in
    port = int(address.split("redirect_uri=http%3A%2F%2F127.0.0.1%3A")[1].split("%2F")[0])
    async with httpx.AsyncClient() as stray:
        wrong = await stray.get(f"http://127.0.0.1:{port}/callback?state=guessed&code=forged")
    assert wrong.status_code == 404
    page = await asyncio.to_thread(keycloak.sign_in_in_browser, address, "alice")
    # then: the listener thanks the browser, the CLI exchanges the code and keeps the sign-in
    assert page.status_code == 200
    assert "Signed in to Strata" in page.text
    _, rest = await asyncio.to_thread(login.communicate, timeout=60)
    assert login.returncode == 0, rest
    kept = load(tmp_path / "config" / "credentials.json")
    assert kept is not None
    assert kept.refresh_token
    assert json.loads(base64.urlsafe_b64decode(kept.access_token.split(".")[1] + "=="))["preferred_username"] == "alice"
    listed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cli", "ls"], env=env, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert "athena-energy" in listed.stdout


class SlowLink(ObjectStoreSession):
    """The real object-store session over a slow link: each part takes a while to arrive."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def put(self, url: str, body: bytes, headers: Mapping[str, str]) -> Reply:
        await asyncio.sleep(self.seconds)
        return await super().put(url, body, headers)


@pytest.fixture
def short_tokens(keycloak: KeycloakClient) -> Any:
    keycloak.set_token_lifespan("strata-cli", 6)
    try:
        yield 6
    finally:
        keycloak.set_token_lifespan("strata-cli", None)


async def test_an_upload_outlives_several_short_tokens(
    tmp_path: Path, keycloak: KeycloakClient, api_url: str, as_user: Any, short_tokens: int
) -> None:
    folder = await sandbox(as_user("alice"))
    body = keycloak.refreshable_tokens("alice")
    assert body["expires_in"] <= short_tokens
    first_token = str(body["access_token"])
    signed_in = StoredSignIn(
        Credentials.from_token_response(keycloak.issuer, "strata-cli", body, None, time.time()),
        path=tmp_path / "credentials.json",
        renew_before=2,
    )
    source = tmp_path / "survey.bin"
    source.write_bytes(os.urandom(30 * 1024 * 1024))
    async with StrataClient(f"{api_url}/graphql", signed_in) as strata:
        strata._objects = SlowLink(seconds=2.5)
        began = time.monotonic()
        done = await upload(strata, source, folder, part_size=5 * 1024 * 1024, concurrency=1)
        took = time.monotonic() - began
    # then: it took several token lifetimes, renewed on the way, and the first token is dead
    assert done["size"] == source.stat().st_size
    assert took > 2 * short_tokens, took
    assert signed_in.renewals >= 2, signed_in.renewals
    assert _expires(first_token) < time.time(), "the upload ended after its first token had run out"
    assert _expires(signed_in.credentials.access_token) > _expires(first_token)


def _expires(token: str) -> float:
    claims = token.split(".")[1]
    return float(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["exp"])
