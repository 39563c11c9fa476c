// SHA-256 of upload parts off the page's thread: the page stays responsive while gigabytes are
// hashed. A Blob crosses to the worker without copying; the worker reads it.
import { base64, sha256 } from "./checksum";

self.onmessage = async (event: MessageEvent<{ id: number; body: Blob }>) => {
  const { id, body } = event.data;
  try {
    postMessage({ id, digest: base64(await sha256(await body.arrayBuffer())) });
  } catch (error) {
    postMessage({ id, error: (error as Error).message });
  }
};
