"""Benchmarks: ``python -m bench`` (or ``make bench``) against the local services."""

from __future__ import annotations

import uuid

from devservices.services import Stack


def bench_env(stack: Stack) -> dict[str, str]:
    """The API's settings for one benchmark run: its own database and bucket, quiet logs."""
    run_id = uuid.uuid4().hex[:8]
    return {
        **stack.app_env(),
        "STRATA_MONGODB_DATABASE": f"strata_bench_{run_id}",
        "STRATA_S3_BUCKET": f"bench-{run_id}",
        "STRATA_LOG_LEVEL": "WARNING",
    }
