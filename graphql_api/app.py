"""The Starlette app: /graphql (GraphiQL, graphql-transport-ws), /healthz, /readyz, /metrics, the catalogue at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from cross_web import AsyncHTTPRequestAdapter
from graphql import GraphQLError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLRequestData
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult

from background import housekeeping
from background.copernicus.worker import Worker, WorkerConfig, worker_owner
from background.hub import RequestHub
from background.mail import Mailer, SmtpServer
from graphql_api import errors, web
from graphql_api.auth import TokenVerifier, VerifierConfig
from graphql_api.context import Context
from graphql_api.headers import SecurityHeadersMiddleware, catalogue_policy
from graphql_api.limits import BodySizeLimitMiddleware, HeaderSizeLimitMiddleware
from graphql_api.metrics import (
    WORKER_IN_FLIGHT,
    CountingTransport,
    count_unauthenticated,
    metrics_response,
    scrape_refusal,
    upstream_namer,
)
from graphql_api.observability import RequestIdMiddleware, configure_logging
from graphql_api.schema import build_schema
from graphql_api.settings import Settings
from graphql_api.state import AppState
from graphql_api.tracing import Tracing, tracing
from resolvers import folders
from resolvers.copernicus.catalogue import Catalogues
from resolvers.errors import Unauthenticated
from resolvers.identity import SignInCache
from resolvers.transfers import TransferLimits
from storage.blobs import BlobStore, BlobStoreConfig
from storage.mongo import Database
from storage.secrets import SecretBox
from upstream.provider import Provider
from upstream.registry import Upstreams, build_providers

log = logging.getLogger(__name__)


class StrataGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with our context and sign-in on WebSocket connect."""

    def __init__(self, app: Starlette, settings: Settings, tracer: Tracing | None) -> None:
        super().__init__(
            build_schema(settings, tracer.extension if tracer else None),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            multipart_uploads_enabled=False,
        )
        self.app = app
        # Built once: whether GraphiQL's files are there does not change while the server runs.
        self.ide_page = web.graphiql_page(settings)

    async def render_graphql_ide(self, request: Request) -> Response:
        return web.graphiql_response(self.ide_page)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state: AppState = self.app.state.strata
        return Context(state, request, response if isinstance(response, Response) else None)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        """Signs the caller in before the document is parsed: without a valid token nothing of the
        schema is told (no introspection, no "did you mean"), only UNAUTHENTICATED."""
        try:
            await context.principal()
        except Unauthenticated as error:
            refused = unauthenticated_result(error)
        except Exception as error:  # the store or the issuer failing while signing in
            errors.log.error("unexpected error signing the caller in: %s", error, exc_info=error)
            refused = ExecutionResult(data=None, errors=[errors.internal_error()])
        else:
            return await super().execute_operation(
                request, request_adapter, request_data, context, root_value, sub_response
            )
        # One answer for each operation of a batch, all the same.
        return [refused] * len(request_data) if isinstance(request_data, list) else refused

    async def on_ws_connect(self, context: Context) -> dict[str, Any] | None:
        try:
            await context.principal()
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": error.message, "code": error.code}) from None
        return None


def unauthenticated_result(error: Unauthenticated) -> ExecutionResult:
    count_unauthenticated()
    return ExecutionResult(data=None, errors=[GraphQLError(error.message, extensions=error.extensions)])


def blob_config(settings: Settings) -> BlobStoreConfig:
    return BlobStoreConfig(
        bucket=settings.s3_bucket,
        region=settings.s3_region,
        endpoint_url=settings.s3_endpoint_url,
        public_endpoint_url=settings.s3_public_endpoint_url,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
    )


def _verifier_config(settings: Settings) -> VerifierConfig:
    return VerifierConfig(
        issuer=settings.oidc_issuer.rstrip("/"),
        audience=settings.oidc_audience,
        algorithms=tuple(a for a in settings.oidc_algorithms if a.upper() != "NONE" and not a.upper().startswith("HS")),
        leeway_seconds=settings.oidc_leeway_seconds,
        jwks_cache_seconds=settings.oidc_jwks_cache_seconds,
        jwks_min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
    )


async def readiness(probes: Mapping[str, Awaitable[Any]], within: float) -> Response:
    """200 when every dependency answers within ``within`` seconds, else 503 naming the ones that did not."""

    async def check(name: str, probe: Awaitable[Any]) -> tuple[str, str]:
        try:
            await asyncio.wait_for(probe, within)
        except Exception as error:
            log.warning("readiness: %s unavailable: %s %s", name, type(error).__name__, error)
            return name, f"unavailable: {type(error).__name__}"
        return name, "ok"

    checks = dict(await asyncio.gather(*(check(name, probe) for name, probe in probes.items())))
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unready", "checks": checks}, status_code=200 if ready else 503
    )


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    state: AppState = request.app.state.strata
    probes = {"mongodb": state.db.ping(), "s3": state.blobs.ping(), "issuer": state.verifier.discovery()}
    return await readiness(probes, state.settings.readiness_timeout_seconds)


async def metrics(request: Request) -> Response:
    state: AppState = request.app.state.strata
    return scrape_refusal(request, state.settings.metrics_token) or await metrics_response(state.db)


def _limits(settings: Settings) -> TransferLimits:
    return TransferLimits(
        max_object_bytes=settings.max_object_bytes,
        upload_url_seconds=settings.upload_url_seconds,
        download_url_seconds=settings.download_url_seconds,
        upload_idle_seconds=settings.upload_idle_seconds,
    )


def _worker_config(settings: Settings) -> WorkerConfig:
    return WorkerConfig(
        owner=worker_owner(),
        lease=timedelta(seconds=settings.copernicus_lease_seconds),
        poll_every=timedelta(seconds=settings.copernicus_poll_seconds),
        idle_sleep=settings.copernicus_idle_sleep_seconds,
        part_size=settings.copernicus_part_bytes,
    )


def _upstream_urls(settings: Settings) -> dict[str, str | None]:
    return {"CDS": settings.cds_url, "ADS": settings.ads_url, "EWDS": settings.ewds_url, "CLMS": settings.clms_url}


def _upstream_client(settings: Settings) -> httpx.AsyncClient:
    """The client every Copernicus call goes through, counted per upstream for /metrics."""
    transport = CountingTransport(httpx.AsyncHTTPTransport(), upstream_namer(_upstream_urls(settings)))
    return httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True, transport=transport)


def _upstreams(settings: Settings, upstream: httpx.AsyncClient) -> Upstreams:
    return Upstreams(_upstream_urls(settings), _providers(settings, upstream), upstream)


def _box(settings: Settings) -> SecretBox | None:
    return SecretBox.from_setting(settings.secret_key) if settings.secret_key else None


def _providers(settings: Settings, upstream: httpx.AsyncClient) -> dict[str, Provider]:
    cads = {
        "CDS": (settings.cds_url, settings.cds_key),
        "ADS": (settings.ads_url, settings.ads_key),
        "EWDS": (settings.ewds_url, settings.ewds_key),
    }
    has = (settings.has_caster_url, settings.has_username, settings.has_password)
    return build_providers(cads, upstream, (settings.clms_url, settings.clms_service_key), has)


def _worker(state: AppState) -> Worker:
    assert state.upstreams is not None
    return Worker(state.db, state.blobs, state.upstreams, state.box, _worker_config(state.settings), state.clock)


def create_worker_app(settings: Settings) -> Starlette:
    """The worker on its own (``strata worker``): the same clients as the API, and only
    /healthz, /readyz and /metrics over HTTP. The server's shutdown (SIGTERM) stops the worker,
    which hands its downloads and leases back before the process ends."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database.connect(settings.mongodb_url, settings.mongodb_database, timeout_ms=settings.mongodb_timeout_ms)
        try:
            async with BlobStore.open(blob_config(settings)) as blobs, _upstream_client(settings) as upstream:
                await db.ensure_indexes()
                config = _worker_config(settings)
                worker = Worker(db, blobs, _upstreams(settings, upstream), _box(settings), config, _now)
                app.state.worker = worker
                app.state.db = db
                app.state.blobs = blobs
                stop = asyncio.Event()
                running = asyncio.create_task(worker.run(stop, settings.shutdown_grace_seconds), name="worker")
                log.info("Copernicus worker %s started", config.owner)
                try:
                    yield
                finally:
                    stop.set()
                    await running
                    log.info("Copernicus worker %s stopped; its leases are released", config.owner)
        finally:
            db.close()

    async def ready(request: Request) -> Response:
        state = request.app.state
        return await readiness(
            {"mongodb": state.db.ping(), "s3": state.blobs.ping()}, settings.readiness_timeout_seconds
        )

    async def worker_metrics(request: Request) -> Response:
        if refusal := scrape_refusal(request, settings.metrics_token):
            return refusal
        WORKER_IN_FLIGHT.set(request.app.state.worker.in_flight)
        return await metrics_response(request.app.state.db)

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", ready), Route("/metrics", worker_metrics)],
        lifespan=lifespan,
    )


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings | None = None,
    *,
    command_listeners: list[CommandListener] | None = None,
    batch_loads: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    """The ASGI app; clients are opened in the lifespan and closed on shutdown.

    Example::

        uvicorn.run(create_app(Settings()), port=8000)
    """
    settings = settings or Settings()
    tracer = tracing(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database.connect(
            settings.mongodb_url, settings.mongodb_database, command_listeners, timeout_ms=settings.mongodb_timeout_ms
        )
        try:
            async with (
                BlobStore.open(blob_config(settings)) as blobs,
                httpx.AsyncClient(timeout=httpx.Timeout(10.0), follow_redirects=False) as http,
                _upstream_client(settings) as upstream,
            ):
                await db.ensure_indexes()
                await blobs.ensure_bucket(settings.s3_cors_origins)
                verifier = TokenVerifier(_verifier_config(settings), http)
                state = AppState(settings, db, blobs, http, verifier, SignInCache(), _limits(settings), batch_loads)
                if clock is not None:
                    state.clock = clock
                keep = settings.copernicus_catalogue_cache_seconds
                state.catalogues = Catalogues(keep_seconds=keep, recheck_seconds=min(10.0, keep))
                state.upstreams = _upstreams(settings, upstream)
                state.providers = state.upstreams.platform
                state.box = _box(settings)
                state.hub = RequestHub(db, settings.subscription_watch_seconds)
                app.state.strata = state
                if resumed := await folders.resume_pending_moves(db):
                    log.warning("finished %d folder moves interrupted by a restart", resumed)
                stop = asyncio.Event()
                background = [
                    asyncio.create_task(
                        housekeeping.sweep_forever(
                            db,
                            state.blobs,
                            state.clock,
                            timedelta(seconds=settings.upload_idle_seconds),
                            settings.upload_sweep_interval_seconds,
                        ),
                        name="housekeeping",
                    ),
                    asyncio.create_task(state.hub.watch(), name="copernicus-watcher"),
                ]
                state.mailer = _mailer(settings, state)
                if state.mailer is not None:
                    background.append(asyncio.create_task(state.mailer.run(), name="mailer"))
                else:
                    log.info("no SMTP server set (STRATA_SMTP_HOST): shares are not mailed to their grantees")
                worker = None
                if settings.copernicus_worker and (state.providers or state.box):
                    worker = asyncio.create_task(
                        _worker(state).run(stop, settings.shutdown_grace_seconds), name="copernicus-worker"
                    )
                log.info("Strata API started")
                try:
                    yield
                finally:
                    stop.set()
                    if worker is not None:
                        # The worker hands its downloads and leases back, so another replica takes over at once.
                        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                            await asyncio.wait_for(worker, settings.shutdown_grace_seconds + 5)
                    for task in background:
                        task.cancel()
                    for task in background:
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
                    if tracer is not None:
                        await asyncio.to_thread(tracer.shutdown)
        finally:
            db.close()

    app = Starlette(
        routes=[Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)],
        middleware=[
            Middleware(HeaderSizeLimitMiddleware),
            Middleware(SecurityHeadersMiddleware, policy=catalogue_policy(settings)),
            Middleware(RequestIdMiddleware),
            Middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes),
        ],
        lifespan=lifespan,
    )
    graphql = StrataGraphQL(app, settings, tracer)
    app.router.routes.append(Route("/graphql", graphql, methods=["GET", "POST"]))
    app.router.routes.append(WebSocketRoute("/graphql", graphql))
    app.router.routes.extend(web.routes(settings))
    return app


def _mailer(settings: Settings, state: AppState) -> Mailer | None:
    if not settings.smtp_host:
        return None
    server = SmtpServer(
        settings.smtp_host,
        settings.smtp_port,
        settings.mail_from,
        settings.smtp_username,
        settings.smtp_password,
        settings.smtp_starttls,
    )
    return Mailer(state.db, server, state.clock, settings.mail_interval_seconds)


def configure(settings: Settings) -> None:
    configure_logging(settings.log_level, settings.log_format)
