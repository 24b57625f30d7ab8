// The file tree an image's root shows, as comparable data: every path with its type, mode,
// owner, size, content hash and link target, after its layers are applied in order with
// their whiteouts. Made from layer tars (a reference builder's saved image, stack's kept
// blobs) or from stack's unpacked layers in overlay form (overlay-tree.ts); mtimes are left
// out on purpose (no two builds agree on them).

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';

export type EntryType = 'dir' | 'file' | 'symlink' | 'char' | 'block' | 'fifo';

export interface TreeEntry {
  type: EntryType;
  /** Permission bits with setuid/setgid/sticky, in octal, e.g. `0755`. */
  mode: string;
  uid: number;
  gid: number;
  /** Files: size and sha256 hex of the content. */
  size?: number;
  sha256?: string;
  /** Small text files: the content itself, so a difference can show it. */
  text?: string;
  /** Symlinks: the target as written. */
  target?: string;
  /** Device nodes: `major:minor`. */
  device?: string;
}

/** Absolute path (`/etc/passwd`) → entry. The root itself is `/`. */
export type ImageTree = Map<string, TreeEntry>;

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export const octalMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** `a/b/`, `./a/b` → `/a/b`; the root is `/`. */
export function normalisePath(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  return '/' + parts.join('/');
}

const under = (p: string, dir: string) => (dir === '/' ? p !== '/' : p.startsWith(dir + '/'));

/** Removes `p` and everything under it. */
export function removeSubtree(tree: ImageTree, p: string): void {
  tree.delete(p);
  for (const k of [...tree.keys()]) if (under(k, p)) tree.delete(k);
}

/** Removes what is under `dir` but keeps `dir` (an opaque folder hides the layers below). */
export function clearChildren(tree: ImageTree, dir: string): void {
  for (const k of [...tree.keys()]) if (under(k, dir)) tree.delete(k);
}

/**
 * Puts `entry` at `p` as a layer does: a non-folder replaces whatever was there (a folder
 * with everything under it); a folder over a folder only changes the folder's own metadata.
 */
export function putEntry(tree: ImageTree, p: string, entry: TreeEntry): void {
  const old = tree.get(p);
  if (old && (old.type !== 'dir' || entry.type !== 'dir')) removeSubtree(tree, p);
  tree.set(p, entry);
}

/** One layer's changes, read in full before they are applied (whiteouts concern lower layers only). */
interface LayerChanges {
  whiteouts: string[];
  opaque: string[];
  entries: [string, TreeEntry][];
}

function applyChanges(tree: ImageTree, changes: LayerChanges): void {
  for (const dir of changes.opaque) clearChildren(tree, dir);
  for (const p of changes.whiteouts) removeSubtree(tree, p);
  for (const [p, e] of changes.entries) putEntry(tree, p, e);
}

const TAR_TYPES: Record<string, EntryType> = {
  directory: 'dir',
  file: 'file',
  'contiguous-file': 'file',
  symlink: 'symlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

const TEXT_LIMIT = 200;

/** Size, hash and (for a small text file) the text of a file's content. */
export async function describeContent(
  chunks: AsyncIterable<unknown> | Iterable<Buffer>,
): Promise<Pick<TreeEntry, 'size' | 'sha256' | 'text'>> {
  const h = createHash('sha256');
  let size = 0;
  const head: Buffer[] = [];
  for await (const c of chunks as AsyncIterable<Buffer>) {
    h.update(c);
    if (size <= TEXT_LIMIT) head.push(c);
    size += c.length;
  }
  const out: Pick<TreeEntry, 'size' | 'sha256' | 'text'> = { size, sha256: h.digest('hex') };
  const text = Buffer.concat(head).toString('utf8');
  if (size <= TEXT_LIMIT && Buffer.byteLength(text) === size && !text.includes('\0') && !text.includes('\uFFFD'))
    out.text = text;
  return out;
}

/** Reads one uncompressed layer tar into its changes; hard links take their target's entry. */
export async function readLayerTar(input: Readable): Promise<LayerChanges> {
  const changes: LayerChanges = { whiteouts: [], opaque: [], entries: [] };
  const mine = new Map<string, TreeEntry>();
  const extract = tar.extract();
  input.on('error', (e) => extract.destroy(e));
  input.pipe(extract);
  for await (const item of extract) {
    const h = item.header;
    const p = normalisePath(h.name);
    const base = p.slice(p.lastIndexOf('/') + 1);
    const parent = p.slice(0, p.lastIndexOf('/')) || '/';
    if (p === '/') {
      // The root's own metadata is the runtime's business, and not every tar has an entry for it.
    } else if (base === OPAQUE) changes.opaque.push(parent);
    else if (base.startsWith(WHITEOUT))
      changes.whiteouts.push(normalisePath(`${parent}/${base.slice(WHITEOUT.length)}`));
    else if (h.type === 'link') {
      const target = mine.get(normalisePath(h.linkname ?? ''));
      if (!target) throw new Error(`hard link ${h.name} to ${h.linkname}, which the layer does not hold before it`);
      changes.entries.push([p, target]);
    } else {
      const type = TAR_TYPES[h.type ?? 'file'];
      if (!type) throw new Error(`${h.name}: tar entry type ${h.type} not understood`);
      const pax = (h.pax ?? {}) as Record<string, string | undefined>;
      const entry: TreeEntry = {
        type,
        // Linux ignores a symlink's mode and always shows 0777, whatever the tar says.
        mode: type === 'symlink' ? '0777' : octalMode(h.mode ?? 0),
        uid: Number(pax.uid ?? h.uid ?? 0),
        gid: Number(pax.gid ?? h.gid ?? 0),
      };
      if (type === 'file') Object.assign(entry, await describeContent(item));
      if (type === 'symlink') entry.target = h.linkname ?? '';
      if (type === 'char' || type === 'block') entry.device = `${h.devmajor ?? 0}:${h.devminor ?? 0}`;
      mine.set(p, entry);
      changes.entries.push([p, entry]);
    }
    item.resume();
  }
  return changes;
}

/** The tree of layers given as uncompressed tar streams, base layer first (each opened only when its turn comes). */
export async function treeFromLayerTars(layers: (() => Readable)[]): Promise<ImageTree> {
  const tree: ImageTree = new Map();
  for (const open of layers) applyChanges(tree, await readLayerTar(open()));
  return tree;
}

export { applyChanges, type LayerChanges };
