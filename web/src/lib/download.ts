// Parallel ranged download straight from the object store (a presigned GET), with progress and
// a checksum check: each range is hashed as it arrives and the composite compared with the API's.
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
}

export interface Downloaded {
  parts: Uint8Array<ArrayBuffer>[];
  checksum: string;
  bytes: number;
}

export class DownloadError extends Error {}

export async function rangedDownload(url: string, ranges: Range[], options: DownloadOptions = {}): Promise<Downloaded> {
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

  async function fetchRange(index: number): Promise<void> {
    const range = ranges[index]!;
    const expected = range.rangeEnd - range.rangeStart + 1;
    for (let attempt = 0; ; attempt++) {
      try {
        const body = await readRange(fetcher, url, range, expected, signal, (bytes) => count(index, bytes));
        parts[index] = body;
        digests[index] = await sha256(body);
        return;
      } catch (error) {
        count(index, 0);
        if (signal?.aborted || attempt >= retries) throw error;
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
  const response = await fetcher(url, { headers: { Range: `bytes=${range.rangeStart}-${range.rangeEnd}` }, signal });
  if (response.status !== 206 && !(response.status === 200 && range.rangeStart === 0)) {
    throw new DownloadError(`the store answered HTTP ${response.status} for part ${range.partNumber}`);
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
