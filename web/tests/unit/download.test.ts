import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { composite } from "../../src/lib/checksum";
import { DownloadError, rangedDownload, renewingLink, type Range } from "../../src/lib/download";

// A tiny object store for the engine: answers Range requests over one buffer, with faults on demand.
function store(data: Uint8Array, faults: { failFirst?: number; shortPart?: number; status?: number } = {}) {
  const seen: string[] = [];
  let failures = faults.failFirst ?? 0;
  const fetcher = (async (_url: string, init?: RequestInit) => {
    const header = new Headers(init?.headers).get("Range")!;
    seen.push(header);
    if (faults.status) return new Response("no", { status: faults.status });
    if (failures > 0) {
      failures--;
      throw new TypeError("network down");
    }
    const [start, end] = header.replace("bytes=", "").split("-").map(Number) as [number, number];
    let body = data.slice(start, end + 1);
    if (faults.shortPart !== undefined && start === faults.shortPart) body = body.slice(0, body.length - 1);
    return new Response(body, { status: 206 });
  }) as typeof fetch;
  return { fetcher, seen };
}

function ranges(size: number, part: number): Range[] {
  const out: Range[] = [];
  for (let start = 0, n = 1; start < size; start += part, n++) {
    out.push({ partNumber: n, rangeStart: start, rangeEnd: Math.min(start + part, size) - 1 });
  }
  return out;
}

const sha = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

describe("rangedDownload", () => {
  const data = new Uint8Array(10_000).map((_, i) => (i * 7) % 251);

  it("fetches every range in parallel, in order, with the composite checksum", async () => {
    const { fetcher, seen } = store(data);
    const progress: number[] = [];
    const done = await rangedDownload("u", ranges(data.length, 3000), {
      fetcher,
      concurrency: 3,
      onProgress: (received) => progress.push(received),
    });
    expect(Buffer.concat(done.parts)).toEqual(Buffer.from(data));
    const parts = [0, 3000, 6000, 9000].map((s) => data.slice(s, s + 3000));
    expect(done.checksum).toBe(await composite(parts.map(sha)));
    expect(seen).toHaveLength(4);
    expect(progress.at(-1)).toBe(data.length);
  });

  it("retries a range whose connection failed", async () => {
    const { fetcher, seen } = store(data, { failFirst: 2 });
    const done = await rangedDownload("u", ranges(data.length, 5000), { fetcher, concurrency: 1 });
    expect(done.bytes).toBe(data.length);
    expect(seen.length).toBe(4);
  });

  it("refuses a short part after its retries, and an error status at once", async () => {
    const short = store(data, { shortPart: 5000 });
    await expect(rangedDownload("u", ranges(data.length, 5000), { fetcher: short.fetcher, retries: 1 })).rejects.toThrow(
      DownloadError,
    );
    const denied = store(data, { status: 403 });
    await expect(rangedDownload("u", ranges(data.length, 5000), { fetcher: denied.fetcher, retries: 0 })).rejects.toThrow(
      "HTTP 403",
    );
  });

  it("matches the API's composite for a known value", async () => {
    // Python: base64(sha256(sha256(b"abc"))) + "-1"
    const expected = createHash("sha256").update(createHash("sha256").update("abc").digest()).digest("base64") + "-1";
    expect(await composite([sha(new TextEncoder().encode("abc"))])).toBe(expected);
  });

  it("delivers parts in order as they arrive, holding only a bounded number, the composite with the last", async () => {
    const { fetcher } = store(data);
    // every third range answers late, so ranges arrive out of order
    let calls = 0;
    const slow = (async (url: string, init?: RequestInit) => {
      if (calls++ % 3 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      return fetcher(url, init);
    }) as typeof fetch;
    const got: { index: number; bytes: number[]; checksum?: string }[] = [];
    let fetchedAhead = 0;
    const done = await rangedDownload("u", ranges(data.length, 500), {
      fetcher: slow,
      concurrency: 2,
      onProgress: () => (fetchedAhead = Math.max(fetchedAhead, calls - got.length)),
      async deliver(part, index, checksum) {
        await new Promise((resolve) => setTimeout(resolve, 2)); // a disk that takes its time
        got.push({ index, bytes: [...part], checksum });
      },
    });
    expect(got.map((g) => g.index)).toEqual([...Array(20).keys()]);
    expect(Buffer.from(got.flatMap((g) => g.bytes))).toEqual(Buffer.from(data));
    expect(got.filter((g) => g.checksum !== undefined).map((g) => g.index)).toEqual([19]);
    expect(got.at(-1)!.checksum).toBe(done.checksum);
    expect(done.parts.filter(Boolean)).toHaveLength(0); // nothing kept: it was all delivered
    expect(fetchedAhead).toBeLessThanOrEqual(2 * 2 + 2);
  });

  it("stops everything, without retrying, when delivering fails", async () => {
    const { fetcher, seen } = store(data);
    let delivered = 0;
    const attempt = rangedDownload("u", ranges(data.length, 500), {
      fetcher,
      concurrency: 3,
      async deliver(_part, index) {
        if (index === 4) throw new Error("checksum mismatch");
        delivered++;
      },
    });
    await expect(attempt).rejects.toThrow("checksum mismatch");
    expect(delivered).toBe(4);
    expect(seen.length).toBeLessThan(20);
  });

  it("renews a URL near its end and after the store refuses it, and stops when renewing is refused", async () => {
    // A store that takes only the newest URL it handed out; the API hands out /v1, /v2, ...
    let newest = "/v1";
    const asked: string[] = [];
    const fetcher = (async (url: string, init?: RequestInit) => {
      asked.push(url);
      if (url !== newest) return new Response("expired", { status: 403 });
      const [start, end] = new Headers(init?.headers).get("Range")!.replace("bytes=", "").split("-").map(Number) as [number, number];
      return new Response(data.slice(start, end + 1), { status: 206 });
    }) as typeof fetch;
    let clock = 0;
    let version = 1;
    const again = async () => ({ url: `/v${++version}`, expiresAt: new Date(clock + 60_000).toISOString() });
    const link = renewingLink({ url: "/v1", expiresAt: new Date(60_000).toISOString() }, again, () => clock);
    // the store ends /v1 before our clock says so: the refused range is fetched again on /v2
    newest = "/v2";
    const first = await rangedDownload(link, ranges(data.length, 4096).slice(0, 1), { fetcher, concurrency: 1 });
    expect(first.bytes).toBe(4096);
    expect(asked).toEqual(["/v1", "/v2"]);
    // 50 s on, within 15 s of its end, the URL is renewed before it is used
    clock = 50_000;
    newest = "/v3";
    const second = await rangedDownload(link, ranges(data.length, 4096).slice(1, 2), { fetcher, concurrency: 1 });
    expect(second.bytes).toBe(4096);
    expect(asked.slice(2)).toEqual(["/v3"]);
    // access ended: renewing throws, and the download fails with that reason
    const ended = renewingLink({ url: "/gone", expiresAt: new Date(clock).toISOString() }, async () => {
      throw new Error("this file cannot be downloaded now");
    }, () => clock);
    await expect(rangedDownload(ended, ranges(data.length, 4096), { fetcher, retries: 0 })).rejects.toThrow(
      "this file cannot be downloaded now",
    );
  });
});
