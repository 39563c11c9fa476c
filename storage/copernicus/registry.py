"""Which upstream services exist, and the providers for those configured here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from storage.copernicus.cads import CadsProvider
from storage.copernicus.provider import Provider


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


def build_providers(cads: dict[str, tuple[str | None, str | None]], http: httpx.AsyncClient) -> dict[str, Provider]:
    """One provider per configured CADS store: ``cads`` maps service id to (api url, key)."""
    names = {s.id: s.name for s in SERVICES}
    providers: dict[str, Provider] = {}
    for service in CADS_STORES:
        url, key = cads.get(service, (None, None))
        if url and key:
            providers[service] = CadsProvider(service, names[service], url, key, http)
    return providers
