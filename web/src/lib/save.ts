// Writing a checked download to disk as it arrives: parts go in order to the service worker in
// /save-sw.js, whose streamed answer the browser's download manager saves. Where service workers
// are not available (a page not served over https or from localhost), or the worker did not take
// the download, null: the caller keeps the parts in memory instead.
export interface Saver {
  write(part: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  fail(reason: string): void;
}

const SCOPE = "/saving/";
const STARTED_WITHIN_MS = 10_000;

async function activeWorker(): Promise<ServiceWorker | null> {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/save-sw.js", { scope: SCOPE });
  const worker = registration.active ?? registration.waiting ?? registration.installing;
  if (!worker) return null;
  if (worker.state !== "activated") {
    await new Promise<void>((resolve) => {
      const changed = () => worker.state === "activated" && (worker.removeEventListener("statechange", changed), resolve());
      worker.addEventListener("statechange", changed);
      changed();
    });
  }
  return worker;
}

export async function streamingSave(name: string, size: number): Promise<Saver | null> {
  const worker = await activeWorker().catch(() => null);
  if (!worker) return null;
  const id = crypto.randomUUID();
  const channel = new MessageChannel();
  let credits = 0;
  let cancelled = false;
  const waiting: (() => void)[] = [];
  const announced = new Promise<void>((resolve) => {
    channel.port1.onmessage = ({ data }) => {
      if (data.announced) resolve();
      if (data.pull) credits++;
      if (data.cancelled) cancelled = true; // the person cancelled it in the browser's downloads
      waiting.splice(0).forEach((wake) => wake());
    };
  });
  worker.postMessage({ id, name, size }, [channel.port2]);
  await announced;
  // The download manager takes over from a hidden frame; the page stays where it is. The worker
  // asks for the first part as soon as it answers the frame: without that, it did not answer it.
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.src = `${SCOPE}${id}`;
  document.body.append(frame);
  const answered = await Promise.race([
    new Promise<boolean>((resolve) => waiting.push(() => resolve(true))),
    new Promise<boolean>((resolve) => window.setTimeout(() => resolve(credits > 0), STARTED_WITHIN_MS)),
  ]);
  if (!answered) {
    channel.port1.postMessage({ error: "the page saved the file another way" }); // should it answer later
    frame.remove();
    return null;
  }
  // A service worker with nothing but a stream to serve may be stopped; a message now and then keeps it.
  const ping = window.setInterval(() => worker.postMessage({ ping: true }), 10_000);
  const finish = () => {
    window.clearInterval(ping);
    window.setTimeout(() => frame.remove(), 60_000);
  };
  const credit = async () => {
    while (credits === 0 && !cancelled) await new Promise<void>((resolve) => waiting.push(resolve));
    if (cancelled) throw new Error("the download was cancelled in the browser");
    credits--;
  };
  return {
    async write(part) {
      await credit();
      channel.port1.postMessage({ part: part.buffer }, [part.buffer]);
    },
    async close() {
      channel.port1.postMessage({ done: true }); // after the parts already sent
      finish();
    },
    fail(reason) {
      channel.port1.postMessage({ error: reason });
      finish();
    },
  };
}
