// The GraphQL transport: urql over HTTP for queries and mutations, graphql-ws for subscriptions,
// the access token attached to each. An UNAUTHENTICATED answer sends the person to sign in and
// back to the page they were on.
import { Client, fetchExchange, mapExchange, subscriptionExchange, type CombinedError } from "@urql/core";
import { createClient as createWsClient } from "graphql-ws";
import type { Auth } from "./auth";
import { sentence } from "./errors";

export function createApiClient(auth: Auth, endpoint: string, here: () => string): Client {
  const http = new URL(endpoint, window.location.href);
  const ws = new URL(endpoint, window.location.href);
  ws.protocol = http.protocol === "https:" ? "wss:" : "ws:";
  const subscriptions = createWsClient({
    url: ws.href,
    lazy: true,
    retryAttempts: 10,
    connectionParams: async () => ({ Authorization: `Bearer ${(await auth.token()) ?? ""}` }),
  });
  return new Client({
    url: http.href,
    requestPolicy: "cache-and-network",
    preferGetMethod: false,
    fetch: async (input, init) => {
      const token = await auth.token();
      const headers = new Headers(init?.headers);
      if (token) headers.set("Authorization", `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) {
            auth.signInAgain(here()).catch((failure: Error) => window.alert(failure.message));
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = subscriptions.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}

export function isUnauthenticated(error: CombinedError | undefined): boolean {
  return !!error?.graphQLErrors.some((e) => e.extensions?.["code"] === "UNAUTHENTICATED");
}

// What a person reads when a request fails: a sentence for its code (lib/errors.ts), with the
// request id of an internal failure, or that the connection is gone.
export function describe(error: CombinedError): { message: string; lost: boolean } {
  if (error.networkError) {
    return { message: "The connection to Strata was lost. Check your network, then retry.", lost: true };
  }
  const first = error.graphQLErrors[0];
  if (!first) return { message: error.message, lost: false };
  const code = first.extensions?.["code"];
  const reference = first.extensions?.["requestId"];
  const retry = code === "UPSTREAM_UNAVAILABLE" || code === "INTERNAL";
  return {
    message: sentence(typeof code === "string" ? code : null, first.message, typeof reference === "string" ? reference : null),
    lost: retry,
  };
}

// An address whose id is not an id of that kind at all (a typo, a truncated link): the page says
// "not found", as it does for an item that does not exist, instead of the schema's own words.
export function isMalformedId(error: CombinedError | null | undefined): boolean {
  return Boolean(error?.graphQLErrors.some((e) => /GlobalID|not a valid id|^id of a /.test(e.message)));
}
