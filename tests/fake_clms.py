"""A fake CLMS: service-key JWT exchange and the @datarequest endpoints, with failure knobs."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from devservices.api import serve_asgi
from tests.fake_cads import payload_bytes


@dataclass
class Task:
    id: str
    dataset: str
    request: dict[str, Any]
    size: int
    outcome: str
    queued_seconds: float
    running_seconds: float
    created: float = field(default_factory=time.time)
    cancelled: bool = False

    def status(self) -> str:
        if self.cancelled:
            return "Cancelled"
        age = time.time() - self.created
        if age < self.queued_seconds:
            return "Queued"
        if age < self.queued_seconds + self.running_seconds:
            return "In_progress"
        return self.outcome


class FakeClms:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, private=True)
        self.tasks: dict[str, Task] = {}
        self.tokens: set[str] = set()
        self.size = 3000
        self.outcome = "Finished_ok"
        # Long enough that a poll every 0.2 s on a loaded machine sees each state.
        self.queued_seconds = 0.5
        self.running_seconds = 1.0
        self.base = ""
        self.token_exchanges = 0
        self.catalogue_down = False  # the catalogue answers 503

    def service_key(self) -> str:
        return json.dumps(
            {
                "client_id": "strata-test-client",
                "user_id": "strata-test-user",
                "key_id": "test-key",
                "private_key": self.key.as_pem(private=True).decode(),
                "token_uri": f"{self.base}/@@oauth2-token",
            }
        )

    def app(self) -> Starlette:
        def authorised(request: Request) -> bool:
            return request.headers.get("Authorization", "").removeprefix("Bearer ") in self.tokens

        async def token(request: Request) -> Response:
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
            try:
                decoded = jwt.decode(str(form.get("assertion")), self.key, algorithms=["RS256"])
                jwt.JWTClaimsRegistry(
                    iss={"essential": True, "value": "strata-test-client"},
                    aud={"essential": True, "value": f"{self.base}/@@oauth2-token"},
                    exp={"essential": True},
                ).validate(decoded.claims)
            except (JoseError, ValueError):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            self.token_exchanges += 1
            issued = uuid.uuid4().hex
            self.tokens.add(issued)
            return JSONResponse({"access_token": issued, "expires_in": 3600, "token_type": "Bearer"})

        async def post(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"message": "unauthorised"}, status_code=401)
            body = await request.json()
            datasets = body.get("Datasets") if isinstance(body, dict) else None
            if not isinstance(datasets, list) or not 1 <= len(datasets) <= 5:
                return JSONResponse({"status": "error", "msg": "between 1 and 5 datasets"}, status_code=400)
            ids = []
            for entry in datasets:
                task = Task(
                    uuid.uuid4().hex,
                    str(entry.get("DatasetID")),
                    entry,
                    self.size,
                    self.outcome,
                    self.queued_seconds,
                    self.running_seconds,
                )
                self.tasks[task.id] = task
                ids.append({"TaskID": task.id})
            return JSONResponse({"TaskIds": ids}, status_code=201)

        async def search(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"message": "unauthorised"}, status_code=401)
            wanted = request.query_params.getlist("status")
            return JSONResponse(
                {
                    t.id: {"Status": t.status(), "Datasets": [t.request]}
                    for t in self.tasks.values()
                    if t.status() in wanted
                }
            )

        async def status(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"message": "unauthorised"}, status_code=401)
            task = self.tasks.get(request.query_params.get("TaskID", ""))
            if task is None:
                return JSONResponse({"status": "error", "msg": "unknown task"}, status_code=404)
            info: dict[str, Any] = {"Status": task.status()}
            if task.status() == "Finished_ok":
                info |= {"DownloadURL": f"{self.base}/downloads/{task.id}.zip", "FileSize": task.size}
            return JSONResponse(info)

        async def delete(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"message": "unauthorised"}, status_code=401)
            task = self.tasks.get((await request.json()).get("TaskID", ""))
            if task is None:
                return JSONResponse({"status": "error", "msg": "unknown task"}, status_code=404)
            task.cancelled = True
            return JSONResponse({"status": "Cancelled"})

        async def control(request: Request) -> Response:
            # For tests in another process (the browser's): the catalogue goes down or comes back.
            self.catalogue_down = bool((await request.json()).get("catalogueDown"))
            return JSONResponse({"catalogueDown": self.catalogue_down})

        async def catalogue(request: Request) -> Response:
            if not authorised(request):
                return JSONResponse({"message": "unauthorised"}, status_code=401)
            if self.catalogue_down:
                return JSONResponse({"message": "Service Unavailable"}, status_code=503)
            items = [{"UID": "clc-2018", "title": "CORINE Land Cover 2018", "description": "Land cover"}]
            return JSONResponse({"items": items, "items_total": len(items)})

        async def download(request: Request) -> Response:
            task = self.tasks.get(request.path_params["task"])
            if task is None:
                return Response(status_code=404)

            async def body() -> AsyncIterator[bytes]:
                for chunk in payload_bytes(task.id, task.size):
                    yield chunk

            return StreamingResponse(body(), headers={"Content-Length": str(task.size)}, media_type="application/zip")

        return Starlette(
            routes=[
                Route("/@@oauth2-token", token, methods=["POST"]),
                Route("/@datarequest_post", post, methods=["POST"]),
                Route("/@datarequest_search", search),
                Route("/@datarequest_status_get", status),
                Route("/@datarequest_delete", delete, methods=["DELETE"]),
                Route("/@search", catalogue),
                Route("/_fake/control", control, methods=["POST"]),
                Route("/downloads/{task}.zip", download),
            ]
        )


@contextlib.contextmanager
def running_fake_clms() -> Iterator[FakeClms]:
    fake = FakeClms()
    with serve_asgi(fake.app()) as url:
        fake.base = url
        yield fake
