"""What the app opens at start-up and shares across requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from background.hub import RequestHub
from background.mail import Mailer
from graphql_api.auth import TokenVerifier
from graphql_api.settings import Settings
from resolvers.copernicus.catalogue import Catalogues
from resolvers.identity import SignInCache
from resolvers.transfers import TransferLimits
from storage.blobs import BlobStore
from storage.mongo import Database
from storage.secrets import SecretBox
from upstream.provider import Provider
from upstream.registry import Upstreams


@dataclass
class AppState:
    settings: Settings
    db: Database
    blobs: BlobStore
    http: httpx.AsyncClient
    verifier: TokenVerifier
    sign_ins: SignInCache
    limits: TransferLimits
    batch_loads: bool = True
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    providers: dict[str, Provider] = field(default_factory=dict)
    upstreams: Upstreams | None = None
    box: SecretBox | None = None
    hub: RequestHub | None = None
    mailer: Mailer | None = None
    catalogues: Catalogues = field(default_factory=lambda: Catalogues(keep_seconds=600.0))
