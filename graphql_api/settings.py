"""Settings read from environment variables, all prefixed ``STRATA_``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of the API process. ``STRATA_MONGODB_URL`` sets ``mongodb_url`` and so on.

    Example::

        STRATA_OIDC_ISSUER=https://id.example.org/realms/strata strata serve
    """

    model_config = SettingsConfigDict(env_prefix="STRATA_", extra="ignore")

    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = "strata"
    mongodb_timeout_ms: int = 5000

    s3_endpoint_url: str | None = None
    s3_public_endpoint_url: str | None = Field(
        default=None, description="Endpoint written into presigned URLs, when clients reach S3 by another name"
    )
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_bucket: str = "strata"
    s3_cors_origins: list[str] = ["*"]

    oidc_issuer: str = "http://127.0.0.1:8080/realms/strata"
    oidc_audience: str = "strata-api"
    oidc_algorithms: list[str] = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
    oidc_leeway_seconds: int = 30
    oidc_jwks_cache_seconds: int = 3600
    oidc_jwks_min_refresh_seconds: float = 5.0
    oidc_organisation_claim: str = "groups"

    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5000
    max_selections: int = 500
    # Tests: fail an operation whose resolvers never asked the access policy (graphql_api/policy_check.py).
    require_policy_check: bool = False
    max_query_cost: int = 10_000
    # A completeUpload with 10,000 parts is about 700 KB of JSON.
    max_body_bytes: int = 1024 * 1024
    parser_cache_size: int = 1024

    max_object_bytes: int = 5 * 1024**4
    upload_url_seconds: int = 3600
    # A download's URL outlives a revoke or a trash by at most this; clients renew it as it nears its end.
    download_url_seconds: int = 60
    upload_idle_seconds: int = 24 * 3600
    upload_sweep_interval_seconds: float = 300.0

    # Copernicus upstreams: each is enabled when its URL and key are set.
    cds_url: str | None = None
    cds_key: str | None = None
    ads_url: str | None = None
    ads_key: str | None = None
    ewds_url: str | None = None
    ewds_key: str | None = None
    clms_url: str | None = None
    clms_service_key: str | None = Field(default=None, description="The CLMS service-key JSON, or a path to it")
    secret_key: str | None = Field(
        default=None, description="32 random bytes, base64: seals users' own upstream keys at rest"
    )
    has_caster_url: str | None = None
    has_username: str | None = None
    has_password: str | None = None
    copernicus_worker: bool = True
    copernicus_poll_seconds: float = 5.0
    copernicus_lease_seconds: float = 60.0
    copernicus_idle_sleep_seconds: float = 0.5
    copernicus_part_bytes: int = 16 * 1024 * 1024
    copernicus_catalogue_cache_seconds: float = 600.0
    subscription_watch_seconds: float = 0.25
    share_watch_seconds: float = Field(
        default=1.0, description="How often each shareChanged subscription reads its item's audit trail"
    )

    # Mail to the people shares are made to; off unless a server is set.
    smtp_host: str | None = Field(default=None, description="SMTP server for notices; unset: no mail is sent")
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(default=True, description="Upgrade with STARTTLS before signing in and sending")
    mail_from: str = "Strata <strata@localhost>"
    mail_interval_seconds: float = 30.0
    public_url: str | None = Field(
        default=None, description="Where people open the catalogue (https://strata.example.org), for links in mail"
    )

    shutdown_grace_seconds: float = Field(
        default=20.0, description="After SIGTERM: time for in-flight requests and downloads to finish"
    )
    metrics_token: str | None = Field(
        default=None,
        description="Bearer token a scraper sends to /metrics; unset: /metrics answers loopback callers only",
    )
    otel_endpoint: str | None = Field(default=None, description="OTLP/HTTP collector; set to switch tracing on")
    otel_service_name: str = "strata"

    graphiql: bool = True
    web_dist: str | None = Field(
        default=None, description="The built catalogue (web/dist); default: the one beside the code, when built"
    )
    web_client_id: str = Field(default="strata-web", description="The catalogue's public OIDC client (PKCE)")
    log_format: Literal["json", "text"] = "json"
    log_level: str = "INFO"
    readiness_timeout_seconds: float = 2.0
