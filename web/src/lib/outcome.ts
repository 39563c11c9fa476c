// A mutation's payload in one word for the page: null when it did what was asked, else the
// API's own message for the refusal (or the fallback when no payload came back at all).
interface Payload {
  userErrors: { message: string }[];
}

export function refusal(payload: Payload | null | undefined, fallback: string): string | null {
  if (!payload) return fallback;
  return payload.userErrors[0]?.message ?? null;
}
