import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REQUEST, USER, sentence } from "../../src/lib/errors";

const schema = readFileSync(fileURLToPath(new URL("../../../schema.graphql", import.meta.url)), "utf8");

function enumValues(name: string): string[] {
  const body = schema.match(new RegExp(`enum ${name} \\{([\\s\\S]*?)\\n\\}`))?.[1] ?? "";
  return body
    .replace(/"""[\s\S]*?"""/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[A-Z_]+$/.test(line));
}

describe("error sentences", () => {
  it("say something for every code the schema declares, and nothing for codes it does not", () => {
    expect(enumValues("UserErrorCode").length).toBeGreaterThan(20);
    expect(Object.keys(USER).sort()).toEqual(enumValues("UserErrorCode").sort());
    expect(Object.keys(REQUEST).sort()).toEqual(enumValues("RequestErrorCode").sort());
  });

  it("keep the code for support and the API's detail where it names the field", () => {
    expect(sentence("NAME_TAKEN", "name is taken")).toBe(
      "Something in this folder already has that name (names ignore case). Pick another name. Code for support: NAME_TAKEN.",
    );
    expect(sentence("METADATA_INVALID", "bbox: south lies north of north")).toContain("Bbox: south lies north of north.");
    expect(sentence("INTERNAL", "boom", "req-7")).toContain("Code for support: INTERNAL, req-7.");
    expect(sentence("SOMETHING_NEW", "the api said this")).toBe("The api said this.");
  });
});
