// A list's place in the URL: sort, direction and the page trail, so reload and back keep it.
import type { LocationQuery, LocationQueryRaw } from "vue-router";
import { CursorPager } from "./paging";

export type Sort = "NAME" | "SIZE" | "UPDATED_AT" | "TYPE";
export type Direction = "ASC" | "DESC";
const SORTS: Sort[] = ["NAME", "SIZE", "UPDATED_AT", "TYPE"];
export const PAGE_SIZE = 100; // the API's longest page

export interface Listing {
  sort: Sort;
  direction: Direction;
  pager: CursorPager;
}

function one(value: LocationQuery[string] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) ?? undefined;
}

export function readListing(query: LocationQuery): Listing {
  const sort = one(query["sort"]) as Sort | undefined;
  return {
    sort: sort && SORTS.includes(sort) ? sort : "NAME",
    direction: one(query["dir"]) === "DESC" ? "DESC" : "ASC",
    pager: CursorPager.restore(one(query["page"])),
  };
}

export function listingQuery(listing: Listing, rest: LocationQueryRaw = {}): LocationQueryRaw {
  const query: LocationQueryRaw = { ...rest };
  if (listing.sort !== "NAME") query["sort"] = listing.sort;
  if (listing.direction !== "ASC") query["dir"] = listing.direction;
  const trail = listing.pager.serialise();
  if (trail) query["page"] = trail;
  return query;
}

// A header clicked: the same column flips the direction, another starts ascending, page one.
export function sortedBy(listing: Listing, key: Sort): Listing {
  const direction = listing.sort === key && listing.direction === "ASC" ? "DESC" : "ASC";
  return { sort: key, direction, pager: new CursorPager() };
}
