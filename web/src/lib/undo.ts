// How to take back a rename, a move or a trash: the opposite call, its refusal said as a sentence.
import type { Client } from "@urql/core";
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

export function renameBack(client: Client, item: Item, before: string): Undo {
  return async () => {
    const variables = { id: item.id, name: before };
    const answer =
      item.kind === "folder"
        ? await client.mutation(RENAME_FOLDER, variables).toPromise()
        : await client.mutation(RENAME_FILE, variables).toPromise();
    const payload = answer.data && ("renameFolder" in answer.data ? answer.data.renameFolder : answer.data.renameFile);
    return refusal(payload, `Could not rename it back to ${before}.`, answer.error);
  };
}

export function moveBack(client: Client, item: Item, from: string): Undo {
  return async () => {
    const variables = { id: item.id, to: from };
    const answer =
      item.kind === "folder"
        ? await client.mutation(MOVE_FOLDER, variables).toPromise()
        : await client.mutation(MOVE_FILE, variables).toPromise();
    const payload = answer.data && ("moveFolder" in answer.data ? answer.data.moveFolder : answer.data.moveFile);
    return refusal(payload, `Could not move ${item.name} back.`, answer.error);
  };
}

export function restore(client: Client, item: Item): Undo {
  return async () => {
    const answer =
      item.kind === "folder"
        ? await client.mutation(RESTORE_FOLDER, { id: item.id }).toPromise()
        : await client.mutation(RESTORE_FILE, { id: item.id }).toPromise();
    const payload = answer.data && ("restoreFolder" in answer.data ? answer.data.restoreFolder : answer.data.restoreFile);
    return refusal(payload, `Could not restore ${item.name}.`, answer.error);
  };
}
