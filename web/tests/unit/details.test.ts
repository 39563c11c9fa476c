import { describe, expect, it } from "vitest";
import { fieldsOf, formOf, metadataOf, provenanceOf, type ProvenanceForm } from "../../src/lib/details";

const blank: ProvenanceForm = formOf(null);

describe("metadata as fields", () => {
  it("gives each stored value the kind it has, and back", () => {
    const stored = { roof: "north", floors: 3, checked: true, day: "2026-03-31", tags: ["a", "b"], survey: { by: "team" } };
    const fields = fieldsOf(stored);
    expect(fields.map((f) => f.kind)).toEqual(["text", "number", "yes/no", "date", "list", "json"]);
    expect(metadataOf(fields)).toEqual({ value: stored, errors: {} });
  });

  it("says what is wrong with each field, by field", () => {
    const checked = metadataOf([
      { key: "", kind: "text", value: "x" },
      { key: "a.b", kind: "number", value: "twelve" },
      { key: "ok", kind: "date", value: "31/03/2026" },
      { key: "ok", kind: "json", value: "{" },
    ]);
    expect(checked.value).toBeUndefined();
    expect(Object.keys(checked.errors).sort()).toEqual(["0.key", "1.key", "1.value", "2.value", "3.key", "3.value"]);
    expect(checked.errors["3.key"]).toBe("Another field has this name.");
  });
});

describe("provenance as a form", () => {
  it("reads the API's provenance and gives ProvenanceInput back", () => {
    const form = formOf({
      sourceKind: "DRONE",
      sensorId: "flir",
      location: { longitude: 5, latitude: 50 },
      bbox: { west: 4, south: 49, east: 6, north: 51 },
      timeRange: { start: "2026-01-01T10:00:00.000Z", end: null },
    });
    const value = provenanceOf(form).value!;
    expect(value).toMatchObject({ sourceKind: "DRONE", sensorId: "flir", location: { longitude: 5, latitude: 50 } });
    expect(value.bbox).toEqual({ west: 4, south: 49, east: 6, north: 51 });
    expect((value.timeRange as { start: string }).start).toBe("2026-01-01T10:00:00.000Z");
  });

  it("refuses what the API would, next to the field", () => {
    expect(provenanceOf({ ...blank, latitude: "95", longitude: "5" }).errors.latitude).toBe("Latitude is between -90 and 90.");
    expect(provenanceOf({ ...blank, longitude: "5" }).errors.latitude).toBe("Latitude: a number.");
    expect(provenanceOf({ ...blank, west: "6", east: "4", south: "1", north: "2" }).errors.east).toMatch(/East is at or east of west/);
    expect(provenanceOf({ ...blank, start: "2026-02-01T00:00", end: "2026-01-01T00:00" }).errors.end).toBe(
      "The end is not before the start.",
    );
    expect(provenanceOf(blank)).toEqual({ value: {}, errors: {} });
  });
});
