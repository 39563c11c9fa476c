"""The CADS protocol (Climate, Atmosphere and Early Warning Data Stores): one instance per store and key.

    POST {api}/retrieve/v1/processes/{dataset}/execution  {"inputs": {...}}  -> 201 status info
    GET  {api}/retrieve/v1/jobs?status=accepted&status=running&limit=N      -> {"jobs": [...]}
    GET  {api}/retrieve/v1/jobs/{id}                                         -> status info
    GET  {api}/retrieve/v1/jobs/{id}/results -> {"asset": {"value": {"href", "type", "file:size"}}}
    DELETE {api}/retrieve/v1/jobs/{id}
    GET  {api}/catalogue/v1/datasets

Authentication is the ``PRIVATE-TOKEN`` header; the result href downloads without it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from upstream.http import check, stream_result
from upstream.provider import Dataset, ErrorCode, ResultLocation, UpstreamError, UpstreamJob

LIST_LIMIT = 500
STATUS_MAP = {
    "accepted": "QUEUED",
    "running": "RUNNING",
    "successful": "DOWNLOADING",
    "failed": "FAILED",
    "rejected": "FAILED",
    "dismissed": "CANCELLED",
    "deleted": "CANCELLED",
}


class CadsProvider:
    def __init__(self, service: str, name: str, api_url: str, key: str, http: httpx.AsyncClient) -> None:
        self.service = service
        self.name = name
        self.api = api_url.rstrip("/")
        self.key = key
        self.http = http

    @staticmethod
    def our_status(raw: str) -> str:
        return STATUS_MAP.get(raw, "RUNNING")

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(
                method, f"{self.api}{path}", headers={"PRIVATE-TOKEN": self.key}, **kwargs
            )
        except httpx.TransportError as error:
            raise UpstreamError(
                ErrorCode.UPSTREAM_FAILED, f"{self.name} unreachable: {error}", transient=True
            ) from None
        check(response)
        return response

    async def submit(self, dataset: str, request: dict[str, Any]) -> UpstreamJob:
        response = await self._call("POST", f"/retrieve/v1/processes/{dataset}/execution", json={"inputs": request})
        info = response.json()
        return UpstreamJob(str(info["jobID"]), str(info["status"]))

    async def poll(self, job_ids: Sequence[str]) -> dict[str, str]:
        if not job_ids:
            return {}
        listed = await self._call(
            "GET", "/retrieve/v1/jobs", params=[("status", "accepted"), ("status", "running"), ("limit", LIST_LIMIT)]
        )
        active = {str(j["jobID"]): str(j["status"]) for j in listed.json().get("jobs", [])}
        found: dict[str, str] = {}
        for job_id in job_ids:
            if job_id in active:
                found[job_id] = active[job_id]
            else:
                # Only jobs that have left the active list cost a call of their own.
                response = await self._call("GET", f"/retrieve/v1/jobs/{job_id}")
                found[job_id] = str(response.json()["status"])
        return found

    async def result(self, job_id: str) -> ResultLocation:
        try:
            response = await self._call("GET", f"/retrieve/v1/jobs/{job_id}/results")
        except UpstreamError as error:
            if error.code is ErrorCode.INVALID_REQUEST and "expired" in error.message.lower():
                raise UpstreamError(ErrorCode.RESULTS_EXPIRED, error.message) from None
            if error.code is ErrorCode.INVALID_REQUEST:
                raise UpstreamError(ErrorCode.UPSTREAM_FAILED, error.message) from None
            raise
        asset = response.json()["asset"]["value"]
        href = str(httpx.URL(self.api + "/").join(str(asset["href"])))
        return ResultLocation(href, int(asset["file:size"]), str(asset.get("type", "application/octet-stream")))

    async def cancel(self, job_id: str) -> None:
        try:
            await self._call("DELETE", f"/retrieve/v1/jobs/{job_id}")
        except UpstreamError as error:
            if error.code is not ErrorCode.INVALID_REQUEST:
                raise

    async def datasets(self) -> list[Dataset]:
        response = await self._call("GET", "/catalogue/v1/datasets")
        return [
            Dataset(str(c["id"]), str(c.get("title", c["id"])), str(c.get("description", ""))[:1000])
            for c in response.json().get("collections", [])
        ]

    def stream(self, location: ResultLocation) -> AsyncIterator[bytes]:
        return stream_result(self.http, location, "the upstream")
