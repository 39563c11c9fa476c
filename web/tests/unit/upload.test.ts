import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { composite } from "../../src/lib/checksum";
import {
  MiB,
  UploadRefused,
  uploadFile,
  type Existing,
  type HeldPart,
  type Memory,
  type PartSender,
  type UploadApi,
} from "../../src/lib/upload";

const sha = async (blob: Blob) => createHash("sha256").update(new Uint8Array(await blob.arrayBuffer())).digest("base64");

// An API and a store in memory, holding what the engine sends, as the real ones would answer.
function world(options: { failPart?: number; stopAfter?: number; taken?: Existing } = {}) {
  const stored = new Map<number, { etag: string; checksum: string }>();
  const puts: number[] = [];
  let failures = options.failPart ? 1 : 0;
  let completed: { partNumber: number; etag: string }[] | null = null;
  const api: UploadApi = {
    create: async ({ partSize }) => {
      if (options.taken) throw new UploadRefused("a file named 'mosaic.tif' already exists there", "NAME_TAKEN");
      return { uploadId: "U1", partSize: partSize ?? 8 * MiB, parts: [] };
    },
    existing: async () => options.taken ?? null,
    held: async () => [...stored].map(([partNumber, p]): HeldPart => ({ partNumber, etag: p.etag, checksumSha256: p.checksum })),
    sign: async (_id, parts) => parts.map((p) => ({ partNumber: p.partNumber, url: `put:${p.partNumber}:${p.checksumSha256}`, headers: [] })),
    complete: async (_id, parts) => {
      completed = parts;
      return { id: "F1", name: "x", checksum: null };
    },
    abort: async () => undefined,
  };
  const controller = new AbortController();
  const send: PartSender = async (part, body, onSent) => {
    puts.push(part.partNumber);
    if (options.failPart === part.partNumber && failures-- > 0) throw new Error("BadDigest");
    const checksum = part.url.split(":")[2]!;
    expect(await sha(body)).toBe(checksum); // the store refuses other bytes
    onSent(body.size);
    stored.set(part.partNumber, { etag: `"e${part.partNumber}"`, checksum });
    if (options.stopAfter && stored.size >= options.stopAfter) controller.abort();
    return `"e${part.partNumber}"`;
  };
  const kept = new Map<string, string>();
  const memory: Memory = { get: (k) => kept.get(k) ?? null, set: (k, v) => void kept.set(k, v), remove: (k) => void kept.delete(k) };
  return { api, send, memory, puts, stored, controller, kept, completed: () => completed };
}

const file = () => new File([new Uint8Array(40 * MiB).map((_, i) => i % 251)], "mosaic.tif", { lastModified: 1 });

describe("browser upload engine", () => {
  it("resumes after a stop by sending only the parts the store does not hold", async () => {
    const w = world({ stopAfter: 2 });
    const source = file();
    await expect(uploadFile(source, "F", { ...w, hash: sha, concurrency: 1, signal: w.controller.signal })).rejects.toThrow("paused");
    expect(w.kept.size).toBe(1); // the upload is remembered for the next run
    const first = w.puts.length;
    let resumed = 0;
    await uploadFile(source, "F", { ...w, hash: sha, concurrency: 2, onProgress: (p) => (resumed = p.resumedParts) });
    expect(resumed).toBe(2);
    expect(w.puts.slice(first).sort()).toEqual([3, 4, 5]); // 40 MiB in 8 MiB parts: 5
    expect(w.completed()?.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(w.kept.size).toBe(0);
  });

  it("goes on in another browser with the upload begun in the first, sending only what is missing", async () => {
    const options: { stopAfter?: number; taken?: Existing } = { stopAfter: 2 };
    const w = world(options);
    const source = file();
    await expect(uploadFile(source, "F", { ...w, hash: sha, concurrency: 1, signal: w.controller.signal })).rejects.toThrow("paused");
    const first = w.puts.length;
    // the other browser remembers nothing; the API says the name is held by the caller's own upload
    options.stopAfter = undefined;
    options.taken = { id: "F1", name: "mosaic.tif", size: source.size, status: "UPLOADING", checksum: null, checksumPartSize: null, resumable: { uploadId: "U1", partSize: 8 * MiB } };
    const kept = new Map<string, string>();
    const elsewhere: Memory = { get: (k) => kept.get(k) ?? null, set: (k, v) => void kept.set(k, v), remove: (k) => void kept.delete(k) };
    let resumed = 0;
    await uploadFile(source, "F", { ...w, memory: elsewhere, hash: sha, onProgress: (p) => (resumed = p.resumedParts) });
    expect(resumed).toBe(2);
    expect(w.puts.slice(first).sort()).toEqual([3, 4, 5]);
    expect(w.completed()?.map((p) => p.partNumber)).toEqual([1, 2, 3, 4, 5]);
  });

  it("does not go on with an upload of another size under the same name", async () => {
    const w = world({ taken: { id: "F1", name: "mosaic.tif", size: 5, status: "UPLOADING", checksum: null, checksumPartSize: null, resumable: { uploadId: "U1", partSize: 8 * MiB } } });
    await expect(uploadFile(file(), "F", { ...w, hash: sha })).rejects.toThrow("already exists");
    expect(w.puts).toEqual([]);
  });

  it("sends a refused part again", async () => {
    const w = world({ failPart: 2 });
    await uploadFile(file(), "F", { ...w, hash: sha });
    expect(w.puts.filter((n) => n === 2)).toHaveLength(2);
    expect(w.completed()).toHaveLength(5);
  });

  it("takes a file already there with the same content as done, and sends nothing", async () => {
    const source = file();
    const part = 16 * MiB; // the stored file's own part size, not the engine's
    const digests = [0, 1, 2].map(async (i) => Buffer.from(await sha(source.slice(i * part, (i + 1) * part)), "base64"));
    const checksum = await composite(await Promise.all(digests));
    const there = { id: "F9", name: "mosaic.tif", size: source.size, status: "AVAILABLE", checksum, checksumPartSize: part, resumable: null };
    const w = world({ taken: there });
    const done = await uploadFile(source, "F", { ...w, hash: sha });
    expect(done).toEqual({ id: "F9", name: "mosaic.tif", checksum, unchanged: true });
    expect(w.puts).toEqual([]);
  });

  it("refuses the name when the file there differs, or is still arriving", async () => {
    const source = file();
    const differs = { id: "F9", name: "mosaic.tif", size: source.size, status: "AVAILABLE", checksum: "AAAA-3", checksumPartSize: 16 * MiB, resumable: null };
    for (const there of [differs, { ...differs, status: "UPLOADING" }, { ...differs, size: 1 }]) {
      const w = world({ taken: there });
      await expect(uploadFile(source, "F", { ...w, hash: sha })).rejects.toThrow("already exists");
      expect(w.puts).toEqual([]);
    }
  });
});
