import { describe, expect, it } from "vitest";
import { batched } from "../../src/lib/batch";

describe("calls made together go as one", () => {
  it("sends the calls of one moment in one batch, at most `most` each, and answers each caller", async () => {
    const sent: number[][] = [];
    const double = batched(async (inputs: number[]) => {
      sent.push(inputs);
      return inputs.map((n) => n * 2);
    }, 3);
    const answers = await Promise.all([1, 2, 3, 4, 5].map(double));
    expect(answers).toEqual([2, 4, 6, 8, 10]);
    expect(sent).toEqual([[1, 2, 3], [4, 5]]);
    expect(await double(7)).toBe(14); // a later call makes its own batch
    expect(sent).toHaveLength(3);
  });

  it("fails every caller of a batch whose request failed, and only those", async () => {
    let calls = 0;
    const flaky = batched(async (inputs: string[]) => {
      if (calls++ === 0) throw new Error("network down");
      return inputs.map((s) => s.toUpperCase());
    });
    const first = await Promise.allSettled([flaky("a"), flaky("b")]);
    expect(first.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await flaky("c")).toBe("C");
  });
});
