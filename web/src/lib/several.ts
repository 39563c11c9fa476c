// An action on several items at once, one item after another (each is checked and guarded on
// its own by the API): which were done, and the refusals of the others as one message.

export interface Named {
  name: string;
}

export interface Outcome<T> {
  done: T[];
  refusal: string | null; // null when every item was done
}

/** ``act`` gives an item's refusal (a sentence) or null; a refusal names its item when
 * ``named`` (by default, when there are several: one item is named by the dialog it is in). */
export async function oneByOne<T extends Named>(
  items: readonly T[],
  act: (item: T) => Promise<string | null>,
  named = items.length > 1,
): Promise<Outcome<T>> {
  const done: T[] = [];
  const refused: string[] = [];
  for (const item of items) {
    const problem = await act(item);
    if (problem) refused.push(named ? `${item.name}: ${problem}` : problem);
    else done.push(item);
  }
  return { done, refusal: refused.length ? refused.join(" ") : null };
}

/** "notes.txt" for one item, "3 items" for several. */
export function counted(items: readonly Named[]): string {
  return items.length === 1 ? items[0]!.name : `${items.length} items`;
}
