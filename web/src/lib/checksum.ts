// The API's file checksum: base64 of the SHA-256 of the parts' SHA-256 digests, then "-<parts>",
// over parts of the file's checksumPartSize (as S3 computes a composite checksum).

export async function sha256(data: BufferSource): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

export function base64(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

export async function composite(partDigests: Uint8Array[]): Promise<string> {
  const joined = new Uint8Array(partDigests.length * 32);
  partDigests.forEach((digest, index) => joined.set(digest, index * 32));
  return `${base64(await sha256(joined))}-${partDigests.length}`;
}
