"""The services' dataset catalogues, cached per service, and the checks made against them before
anything is submitted upstream: the service's name (any case) and the dataset's."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from resolvers.errors import ExpectedError, RequestErrorCode, UserErrorCode, UserFailure
from upstream.provider import Dataset, Provider, UpstreamError
from upstream.registry import SERVICES


class UpstreamUnavailable(ExpectedError):
    """An upstream service did not answer as it should: not the caller's mistake."""

    code = RequestErrorCode.UPSTREAM_UNAVAILABLE


def service_id(name: str) -> str:
    """The service's id for ``name`` in any case; UNKNOWN_SERVICE for a name Strata does not know."""
    wanted = name.strip().upper()
    for service in SERVICES:
        if service.id == wanted:
            return service.id
    known = ", ".join(s.id for s in SERVICES)
    raise UserFailure(UserErrorCode.UNKNOWN_SERVICE, f"no service called {name!r}; known: {known}", ["service"])


@dataclass
class Catalogues:
    """Each service's datasets, kept ``keep_seconds``; a dataset not in a cached list is looked
    for once more in a fresh one (a new dataset is not refused for an old list), at most every
    ``recheck_seconds``."""

    keep_seconds: float
    recheck_seconds: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _lists: dict[str, tuple[float, list[Dataset]]] = field(default_factory=dict)

    async def datasets(self, service: str, provider: Provider, fresh: bool = False) -> list[Dataset]:
        cached = self._lists.get(service)
        age = self.clock() - cached[0] if cached else None
        if cached is None or age is None or age > self.keep_seconds or (fresh and age > self.recheck_seconds):
            try:
                cached = (self.clock(), await provider.datasets())
            except UpstreamError as error:
                raise UpstreamUnavailable(f"the {provider.name} catalogue is unavailable: {error.message}") from None
            self._lists[service] = cached
        return cached[1]

    async def require_dataset(self, service: str, providers: Mapping[str, Provider], dataset: str) -> None:
        """UNKNOWN_DATASET when the service's catalogue answers without it. With no platform
        provider (own keys only) or a catalogue that does not answer, the upstream decides."""
        provider = providers.get(service)
        if provider is None:
            return
        try:
            for fresh in (False, True):
                if any(d.id == dataset for d in await self.datasets(service, provider, fresh)):
                    return
        except UpstreamUnavailable:
            return
        raise UserFailure(
            UserErrorCode.UNKNOWN_DATASET,
            f"{service} has no dataset {dataset!r}; copernicusDatasets(service: {service!r}) lists them",
            ["dataset"],
        )
