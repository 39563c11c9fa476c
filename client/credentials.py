"""Where a client's access token comes from: ``STRATA_TOKEN`` as given, or a stored sign-in that
renews itself with its refresh token before the access token runs out.

A stored sign-in lives in ``$STRATA_CONFIG_DIR`` (default ``$XDG_CONFIG_HOME/strata`` or
``~/.config/strata``) as ``credentials.json``, readable by its owner only (0600).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

RENEW_BEFORE_SECONDS = 60.0


class SignInError(Exception):
    """Signing in did not work, or a stored sign-in can no longer be renewed."""


class TokenSource(Protocol):
    async def token(self) -> str | None: ...


@dataclass(frozen=True)
class StaticToken:
    """A token handed in (``--token``, ``STRATA_TOKEN``): used as it is, never renewed."""

    value: str | None

    async def token(self) -> str | None:
        return self.value


def config_dir() -> Path:
    if explicit := os.environ.get("STRATA_CONFIG_DIR"):
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "strata"


def credentials_path() -> Path:
    return config_dir() / "credentials.json"


@dataclass
class Credentials:
    issuer: str
    client_id: str
    access_token: str
    refresh_token: str | None
    expires_at: float  # seconds since the epoch
    api_url: str | None = None

    @classmethod
    def from_token_response(
        cls, issuer: str, client_id: str, body: dict[str, Any], api_url: str | None, now: float
    ) -> Credentials:
        return cls(
            issuer=issuer,
            client_id=client_id,
            access_token=str(body["access_token"]),
            refresh_token=body.get("refresh_token"),
            expires_at=now + float(body.get("expires_in", 300)),
            api_url=api_url,
        )


def save(credentials: Credentials, path: Path | None = None) -> Path:
    """Write atomically with 0600 permissions (the folder 0700): tokens are secrets."""
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(asdict(credentials), out)
    os.chmod(temporary, 0o600)
    temporary.replace(path)
    return path


def load(path: Path | None = None) -> Credentials | None:
    path = path or credentials_path()
    try:
        raw = json.loads(path.read_text())
        return Credentials(**raw)
    except FileNotFoundError:
        return None
    except (ValueError, TypeError) as error:
        raise SignInError(f"{path} is not a sign-in Strata wrote ({error}); run `strata login` again") from None


def forget(path: Path | None = None) -> bool:
    path = path or credentials_path()
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


async def token_endpoint(http: httpx.AsyncClient, issuer: str) -> str:
    return str((await discovery(http, issuer))["token_endpoint"])


async def discovery(http: httpx.AsyncClient, issuer: str) -> dict[str, Any]:
    try:
        response = await http.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
    except httpx.HTTPError as error:
        raise SignInError(f"the identity provider {issuer} did not answer ({type(error).__name__})") from None
    if response.status_code != 200:
        raise SignInError(f"the identity provider {issuer} answered HTTP {response.status_code}")
    found: dict[str, Any] = response.json()
    return found


class StoredSignIn:
    """A sign-in from ``strata login``: renewed with its refresh token a minute before it expires,
    and written back (refresh tokens rotate), so a transfer of many hours keeps a valid token."""

    def __init__(
        self,
        credentials: Credentials,
        path: Path | None = None,
        renew_before: float = RENEW_BEFORE_SECONDS,
        clock: Any = time.time,
    ) -> None:
        self.credentials = credentials
        self.path = path or credentials_path()
        self.renew_before = renew_before
        self.clock = clock
        self.renewals = 0
        self._lock = asyncio.Lock()

    async def token(self) -> str | None:
        async with self._lock:
            if self.credentials.expires_at - self.clock() <= self.renew_before:
                await self._renew()
            return self.credentials.access_token

    async def _renew(self) -> None:
        current = self.credentials
        if not current.refresh_token:
            raise SignInError("the sign-in has expired and cannot be renewed; run `strata login`")
        async with httpx.AsyncClient(timeout=30) as http:
            endpoint = await token_endpoint(http, current.issuer)
            try:
                response = await http.post(
                    endpoint,
                    data={
                        "grant_type": "refresh_token",
                        "refresh_token": current.refresh_token,
                        "client_id": current.client_id,
                    },
                )
            except httpx.HTTPError as error:
                raise SignInError(f"could not renew the sign-in ({type(error).__name__}); try again") from None
        if response.status_code != 200:
            raise SignInError("the sign-in has ended at the identity provider; run `strata login`")
        renewed = Credentials.from_token_response(
            current.issuer, current.client_id, response.json(), current.api_url, self.clock()
        )
        if renewed.refresh_token is None:
            renewed.refresh_token = current.refresh_token
        self.credentials = renewed
        self.renewals += 1
        save(renewed, self.path)


def token_source(token: str | None = None) -> TokenSource:
    """``token`` if given, else ``STRATA_TOKEN``, else the stored sign-in, else none."""
    given = token or os.environ.get("STRATA_TOKEN")
    if given:
        return StaticToken(given)
    stored = load()
    return StoredSignIn(stored) if stored is not None else StaticToken(None)
