"""The guards and leases themselves, raced on the real store: exactly one holder, round after round.

Two store clients stand for two replicas; eight takers race for one key in every round, fresh
and after its holder died (a lapsed document left behind).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from graphql_api.settings import Settings
from storage import guards
from storage.copernicus import leases
from storage.mongo import Database

ROUNDS = 20
TAKERS = 8


@pytest.fixture
async def replicas(settings: Settings) -> AsyncIterator[list[Database]]:
    name = f"{settings.mongodb_database}_guards"
    pair = [Database.connect(settings.mongodb_url, name) for _ in range(2)]
    try:
        yield pair
    finally:
        for db in pair:
            db.close()


async def _race_guard(replicas: list[Database], key: str) -> tuple[int, int]:
    """Each taker holds the guard for a moment; returns (how many held it, most at once)."""
    inside = 0
    most = 0
    held = 0

    async def taker(db: Database) -> None:
        nonlocal inside, most, held
        async with guards.guard(db.engine, key, wait_seconds=30):
            inside += 1
            held += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    await asyncio.gather(*(taker(replicas[i % 2]) for i in range(TAKERS)))
    return held, most


async def test_a_guard_has_one_holder_at_a_time(replicas: list[Database]) -> None:
    for _ in range(ROUNDS):
        held, most = await _race_guard(replicas, f"test:{uuid.uuid4().hex}")
        assert held == TAKERS
        assert most == 1


async def test_a_lapsed_guard_is_taken_over_by_one(replicas: list[Database]) -> None:
    collection: Any = replicas[0].engine.database[guards.GUARDS]
    for _ in range(ROUNDS):
        key = f"test:{uuid.uuid4().hex}"
        # given a guard whose holder died a minute ago
        await collection.insert_one({"_id": key, "token": "dead", "until": datetime.now(UTC) - timedelta(minutes=1)})
        held, most = await _race_guard(replicas, key)
        assert held == TAKERS
        assert most == 1
        assert await collection.count_documents({"_id": {"$regex": f"^takeover:{key}"}}) == 0


async def test_a_lease_is_won_by_exactly_one_worker(replicas: list[Database]) -> None:
    now = datetime.now(UTC)
    for round_ in range(ROUNDS):
        request_id = ObjectId()
        if round_ % 2:
            # every other round, a lapsed lease of a dead worker stands in the way
            collection: Any = replicas[0].engine.database[leases.LEASES]
            await collection.insert_one({"_id": request_id, "owner": "dead", "until": now - timedelta(minutes=1)})
        won = await asyncio.gather(
            *(
                leases.take(replicas[i % 2].engine, request_id, f"worker-{i}", datetime.now(UTC), timedelta(seconds=30))
                for i in range(TAKERS)
            )
        )
        assert sum(won) == 1, won
