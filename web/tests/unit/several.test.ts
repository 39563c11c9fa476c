import { describe, expect, it } from "vitest";
import { counted, oneByOne } from "../../src/lib/several";

describe("an action on several items", () => {
  const items = [{ name: "a.txt" }, { name: "b.txt" }, { name: "c.txt" }];

  it("does each in turn and names each refusal", async () => {
    const seen: string[] = [];
    const outcome = await oneByOne(items, async (item) => {
      seen.push(item.name);
      return item.name === "b.txt" ? "The name is taken." : null;
    });
    expect(seen).toEqual(["a.txt", "b.txt", "c.txt"]);
    expect(outcome.done.map((i) => i.name)).toEqual(["a.txt", "c.txt"]);
    expect(outcome.refusal).toBe("b.txt: The name is taken.");
  });

  it("does not name the one item of a dialog, unless asked", async () => {
    const refuse = async () => "No.";
    expect((await oneByOne([items[0]!], refuse)).refusal).toBe("No.");
    expect((await oneByOne([items[0]!], refuse, true)).refusal).toBe("a.txt: No.");
    expect((await oneByOne(items, async () => null)).refusal).toBeNull();
    expect(counted([items[0]!])).toBe("a.txt");
    expect(counted(items)).toBe("3 items");
  });
});
