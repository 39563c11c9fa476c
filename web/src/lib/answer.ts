// Accept or decline a share made to the signed-in person: one way, for the shared-with-me page
// and for an item's own page while its share waits.
import { useMutation } from "@urql/vue";
import { ACCEPT_SHARE, DECLINE_SHARE } from "../operations";
import { refusal } from "./outcome";

export function useShareAnswer(): (share: { id: string; termsHash: string }, yes: boolean) => Promise<string | null> {
  const accept = useMutation(ACCEPT_SHARE);
  const decline = useMutation(DECLINE_SHARE);
  return async (share, yes) => {
    // The hash of the terms shown goes back: terms changed meanwhile are refused, not accepted.
    const result = yes
      ? (await accept.executeMutation({ id: share.id, hash: share.termsHash })).data?.acceptShare
      : (await decline.executeMutation({ id: share.id })).data?.declineShare;
    return refusal(result, "Could not answer the share.");
  };
}
