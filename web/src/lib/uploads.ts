// The page's uploads: a reactive list the upload panel shows, each job driven by the engine in
// ./upload with the API calls made through urql. It outlives page changes (one per app).
import type { Client } from "@urql/vue";
import { computed, reactive, ref } from "vue";
import { ABORT_UPLOAD, CHILD_FILE, COMPLETE_UPLOADS, CREATE_UPLOADS, PART_URLS, UPLOADED_PARTS } from "../operations";
import { batched } from "./batch";
import { sentence } from "./errors";
import { cancelUpload, type Details, type Hasher, type Memory, type UploadApi, UploadRefused, uploadFile, xhrSend } from "./upload";

const MAX_COPIES = 100;
const FILES_AT_ONCE = 16;
const BYTES_AT_ONCE = 64 * 1024 * 1024;

export type JobState = "waiting" | "sending" | "paused" | "done" | "failed" | "cancelled";

export interface Job {
  id: number;
  file: File;
  folderId: string;
  name: string;
  details: Details;
  state: JobState;
  sent: number;
  total: number;
  parts: number;
  resumedParts: number;
  error: string | null;
  fileId: string | null;
  unchanged: boolean; // already there with the same content: nothing sent
  nameTaken: boolean; // refused because another file holds the name
  copy: number; // n of "name (n).ext" when kept beside the file that holds the name
  startedAt: number;
  sentAtStart: number; // bytes already in the store when this run began: not part of the speed
  controller: AbortController | null;
}

function refused(payload: { userErrors: { code: string; message: string }[] } | null | undefined, what: string): never {
  const first = payload?.userErrors[0];
  throw new UploadRefused(first ? sentence(first.code, first.message) : `${what} failed`, first?.code ?? null);
}

type Refusals = { userErrors: { code: string; message: string }[] };

// One call's answer for each of its items, or the reason the whole call was refused.
function each<T>(payload: (Refusals & { results: T[] }) | null | undefined, error: string | undefined, what: string): T[] {
  if (!payload || payload.userErrors.length) refused(payload, error ?? what);
  return payload.results;
}

export function apiFor(client: Client): UploadApi {
  const start = batched(async (uploads: Parameters<UploadApi["create"]>[0][]) => {
    const asked = uploads.map((u) => ({ ...u, size: String(u.size), partSize: u.partSize === null ? null : String(u.partSize) }));
    const answer = await client.mutation(CREATE_UPLOADS, { uploads: asked }).toPromise();
    return each(answer.data?.createUploads, answer.error?.message, "starting the uploads");
  });
  const finish = batched(async (uploads: { uploadId: string; parts: { partNumber: number; etag: string }[] }[]) => {
    const answer = await client.mutation(COMPLETE_UPLOADS, { uploads }).toPromise();
    return each(answer.data?.completeUploads, answer.error?.message, "completing the uploads");
  });
  return {
    async create(input) {
      const payload = await start(input);
      if (!payload?.upload) refused(payload, "starting the upload");
      return { uploadId: payload.upload.id, partSize: Number(payload.upload.partSize), parts: payload.upload.parts };
    },
    async held(uploadId) {
      const answer = await client.query(UPLOADED_PARTS, { id: uploadId }, { requestPolicy: "network-only" }).toPromise();
      const node = answer.data?.node;
      return node && "uploadedParts" in node ? node.uploadedParts : null;
    },
    async sign(uploadId, parts) {
      const answer = await client.mutation(PART_URLS, { input: { uploadId, parts } }).toPromise();
      const payload = answer.data?.uploadPartUrls;
      if (!payload?.upload) refused(payload, answer.error?.message ?? "signing the parts");
      return payload.upload.parts;
    },
    async complete(uploadId, parts) {
      const payload = await finish({ uploadId, parts });
      if (!payload?.file) refused(payload, "completing the upload");
      return payload.file;
    },
    async abort(uploadId) {
      await client.mutation(ABORT_UPLOAD, { id: uploadId }).toPromise();
    },
    async existing(folderId, name) {
      const answer = await client.query(CHILD_FILE, { id: folderId, name }, { requestPolicy: "network-only" }).toPromise();
      const found = answer.data?.folder?.childFile;
      if (!found) return null;
      const { id, status, checksum } = found;
      const going = found.uploadInProgress;
      const resumable = going?.viewerCanResume ? { uploadId: going.uploadId, partSize: Number(going.partSize) } : null;
      return { id, name: found.name, status, checksum, size: Number(found.size), checksumPartSize: found.checksumPartSize ? Number(found.checksumPartSize) : null, resumable };
    },
  };
}

export function workerHasher(): Hasher {
  const worker = new Worker(new URL("./hash-worker.ts", import.meta.url), { type: "module" });
  const pending = new Map<number, { resolve: (d: string) => void; reject: (e: Error) => void }>();
  let next = 0;
  worker.onmessage = (event: MessageEvent<{ id: number; digest?: string; error?: string }>) => {
    const waiting = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (event.data.digest) waiting?.resolve(event.data.digest);
    else waiting?.reject(new Error(event.data.error ?? "hashing failed"));
  };
  return (body) =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, body });
    });
}

const memory: Memory = {
  get: (key) => window.localStorage.getItem(key),
  set: (key, value) => window.localStorage.setItem(key, value),
  remove: (key) => window.localStorage.removeItem(key),
};

export function createUploads(client: Client) {
  const jobs = reactive<Job[]>([]);
  const completed = ref(0); // pages watch it to show what arrived
  const api = apiFor(client);
  let hash: Hasher | null = null;
  let nextId = 1;
  // Up to 16 files at a time, within 64 MiB (a big file goes alone): small files picked together
  // start and finish in shared requests (./batch), big ones do not crowd each other's parts.
  let running = 0;
  let runningBytes = 0;
  const queued: Job[] = [];
  const wakers = new Map<Job, () => void>();
  const fits = (job: Job) => running === 0 || (running < FILES_AT_ONCE && runningBytes + job.total <= BYTES_AT_ONCE);
  function wakeNext(): void {
    while (queued.length && fits(queued[0]!)) {
      const next = queued.shift()!;
      running++;
      runningBytes += next.total;
      wakers.get(next)?.();
      wakers.delete(next);
    }
  }
  async function inTurn(job: Job): Promise<void> {
    await new Promise<void>((go) => {
      wakers.set(job, go);
      queued.push(job);
      wakeNext();
    });
    try {
      if (job.state === "waiting") await run(job); // paused or cancelled while it waited: left so
    } finally {
      running--;
      runningBytes -= job.total;
      wakeNext();
    }
  }

  async function run(job: Job): Promise<void> {
    hash ??= workerHasher();
    job.state = "sending";
    job.error = null;
    job.controller = new AbortController();
    job.startedAt = performance.now();
    job.sentAtStart = -1;
    try {
      const done = await uploadFile(job.file, job.folderId, {
        api,
        send: xhrSend,
        hash,
        memory,
        name: job.name,
        details: job.details,
        signal: job.controller.signal,
        onProgress(progress) {
          if (job.sentAtStart < 0 || progress.resumedParts > job.resumedParts) job.sentAtStart = progress.sent;
          Object.assign(job, { sent: progress.sent, total: progress.total, parts: progress.parts, resumedParts: progress.resumedParts });
        },
      });
      job.state = "done";
      job.sent = job.total;
      job.fileId = done.id;
      job.unchanged = done.unchanged ?? false;
      completed.value++;
    } catch (error) {
      if ((error as Error).name === "AbortError") {
        if (job.state === "sending") job.state = "paused";
        return;
      }
      job.nameTaken = error instanceof UploadRefused && error.code === "NAME_TAKEN";
      if (job.nameTaken && job.copy > 0 && job.copy < MAX_COPIES) {
        job.copy++;
        job.name = numbered(job.file.name, job.copy);
        await run(job);
        return;
      }
      job.state = "failed";
      job.error = (error as Error).message;
    } finally {
      job.controller = null;
    }
  }

  return {
    jobs,
    completed,
    add(files: File[], folderId: string, details: Details = {}): void {
      for (const file of files) {
        const job = reactive<Job>({
          id: nextId++, file, folderId, name: file.name, details, state: "waiting", sent: 0, total: file.size,
          parts: 0, resumedParts: 0, error: null, fileId: null, unchanged: false, nameTaken: false, copy: 0, startedAt: 0, sentAtStart: 0, controller: null,
        }) as Job;
        jobs.push(job);
        void inTurn(job);
      }
    },
    pause(job: Job): void {
      job.state = "paused";
      job.controller?.abort();
    },
    resume(job: Job): void {
      job.state = "waiting";
      void inTurn(job);
    },
    // Upload beside the file that holds the name, as "name (1).ext" or the first free number.
    keepBoth(job: Job): void {
      job.copy = 1;
      job.name = numbered(job.file.name, 1);
      job.state = "waiting";
      void inTurn(job);
    },
    async cancel(job: Job): Promise<void> {
      job.state = "cancelled";
      job.controller?.abort();
      await cancelUpload(job.file, job.folderId, api, memory);
    },
    clear(): void {
      for (let i = jobs.length - 1; i >= 0; i--) if (["done", "cancelled"].includes(jobs[i]!.state)) jobs.splice(i, 1);
    },
    overall: computed(() => {
      const live = jobs.filter((j) => j.state !== "cancelled");
      return { sent: live.reduce((s, j) => s + j.sent, 0), total: live.reduce((s, j) => s + j.total, 0) };
    }),
  };
}

export type Uploads = ReturnType<typeof createUploads>;



// "survey.tif" -> "survey (n).tif", as file managers name a copy.
export function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

export function speed(job: Job, now: number): { rate: number; left: number | null } {
  const seconds = (now - job.startedAt) / 1000;
  const moved = job.sent - Math.max(job.sentAtStart, 0);
  const rate = seconds > 0.5 ? moved / seconds : 0;
  return { rate, left: rate > 0 ? (job.total - job.sent) / rate : null };
}

let shared: Uploads | null = null;

// The app's one upload list, made on first use (the code is loaded only by pages that upload).
export function sharedUploads(client: Client): Uploads {
  if (shared === null) {
    const made = createUploads(client);
    // Closing the tab mid-upload loses nothing (picking the file again resumes), but say so.
    window.addEventListener("beforeunload", (event) => {
      if (made.jobs.some((job) => job.state === "sending")) event.preventDefault();
    });
    shared = made;
  }
  return shared;
}
