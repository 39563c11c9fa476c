// A browser upload straight to the object store: the file is cut into parts, each part hashed
// (SHA-256, off the page's thread) and PUT to its presigned URL, a few at a time, with the hash
// signed into the URL so the store refuses any other bytes. The upload's id is remembered per
// file (folder, name, size, modification time): picking the same file again after a closed tab
// or a lost network asks the API which parts the store holds and sends only the others.
import { composite } from "./checksum";

export const MiB = 1024 * 1024;
const MIN_PART = 8 * MiB;
const MAX_PARTS = 10_000;

export interface PartUrl {
  partNumber: number;
  url: string;
  headers: { name: string; value: string }[];
}
export interface HeldPart {
  partNumber: number;
  etag: string;
  checksumSha256: string | null;
}
export interface Done {
  id: string;
  name: string;
  checksum: string | null;
  unchanged?: boolean; // the name was taken by a file with this very content: nothing was sent
}
// A live file already holding the name, as the API describes it.
export interface Existing {
  id: string;
  name: string;
  size: number;
  status: string;
  checksum: string | null;
  checksumPartSize: number | null;
  // An upload in progress the caller started (from this browser or another): it can go on.
  resumable: Remembered | null;
}
// A file's free metadata and provenance (as ProvenanceInput takes it), given at its creation.
export interface Details {
  metadata?: object;
  provenance?: object;
}

// What the engine needs of the API; the page gives it urql-backed calls, tests their own.
export interface UploadApi {
  // With the SHA-256 of its first parts, their URLs come back in the same answer.
  create(
    input: { folderId: string; name: string; size: number; contentType: string; partSize: number | null; partChecksums: string[] } & Details,
  ): Promise<{ uploadId: string; partSize: number; parts: PartUrl[] }>;
  held(uploadId: string): Promise<HeldPart[] | null>; // null: completed, aborted or swept
  sign(uploadId: string, parts: { partNumber: number; checksumSha256: string }[]): Promise<PartUrl[]>;
  complete(uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<Done>;
  abort(uploadId: string): Promise<void>;
  existing(folderId: string, name: string): Promise<Existing | null>;
}

// PUT one part; resolves with the ETag. XMLHttpRequest, not fetch: only it reports upload progress.
export type PartSender = (part: PartUrl, body: Blob, onSent: (bytes: number) => void, signal: AbortSignal) => Promise<string>;
export type Hasher = (body: Blob) => Promise<string>; // base64 SHA-256

export interface Memory {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export class UploadRefused extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export interface Progress {
  sent: number; // bytes in the store or on their way, this file
  total: number;
  resumedParts: number;
  parts: number;
}

export function partSizeFor(size: number): number {
  return Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

export function memoryKey(folderId: string, file: File): string {
  return `strata-upload:${folderId}:${file.name}:${file.size}:${file.lastModified}`;
}

export interface UploadOptions {
  api: UploadApi;
  send: PartSender;
  hash: Hasher;
  memory: Memory;
  concurrency?: number;
  retries?: number;
  name?: string;
  details?: Details;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

// Upload ``file`` into the folder; an abort (pause) leaves everything for the next run.
export async function uploadFile(file: File, folderId: string, options: UploadOptions): Promise<Done> {
  const { api, send, hash, memory, concurrency = 4, retries = 3, signal, onProgress } = options;
  const key = memoryKey(folderId, file);
  let remembered = recalled(memory, key);
  let held: HeldPart[] = [];
  const digests = new Map<number, string>();
  const signed = new Map<number, PartUrl>(); // URLs that came with the upload's creation
  if (remembered) {
    const found = await api.held(remembered.uploadId);
    if (found === null) remembered = null;
    else held = found;
  }
  if (!remembered) {
    const partSize = partSizeFor(file.size);
    const contentType = file.type || "application/octet-stream";
    const name = options.name ?? file.name;
    // A file of one part is hashed first, so that creating its upload also signs its URL: one
    // round trip fewer for every small file.
    if (file.size > 0 && file.size <= partSize) digests.set(1, await hash(file));
    try {
      const made = await api.create({
        folderId, name, size: file.size, contentType, partSize: file.size ? partSize : null, partChecksums: [...digests.values()], ...options.details,
      });
      made.parts.forEach((part) => signed.set(part.partNumber, part));
      remembered = { uploadId: made.uploadId, partSize: made.partSize };
    } catch (error) {
      // The same folder dropped again after a stop: what arrived whole is not sent twice.
      const there = error instanceof UploadRefused && error.code === "NAME_TAKEN" ? await api.existing(folderId, name) : null;
      if (there && (await sameContent(file, there, hash))) return { id: there.id, name: there.name, checksum: there.checksum, unchanged: true };
      // The same file's upload begun elsewhere (another tab, browser or device) goes on from the
      // parts the store holds: each is checked against this file's part, by its SHA-256.
      if (!there?.resumable || there.size !== file.size) throw error;
      remembered = there.resumable;
      held = (await api.held(remembered.uploadId)) ?? [];
    }
    memory.set(key, JSON.stringify(remembered));
  }
  const { uploadId, partSize } = remembered;
  const count = Math.ceil(file.size / partSize);
  const heldBy = new Map(held.map((p) => [p.partNumber, p]));
  const etags = new Map<number, string>();
  const inFlight = new Map<number, number>();
  let settled = 0;
  const progress: Progress = { sent: 0, total: file.size, resumedParts: 0, parts: count };
  const report = () => {
    let moving = 0;
    for (const bytes of inFlight.values()) moving += bytes;
    progress.sent = settled + moving;
    onProgress?.({ ...progress });
  };

  const slice = (n: number) => file.slice((n - 1) * partSize, Math.min(n * partSize, file.size));
  // Hash every part first, in order, handing them to the senders as they come: a part the store
  // holds with the same hash is not sent again.
  const waiting: number[] = [];
  const wake: (() => void)[] = [];
  let hashed = false;
  const hashing = (async () => {
    for (let n = 1; n <= count; n++) {
      if (signal?.aborted) break;
      const digest = digests.get(n) ?? (await hash(slice(n)));
      digests.set(n, digest);
      const there = heldBy.get(n);
      if (there && there.checksumSha256 === digest) {
        etags.set(n, there.etag);
        settled += slice(n).size;
        progress.resumedParts++;
        report();
      } else {
        waiting.push(n);
        wake.shift()?.();
      }
    }
    hashed = true;
    wake.splice(0).forEach((w) => w());
  })();

  async function nextPart(): Promise<number | null> {
    for (;;) {
      if (signal?.aborted) return null; // paused: what is not sent waits for the next run
      const n = waiting.shift();
      if (n !== undefined) return n;
      if (hashed) return null;
      await new Promise<void>((resolve) => wake.push(resolve));
    }
  }

  async function sendPart(n: number): Promise<void> {
    const body = slice(n);
    for (let attempt = 0; ; attempt++) {
      const early = attempt === 0 ? signed.get(n) : undefined;
      const url = early ?? (await api.sign(uploadId, [{ partNumber: n, checksumSha256: digests.get(n)! }]))[0];
      try {
        const etag = await send(url!, body, (bytes) => {
          inFlight.set(n, bytes);
          report();
        }, signal ?? new AbortController().signal);
        inFlight.delete(n);
        etags.set(n, etag);
        settled += body.size;
        report();
        return;
      } catch (error) {
        inFlight.delete(n);
        report();
        if (signal?.aborted || attempt >= retries) throw error;
      }
    }
  }

  const senders = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, async () => {
    for (let n = await nextPart(); n !== null; n = await nextPart()) await sendPart(n);
  });
  await Promise.all([hashing, ...senders]);
  if (signal?.aborted) throw new DOMException("paused", "AbortError");
  if (etags.size !== count) throw new UploadRefused("some parts did not arrive; try again");
  const done = await api.complete(
    uploadId,
    [...etags].sort((a, b) => a[0] - b[0]).map(([partNumber, etag]) => ({ partNumber, etag })),
  );
  memory.remove(key);
  if (count > 0 && done.checksum !== null) {
    const local = await composite([...Array(count).keys()].map((i) => fromBase64(digests.get(i + 1)!)));
    if (local !== done.checksum) throw new UploadRefused(`the stored file's checksum ${done.checksum} differs from this file's ${local}`);
  }
  return done;
}

// Whether the stored file is this file: available, as long, and the same composite SHA-256 when
// this file is hashed with the stored one's part size.
async function sameContent(file: File, there: Existing, hash: Hasher): Promise<boolean> {
  if (there.status !== "AVAILABLE" || there.size !== file.size || !there.checksum || !there.checksumPartSize) return false;
  const part = there.checksumPartSize;
  const digests: Uint8Array[] = [];
  for (let start = 0; start < file.size; start += part) digests.push(fromBase64(await hash(file.slice(start, start + part))));
  return digests.length > 0 && (await composite(digests)) === there.checksum;
}

export interface Remembered {
  uploadId: string;
  partSize: number;
}

function recalled(memory: Memory, key: string): Remembered | null {
  try {
    return JSON.parse(memory.get(key) ?? "null") as Remembered | null;
  } catch {
    return null; // written by something else: start afresh
  }
}

// Forget a remembered upload and tell the API to drop its parts.
export async function cancelUpload(file: File, folderId: string, api: UploadApi, memory: Memory): Promise<void> {
  const key = memoryKey(folderId, file);
  const remembered = recalled(memory, key);
  memory.remove(key);
  if (remembered) await api.abort(remembered.uploadId);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// The PUT, by XMLHttpRequest, with the headers the API signed into the URL.
export const xhrSend: PartSender = (part, body, onSent, signal) =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", part.url);
    for (const header of part.headers) request.setRequestHeader(header.name, header.value);
    request.upload.onprogress = (event) => onSent(event.loaded);
    request.onload = () => {
      const etag = request.getResponseHeader("ETag");
      if (request.status === 200 && etag) resolve(etag);
      else reject(new UploadRefused(`part ${part.partNumber}: the store answered HTTP ${request.status}`));
    };
    request.onerror = () => reject(new UploadRefused(`part ${part.partNumber}: the connection failed`));
    request.onabort = () => reject(new DOMException("paused", "AbortError"));
    signal.addEventListener("abort", () => request.abort(), { once: true });
    request.send(body);
  });
