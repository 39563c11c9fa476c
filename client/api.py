"""GraphQL over HTTP with a bearer token; user errors raise with their codes."""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Self

import httpx

from client.credentials import TokenSource, token_source
from client.objects import ObjectStoreSession

DEFAULT_URL = "http://127.0.0.1:8000/graphql"


class StrataError(Exception):
    """The API refused a request; ``codes`` holds the error codes it gave."""

    def __init__(self, message: str, codes: list[str]) -> None:
        super().__init__(message)
        self.codes = codes


class Unreachable(Exception):
    """The API or the object store could not be reached, dropped the connection, or answered with
    something that is not theirs (a proxy's error page); trying again later may work."""


def not_graphql(response: httpx.Response) -> Unreachable:
    kind = response.headers.get("content-type", "").split(";")[0] or "no content type"
    shown = "a web page" if kind == "text/html" else f"{kind}"
    return Unreachable(
        f"the API answered HTTP {response.status_code} {response.reason_phrase} with {shown}, not GraphQL: "
        "is a proxy in front of it failing, or does STRATA_API_URL point elsewhere?"
    )


class StrataClient:
    """An async client for one Strata endpoint.

    Example::

        async with StrataClient(token=os.environ["STRATA_TOKEN"]) as strata:
            me = await strata.query("{ me { name } }")
    """

    def __init__(self, url: str | None = None, token: str | TokenSource | None = None, timeout: float = 60.0) -> None:
        self.url = url or os.environ.get("STRATA_API_URL", DEFAULT_URL)
        # A string is used as it is; a source (a stored sign-in) renews itself before each call.
        self.tokens = token_source(token) if token is None or isinstance(token, str) else token
        self.http = httpx.AsyncClient(timeout=timeout)
        self._objects: ObjectStoreSession | None = None

    @property
    def objects(self) -> ObjectStoreSession:
        """The connection pool for part transfers, straight to the object store."""
        if self._objects is None:
            self._objects = ObjectStoreSession()
        return self._objects

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http.aclose()
        if self._objects is not None:
            await self._objects.close()

    async def access_token(self) -> str | None:
        return await self.tokens.token()

    async def query(self, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        token = await self.access_token()
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            self.url, json={"query": document, "variables": variables or {}}, headers=headers
        )
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            raise not_graphql(response) from None
        if not isinstance(answer, dict) or not ("data" in answer or "errors" in answer):
            raise not_graphql(response)
        if answer.get("errors"):
            errors = answer["errors"]
            raise StrataError(
                "; ".join(e.get("message", "") for e in errors),
                [str(e.get("extensions", {}).get("code", "ERROR")) for e in errors],
            )
        data: dict[str, Any] = answer["data"]
        return data

    async def mutate(self, document: str, name: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run a mutation and return its payload; user errors raise StrataError."""
        payload: dict[str, Any] = (await self.query(document, variables))[name]
        if payload.get("userErrors"):
            errors = payload["userErrors"]
            raise StrataError("; ".join(e["message"] for e in errors), [e["code"] for e in errors])
        return payload
