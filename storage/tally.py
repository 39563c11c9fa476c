"""A search's matches counted, whole and by type, source, organisation and year, up to a bound.

The count is read, not kept: the same equalities as the search's page select the candidates (an
index on both stores) and the matches are counted as they stream, unsorted, so no store sorts or
holds them. Its cost grows with the answer and stops at ``bound``: past it the tally says "at
least", which is what a person reading "more than 10,000 results" needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId
from odmantic import AIOEngine

from storage import pages
from storage.models import File
from storage.search import FileQuery, alternatives, file_filter

TALLY_BOUND = 10_000
# Only the fields a facet reads cross the wire.
_PROJECTION = {
    "_id": 1,
    "content_type": 1,
    "organisation_id": 1,
    "provenance.source_kind": 1,
    "provenance.time_start": 1,
}


@dataclass
class Tally:
    count: int = 0
    exact: bool = True
    types: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    organisations: Counter[ObjectId] = field(default_factory=Counter)
    years: Counter[int] = field(default_factory=Counter)

    def add(self, document: dict[str, Any]) -> None:
        self.count += 1
        self.types[str(document.get("content_type") or "")] += 1
        self.organisations[document["organisation_id"]] += 1
        provenance = document.get("provenance") or {}
        if provenance.get("source_kind"):
            self.sources[str(provenance["source_kind"])] += 1
        if provenance.get("time_start") is not None:
            self.years[provenance["time_start"].year] += 1


async def tally(engine: AIOEngine, query: FileQuery, bound: int = TALLY_BOUND) -> Tally:
    """The matches of ``query`` counted, each once, at most ``bound`` of them (then ``exact`` is false)."""
    # Each alternative reads at most one past the bound: enough to know the bound is passed.
    found = await pages.find_any(
        engine.get_collection(File), file_filter(query), alternatives(query), _PROJECTION, bound + 1
    )
    result = Tally(exact=len(found) <= bound)
    for document in found[:bound]:
        result.add(document)
    return result
