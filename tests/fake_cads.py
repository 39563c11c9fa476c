"""A fake CADS (Climate/Atmosphere/Early Warning Data Store) speaking the retrieve and catalogue APIs.

Enough of the real protocol that the unmodified ``cdsapi`` and ``ecmwf-datastores-client``
complete retrievals against it, with knobs for the paths Strata must handle: slow jobs,
failures, rejections, licences not accepted, 429 with Retry-After, expired results, large
results streamed without being held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from devservices.api import serve_asgi

KEY = "fake-cads-key"
ACTIVE = ("accepted", "running")


@dataclass
class Plan:
    """How a job submitted for a dataset behaves."""

    queued_seconds: float = 0.2
    running_seconds: float = 0.3
    outcome: str = "successful"  # or "failed", "rejected"
    size: int = 1024
    licence_required: bool = False
    results_expired: bool = False
    chunk_delay: float = 0.0  # seconds between 64 KiB chunks of the result, to make downloads slow
    busy_for: int = 0  # submissions answer 429 with this Retry-After (seconds), to keep a job waiting
    # Each state lasts until a status answer has shown it, however late the poll: a test that asserts every
    # step was seen then holds on a loaded machine, where a poller may sleep through a whole state.
    hold_until_shown: bool = False


@dataclass
class Job:
    id: str
    dataset: str
    request: dict[str, Any]
    plan: Plan
    created: float = field(default_factory=time.time)
    dismissed: bool = False
    shown: int = -1  # the furthest phase a status answer has shown

    def _phase(self) -> int:
        age = time.time() - self.created
        by_time = (age >= self.plan.queued_seconds) + (age >= self.plan.queued_seconds + self.plan.running_seconds)
        return min(by_time, self.shown + 1) if self.plan.hold_until_shown else by_time

    def status(self) -> str:
        if self.dismissed:
            return "dismissed"
        return ("accepted", "running", self.plan.outcome)[self._phase()]

    def show(self) -> str:
        """The status as a status answer reports it (which lets a held job move on)."""
        self.shown = max(self.shown, self._phase())
        return self.status()


def payload_bytes(job_id: str, size: int) -> Iterator[bytes]:
    """Deterministic bytes for a job, produced in chunks: a 2 GiB result never sits in memory."""
    seed = hashlib.sha256(job_id.encode()).digest()
    block = (seed * (65536 // len(seed)))[:65536]
    remaining = size
    while remaining:
        chunk = block[: min(remaining, len(block))]
        remaining -= len(chunk)
        yield chunk


class FakeCads:
    def __init__(self) -> None:
        self.plans: dict[str, Plan] = {}
        self.default = Plan()
        self.jobs: dict[str, Job] = {}
        self.accepted_licences = True
        self.rate_limit_every = 0  # answer 429 to every n-th request
        self.catalogue_down = False  # the catalogue answers 503
        self.requests: list[tuple[str, str]] = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self.base = ""

    def plan_for(self, dataset: str) -> Plan:
        return self.plans.get(dataset, self.default)

    def reset(self) -> None:
        self.plans.clear()
        self.jobs.clear()
        self.requests.clear()
        self.rate_limit_every = 0
        self.catalogue_down = False
        self.default = Plan()

    def calls(self, method: str, prefix: str) -> int:
        return sum(1 for m, p in self.requests if m == method and p.startswith(prefix))

    # -- the protocol -------------------------------------------------------------------

    def _status_info(self, job: Job, api: str) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        info: dict[str, Any] = {
            "processID": job.dataset,
            "type": "process",
            "jobID": job.id,
            "status": job.show(),
            "created": datetime.fromtimestamp(job.created, UTC).isoformat(),
            "updated": now,
            "links": [
                {"href": f"{api}/retrieve/v1/jobs/{job.id}", "rel": "self", "type": "application/json"},
                {"href": f"{api}/retrieve/v1/jobs/{job.id}", "rel": "monitor", "type": "application/json"},
            ],
            "metadata": {"request": {"ids": job.request}},
        }
        if info["status"] in ("successful", "failed", "rejected"):
            info["links"].append({"href": f"{api}/retrieve/v1/jobs/{job.id}/results", "rel": "results"})
        return info

    def app(self) -> Starlette:
        def api_base(request: Request) -> str:
            return f"{request.url.scheme}://{request.url.netloc}/api"

        def guard(request: Request) -> Response | None:
            with self._lock:
                self.requests.append((request.method, request.url.path))
                count = next(self._counter)
            if self.rate_limit_every and count % self.rate_limit_every == 0:
                return JSONResponse({"title": "Too many requests"}, status_code=429, headers={"Retry-After": "1"})
            if request.headers.get("PRIVATE-TOKEN") != KEY and not request.url.path.startswith("/download/"):
                return JSONResponse({"title": "Unauthorized", "detail": "invalid token"}, status_code=401)
            return None

        async def messages(request: Request) -> Response:
            return guard(request) or JSONResponse({"messages": []})

        async def datasets(request: Request) -> Response:
            if refused := guard(request):
                return refused
            if self.catalogue_down:
                return JSONResponse({"title": "Service Unavailable"}, status_code=503)
            names = sorted({"reanalysis-era5-single-levels", "cams-global-reanalysis-eac4", *self.plans})
            collections = [
                {"id": n, "title": n.replace("-", " ").title(), "description": f"Fake dataset {n}", "links": []}
                for n in names
            ]
            return JSONResponse({"collections": collections, "links": [], "numberMatched": len(collections)})

        async def process(request: Request) -> Response:
            if refused := guard(request):
                return refused
            name = request.path_params["dataset"]
            return JSONResponse({"id": name, "title": name, "links": [], "inputs": {}, "outputs": {}})

        async def execute(request: Request) -> Response:
            if refused := guard(request):
                return refused
            dataset = request.path_params["dataset"]
            body = await request.json()
            if not isinstance(body, dict) or not isinstance(body.get("inputs"), dict):
                return JSONResponse({"title": "invalid request", "detail": "inputs must be an object"}, status_code=400)
            plan = self.plan_for(dataset)
            if plan.busy_for:
                headers = {"Retry-After": str(plan.busy_for)}
                return JSONResponse({"title": "Too many requests"}, status_code=429, headers=headers)
            if plan.licence_required and not self.accepted_licences:
                detail = "required licences not accepted; accept the licence for this dataset first"
                return JSONResponse({"title": "required licences not accepted", "detail": detail}, status_code=403)
            job = Job(uuid.uuid4().hex, dataset, body["inputs"], plan)
            self.jobs[job.id] = job
            return JSONResponse(self._status_info(job, api_base(request)), status_code=201)

        async def jobs(request: Request) -> Response:
            if refused := guard(request):
                return refused
            wanted = request.query_params.getlist("status") or list(ACTIVE)
            limit = int(request.query_params.get("limit", "10"))
            found = [j for j in self.jobs.values() if j.status() in wanted][:limit]
            return JSONResponse({"jobs": [self._status_info(j, api_base(request)) for j in found], "links": []})

        async def job(request: Request) -> Response:
            if refused := guard(request):
                return refused
            found = self.jobs.get(request.path_params["job"])
            if found is None:
                return JSONResponse({"title": "job not found"}, status_code=404)
            if request.method == "DELETE":
                found.dismissed = True
            return JSONResponse(self._status_info(found, api_base(request)))

        async def results(request: Request) -> Response:
            if refused := guard(request):
                return refused
            found = self.jobs.get(request.path_params["job"])
            if found is None:
                return JSONResponse({"title": "job not found"}, status_code=404)
            status = found.status()
            if status in ("failed", "rejected"):
                return JSONResponse(
                    {"title": "The job has failed", "detail": "fake failure", "traceback": "fake traceback"},
                    status_code=400,
                )
            if status != "successful":
                return JSONResponse({"title": "results not ready", "detail": status}, status_code=404)
            if found.plan.results_expired:
                return JSONResponse({"title": "results expired"}, status_code=404)
            href = f"{request.url.scheme}://{request.url.netloc}/download/{found.id}.grib"
            asset = {"href": href, "type": "application/x-grib", "file:size": found.plan.size}
            return JSONResponse({"asset": {"value": asset}})

        async def download(request: Request) -> Response:
            guard(request)
            found = self.jobs.get(request.path_params["job"])
            if found is None or found.plan.results_expired:
                return Response(status_code=404)
            headers = {"Content-Length": str(found.plan.size), "Content-Type": "application/x-grib"}
            if request.method == "HEAD":
                return Response(headers=headers)

            async def body() -> AsyncIterator[bytes]:
                for chunk in payload_bytes(found.id, found.plan.size):
                    if found.plan.chunk_delay:
                        await asyncio.sleep(found.plan.chunk_delay)
                    yield chunk

            return StreamingResponse(body(), headers=headers)

        api = "/api"
        return Starlette(
            routes=[
                Route(f"{api}/catalogue/v1/messages", messages),
                Route(f"{api}/catalogue/v1/datasets", datasets),
                Route(f"{api}/retrieve/v1/processes/{{dataset}}", process),
                Route(f"{api}/retrieve/v1/processes/{{dataset}}/execution", execute, methods=["POST"]),
                Route(f"{api}/retrieve/v1/jobs", jobs),
                Route(f"{api}/retrieve/v1/jobs/{{job}}", job, methods=["GET", "DELETE"]),
                Route(f"{api}/retrieve/v1/jobs/{{job}}/results", results),
                Route("/download/{job}.grib", download, methods=["GET", "HEAD"]),
            ]
        )


@contextlib.contextmanager
def running_fake_cads() -> Iterator[FakeCads]:
    fake = FakeCads()
    with serve_asgi(fake.app()) as url:
        fake.base = f"{url}/api"
        yield fake
