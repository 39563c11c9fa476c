"""One failing chore never stops the others: each is run, logged and counted alone."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from background.housekeeping import run_once


def _failures(chore: str) -> float:
    return REGISTRY.get_sample_value("strata_housekeeping_failures_total", {"chore": chore}) or 0.0


async def test_a_failing_chore_leaves_the_others_to_run(caplog: pytest.LogCaptureFixture) -> None:
    # given: three chores, the first of which fails every round
    ran: list[str] = []

    async def broken() -> int:
        ran.append("broken")
        raise RuntimeError("store unreachable")

    async def sweep() -> int:
        ran.append("sweep")
        return 3

    async def prune() -> int:
        ran.append("prune")
        return 0

    chores = [("broken chore", broken), ("sweep", sweep), ("prune", prune)]
    before = _failures("broken chore")
    # when: two rounds
    first = await run_once(chores)
    second = await run_once(chores)
    # then: every chore ran in both, the failure is logged and counted once a round
    assert ran == ["broken", "sweep", "prune"] * 2
    assert first == second == {"broken chore": None, "sweep": 3, "prune": 0}
    assert _failures("broken chore") == before + 2
    assert "housekeeping: broken chore failed" in caplog.text
