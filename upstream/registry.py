"""Which upstream services exist, and the providers for those configured here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import httpx

from upstream.cads import CadsProvider
from upstream.clms import ClmsProvider, load_service_key, parse_service_key
from upstream.ntrip import NtripProvider
from upstream.provider import Provider


@dataclass(frozen=True)
class ServiceInfo:
    id: str
    name: str


SERVICES = (
    ServiceInfo("CDS", "Climate Data Store"),
    ServiceInfo("ADS", "Atmosphere Data Store"),
    ServiceInfo("EWDS", "Early Warning Data Store"),
    ServiceInfo("CLMS", "Copernicus Land Monitoring Service"),
    ServiceInfo("GALILEO_HAS", "Galileo High Accuracy Service"),
)
CADS_STORES = ("CDS", "ADS", "EWDS")


def build_providers(
    cads: dict[str, tuple[str | None, str | None]],
    http: httpx.AsyncClient,
    clms: tuple[str | None, str | None] = (None, None),
    has: tuple[str | None, str | None, str | None] = (None, None, None),
) -> dict[str, Provider]:
    """One provider per configured upstream.

    ``cads`` maps a store to (api url, key); ``clms`` is (api url, service key).
    """
    names = {s.id: s.name for s in SERVICES}
    providers: dict[str, Provider] = {}
    for service in CADS_STORES:
        url, key = cads.get(service, (None, None))
        if url and key:
            providers[service] = CadsProvider(service, names[service], url, key, http)
    clms_url, clms_key = clms
    if clms_url and clms_key:
        providers["CLMS"] = ClmsProvider(clms_url, load_service_key(clms_key), http)
    caster, user, password = has
    if caster and user and password:
        providers["GALILEO_HAS"] = NtripProvider(caster, user, password, http)
    return providers


MAX_OWN_PROVIDERS = 256


class Upstreams:
    """The platform's providers, and providers made on demand for users who bring their own key."""

    def __init__(
        self,
        urls: dict[str, str | None],
        platform: dict[str, Provider],
        http: httpx.AsyncClient,
    ) -> None:
        self.urls = urls
        self.platform = platform
        self.http = http
        self._own: dict[tuple[str, str], Provider] = {}  # by service and the key's hash

    def reachable(self, service: str) -> bool:
        """A user key can be used only where the deployment knows the service's address."""
        return bool(self.urls.get(service))

    def with_key(self, service: str, key: str) -> Provider:
        cache_key = (service, hashlib.sha256(key.encode()).hexdigest())
        if cache_key not in self._own:
            url = self.urls.get(service)
            if not url:
                raise ValueError(f"{service} has no address configured")
            names = {s.id: s.name for s in SERVICES}
            if service == "CLMS":
                provider: Provider = ClmsProvider(url, parse_service_key(key), self.http)
            else:
                provider = CadsProvider(service, names[service], url, key, self.http)
            if len(self._own) >= MAX_OWN_PROVIDERS:
                self._own.pop(next(iter(self._own)))  # the oldest: providers are cheap to make again
            self._own[cache_key] = provider
        return self._own[cache_key]
