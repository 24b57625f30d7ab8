// Unpacks an image archive (`docker save` output or a tar of an OCI layout, possibly
// gzip/zstd-compressed) into a private folder to read it from. Only regular files and
// folders are written; symlinks and hardlinks (docker save links duplicate layers) are
// remembered and resolved by name inside the archive, so nothing is ever written or read
// through a link and no name leaves the folder.

import fs from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import { openDecompressed, sniffCompression } from './decompress.js';
import { ImageFormatError } from './manifest.js';

const MAX_HOPS = 16;

/** `a/./b/../c` → `a/c`; throws for names that leave the archive. */
function clean(name: string, archive: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p !== '..') parts.push(p);
    else if (parts.pop() === undefined)
      throw new ImageFormatError(`${archive}: entry ${JSON.stringify(name)} points outside the archive`);
  }
  return parts.join('/');
}

export interface Extracted {
  dir: string;
  /** The real file for an archive name, following the archive's own links; undefined if absent. */
  resolve(name: string): Promise<string | undefined>;
}

export async function extractArchive(archive: string, dir: string): Promise<Extracted> {
  const links = new Map<string, string>();
  const extract = tar.extract();
  const input = openDecompressed(archive, await sniffCompression(archive));
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = clean(h.name, archive);
      if (h.type === 'file' || h.type === 'contiguous-file') {
        if (name === '') throw new ImageFormatError(`${archive}: a file entry has no name`);
        const target = path.join(dir, name);
        await fs.mkdir(path.dirname(target), { recursive: true });
        const out = await fs.open(target, 'wx');
        try {
          for await (const chunk of entry) await out.write(chunk as Buffer);
        } finally {
          await out.close();
        }
      } else if ((h.type === 'symlink' || h.type === 'link') && h.linkname) {
        const base = h.type === 'symlink' ? path.posix.dirname(name) : '';
        links.set(name, clean(h.linkname.startsWith('/') ? h.linkname : `${base}/${h.linkname}`, archive));
      }
      entry.resume();
    }
  } catch (err) {
    if (err instanceof ImageFormatError) throw err;
    throw new ImageFormatError(
      `${archive} is not a readable image archive (tar, tar+gzip or tar+zstd): ${(err as Error).message}`,
    );
  } finally {
    input.destroy();
  }
  return {
    dir,
    async resolve(raw) {
      let name = clean(raw, archive);
      for (let hop = 0; hop <= MAX_HOPS; hop++) {
        const file = path.join(dir, name);
        const st = await fs.lstat(file).catch(() => null);
        if (st?.isFile()) return file;
        const next = links.get(name);
        if (next === undefined) return undefined;
        name = next;
      }
      throw new ImageFormatError(`${archive}: ${raw} is a loop of links`);
    },
  };
}
