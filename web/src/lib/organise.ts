// Moving a file or folder, from the move dialog or by dragging it onto a folder: one call, the
// API's refusal (cycle, name taken, other organization) given back as the message to show.
import { useMutation } from "@urql/vue";
import { MOVE_FILE, MOVE_FOLDER } from "../operations";
import { refusal } from "./outcome";

export interface Item {
  id: string;
  kind: "folder" | "file";
  name: string;
}

export const DRAG_TYPE = "application/x-strata-item";

export function moveItem(): (item: Item, target: string) => Promise<string | null> {
  const folder = useMutation(MOVE_FOLDER);
  const file = useMutation(MOVE_FILE);
  return async (item, target) => {
    const variables = { id: item.id, to: target };
    const answer =
      item.kind === "folder"
        ? (await folder.executeMutation(variables)).data?.moveFolder
        : (await file.executeMutation(variables)).data?.moveFile;
    return refusal(answer, `Could not move ${item.name}.`);
  };
}
