"""Real services for the whole run: FerretDB, MinIO and Keycloak from devservices, the API on a free port.

Services already running (e.g. from ``make run``) are reused; the ones this run started are
stopped at the end. Each run uses its own database and bucket, removed afterwards.
"""

from __future__ import annotations

import base64
import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from motor.motor_asyncio import AsyncIOMotorClient, AsyncIOMotorDatabase
from pymongo import MongoClient

from devservices.api import serve_api, settings_for
from devservices.services import Stack
from graphql_api.settings import Settings
from tests.fake_cads import KEY as CADS_KEY
from tests.fake_cads import FakeCads, running_fake_cads
from tests.fake_clms import FakeClms, running_fake_clms
from tests.fake_ntrip import PASSWORD as CASTER_PASSWORD
from tests.fake_ntrip import USER as CASTER_USER
from tests.fake_ntrip import FakeCaster, running_fake_caster
from tests.graphql import GraphQLClient
from tests.helpers import METRICS_TOKEN
from tests.index_coverage import Recorder
from tests.keycloak import KeycloakClient
from tests.mailbox import Mailbox, running_mailbox

TOKEN_REUSE_SECONDS = 300


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    stack = Stack()
    started = stack.up()
    try:
        yield stack
    finally:
        stack.down(started)


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def fake_cads() -> Iterator[FakeCads]:
    with running_fake_cads() as fake:
        yield fake


@pytest.fixture(scope="session")
def fake_clms() -> Iterator[FakeClms]:
    with running_fake_clms() as fake:
        yield fake


@pytest.fixture(scope="session")
def fake_caster() -> Iterator[FakeCaster]:
    with running_fake_caster() as caster:
        yield caster


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as box:
        yield box


@pytest.fixture(scope="session")
def test_env(
    stack: Stack, run_id: str, fake_cads: FakeCads, fake_clms: FakeClms, fake_caster: FakeCaster, mailbox: Mailbox
) -> dict[str, str]:
    return {
        **stack.app_env(),
        "STRATA_SMTP_HOST": "127.0.0.1",
        "STRATA_SMTP_PORT": str(mailbox.port),
        "STRATA_SMTP_STARTTLS": "false",
        "STRATA_MAIL_FROM": "Strata <strata@test.invalid>",
        "STRATA_MAIL_INTERVAL_SECONDS": "0.2",
        "STRATA_PUBLIC_URL": "http://127.0.0.1:18700",
        "STRATA_HAS_CASTER_URL": fake_caster.base,
        "STRATA_HAS_USERNAME": CASTER_USER,
        "STRATA_HAS_PASSWORD": CASTER_PASSWORD,
        "STRATA_CLMS_URL": fake_clms.base,
        # ADS is reachable but has no platform key: only people's own keys work there.
        "STRATA_ADS_URL": fake_cads.base,
        "STRATA_SECRET_KEY": base64.b64encode(os.urandom(32)).decode(),
        "STRATA_CLMS_SERVICE_KEY": fake_clms.service_key(),
        "STRATA_CDS_URL": fake_cads.base,
        "STRATA_CDS_KEY": CADS_KEY,
        "STRATA_COPERNICUS_POLL_SECONDS": "0.2",
        # FerretDB on SQLite rewrites a multi-document update document by document: the 1000-folder
        # move in test_query_counts takes 20-40 s on a loaded 2-core machine, past the default
        # 20 s socket timeout (4 x this).
        "STRATA_MONGODB_TIMEOUT_MS": "15000",
        # Tests add datasets to the fake catalogue as they go: a cached list would refuse them.
        "STRATA_COPERNICUS_CATALOGUE_CACHE_SECONDS": "0",
        "STRATA_COPERNICUS_IDLE_SLEEP_SECONDS": "0.1",
        "STRATA_COPERNICUS_PART_BYTES": str(5 * 1024 * 1024),
        "STRATA_MONGODB_DATABASE": f"strata_test_{run_id}",
        "STRATA_S3_BUCKET": f"strata-test-{run_id}",
        # Every operation the suite sends must have asked the access policy.
        "STRATA_REQUIRE_POLICY_CHECK": "true",
        "STRATA_METRICS_TOKEN": METRICS_TOKEN,
        # Tests rotate keys and send unknown kids back to back.
        "STRATA_OIDC_JWKS_MIN_REFRESH_SECONDS": "0",
    }


@pytest.fixture(scope="session")
def settings(test_env: dict[str, str]) -> Iterator[Settings]:
    settings = settings_for(test_env)
    try:
        yield settings
    finally:
        _remove_run_data(settings)


def _remove_run_data(settings: Settings) -> None:
    """Drop this run's databases and bucket, whichever tests ran."""
    client: MongoClient[Any] = MongoClient(settings.mongodb_url)
    try:
        for name in client.list_database_names():
            if name.startswith(settings.mongodb_database):
                client.drop_database(name)
    finally:
        client.close()
    s3 = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
    )
    bucket = settings.s3_bucket
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        return  # no test of this run started the API, which makes the bucket
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    s3.delete_bucket(Bucket=bucket)


class MovableClock:
    """The API's clock, which tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


@pytest.fixture(scope="session")
def session_clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def clock(session_clock: MovableClock) -> Iterator[MovableClock]:
    try:
        yield session_clock
    finally:
        session_clock.offset = timedelta()


@pytest.fixture(scope="session")
def index_coverage() -> Recorder:
    return Recorder()


@pytest.fixture(scope="session")
def api_url(settings: Settings, session_clock: MovableClock, index_coverage: Recorder) -> Iterator[str]:
    with serve_api(settings, clock=session_clock, command_listeners=[index_coverage]) as url:
        yield url


@pytest.fixture(autouse=True)
def every_query_has_an_index(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test after which the suite's API sent a query no declared index serves."""
    yield
    if "api_url" in request.fixturenames:
        recorder: Recorder = request.getfixturevalue("index_coverage")
        unserved = recorder.take()
        assert not unserved, "queries no declared index serves (tests/index_coverage.py):\n" + "\n".join(unserved)


@pytest.fixture
async def http(api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as client:
        yield client


@pytest.fixture
def gql(http: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(http)


@pytest.fixture(scope="session")
def keycloak(stack: Stack) -> Iterator[KeycloakClient]:
    client = KeycloakClient(stack.keycloak)
    # The realm's database outlives a run: undo what a run stopped midway may have left (a test
    # shortens the CLI client's token lifetime and sets it back when it ends).
    client.set_token_lifespan("strata-cli", None)
    try:
        yield client
    finally:
        client.close()


def _expires(token: str) -> float:
    """A JWT's `exp`, read without checking it (the API checks; this only decides reuse)."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(claims["exp"])


class Tokens:
    """Access tokens from Keycloak, reused for a few minutes to keep the suite fast: for at most
    TOKEN_REUSE_SECONDS, and never within a minute of the token's own expiry by the wall clock
    (a machine whose clock jumps, as a resumed VM's does, must not hand out expired tokens)."""

    def __init__(self, keycloak: KeycloakClient) -> None:
        self.keycloak = keycloak
        self._cache: dict[str, tuple[float, str]] = {}

    def __call__(self, who: str) -> str:
        cached = self._cache.get(who)
        fresh = cached and time.monotonic() - cached[0] < TOKEN_REUSE_SECONDS
        if cached and fresh and _expires(cached[1]) - time.time() > 60:
            return cached[1]
        token = self.keycloak.service_token() if who == "service" else self.keycloak.password_token(who)
        self._cache[who] = (time.monotonic(), token)
        return token


@pytest.fixture(scope="session")
def tokens(keycloak: KeycloakClient) -> Tokens:
    return Tokens(keycloak)


@pytest.fixture(scope="session")
async def mongo(settings: Settings, api_url: str) -> AsyncIterator[AsyncIOMotorDatabase[Any]]:
    client: AsyncIOMotorClient[Any] = AsyncIOMotorClient(settings.mongodb_url, tz_aware=True)
    try:
        yield client[settings.mongodb_database]
    finally:
        client.close()


@pytest.fixture(scope="module")
async def as_user_module(api_url: str, tokens: Tokens) -> AsyncIterator[Any]:
    """``as_user`` for module-scoped fixtures: one HTTP client for the whole module."""
    async with httpx.AsyncClient(base_url=api_url, timeout=60) as http:

        def client(who: str) -> GraphQLClient:
            return GraphQLClient(http, tokens(who))

        yield client


@pytest.fixture
def as_user(gql: GraphQLClient, tokens: Tokens) -> Any:
    def client(who: str) -> GraphQLClient:
        return gql.as_(tokens(who))

    return client
