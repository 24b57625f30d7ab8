// Finds the container's program the way a shell would, inside the new root, with the
// container's PATH (not the supervisor's), and adds the variables Docker always sets.

import fs from 'node:fs';
import path from 'node:path';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class LookupError extends Error {
  /** 127 when nothing was found, 126 when found but not executable. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

function getEnv(env: string[], key: string): string | undefined {
  const hit = env.find((e) => e.startsWith(`${key}=`));
  return hit === undefined ? undefined : hit.slice(key.length + 1);
}

export function containerEnv(env: string[], hostname: string, home = '/root'): string[] {
  const out = [...env];
  if (getEnv(out, 'PATH') === undefined) out.unshift(`PATH=${DEFAULT_PATH}`);
  if (getEnv(out, 'HOSTNAME') === undefined) out.push(`HOSTNAME=${hostname}`);
  if (getEnv(out, 'HOME') === undefined) out.push(`HOME=${home}`);
  return out;
}

function executable(p: string): 'yes' | 'no' | 'absent' {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return 'no';
    return (st.mode & 0o111) !== 0 ? 'yes' : 'no';
  } catch {
    return 'absent';
  }
}

export function lookPath(file: string, env: string[]): string {
  if (file === '') throw new LookupError('empty command', 127);
  if (file.includes('/')) {
    const state = executable(file);
    if (state === 'yes') return file;
    if (state === 'no') throw new LookupError(`permission denied: ${file}`, 126);
    throw new LookupError(`no such file or directory: ${file}`, 127);
  }
  let denied: string | undefined;
  for (const dir of (getEnv(env, 'PATH') ?? DEFAULT_PATH).split(':')) {
    const candidate = path.join(dir === '' ? '.' : dir, file);
    const state = executable(candidate);
    if (state === 'yes') return candidate;
    if (state === 'no') denied ??= candidate;
  }
  if (denied !== undefined) throw new LookupError(`permission denied: ${denied}`, 126);
  throw new LookupError(`executable file not found in $PATH: ${file}`, 127);
}
