// The files a container stage (init or exec) needs on the host: its bundled script and
// koffi's native binary, which the stage loads directly instead of the koffi package.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let koffiPath: string | undefined;

/** The koffi binary this process loaded (libc.ts loads it), found in our own memory map. */
export function koffiNativePath(): string {
  if (koffiPath) return koffiPath;
  const line = readFileSync('/proc/self/maps', 'utf8').split('\n').find((l) => l.endsWith('/koffi.node'));
  if (!line) throw new Error('koffi native module is not loaded');
  koffiPath = line.slice(line.indexOf('/'));
  return koffiPath;
}

/** dist/<file> (init.cjs, exec.cjs), from dist/executor/host/linux/ (compiled) or executor/host/linux/ (tests). */
export function stageScriptPath(file: 'init.cjs' | 'exec.cjs'): string {
  const base = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  for (const candidate of [path.join(base, file), path.join(base, 'dist', file)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`stage bundle ${file} not found under ${base} (run npm run build)`);
}
