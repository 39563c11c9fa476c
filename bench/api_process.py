"""The API as its own process, as in production: the client under test never shares its GIL.

Bytes through the API are read from the kernel's count of everything the process read and
wrote (``/proc/<pid>/io``: sockets to clients, MongoDB, Keycloak and S3, and files), an upper
bound on any file bytes that could have passed through it.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from devservices.api import free_port
from devservices.services import http_ok


class ProcessIO:
    def __init__(self, pid: int) -> None:
        self.pid = pid

    def total(self) -> int:
        counts = dict(
            line.split(": ") for line in Path(f"/proc/{self.pid}/io").read_text().splitlines() if ": " in line
        )
        return int(counts["rchar"]) + int(counts["wchar"])


@contextlib.contextmanager
def api_process(env: dict[str, str]) -> Iterator[tuple[str, ProcessIO]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "graphql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not http_ok(f"{url}/readyz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API did not become ready")
            time.sleep(0.2)
        yield url, ProcessIO(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
