"""Benchmarks: ``python -m bench`` (or ``make bench``) against the local services."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from devservices.services import Stack

WEB = Path(__file__).resolve().parents[1] / "web"


def bench_env(stack: Stack) -> dict[str, str]:
    """The API's settings for one benchmark run: its own database and bucket, quiet logs."""
    run_id = uuid.uuid4().hex[:8]
    return {
        **stack.app_env(),
        "STRATA_MONGODB_DATABASE": f"strata_bench_{run_id}",
        "STRATA_S3_BUCKET": f"bench-{run_id}",
        "STRATA_LOG_LEVEL": "WARNING",
    }


def chromium_path() -> str:
    """Debian's chromium, installed with apt-get when missing (the catalogue's benchmarks drive it)."""
    ensure = subprocess.run(
        ["bash", str(WEB / "scripts" / "ensure-chromium.sh")], capture_output=True, text=True, check=True
    )
    return ensure.stdout.strip()
