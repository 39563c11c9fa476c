"""What every upstream offers Strata: submit, batch poll, result, cancel, datasets, and the bytes."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ErrorCode(enum.StrEnum):
    LICENCE_NOT_ACCEPTED = "LICENCE_NOT_ACCEPTED"
    INVALID_REQUEST = "INVALID_REQUEST"
    UPSTREAM_FAILED = "UPSTREAM_FAILED"
    RESULTS_EXPIRED = "RESULTS_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"
    UPSTREAM_AUTH = "UPSTREAM_AUTH"
    QUOTA_EXCEEDED = "QUOTA_EXCEEDED"
    TARGET_NOT_WRITABLE = "TARGET_NOT_WRITABLE"


class UpstreamError(Exception):
    """The upstream said no. ``transient`` errors are retried with back-off; others end the job."""

    def __init__(
        self, code: ErrorCode, message: str, *, transient: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.transient = transient
        self.retry_after = retry_after


@dataclass(frozen=True)
class UpstreamJob:
    id: str
    status: str


@dataclass(frozen=True)
class ResultLocation:
    href: str
    size: int  # -1 when the upstream cannot say (a recorded stream)
    content_type: str
    duration: float | None = None  # for streams: how long to record


@dataclass(frozen=True)
class Dataset:
    id: str
    title: str
    description: str


class Provider(Protocol):
    """One upstream account (a CADS store with its key, CLMS with its service key, ...)."""

    service: str
    name: str

    async def submit(self, dataset: str, request: dict[str, Any]) -> UpstreamJob: ...

    async def poll(self, job_ids: Sequence[str]) -> dict[str, str]:
        """Raw upstream status per job id: one listing call for the account, single calls only for the rest."""
        ...

    async def result(self, job_id: str) -> ResultLocation: ...

    async def cancel(self, job_id: str) -> None: ...

    async def datasets(self) -> list[Dataset]: ...

    def stream(self, location: ResultLocation) -> AsyncIterator[bytes]: ...

    @staticmethod
    def our_status(raw: str) -> str: ...
