// ADD of a local tar archive: docker unpacks it into the destination folder instead of
// copying the file. An archive is recognised by its content, as docker does (plain tar,
// gzip, bzip2, xz), never by its name. GNU tar unpacks it straight into the step's upper
// folder, owners and modes as the archive has them.

import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BuildContextError } from './build-context.js';
import { ensureFolder, type CopyInto } from './copy-step.js';
import { resolveInRoot } from './layer-stack.js';

const run = promisify(execFile);

export async function isArchive(file: string): Promise<boolean> {
  const st = await fsp.lstat(file);
  if (!st.isFile()) return false;
  const fd = await fsp.open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fd.read(head, 0, 512, 0);
    const b = head.subarray(0, bytesRead);
    if (b[0] === 0x1f && b[1] === 0x8b) return true; // gzip
    if (b.subarray(0, 3).toString('latin1') === 'BZh') return true;
    if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true; // xz
    return bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fd.close();
  }
}

export async function addLocalArchive(file: string, into: CopyInto): Promise<void> {
  const stack = [into.upper, ...into.layers];
  const rel = resolveInRoot(stack, into.dest.replace(/\/+$/, ''));
  // The folder must be in the upper one for tar to write into (copied up when the image has it).
  await ensureFolder(stack, into, rel);
  try {
    await run('tar', ['-x', '-f', file, '-C', path.join(into.upper, rel), '--same-owner', '--numeric-owner', '-p']);
  } catch (err) {
    throw new BuildContextError(
      `ADD ${path.basename(file)}: cannot unpack the archive: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`,
    );
  }
}
