// Saves a file the page downloads in checked ranges through the browser's own download manager,
// so that no file is held in memory whole: the page announces a save on a MessagePort, opens
// /saving/<id>, and this worker answers with a stream that asks the page for each next part
// (one at a time: the disk sets the pace). An error from the page (a checksum that differs) fails
// the download, and the browser keeps nothing of it.
const announced = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const { id, name, size } = event.data ?? {};
  if (typeof id !== "string" || !event.ports[0]) return; // a keep-alive ping: receiving it is enough
  announced.set(id, { name, size, port: event.ports[0] });
  event.ports[0].postMessage({ announced: id });
});

self.addEventListener("fetch", (event) => {
  const match = /^\/saving\/([\w-]+)$/.exec(new URL(event.request.url).pathname);
  if (!match) return;
  const save = announced.get(match[1]);
  announced.delete(match[1]);
  if (!save) {
    event.respondWith(new Response("This download is no longer available.\n", { status: 404 }));
    return;
  }
  const body = new ReadableStream(
    {
      start(controller) {
        save.port.onmessage = ({ data }) => {
          if (data.part) controller.enqueue(new Uint8Array(data.part));
          else if (data.done) controller.close();
          else controller.error(new Error(data.error ?? "the save was stopped"));
        };
      },
      pull() {
        save.port.postMessage({ pull: true });
      },
      cancel() {
        save.port.postMessage({ cancelled: true });
      },
    },
    { highWaterMark: 1 },
  );
  const filename = encodeURIComponent(save.name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  event.respondWith(
    new Response(body, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(save.size),
        "Content-Disposition": `attachment; filename*=UTF-8''${filename}`,
      },
    }),
  );
});
