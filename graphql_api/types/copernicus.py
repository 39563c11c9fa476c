"""Copernicus types: services, datasets, requests and their live events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry
from bson import ObjectId
from strawberry import relay
from strawberry.scalars import JSON

from graphql_api.context import Info
from graphql_api.types.common import BigInt
from graphql_api.types.visible import VisibleNode
from resolvers import access
from storage.models import CopernicusRequest as RequestDocument
from storage.models import RequestStatus
from upstream.provider import ErrorCode

if TYPE_CHECKING:
    from graphql_api.types.file import File

strawberry.enum(RequestStatus, name="CopernicusRequestStatus")
strawberry.enum(ErrorCode, name="CopernicusErrorCode")


@strawberry.type
class CopernicusService:
    id: str
    name: str
    enabled: bool = strawberry.field(description="Usable by the caller: with the platform's key or their own.")
    has_own_key: bool = strawberry.field(description="The caller's own key is stored (it is never shown).")


@strawberry.type
class CopernicusDataset:
    id: str
    title: str
    description: str


@strawberry.type
class TransferProgress:
    bytes: BigInt
    total: BigInt | None


def _progress(values: dict[str, Any]) -> TransferProgress:
    total = values.get("total")
    return TransferProgress(bytes=BigInt(values["bytes"]), total=BigInt(total) if total is not None else None)


@strawberry.type
class CopernicusError:
    code: ErrorCode
    message: str


@strawberry.type
class CopernicusRequestEvent:
    """One step in a request's life: a transition, or a progress step while downloading."""

    seq: int
    status: RequestStatus
    upstream_status: str | None
    progress: TransferProgress | None
    at: datetime

    @classmethod
    def from_entry(cls, seq: int, entry: dict[str, Any]) -> CopernicusRequestEvent:
        """``seq``: the entry's place in the history, from 1 (the history is append-only)."""
        progress = None
        if entry.get("bytes") is not None:
            total = entry.get("total")
            progress = TransferProgress(
                bytes=BigInt(entry["bytes"]), total=BigInt(total) if total is not None else None
            )
        return cls(
            seq=seq,
            status=RequestStatus(entry["status"]),
            upstream_status=entry.get("upstream_status"),
            progress=progress,
            at=entry["at"],
        )


@strawberry.type(name="CopernicusRequest")
class CopernicusRequest(VisibleNode):
    id: relay.NodeID[str]
    service: str
    dataset: str
    request: JSON
    status: RequestStatus
    upstream_status: str | None
    upstream_job_id: str | None
    attempts: int
    created_at: datetime
    updated_at: datetime
    document: strawberry.Private[RequestDocument]

    @classmethod
    def from_document(cls, document: RequestDocument) -> CopernicusRequest:
        return cls(
            id=str(document.id),
            service=document.service,
            dataset=document.dataset,
            request=cast(JSON, document.request),
            status=document.status,
            upstream_status=document.upstream.status,
            upstream_job_id=document.upstream.id,
            attempts=document.attempts,
            created_at=document.created_at,
            updated_at=document.updated_at,
            document=document,
        )

    @classmethod
    async def load_visible(cls, info: Info, ids: list[ObjectId]) -> list[CopernicusRequest | None]:
        principal = await info.context.principal()
        found = await info.context.loaders.copernicus_request.load_many(ids)
        return [cls.from_document(d) if d is not None and access.can_see_request(principal, d) else None for d in found]

    @strawberry.field(description="Bytes stored so far, while DOWNLOADING and after.")
    def progress(self) -> TransferProgress | None:
        progress = self.document.progress
        if progress.bytes is None:
            return None
        return TransferProgress(
            bytes=BigInt(progress.bytes), total=BigInt(progress.total) if progress.total is not None else None
        )

    @strawberry.field
    def error(self) -> CopernicusError | None:
        error = self.document.error
        return CopernicusError(code=ErrorCode(error.code), message=error.message or "") if error.code else None

    @strawberry.field(description="Every transition and progress step so far, in order.")
    def history(self) -> list[CopernicusRequestEvent]:
        return [CopernicusRequestEvent.from_entry(i, e) for i, e in enumerate(self.document.history, 1)]

    @strawberry.field(description="The File the result landed in, once COMPLETED (if the caller may see it).")
    async def result_file(self, info: Info) -> Annotated[File, strawberry.lazy("graphql_api.types.file")] | None:
        from graphql_api.types.file import File

        file_id = self.document.result.file_id
        if file_id is None:
            return None
        [file] = await File.load_visible(info, [file_id])
        return file


@strawberry.type
class CopernicusRequestUpdate:
    """What a subscriber receives: the step, and the request as it stood then or later."""

    event: CopernicusRequestEvent
    request: CopernicusRequest
