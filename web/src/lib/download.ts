// Parallel ranged download straight from the object store (a presigned GET), with progress and
// a checksum check: each range is hashed as it arrives and the composite compared with the API's.
// With ``deliver``, parts are handed on in order as they arrive (to be written to disk) and only a
// few are held at once; the last one goes with the composite, so a mismatch can stop the save.
import { composite, sha256 } from "./checksum";

export interface Range {
  partNumber: number;
  rangeStart: number;
  rangeEnd: number; // inclusive, as in an HTTP Range header
}

export interface DownloadOptions {
  concurrency?: number;
  retries?: number;
  fetcher?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (received: number, total: number) => void;
  deliver?: (part: Uint8Array<ArrayBuffer>, index: number, checksum?: string) => Promise<void>;
}

export interface Downloaded {
  parts: Uint8Array<ArrayBuffer>[];
  checksum: string;
  bytes: number;
}

export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A presigned URL that is renewed from the API as it nears its end (URLs live a minute, so that a
 * revoke ends a transfer soon), or when the store refuses it. */
export interface Link {
  current(): Promise<string>;
  renew(stale: string): Promise<void>;
}

export interface Presigned {
  url: string;
  expiresAt: string;
}

export function renewingLink(first: Presigned, again: () => Promise<Presigned>, now = () => Date.now()): Link {
  let url = first.url;
  let renewAt = 0;
  let renewing: Promise<void> | null = null;
  const take = (presigned: Presigned) => {
    url = presigned.url;
    const lifetime = new Date(presigned.expiresAt).getTime() - now();
    renewAt = now() + Math.max(0, lifetime - Math.min(15_000, lifetime / 4));
  };
  take(first);
  const link: Link = {
    async current() {
      if (now() >= renewAt) await link.renew(url);
      return url;
    },
    async renew(stale) {
      if (url !== stale) return; // renewed meanwhile
      renewing ??= again()
        .then(take)
        .finally(() => (renewing = null));
      await renewing;
    },
  };
  return link;
}

export async function rangedDownload(
  source: string | Link,
  ranges: Range[],
  options: DownloadOptions = {},
): Promise<Downloaded> {
  const link: Link =
    typeof source === "string" ? { current: async () => source, renew: async () => undefined } : source;
  const { concurrency = 4, retries = 3, fetcher = fetch, signal, onProgress } = options;
  const total = ranges.reduce((sum, r) => sum + (r.rangeEnd - r.rangeStart + 1), 0);
  const parts: Uint8Array<ArrayBuffer>[] = new Array(ranges.length);
  const digests: Uint8Array[] = new Array(ranges.length);
  const counted = new Array<number>(ranges.length).fill(0);
  let received = 0;
  const count = (index: number, bytes: number) => {
    received += bytes - (counted[index] ?? 0);
    counted[index] = bytes;
    onProgress?.(received, total);
  };

  // Delivered in order; a range is fetched only while it is fewer than ``ahead`` ranges past the
  // last one delivered, which bounds what is held in memory to that many parts.
  const { deliver } = options;
  const ahead = deliver ? 2 * concurrency : ranges.length;
  const ready = new Map<number, Uint8Array<ArrayBuffer>>();
  let delivered = 0;
  let flushing: Promise<void> = Promise.resolve();
  let stopped: unknown = null; // what ``deliver`` threw: everything stops, nothing is retried
  const waiters: (() => void)[] = [];
  const flush = async (): Promise<void> => {
    try {
      while (deliver && stopped === null && ready.has(delivered)) {
        const body = ready.get(delivered)!;
        ready.delete(delivered);
        const last = delivered === ranges.length - 1;
        await deliver(body, delivered, last ? await composite(digests) : undefined);
        delivered++;
        waiters.splice(0).forEach((wake) => wake());
      }
    } catch (error) {
      stopped ??= error;
      waiters.splice(0).forEach((wake) => wake());
    }
  };

  async function fetchRange(index: number): Promise<void> {
    while (index >= delivered + ahead && stopped === null) await new Promise<void>((resolve) => waiters.push(resolve));
    if (stopped !== null) throw stopped;
    const range = ranges[index]!;
    const expected = range.rangeEnd - range.rangeStart + 1;
    for (let attempt = 0; ; attempt++) {
      try {
        const url = await link.current();
        const body = await readRange(fetcher, url, range, expected, signal, (bytes) => count(index, bytes)).catch(
          async (error: unknown) => {
            // The store's clock may end a URL before ours does: renew it, then this attempt counts.
            if (error instanceof DownloadError && error.status === 403) await link.renew(url);
            throw error;
          },
        );
        digests[index] = await sha256(body);
        if (!deliver) parts[index] = body;
        else {
          ready.set(index, body);
          flushing = flushing.then(flush);
          await flushing;
          if (stopped !== null) throw stopped;
        }
        return;
      } catch (error) {
        count(index, 0);
        if (stopped !== null || signal?.aborted || attempt >= retries) throw error;
      }
    }
  }

  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, ranges.length) }, async () => {
    while (next < ranges.length) await fetchRange(next++);
  });
  await Promise.all(workers);
  return { parts, checksum: await composite(digests), bytes: received };
}

async function readRange(
  fetcher: typeof fetch,
  url: string,
  range: Range,
  expected: number,
  signal: AbortSignal | undefined,
  progress: (bytes: number) => void,
): Promise<Uint8Array<ArrayBuffer>> {
  // no-store: ranges of a large file would otherwise be written to the HTTP cache as well
  const response = await fetcher(url, { headers: { Range: `bytes=${range.rangeStart}-${range.rangeEnd}` }, cache: "no-store", signal });
  if (response.status !== 206 && !(response.status === 200 && range.rangeStart === 0)) {
    throw new DownloadError(`the store answered HTTP ${response.status} for part ${range.partNumber}`, response.status);
  }
  const body = new Uint8Array(new ArrayBuffer(expected));
  let filled = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (filled + value.length > expected) {
      await reader.cancel();
      throw new DownloadError(`part ${range.partNumber} is longer than its range`);
    }
    body.set(value, filled);
    filled += value.length;
    progress(filled);
  }
  if (filled !== expected) throw new DownloadError(`part ${range.partNumber} ended after ${filled} of ${expected} bytes`);
  return body;
}

// The ranges must be the file's checksum parts for the composite to be comparable.
export function verified(downloaded: Downloaded, expected: string | null): boolean | null {
  return expected ? downloaded.checksum === expected : null;
}
