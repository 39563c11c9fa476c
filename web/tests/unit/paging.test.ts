import { describe, expect, it } from "vitest";
import { CursorPager } from "../../src/lib/paging";
import { listingQuery, readListing, sortedBy } from "../../src/lib/listing";

describe("CursorPager", () => {
  it("walks forward by end cursors and back without offsets", () => {
    const pager = new CursorPager();
    expect(pager.after).toBeNull();
    pager.next("c1");
    pager.next("c2");
    expect([pager.page, pager.after, pager.hasPrevious]).toEqual([3, "c2", true]);
    pager.previous();
    expect(pager.after).toBe("c1");
    pager.previous();
    pager.previous();
    expect([pager.page, pager.after, pager.hasPrevious]).toEqual([1, null, false]);
  });

  it("refuses a next page without a cursor", () => {
    expect(() => new CursorPager().next(null)).toThrow("no next page");
  });

  it("round-trips its trail through the URL and caps what it takes from it", () => {
    const pager = new CursorPager();
    pager.next("a");
    pager.next("b");
    expect(CursorPager.restore(pager.serialise()).after).toBe("b");
    expect(CursorPager.restore(Array.from({ length: 500 }, (_, i) => `c${i}`).join(",")).page).toBe(101);
    expect(CursorPager.restore("").page).toBe(1);
  });
});

describe("listing in the URL", () => {
  it("reads defaults, ignores unknown sorts, and writes only what differs", () => {
    expect(readListing({ sort: "EVIL", dir: "sideways" })).toMatchObject({ sort: "NAME", direction: "ASC" });
    const listing = readListing({ sort: "SIZE", dir: "DESC", page: "x,y" });
    expect(listing.pager.after).toBe("y");
    expect(listingQuery(listing)).toEqual({ sort: "SIZE", dir: "DESC", page: "x,y" });
    expect(listingQuery(readListing({}))).toEqual({});
  });

  it("flips the direction on the same column and starts over on page one", () => {
    const listing = readListing({ sort: "SIZE", page: "x" });
    const flipped = sortedBy(listing, "SIZE");
    expect([flipped.direction, flipped.pager.page]).toEqual(["DESC", 1]);
    expect(sortedBy(flipped, "NAME").direction).toBe("ASC");
  });
});
