"""Tokens from the dev realm, and admin calls that add signing keys for the tests."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from devservices.services import KEYCLOAK_ADMIN, KEYCLOAK_ADMIN_PASSWORD, REALM, Keycloak


class KeycloakClient:
    def __init__(self, keycloak: Keycloak) -> None:
        self.base = keycloak.url()
        self.issuer = keycloak.issuer()
        self.http = httpx.Client(timeout=30)

    def close(self) -> None:
        self.http.close()

    def _token(self, realm: str, data: dict[str, str]) -> str:
        response = self.http.post(f"{self.base}/realms/{realm}/protocol/openid-connect/token", data=data)
        response.raise_for_status()
        return str(response.json()["access_token"])

    def password_token(self, username: str) -> str:
        return self._token(
            REALM,
            {"grant_type": "password", "client_id": "strata-cli", "username": username, "password": f"{username}-pass"},
        )

    def service_token(self) -> str:
        return self._token(
            REALM,
            {
                "grant_type": "client_credentials",
                "client_id": "strata-service",
                "client_secret": "strata-service-secret",
            },
        )

    def _admin_headers(self) -> dict[str, str]:
        token = self._token(
            "master",
            {
                "grant_type": "password",
                "client_id": "admin-cli",
                "username": KEYCLOAK_ADMIN,
                "password": KEYCLOAK_ADMIN_PASSWORD,
            },
        )
        return {"Authorization": f"Bearer {token}"}

    def realm_id(self) -> str:
        response = self.http.get(f"{self.base}/admin/realms/{REALM}", headers=self._admin_headers())
        response.raise_for_status()
        return str(response.json()["id"])

    def add_key_provider(self, name: str, provider: str, config: dict[str, list[str]]) -> str:
        """Add a key provider component to the realm; returns its id (delete it afterwards)."""
        body: dict[str, Any] = {
            "name": name,
            "providerId": provider,
            "providerType": "org.keycloak.keys.KeyProvider",
            "parentId": self.realm_id(),
            "config": config,
        }
        response = self.http.post(
            f"{self.base}/admin/realms/{REALM}/components", json=body, headers=self._admin_headers()
        )
        response.raise_for_status()
        return response.headers["Location"].rsplit("/", 1)[-1]

    def delete_component(self, component_id: str) -> None:
        response = self.http.delete(
            f"{self.base}/admin/realms/{REALM}/components/{component_id}", headers=self._admin_headers()
        )
        if response.status_code != 404:
            response.raise_for_status()

    def jwks(self) -> list[dict[str, Any]]:
        response = self.http.get(f"{self.issuer}/protocol/openid-connect/certs")
        response.raise_for_status()
        keys: list[dict[str, Any]] = response.json()["keys"]
        return keys

    def approve_device(self, verification_uri: str, username: str) -> None:
        """Do in a browser's place what a person does with ``strata login``'s address: open it,
        sign in on Keycloak's own form, grant access if asked, until Keycloak says it is done."""
        self._sign_in(verification_uri, username, lambda page: "device login successful" in page.text.lower())

    def sign_in_in_browser(self, address: str, username: str) -> httpx.Response:
        """Follow ``strata login --browser``'s address as a browser would, sign in, and follow
        Keycloak's redirect back to the loopback listener; returns the listener's page."""
        return self._sign_in(address, username, lambda page: page.url.path == "/callback")

    def _sign_in(self, address: str, username: str, done: Callable[[httpx.Response], bool]) -> httpx.Response:
        """Keycloak marks its cookies Secure, which a browser honours on 127.0.0.1 (a secure
        context) and httpx does not on plain http: the cookies are kept here by hand."""
        cookies: dict[str, str] = {}
        with httpx.Client(timeout=30) as browser:

            def go(method: str, url: str, fields: dict[str, str] | None = None) -> httpx.Response:
                for _ in range(10):
                    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
                    answer = browser.request(method, url, data=fields, headers=headers)
                    for header in answer.headers.get_list("set-cookie"):
                        name, _, rest = header.partition("=")
                        cookies[name.strip()] = rest.split(";", 1)[0]
                    if answer.status_code not in (301, 302, 303) or "location" not in answer.headers:
                        return answer
                    url, method, fields = str(answer.url.join(answer.headers["location"])), "GET", None
                raise AssertionError("too many redirects")

            page = go("GET", address)
            for _ in range(6):
                if done(page):
                    return page
                text = page.text
                action = _form_action(text)
                assert action, f"no form on Keycloak's page: {text[text.find('<body') :][:800]}"
                if 'name="username"' in text:
                    fields = {"username": username, "password": f"{username}-pass"}
                elif 'name="accept"' in text:
                    fields = {"accept": "Yes"}
                else:
                    fields = {}
                page = go("POST", str(page.url.join(html.unescape(action))), fields)
            raise AssertionError(f"Keycloak did not finish the sign-in: {page.text[:800]}")

    @contextlib.contextmanager
    def temporary_user(self, email: str, verified: bool) -> Iterator[str]:
        """A realm user with this address (password ``<username>-pass``), removed afterwards."""
        username = email.split("@")[0]
        headers = self._admin_headers()
        body = {
            "username": username,
            "email": email,
            "emailVerified": verified,
            "enabled": True,
            "firstName": "New",
            "lastName": "Comer",
            "credentials": [{"type": "password", "value": f"{username}-pass", "temporary": False}],
        }
        made = self.http.post(f"{self.base}/admin/realms/{REALM}/users", json=body, headers=headers)
        made.raise_for_status()
        user_id = made.headers["location"].rsplit("/", 1)[-1]
        try:
            yield username
        finally:
            self.http.delete(f"{self.base}/admin/realms/{REALM}/users/{user_id}", headers=self._admin_headers())

    def set_token_lifespan(self, client_id: str, seconds: int | None) -> None:
        """Set (or, with None, clear) a client's access token lifespan."""
        headers = self._admin_headers()
        found = self.http.get(
            f"{self.base}/admin/realms/{REALM}/clients", params={"clientId": client_id}, headers=headers
        )
        found.raise_for_status()
        [client] = found.json()
        attributes = dict(client.get("attributes") or {})
        attributes["access.token.lifespan"] = "" if seconds is None else str(seconds)
        client["attributes"] = attributes
        updated = self.http.put(
            f"{self.base}/admin/realms/{REALM}/clients/{client['id']}", json=client, headers=headers
        )
        updated.raise_for_status()

    def refreshable_tokens(self, username: str) -> dict[str, Any]:
        """Access and refresh token (password grant on strata-cli), as a sign-in holds them."""
        response = self.http.post(
            f"{self.base}/realms/{REALM}/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "strata-cli",
                "username": username,
                "password": f"{username}-pass",
                "scope": "openid",
            },
        )
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body


def _form_action(page: str) -> str | None:
    found = re.search(r'<form[^>]*action="([^"]+)"', page)
    return found.group(1) if found else None
