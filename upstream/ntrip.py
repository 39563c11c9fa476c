"""Galileo High Accuracy Service corrections over NTRIP 2.0: record a mountpoint's RTCM 3 stream.

    GET {caster}/              Ntrip-Version: Ntrip/2.0  -> source table (STR;mountpoint;identifier;format;...)
    GET {caster}/{mountpoint}  Ntrip-Version: Ntrip/2.0, Basic auth -> an endless RTCM 3 byte stream

A request is ``{"durationSeconds": N}`` (1 to 3600): the worker records that long into a File.
There is no upstream job, so the job id carries the mountpoint and the duration.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx

from upstream.http import check
from upstream.provider import Dataset, ErrorCode, ResultLocation, UpstreamError, UpstreamJob

HEADERS = {"Ntrip-Version": "Ntrip/2.0", "User-Agent": "NTRIP Strata/0.1"}
MAX_SECONDS = 3600


def parse_source_table(text: str) -> list[Dataset]:
    datasets = []
    for line in text.splitlines():
        fields = line.split(";")
        if fields[0] == "STR" and len(fields) > 4:
            datasets.append(Dataset(fields[1], fields[2] or fields[1], f"{fields[3]} {fields[4]}".strip()))
    return datasets


class NtripProvider:
    service = "GALILEO_HAS"
    name = "Galileo High Accuracy Service"

    def __init__(self, caster_url: str, username: str, password: str, http: httpx.AsyncClient) -> None:
        self.caster = caster_url.rstrip("/")
        self.auth = httpx.BasicAuth(username, password)
        self.http = http

    @staticmethod
    def our_status(raw: str) -> str:
        return "DOWNLOADING" if raw == "recording" else "FAILED"

    async def datasets(self) -> list[Dataset]:
        try:
            response = await self.http.get(f"{self.caster}/", headers=HEADERS)
        except httpx.TransportError as error:
            raise UpstreamError(ErrorCode.UPSTREAM_FAILED, f"caster unreachable: {error}", transient=True) from None
        check(response)
        return parse_source_table(response.text)

    async def submit(self, dataset: str, request: dict[str, Any]) -> UpstreamJob:
        seconds = request.get("durationSeconds")
        if not isinstance(seconds, int | float) or not 1 <= seconds <= MAX_SECONDS:
            raise UpstreamError(ErrorCode.INVALID_REQUEST, f"durationSeconds must be 1 to {MAX_SECONDS}")
        if dataset not in {d.id for d in await self.datasets()}:
            raise UpstreamError(ErrorCode.INVALID_REQUEST, f"the caster has no mountpoint {dataset}")
        return UpstreamJob(f"{dataset}|{float(seconds)}|{uuid.uuid4().hex[:12]}", "recording")

    async def poll(self, job_ids: Sequence[str]) -> dict[str, str]:
        return dict.fromkeys(job_ids, "recording")

    async def result(self, job_id: str) -> ResultLocation:
        mountpoint, seconds, _ = job_id.split("|")
        return ResultLocation(f"{self.caster}/{mountpoint}", -1, "application/x-rtcm", float(seconds))

    async def cancel(self, job_id: str) -> None:
        return None  # nothing runs upstream between our reads

    async def stream(self, location: ResultLocation) -> AsyncIterator[bytes]:
        until = time.monotonic() + (location.duration or 0)
        try:
            async with self.http.stream("GET", location.href, headers=HEADERS, auth=self.auth) as response:
                if response.status_code == 401:
                    raise UpstreamError(ErrorCode.UPSTREAM_AUTH, "the caster refused our credentials")
                check(response)
                async for chunk in response.aiter_raw():
                    yield chunk
                    if time.monotonic() >= until:
                        return
        except httpx.TransportError as error:
            raise UpstreamError(ErrorCode.UPSTREAM_FAILED, f"caster stream broke: {error}", transient=True) from None
