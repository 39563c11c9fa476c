"""Tokens from the dev realm, and admin calls that add signing keys for the tests."""

from __future__ import annotations

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
