import { describe, expect, it } from "vitest";
import { KNOWN_DATASETS, knownFor, summary } from "../../src/lib/datasets";

describe("the common datasets and what tells requests apart", () => {
  it("lists a request for each service the fallback covers", () => {
    expect(new Set(KNOWN_DATASETS.map((d) => d.service))).toEqual(new Set(["CDS", "ADS", "EWDS", "CLMS"]));
    expect(knownFor("ADS").map((d) => d.id)).toContain("cams-global-reanalysis-eac4");
  });

  it("says a request's variables, area and time in a few words", () => {
    const [eac4] = knownFor("ADS");
    expect(summary(eac4!.request)).toBe("particulate_matter_2.5um · area 60, -10, 35, 30 · 2024-07-01/2024-07-02");
    expect(summary({ variable: ["2t"], year: ["2025"], month: ["07"] })).toBe("2t · 2025-07");
    expect(summary("not an object")).toBe("");
    expect(summary({ variable: ["x".repeat(300)] })).toHaveLength(140);
  });
});
