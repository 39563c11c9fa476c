// A file's signed download address (and the byte ranges of the parts asked for), as the API
// signs it for the caller now: for a preview, a checked download, or the browser's own save.
import type { Client, CombinedError } from "@urql/core";
import { FILE_DOWNLOAD } from "../operations";

export const DEFAULT_PART = 16 * 1024 * 1024;

export async function signedDownload(client: Client, id: string, partSize = DEFAULT_PART) {
  const result = await client
    .query(FILE_DOWNLOAD, { id, partSize: String(partSize) }, { requestPolicy: "network-only" })
    .toPromise();
  const node = result.data?.node;
  const error: CombinedError | undefined = result.error;
  return { download: node && "download" in node ? node.download : null, error };
}
