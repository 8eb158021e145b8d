// What a drop on the app holds. A browser hands a dropped folder to `dataTransfer.files` as one unreadable item (the
// folder itself), so folders are read through the entries API (`webkitGetAsEntry`): the files directly inside the
// folder, as the "open a model folder" input gives them. Files dropped as themselves are taken as they are.

/** The parts of a FileSystemEntry that reading a dropped folder needs. */
export interface DropEntry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: DropEntry[]) => void, fail: (e: unknown) => void): void };
}

/** The parts of a DataTransferItem that a drop needs. */
export interface DropItem {
  kind: string;
  webkitGetAsEntry(): DropEntry | null;
  getAsFile(): File | null;
}

const fileOf = (e: DropEntry) => new Promise<File>((ok, fail) => e.file!(ok, fail));

/** Every entry of a folder: readEntries hands them out in batches until it returns none. */
async function entriesOf(dir: DropEntry): Promise<DropEntry[]> {
  const reader = dir.createReader!();
  const all: DropEntry[] = [];
  for (;;) {
    const batch = await new Promise<DropEntry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** The dropped files, and the dropped folder's name (null when files were dropped as themselves). */
export async function droppedFiles(items: ArrayLike<DropItem>): Promise<{ files: File[]; folder: string | null }> {
  const files: File[] = [];
  let folder: string | null = null;
  // Entries first: the list of items is emptied once the drop event returns.
  const taken = Array.from(items).filter((i) => i.kind === 'file').map((i) => ({ entry: i.webkitGetAsEntry(), file: i.getAsFile() }));
  for (const { entry, file } of taken) {
    if (entry?.isDirectory && entry.createReader) {
      folder ??= entry.name;
      for (const e of await entriesOf(entry)) if (e.isFile && e.file) files.push(await fileOf(e));
    } else if (file) files.push(file);
  }
  return { files, folder };
}
