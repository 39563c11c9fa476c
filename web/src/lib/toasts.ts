// What an action did, said where a person looks: a toast at the foot of the window, kept a few
// seconds (longer when it can be undone), with Undo for the actions that can be taken back.
import { reactive } from "vue";

export interface Toast {
  id: number;
  message: string;
  failed: boolean;
  // Takes the action back: null when it did, else the sentence saying why not.
  undo: (() => Promise<string | null>) | null;
  undoing: boolean;
}

const SHOWN_MS = 6_000;
const SHOWN_WITH_UNDO_MS = 12_000;
const MOST = 4;

export const toasts = reactive<Toast[]>([]);
let next = 1;
const timers = new Map<number, number>();

export function dismiss(id: number): void {
  window.clearTimeout(timers.get(id));
  timers.delete(id);
  const at = toasts.findIndex((t) => t.id === id);
  if (at >= 0) toasts.splice(at, 1);
}

function expire(id: number, after: number): void {
  window.clearTimeout(timers.get(id));
  timers.set(id, window.setTimeout(() => dismiss(id), after));
}

/** Say ``message``; with ``undo``, offer to take the action back, then run ``after`` (a page's refresh). */
export function announce(message: string, undo?: () => Promise<string | null>, after?: () => void): void {
  const id = next++;
  const run = undo
    ? async () => {
        const problem = await undo();
        after?.();
        return problem;
      }
    : null;
  toasts.push({ id, message, failed: false, undo: run, undoing: false });
  while (toasts.length > MOST) dismiss(toasts[0]!.id);
  expire(id, run ? SHOWN_WITH_UNDO_MS : SHOWN_MS);
}

export async function undo(id: number): Promise<void> {
  const toast = toasts.find((t) => t.id === id);
  if (!toast?.undo || toast.undoing) return;
  window.clearTimeout(timers.get(id));
  toast.undoing = true;
  const problem = await toast.undo();
  toast.undoing = false;
  toast.undo = null;
  toast.failed = problem !== null;
  toast.message = problem ?? "Undone.";
  expire(id, SHOWN_MS);
}

/** Keep a toast while the pointer or focus is on it: nobody should race a timer to press Undo. */
export function hold(id: number): void {
  window.clearTimeout(timers.get(id));
}
export function release(id: number): void {
  const toast = toasts.find((t) => t.id === id);
  if (toast) expire(id, toast.undo ? SHOWN_WITH_UNDO_MS : SHOWN_MS);
}
