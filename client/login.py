"""``strata login``: the OAuth 2.0 device authorization grant (RFC 8628), as ``gh auth login``
does: the terminal shows a code and an address, the person signs in with a browser anywhere, the
terminal polls until the identity provider answers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from client.credentials import Credentials, SignInError, discovery

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


async def device_login(
    issuer: str,
    client_id: str,
    api_url: str | None,
    show: Callable[[str, str, str | None], None],
    scope: str = "openid profile email",
    sleep: Callable[[float], Any] = asyncio.sleep,
) -> Credentials:
    """Sign in through the device grant; ``show(user_code, verification_uri, complete_uri)``
    tells the person where to go. Returns the tokens once they have signed in."""
    async with httpx.AsyncClient(timeout=30) as http:
        found = await discovery(http, issuer)
        endpoint = found.get("device_authorization_endpoint")
        if not endpoint:
            raise SignInError(f"{issuer} does not offer the device sign-in (no device_authorization_endpoint)")
        # PKCE on the device grant too: the identity provider may require it (Keycloak does when
        # the client asks for S256), and it binds the polling to this process.
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        started = await http.post(
            str(endpoint),
            data={"client_id": client_id, "scope": scope, "code_challenge": challenge, "code_challenge_method": "S256"},
        )
        if started.status_code != 200:
            raise SignInError(f"the identity provider refused to start a device sign-in: {_reason(started)}")
        grant = started.json()
        show(str(grant["user_code"]), str(grant["verification_uri"]), grant.get("verification_uri_complete"))
        interval = float(grant.get("interval", 5))
        deadline = time.monotonic() + float(grant.get("expires_in", 600))
        while time.monotonic() < deadline:
            await sleep(interval)
            answer = await http.post(
                str(found["token_endpoint"]),
                data={
                    "grant_type": DEVICE_GRANT,
                    "device_code": grant["device_code"],
                    "client_id": client_id,
                    "code_verifier": verifier,
                },
            )
            if answer.status_code == 200:
                return Credentials.from_token_response(issuer, client_id, answer.json(), api_url, time.time())
            error = _error(answer)
            if error == "authorization_pending":
                continue
            if error == "slow_down":
                interval += 5  # RFC 8628 section 3.5
                continue
            if error == "access_denied":
                raise SignInError("the sign-in was declined in the browser")
            if error == "expired_token":
                break
            raise SignInError(f"the identity provider refused the sign-in: {_reason(answer)}")
        raise SignInError("the code expired before anyone signed in with it; run `strata login` again")


def _error(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error", ""))
    except ValueError:
        return ""


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("error_description") or body.get("error") or response.status_code)
    except ValueError:
        return f"HTTP {response.status_code}"
