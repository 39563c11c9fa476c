// What a person reads for each error code the API answers with: a sentence that says what
// happened and what to do, the code kept beside it for whoever they ask for help. The user
// errors are typed by the schema's enum (a new code without a sentence fails the build); the
// request errors are not in any operation, so a unit test holds them to schema.graphql.
import type { UserErrorCode } from "../gql/graphql";

type RequestErrorCode =
  | "UNAUTHENTICATED"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "BAD_REQUEST"
  | "UPSTREAM_UNAVAILABLE"
  | "PAYLOAD_TOO_LARGE"
  | "HEADERS_TOO_LARGE"
  | "QUERY_TOO_EXPENSIVE"
  | "POLICY_NOT_ASKED"
  | "INTERNAL";

export const USER: Record<UserErrorCode, string> = {
  NOT_FOUND: "It is no longer there, or you may no longer see it. Reload the page.",
  INVALID: "Something entered here is not accepted.",
  NAME_INVALID: "That name cannot be used: names are 1 to 255 characters, without / or \\, and not . or ..",
  NAME_TAKEN: "Something in this folder already has that name (names ignore case). Pick another name.",
  CYCLE: "A folder cannot go inside itself or one of its own folders.",
  TOO_DEEP: "Folders cannot be nested that deep here.",
  ROOT_FOLDER: "An organization's top folder cannot be moved, renamed or deleted.",
  NOT_IN_TRASH: "Only items in the trash can be restored or deleted for good.",
  IN_TRASH: "It is in the trash: restore it first.",
  PARENT_IN_TRASH: "The folder it came from is in the trash: restore that folder first, or move this elsewhere.",
  CROSS_ORGANIZATION: "Items can only move within their own organization.",
  PERMISSION_DENIED: "You may see this, but not do that to it. An admin of its organization can.",
  SIZE_INVALID: "The file is larger than Strata accepts in one piece.",
  PART_SIZE_INVALID: "The upload was split into parts of a size Strata does not accept.",
  QUOTA_EXCEEDED: "The organization's storage is full. Empty the trash or ask an admin for more space.",
  ALLOWANCE_EXCEEDED: "Uploads through this share are over its allowance. Wait for the ones in progress or ask the owner.",
  PART_INVALID: "A part of the upload does not fit it. Start the upload again.",
  PARTS_MISSING: "Some parts of the file did not arrive. Pick the same file again to send what is missing.",
  CHECKSUM_INVALID: "The file's checksum was not understood. Start the upload again.",
  CHECKSUM_MISMATCH: "The bytes that arrived are not the file that was sent. Upload it again.",
  SIZE_MISMATCH: "The bytes that arrived are not the size of the file. Upload it again.",
  UPLOAD_NOT_ACTIVE: "This upload has ended (finished, cancelled or cleaned up). Start a new one.",
  METADATA_INVALID: "The metadata or provenance is not accepted.",
  SHARE_EXISTS: "It is already shared with them: change that share instead.",
  NOT_PENDING: "This share is no longer waiting for an answer.",
  ALREADY_ENDED: "It has ended already.",
  TERMS_CHANGED: "The terms changed since you read them. Read them again before you accept.",
  BUSY: "Another change to the same items is in progress. Try again in a moment.",
  UNKNOWN_SERVICE: "There is no Copernicus service of that name.",
  SERVICE_NOT_ENABLED: "This installation has no access to that Copernicus service.",
  UNKNOWN_DATASET: "The service's catalogue has no dataset of that name. Check its id.",
  STARS_FULL: "You have starred as many items as one may (500). Take the star off some first.",
};

export const REQUEST: Record<RequestErrorCode, string> = {
  UNAUTHENTICATED: "Your sign-in has ended. Sign in again.",
  BAD_USER_INPUT: "The request was not understood.",
  NOT_FOUND: "It is no longer there, or you may no longer see it.",
  BAD_REQUEST: "The request was not understood.",
  UPSTREAM_UNAVAILABLE: "The Copernicus service did not answer. Try again later.",
  PAYLOAD_TOO_LARGE: "That is more than one request may send.",
  HEADERS_TOO_LARGE: "That is more than one request may send.",
  QUERY_TOO_EXPENSIVE: "That asks for too much at once.",
  POLICY_NOT_ASKED: "Strata failed to answer.",
  INTERNAL: "Strata failed to answer. It was logged; try again.",
};

// Codes whose message names the field or limit: the API's words follow the sentence.
const DETAILED = new Set<string>(["INVALID", "METADATA_INVALID", "PART_INVALID", "BAD_USER_INPUT", "BAD_REQUEST"]);

function capitalised(text: string): string {
  const trimmed = text.trim().replace(/\.$/, "");
  return trimmed ? `${trimmed[0]!.toUpperCase()}${trimmed.slice(1)}.` : "";
}

/** The sentence for ``code``, the API's own ``message`` where it says more, and the code for support. */
export function sentence(code: string | null | undefined, message: string, reference?: string | null): string {
  const known = code ? (USER as Record<string, string>)[code] ?? (REQUEST as Record<string, string>)[code] : undefined;
  if (!known) return capitalised(message) || "That did not work.";
  const detail = DETAILED.has(code!) && message ? ` ${capitalised(message)}` : "";
  const support = reference ? ` Code for support: ${code}, ${reference}.` : ` Code for support: ${code}.`;
  return `${known}${detail}${support}`;
}
