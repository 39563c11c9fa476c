// What was dropped on a folder, folders included: every file with the folder path it sits in,
// and every folder (empty ones too), parents before children.
export interface Dropped {
  folders: string[][];
  files: { path: string[]; file: File }[];
}

function readAll(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  // readEntries answers in batches (100 in Chromium) until it answers none.
  return new Promise((resolve, reject) => {
    const found: FileSystemEntry[] = [];
    const more = () =>
      reader.readEntries((batch) => {
        if (!batch.length) resolve(found);
        else {
          found.push(...batch);
          more();
        }
      }, reject);
    more();
  });
}

async function walk(entry: FileSystemEntry, path: string[], into: Dropped): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    into.files.push({ path, file });
  } else if (entry.isDirectory) {
    const here = [...path, entry.name];
    into.folders.push(here);
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, here, into);
  }
}

export async function droppedItems(transfer: DataTransfer): Promise<Dropped> {
  const into: Dropped = { folders: [], files: [] };
  // The entries must be taken before the first await: the DataTransfer empties after the event.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  if (!entries.length) {
    for (const file of transfer.files) into.files.push({ path: [], file });
    return into;
  }
  for (const entry of entries) await walk(entry, [], into);
  return into;
}

// What a folder picker (<input webkitdirectory>) gave: every file with its relative path, whose
// first part is the picked folder itself. Empty folders do not come through a picker.
export function pickedTree(picked: File[]): Dropped {
  const into: Dropped = { folders: [], files: [] };
  const seen = new Set<string>();
  for (const file of picked) {
    const path = (file.webkitRelativePath || file.name).split("/").slice(0, -1);
    for (let depth = 1; depth <= path.length; depth++) {
      const key = path.slice(0, depth).join("/");
      if (!seen.has(key)) {
        seen.add(key);
        into.folders.push(path.slice(0, depth));
      }
    }
    into.files.push({ path, file });
  }
  return into;
}
