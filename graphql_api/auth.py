"""Bearer token verification against the OpenID Connect issuer's published keys."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, import_key

log = logging.getLogger(__name__)


class AuthenticationFailed(Exception):
    """The token is missing, malformed, or not one this API accepts."""


@dataclass(frozen=True)
class VerifierConfig:
    issuer: str
    audience: str
    algorithms: tuple[str, ...]
    leeway_seconds: int = 30
    jwks_cache_seconds: float = 3600
    jwks_min_refresh_seconds: float = 5.0


def _unverified_header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthenticationFailed("malformed token")
    try:
        segment = parts[0] + "=" * (-len(parts[0]) % 4)
        header = json.loads(base64.urlsafe_b64decode(segment))
    except (binascii.Error, ValueError) as error:
        raise AuthenticationFailed("malformed token header") from error
    if not isinstance(header, dict):
        raise AuthenticationFailed("malformed token header")
    return header


class TokenVerifier:
    """Verifies JWT access tokens; keys come from the issuer's discovery document and JWKS.

    Keys are cached; a token whose ``kid`` is unknown makes one refetch (at most one per
    ``jwks_min_refresh_seconds``), so rotated keys work without a restart.

    Example::

        verifier = TokenVerifier(VerifierConfig(issuer, "strata-api", ("RS256",)), http)
        claims = await verifier.verify(token)
    """

    def __init__(self, config: VerifierConfig, http: httpx.AsyncClient, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.http = http
        self.clock = clock
        self._keys: dict[str, Key] = {}
        self._fetched_at = float("-inf")
        self._jwks_uri: str | None = None
        self._lock = asyncio.Lock()

    async def discovery(self) -> Mapping[str, Any]:
        response = await self.http.get(f"{self.config.issuer}/.well-known/openid-configuration")
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        if document.get("issuer") != self.config.issuer:
            raise AuthenticationFailed("issuer discovery document names another issuer")
        return document

    async def _refresh(self) -> None:
        if self._jwks_uri is None:
            self._jwks_uri = str((await self.discovery())["jwks_uri"])
        response = await self.http.get(self._jwks_uri)
        response.raise_for_status()
        keys: dict[str, Key] = {}
        for entry in response.json().get("keys", []):
            if entry.get("use", "sig") != "sig" or "kid" not in entry:
                continue
            try:
                keys[str(entry["kid"])] = import_key(entry)
            except (JoseError, ValueError):
                log.warning("ignoring unusable key %s in JWKS", entry.get("kid"))
        self._keys = keys
        self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> Key:
        age = time.monotonic() - self._fetched_at
        if kid not in self._keys or age > self.config.jwks_cache_seconds:
            async with self._lock:
                age = time.monotonic() - self._fetched_at
                stale = age > self.config.jwks_cache_seconds
                if stale or (kid not in self._keys and age >= self.config.jwks_min_refresh_seconds):
                    try:
                        await self._refresh()
                    except (httpx.HTTPError, ValueError, KeyError) as error:
                        log.warning("could not fetch the issuer's keys: %s", error)
                        raise AuthenticationFailed("issuer keys unavailable") from error
        key = self._keys.get(kid)
        if key is None:
            raise AuthenticationFailed("token signed by an unknown key")
        return key

    async def verify(self, token: str) -> dict[str, Any]:
        header = _unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in self.config.algorithms:
            raise AuthenticationFailed("token algorithm not allowed")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise AuthenticationFailed("token names no key")
        key = await self._key(kid)
        try:
            decoded = jwt.decode(token, key, algorithms=[algorithm])
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self.clock()),
                leeway=self.config.leeway_seconds,
                iss={"essential": True, "value": self.config.issuer},
                aud={"essential": True, "value": self.config.audience},
                exp={"essential": True},
                sub={"essential": True},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise AuthenticationFailed(f"token rejected: {error}") from error
        return dict(decoded.claims)


def bearer_token(authorization: str | None) -> str | None:
    """The token from an ``Authorization: Bearer <token>`` value, or None when absent."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise AuthenticationFailed("Authorization must be 'Bearer <token>'")
    return value.strip()
