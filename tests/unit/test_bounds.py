"""Long-lived processes keep bounded memory: driven past each bound, they stay at it."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from bson import ObjectId

from background.hub import RequestHub
from storage.models import CopernicusRequest, RequestStatus
from upstream.registry import MAX_OWN_PROVIDERS, Upstreams


def _job(version: int = 1) -> CopernicusRequest:
    now = datetime.now(UTC)
    return CopernicusRequest(
        id=ObjectId(),
        owner_id=ObjectId(),
        organisation_id=ObjectId(),
        service="CDS",
        dataset="d",
        request={},
        fingerprint="f",
        status=RequestStatus.PENDING,
        next_poll_at=now,
        version=version,
        created_at=now,
        updated_at=now,
    )


def test_the_hub_remembers_a_bounded_number_of_requests() -> None:
    hub = RequestHub(db=None, interval=1.0, max_seen=100)  # type: ignore[arg-type]
    jobs = [_job() for _ in range(250)]
    for job in jobs:
        hub.publish(job)
    assert len(hub._versions) == 100
    # the newest are the ones remembered: a repeat of one of them is still skipped
    assert jobs[-1].id in hub._versions
    assert jobs[0].id not in hub._versions


async def test_providers_for_own_keys_are_bounded() -> None:

    async with httpx.AsyncClient() as http:
        upstreams = Upstreams({"CDS": "http://127.0.0.1:9/api"}, {}, http)
        for n in range(MAX_OWN_PROVIDERS + 40):
            upstreams.with_key("CDS", f"key-{n}")
        assert len(upstreams._own) == MAX_OWN_PROVIDERS
