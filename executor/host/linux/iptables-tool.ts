// The iptables tools, for the chains only they may change (firewall-chains.ts): accepts in
// iptables-nft's tables that iptables-nft-accepts.ts does not write itself, and
// iptables-legacy's tables. Only run when such a change or listing is needed, so a host
// without docker or ufw never starts a process here.
// Changes go through `-restore --noflush`: one process and one transaction per batch.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FirewallBackend } from './firewall-chains.js';

export type IptablesBackend = Exclude<FirewallBackend, 'nft'>;

/**
 * node:child_process, loaded when a tool first runs: every observe imports this module (the
 * firewall scan), and loading it cost `plan`, `ps` and the rest ~4 ms at each start on hosts
 * that never run an iptables tool.
 */
let childProcess: typeof import('node:child_process') | undefined;
const tools = () =>
  (childProcess ??= createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process'));

/** iptables failed, or is not installed although a table of it exists. */
export class IptablesError extends Error {
  readonly tool: string;
  readonly detail: string;
  constructor(tool: string, detail: string) {
    super(`${tool}: ${detail.trim() || 'failed without a message'}`);
    this.name = 'IptablesError';
    this.tool = tool;
    this.detail = detail;
  }
}

const find = (tool: string) =>
  [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/local/sbin']
    .map((d) => path.join(d, tool))
    .find((p) => existsSync(p));

/** Which backend a plain `iptables` is: `iptables v1.8.9 (nf_tables)`, `(legacy)`, or a 1.4 without either (legacy). */
let plainBackend: IptablesBackend | undefined;
function plainIs(backend: IptablesBackend): boolean {
  if (plainBackend === undefined) {
    const plain = find('iptables');
    const version = plain ? (tools().spawnSync(plain, ['-V'], { encoding: 'utf8' }).stdout ?? '') : '';
    plainBackend = version.includes('(nf_tables)') ? 'iptables-nft' : 'iptables-legacy';
  }
  return plainBackend === backend;
}

/**
 * Where `backend`'s tool (`-restore` with `restore`) is: PATH first, then the sbin folders a
 * supervisor's PATH may lack; a plain `iptables` of that backend where the named one is
 * missing (older distributions ship only that).
 */
function locate(backend: IptablesBackend, restore: boolean): string {
  const suffix = restore ? '-restore' : '';
  const found = find(`${backend}${suffix}`) ?? (plainIs(backend) ? find(`iptables${suffix}`) : undefined);
  if (!found)
    throw new IptablesError(`${backend}${suffix}`, `not found, but the host has ${backend} tables: install iptables`);
  return found;
}

function run(backend: IptablesBackend, restore: boolean, args: string[], input?: string): Promise<string> {
  const tool = `${backend}${restore ? '-restore' : ''}`;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = tools().spawn(locate(backend, restore), args, {
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
      });
    } catch (e) {
      return reject(e);
    }
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new IptablesError(tool, e.message)));
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new IptablesError(tool, err || `exited with ${code}`)),
    );
    // A tool that exits before reading all its input is reported by its exit code, not EPIPE.
    child.stdin?.on('error', () => {}).end(input);
  });
}

/** `iptables -S` of the filter table: every rule as the arguments that would add it. */
export function listFilterRules(backend: IptablesBackend): Promise<string> {
  // -w: wait for the xtables lock (legacy) rather than fail while docker holds it.
  return run(backend, false, ['-w', '-t', 'filter', '-S']);
}

/** Applies `lines` (`-I …`/`-D …`) to the filter table in one transaction. */
export async function changeFilterRules(backend: IptablesBackend, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await run(backend, true, ['-w', '--noflush'], ['*filter', ...lines, 'COMMIT', ''].join('\n'));
}
