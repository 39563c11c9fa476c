"""Which upstream services exist, and the providers for those configured here."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from storage.copernicus.cads import CadsProvider
from storage.copernicus.clms import ClmsProvider, load_service_key
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


def build_providers(
    cads: dict[str, tuple[str | None, str | None]],
    http: httpx.AsyncClient,
    clms: tuple[str | None, str | None] = (None, None),
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
    return providers
