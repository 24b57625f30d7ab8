// Reads what orphans.ts classifies from the real host: stack processes with the STACK_ROOT
// of their environment, the STACK_ROOTs that exist and the stack folders and link names
// their records hold, the `stack/` cgroups with their pids, the `stk` tables with the
// bridges their rules name, and the `stk` links with their masters.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stackRoot, stackRun } from '../../store/paths.js';
import type { HostView, ViewProcess } from './orphans.js';
import { snapshotHostObjects } from './host-objects.js';

const SUPERVISOR_SCRIPT = /(bin\/stack-supervisor|dist\/(bundle\/)?supervisor\/main)\.js$/;
const WATCHDOG_NAME = 'stack-watchdog';
const LINK_NAME = /stk[bv][0-9a-f]{9,10}/g;

export function readHostView(): HostView {
  const processes = readProcesses();
  const named = processes.flatMap((p) => (p.root ? [p.root] : []));
  const usual = [stackRoot({}), ...tempRoots()];
  const liveRoots = [...new Set([...named, ...usual])].filter((r) => fs.existsSync(r));
  const stackFolders = liveRoots.flatMap((root) =>
    listDir(path.join(root, 'stacks')).map((project) => ({ root, project })),
  );
  const snap = snapshotHostObjects();
  return {
    processes,
    liveRoots,
    stackFolders,
    recordedLinks: [...new Set(stackFolders.flatMap((f) => recordedLinks(path.join(f.root, 'stacks', f.project))))],
    cgroups: snap.cgroups.flatMap((dir) => {
      const project = cgroupProject(dir);
      return project ? [{ path: dir, project, pids: pidsUnder(dir) }] : [];
    }),
    tables: readTables(),
    links: readLinks(),
  };
}

/** The roots test runs make (stack-cli.ts makeStackEnv: `<tmp>/stack-test-…/lib`). */
function tempRoots(): string[] {
  return listDir(os.tmpdir())
    .filter((n) => n.startsWith('stack-test-'))
    .map((n) => path.join(os.tmpdir(), n, 'lib'));
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function readProcesses(): ViewProcess[] {
  const out: ViewProcess[] = [];
  for (const entry of listDir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = environ(entry);
      const raw = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const argv = raw.length === 1 ? raw[0]!.split(' ') : raw;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const supervisor = SUPERVISOR_SCRIPT.test(argv.at(-2) ?? '');
      const watchdog = argv[3] === WATCHDOG_NAME;
      if (!supervisor && !watchdog && env.STACK_ROOT === undefined) continue;
      out.push({
        pid: Number(entry),
        ppid,
        role: supervisor ? 'supervisor' : watchdog ? 'watchdog' : 'other',
        ...(supervisor ? { project: argv.at(-1) } : watchdog ? { project: argv[4] } : {}),
        root: stackRoot(env),
        run: stackRun(env),
      });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function environ(pid: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const eq = e.indexOf('=');
    if (e.startsWith('STACK_')) env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return env;
}

/** `stack/<project>` (and below) or a cgroup_parent's `stk-<project>.<name>`. */
function cgroupProject(dir: string): string | undefined {
  const parts = dir.split('/');
  const at = parts.indexOf('stack');
  if (at >= 0 && parts[at + 1]) return parts[at + 1];
  return /^stk-([^.]+)\./.exec(parts.at(-1) ?? '')?.[1];
}

function pidsUnder(dir: string): number[] {
  const out: number[] = [];
  const walk = (d: string) => {
    for (const line of (readText(path.join(d, 'cgroup.procs')) ?? '').split('\n')) if (line) out.push(Number(line));
    for (const e of listDir(d))
      if (fs.statSync(path.join(d, e), { throwIfNoEntry: false })?.isDirectory()) walk(path.join(d, e));
  };
  walk(dir);
  return out;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Link names in the JSON records of a stack folder's `state/` (networks, NAT, containers). */
function recordedLinks(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const e of listDir(d)) {
      const p = path.join(d, e);
      if (e.endsWith('.json')) out.push(...((readText(p) ?? '').match(LINK_NAME) ?? []));
      else if (depth < 2) walk(p, depth + 1);
    }
  };
  walk(path.join(dir, 'state'), 0);
  return out;
}

/** `stk` tables of both families, each with the `stkb…` names its rules hold. */
function readTables(): HostView['tables'] {
  const text = execFileSync('nft', ['list', 'ruleset'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'ignore'], // iptables-nft's "do not touch" warnings
  });
  const out: HostView['tables'] = [];
  let current: HostView['tables'][number] | undefined;
  for (const line of text.split('\n')) {
    const m = /^table (\w+) (\S+) \{/.exec(line);
    if (m) {
      current = m[2]!.startsWith('stk') ? { family: m[1]!, name: m[2]!, bridges: [] } : undefined;
      if (current) out.push(current);
    } else if (current) current.bridges.push(...(line.match(/stkb[0-9a-f]{9,10}/g) ?? []));
  }
  return out;
}

function readLinks(): HostView['links'] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .flatMap((l) => {
      const name = l.split(': ')[1]?.split('@')[0];
      if (!name?.startsWith('stk')) return [];
      const master = / master (\S+)/.exec(l)?.[1];
      return [{ name, ...(master ? { master } : {}) }];
    });
}
