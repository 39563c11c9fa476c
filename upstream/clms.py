"""Copernicus Land Monitoring Service (CLMS): service-key JWT exchanged for a bearer token, data requests.

    POST {token_uri}  grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, assertion=<RS256 JWT>
    POST {api}/@datarequest_post          {"Datasets": [{"DatasetID": ..., ...}]}  -> {"TaskIds": [{"TaskID"}]}
    GET  {api}/@datarequest_search?status=... -> {task id: {"Status": ...}, ...}   (one call per poll)
    GET  {api}/@datarequest_status_get?TaskID=... -> {"Status", "DownloadURL", "FileSize"}
    DELETE {api}/@datarequest_delete      {"TaskID": ...}
    GET  {api}/@search?portal_type=DataSet -> {"items": [{"UID", "title", "description"}]}

The service key is the JSON CLMS hands out: client_id, user_id, key_id, private_key, token_uri.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from upstream.http import check, stream_result
from upstream.provider import Dataset, ErrorCode, ResultLocation, UpstreamError, UpstreamJob

STATUS_MAP = {
    "Queued": "QUEUED",
    "In_progress": "RUNNING",
    "Finished_ok": "DOWNLOADING",
    "Finished_nok": "FAILED",
    "Rejected": "FAILED",
    "Cancelled": "CANCELLED",
}
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def load_service_key(value: str) -> dict[str, Any]:
    """The operator's service key setting: JSON text, or the path of a file holding it."""
    return parse_service_key(value if value.lstrip().startswith("{") else Path(value).read_text())


def parse_service_key(text: str) -> dict[str, Any]:
    """A service key given as JSON text, and only that: a key from a request is never a path."""
    try:
        key = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError("a CLMS service key is the JSON object the CLMS portal issues") from None
    if not isinstance(key, dict):
        raise ValueError("a CLMS service key is the JSON object the CLMS portal issues")
    missing = {"client_id", "user_id", "private_key", "token_uri"} - set(key)
    if missing:
        raise ValueError(f"CLMS service key lacks {sorted(missing)}")
    return key


class ClmsProvider:
    service = "CLMS"
    name = "Copernicus Land Monitoring Service"

    def __init__(self, api_url: str, service_key: dict[str, Any], http: httpx.AsyncClient) -> None:
        self.api = api_url.rstrip("/")
        self.key = service_key
        self.http = http
        self._signing_key = RSAKey.import_key(service_key["private_key"])
        self._token: str | None = None
        self._token_until = 0.0

    @staticmethod
    def our_status(raw: str) -> str:
        return STATUS_MAP.get(raw, "RUNNING")

    async def _bearer(self, renew: bool = False) -> str:
        if self._token is None or renew or time.time() > self._token_until - 60:
            now = int(time.time())
            claims = {
                "iss": self.key["client_id"],
                "sub": self.key["user_id"],
                "aud": self.key["token_uri"],
                "iat": now,
                "exp": now + 3600,
                "jti": uuid.uuid4().hex,
            }
            header = {"alg": "RS256", **({"kid": self.key["key_id"]} if self.key.get("key_id") else {})}
            assertion = jwt.encode(header, claims, self._signing_key)
            try:
                response = await self.http.post(
                    self.key["token_uri"], data={"grant_type": JWT_BEARER_GRANT, "assertion": assertion}
                )
            except httpx.TransportError as error:
                raise UpstreamError(
                    ErrorCode.UPSTREAM_FAILED, f"CLMS token endpoint: {error}", transient=True
                ) from None
            if response.status_code in (400, 401, 403):
                raise UpstreamError(ErrorCode.UPSTREAM_AUTH, "CLMS refused the service key")
            check(response)
            body = response.json()
            self._token = str(body["access_token"])
            self._token_until = time.time() + float(body.get("expires_in", 3600))
        return self._token

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in (1, 2):
            headers = {
                "Authorization": f"Bearer {await self._bearer(renew=attempt == 2)}",
                "Accept": "application/json",
            }
            try:
                response = await self.http.request(method, f"{self.api}/{path}", headers=headers, **kwargs)
            except httpx.TransportError as error:
                raise UpstreamError(ErrorCode.UPSTREAM_FAILED, f"CLMS unreachable: {error}", transient=True) from None
            if response.status_code == 401 and attempt == 1:
                continue  # the token ran out early: get a new one, once
            check(response)
            return response
        raise AssertionError("unreachable")

    async def submit(self, dataset: str, request: dict[str, Any]) -> UpstreamJob:
        body = {"Datasets": [{**request, "DatasetID": dataset}]}
        response = await self._call("POST", "@datarequest_post", json=body)
        tasks = response.json().get("TaskIds", [])
        if not tasks:
            raise UpstreamError(ErrorCode.INVALID_REQUEST, "CLMS accepted the request but returned no task")
        return UpstreamJob(str(tasks[0]["TaskID"]), "Queued")

    async def poll(self, job_ids: Sequence[str]) -> dict[str, str]:
        if not job_ids:
            return {}
        listed = await self._call(
            "GET", "@datarequest_search", params=[("status", "Queued"), ("status", "In_progress")]
        )
        active = {str(task): str(info.get("Status")) for task, info in listed.json().items() if isinstance(info, dict)}
        found: dict[str, str] = {}
        for job_id in job_ids:
            if job_id in active:
                found[job_id] = active[job_id]
            else:
                response = await self._call("GET", "@datarequest_status_get", params={"TaskID": job_id})
                found[job_id] = str(response.json().get("Status"))
        return found

    async def result(self, job_id: str) -> ResultLocation:
        info = (await self._call("GET", "@datarequest_status_get", params={"TaskID": job_id})).json()
        status = info.get("Status")
        if status != "Finished_ok":
            message = str(info.get("Message") or f"CLMS task {status}")
            raise UpstreamError(ErrorCode.UPSTREAM_FAILED, message)
        if not info.get("DownloadURL"):
            raise UpstreamError(ErrorCode.RESULTS_EXPIRED, "CLMS no longer offers the result")
        return ResultLocation(str(info["DownloadURL"]), int(info.get("FileSize", 0)), "application/zip")

    async def cancel(self, job_id: str) -> None:
        await self._call("DELETE", "@datarequest_delete", json={"TaskID": job_id})

    async def datasets(self) -> list[Dataset]:
        response = await self._call("GET", "@search", params={"portal_type": "DataSet", "b_size": 500})
        return [
            Dataset(
                str(item.get("UID") or item.get("@id")),
                str(item.get("title", "")),
                str(item.get("description", ""))[:1000],
            )
            for item in response.json().get("items", [])
        ]

    def stream(self, location: ResultLocation) -> AsyncIterator[bytes]:
        return stream_result(self.http, location, "CLMS")
