"""``strata login``: two ways to sign in against the configured issuer.

- The device authorization grant (RFC 8628), as ``gh auth login`` does: the terminal shows a code
  and an address, the person signs in with a browser anywhere, the terminal polls until the
  identity provider answers. Works over SSH and on machines without a browser.
- The authorization code flow with PKCE through the browser on this machine, redirected to a
  one-shot listener on the loopback interface (RFC 8252 section 7.3, as ``az login`` does).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

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
        verifier, challenge = _pkce()
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


def _pkce() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


BROWSER_WAIT_SECONDS = 300.0
DONE_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Strata sign-in</title>"
    "<body style='font-family:sans-serif;margin:3rem'><h1>{title}</h1><p>{text}</p></body></html>"
)


async def browser_login(
    issuer: str,
    client_id: str,
    api_url: str | None,
    show: Callable[[str], None],
    open_browser: Callable[[str], object],
    scope: str = "openid profile email",
    wait: float = BROWSER_WAIT_SECONDS,
) -> Credentials:
    """Sign in through the browser: ``show(address)`` tells the person where to go (in case no
    browser opens), ``open_browser(address)`` tries to open it. The identity provider sends the
    browser back to a listener on 127.0.0.1 that takes exactly one answer with our ``state``."""
    async with httpx.AsyncClient(timeout=30) as http:
        found = await discovery(http, issuer)
        verifier, challenge = _pkce()
        state = secrets.token_urlsafe(24)
        answer: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

        async def callback(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                request_line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
                while (await asyncio.wait_for(reader.readline(), 10)) not in (b"\r\n", b"\n", b""):
                    pass  # the headers: nothing in them matters here
                target = request_line.split(" ")[1] if request_line.count(" ") >= 2 else "/"
                query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
                if urlsplit(target).path != "/callback" or query.get("state") != state:
                    # A stray request (a favicon, another page): not the answer, keep waiting.
                    _respond(writer, 404, "Not the sign-in", "This address only takes Strata's sign-in answer.")
                    return
                if "error" in query:
                    _respond(writer, 400, "Sign-in refused", query.get("error_description") or query["error"])
                else:
                    _respond(writer, 200, "Signed in to Strata", "You can close this tab and go back to the terminal.")
                if not answer.done():
                    answer.set_result(query)
            except (TimeoutError, ConnectionError, IndexError):
                pass
            finally:
                writer.close()

        listener = await asyncio.start_server(callback, "127.0.0.1", 0)
        try:
            port = listener.sockets[0].getsockname()[1]
            redirect_uri = f"http://127.0.0.1:{port}/callback"
            address = f"{found['authorization_endpoint']}?" + urlencode(
                {
                    "response_type": "code",
                    "client_id": client_id,
                    "redirect_uri": redirect_uri,
                    "scope": scope,
                    "state": state,
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            )
            show(address)
            open_browser(address)
            try:
                query = await asyncio.wait_for(answer, wait)
            except TimeoutError:
                raise SignInError(
                    f"nobody signed in within {int(wait)} s; run `strata login --browser` again, or "
                    "`strata login` for a code to use on another device"
                ) from None
        finally:
            listener.close()
        if "error" in query:
            raise SignInError(
                f"the identity provider refused the sign-in: {query.get('error_description') or query['error']}"
            )
        exchanged = await http.post(
            str(found["token_endpoint"]),
            data={
                "grant_type": "authorization_code",
                "code": query.get("code", ""),
                "redirect_uri": redirect_uri,
                "client_id": client_id,
                "code_verifier": verifier,
            },
        )
        if exchanged.status_code != 200:
            raise SignInError(f"the identity provider refused the sign-in: {_reason(exchanged)}")
        return Credentials.from_token_response(issuer, client_id, exchanged.json(), api_url, time.time())


def _respond(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    import html

    body = DONE_PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
    writer.write(
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )


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
