// A mutation's payload in one sentence for the page: null when it did what was asked, else what
// went wrong said for a person (lib/errors.ts), from the payload's refusal, the request's error,
// or the fallback when neither came back.
import type { CombinedError } from "@urql/core";
import { describe } from "./api";
import { sentence } from "./errors";

interface Payload {
  userErrors: { message: string; code?: string | null }[];
}

export function refusal(
  payload: Payload | null | undefined,
  fallback: string,
  error?: CombinedError | null,
): string | null {
  if (!payload) return error ? describe(error).message : fallback;
  const first = payload.userErrors[0];
  return first ? sentence(first.code, first.message) : null;
}
