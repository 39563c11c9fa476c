"""SearchFacets: how many files a search finds, and how many of each type, source, organization and year."""

from __future__ import annotations

import strawberry
from bson import ObjectId

from graphql_api.context import Info
from graphql_api.types.organization import Organization
from storage.models import SourceKind
from storage.tally import TALLY_BOUND, Tally


@strawberry.type
class FacetCount:
    value: str = strawberry.field(description="What the files share: a type, a source kind or a year.")
    count: int


@strawberry.type
class OrganizationCount:
    organization: Organization
    count: int


def _counts(counter: dict[str, int]) -> list[FacetCount]:
    """Most first, then by value: the order a person scans a facet in."""
    return [FacetCount(value=v, count=n) for v, n in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]


@strawberry.type(
    description=f"The files a search finds, counted exactly up to {TALLY_BOUND:,}; past that `exact` is false "
    "and every count is of the first matches read."
)
class SearchFacets:
    count: int = strawberry.field(description="Files found; when `exact` is false, at least this many.")
    exact: bool
    types: list[FacetCount] = strawberry.field(description="By content type.")
    sources: list[FacetCount] = strawberry.field(description="By source kind (files without one are not counted).")
    years: list[FacetCount] = strawberry.field(description="By the year their time range starts in.")
    organization_counts: strawberry.Private[dict[str, int]]

    @classmethod
    def from_tally(cls, tally: Tally) -> SearchFacets:
        return cls(
            count=tally.count,
            exact=tally.exact,
            types=_counts(dict(tally.types)),
            sources=_counts({SourceKind(k).name: n for k, n in tally.sources.items()}),
            years=_counts({str(y): n for y, n in tally.years.items()}),
            organization_counts={str(o): n for o, n in tally.organisations.items()},
        )

    @strawberry.field(description="By the organization that holds them.")
    async def organizations(self, info: Info) -> list[OrganizationCount]:
        principal = await info.context.principal()
        found = await info.context.loaders.organisation.load_many([ObjectId(o) for o in self.organization_counts])
        counted = [
            OrganizationCount(
                organization=Organization.from_document(d, principal), count=self.organization_counts[str(d.id)]
            )
            for d in found
            if d is not None
        ]
        return sorted(counted, key=lambda c: (-c.count, c.organization.slug))
