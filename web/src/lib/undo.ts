// How to take back a rename, a move or a trash: the opposite call, its refusal said as a sentence.
import type { AnyVariables, Client, TypedDocumentNode } from "@urql/core";
import {
  MOVE_FILE,
  MOVE_FOLDER,
  RENAME_FILE,
  RENAME_FOLDER,
  RESTORE_FILE,
  RESTORE_FOLDER,
} from "../operations";
import type { Item } from "./organise";
import { refusal } from "./outcome";

type Undo = () => Promise<string | null>;
type Payload = Parameters<typeof refusal>[0];
// Each of these mutations answers with one payload under its own name, for a folder or a file.
type Answer = Record<string, Payload>;

function opposite<V extends AnyVariables>(
  client: Client,
  item: Item,
  forFolder: TypedDocumentNode<Answer, V>,
  forFile: TypedDocumentNode<Answer, V>,
  variables: V,
  fallback: string,
): Undo {
  return async () => {
    const answer = await client.mutation(item.kind === "folder" ? forFolder : forFile, variables).toPromise();
    const payload = answer.data ? Object.values(answer.data)[0] : null;
    return refusal(payload, fallback, answer.error);
  };
}

export function renameBack(client: Client, item: Item, before: string): Undo {
  const variables = { id: item.id, name: before };
  return opposite(client, item, RENAME_FOLDER, RENAME_FILE, variables, `Could not rename it back to ${before}.`);
}

export function moveBack(client: Client, item: Item, from: string): Undo {
  return opposite(client, item, MOVE_FOLDER, MOVE_FILE, { id: item.id, to: from }, `Could not move ${item.name} back.`);
}

export function restore(client: Client, item: Item): Undo {
  return opposite(client, item, RESTORE_FOLDER, RESTORE_FILE, { id: item.id }, `Could not restore ${item.name}.`);
}

/** Several undos as one: all run side by side; the first refusal among them is said. */
export function allOf(undos: Undo[]): Undo {
  return async () => (await Promise.all(undos.map((undo) => undo()))).find((problem) => problem !== null) ?? null;
}
