import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { throttled } from "../../src/lib/throttle";

describe("a call throttled to once a second", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs the first at once, folds a burst into one trailing call, and runs at once again after a pause", () => {
    const call = vi.fn();
    const soon = throttled(call, 1000);
    soon();
    expect(call).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 50; i++) soon();
    expect(call).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1000);
    expect(call).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    soon();
    expect(call).toHaveBeenCalledTimes(3);
  });
});
