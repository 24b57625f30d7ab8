// The files a container stage (init or exec) needs on the host: its bundled script,
// koffi's native binary (which the stage loads directly instead of the koffi package), and
// the node binary the Node stages run on. Tests point STACK_STAGE_DIR and STACK_STAGE_NODE
// at copies, so an attack test never writes to the real binaries.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let koffiPath: string | undefined;

/** The koffi binary this process loaded (libc.ts loads it), found in our own memory map. */
export function koffiNativePath(): string {
  if (koffiPath) return koffiPath;
  const line = readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .find((l) => l.endsWith('/koffi.node'));
  if (!line) throw new Error('koffi native module is not loaded');
  koffiPath = line.slice(line.indexOf('/'));
  return koffiPath;
}

/**
 * Where the stage files (stack-init, init.cjs, exec.cjs) may be, in order: $STACK_STAGE_DIR
 * alone when set, else dist/ seen from dist/executor/host/linux/ (compiled) or from
 * executor/host/linux/ (tests).
 */
export function stageDirs(): string[] {
  if (process.env.STACK_STAGE_DIR) return [process.env.STACK_STAGE_DIR];
  const base = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return [base, path.join(base, 'dist')];
}

/** The bundle of a Node stage. */
export function stageScriptPath(file: 'init.cjs' | 'exec.cjs'): string {
  const dirs = stageDirs();
  const found = dirs.map((d) => path.join(d, file)).find((p) => existsSync(p));
  if (!found) throw new Error(`stage bundle ${file} not found in ${dirs.join(' or ')} (run npm run build)`);
  return found;
}

/** The node binary the Node stages run on: this process's own, or $STACK_STAGE_NODE. */
export function stageNodePath(): string {
  return process.env.STACK_STAGE_NODE || process.execPath;
}
