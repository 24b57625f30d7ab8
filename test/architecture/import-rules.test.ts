// The rooms of the code and what each may import (docs/architecture.md draws the map).
// A forbidden import fails here with the file and line, so the layout is a rule, not a
// convention: the planner stays pure, only the host layer reaches the kernel, and the CLI
// reaches the kernel only through the Host interface (made by its one factory) or the
// supervisor, never through a kernel module of its own choosing.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, sourceFiles, type ImportEdge } from '../support/import-graph.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Room =
  'model' | 'load' | 'plan' | 'convert' | 'store' | 'images' | 'executor' | 'host' | 'supervisor' | 'doctor' | 'cli';

/** Longest prefix first. */
const ROOMS: [string, Room][] = [
  ['executor/host/linux/', 'host'],
  ['executor/', 'executor'],
  ['planner/load/', 'load'],
  ['planner/plan/', 'plan'],
  ['convert/', 'convert'],
  ['model/', 'model'],
  ['store/', 'store'],
  ['images/', 'images'],
  ['supervisor/', 'supervisor'],
  ['doctor/', 'doctor'],
  ['cli/', 'cli'],
];

/** Rooms whose code a room may import (its own room always). */
const MAY_IMPORT: Record<Room, Room[]> = {
  model: [],
  load: ['model'],
  plan: ['model'],
  // `stack convert`: a Stack in, manifests out; it reuses the planner's reading of network_mode.
  convert: ['model', 'plan'],
  store: ['model'],
  images: ['model', 'store'],
  executor: ['model', 'store', 'images', 'host'],
  host: ['model', 'store', 'images'],
  supervisor: ['model', 'load', 'plan', 'store', 'images', 'executor', 'host'],
  // `stack doctor` looks at the host (through a probe in host/) and changes nothing.
  doctor: ['model', 'plan', 'store', 'host'],
  cli: ['model', 'load', 'plan', 'convert', 'store', 'images', 'executor', 'supervisor', 'doctor'],
};

/**
 * Single files a room may import beyond its rooms, each for a reason. Type-only imports are
 * erased at build time; `typeOnly` entries allow nothing else.
 */
const EXCEPTIONS: { from: Room; to: string; typeOnly?: boolean; why: string }[] = [
  { from: 'store', to: 'executor/host/linux/libc.ts', why: 'flock(2) for the store locks; Node has no flock' },
  {
    from: 'store',
    to: 'executor/host.ts',
    typeOnly: true,
    why: 'the store implements Host.state, .allocation and .volumes',
  },
  { from: 'store', to: 'executor/journal.ts', typeOnly: true, why: 'the journal file holds JournalEntry lines' },
  {
    from: 'images',
    to: 'executor/host/linux/libc.ts',
    why: 'layers: device nodes and overlay xattrs (mknod, lsetxattr, lgetxattr) when unpacking and when writing a build step',
  },
  { from: 'host', to: 'executor/host.ts', why: 'the Linux host implements the Host interface' },
  {
    from: 'cli',
    to: 'executor/host/linux/linux-host.ts',
    why: "the one factory of the Linux Host: `run`, `exec` and up's kill reach the kernel only through the Host interface",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/linux-observer.ts',
    why: "the Host's observe alone, for `plan`, without the container runtime to load",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/rootless/namespace-holder.ts',
    why: "rootless mode: an ordinary user's command first starts (or finds) the user's namespaces, and the last down stops them",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/rootless/enter-namespace.ts',
    why: "rootless mode: an ordinary user's command runs again inside the user's namespaces before it does anything else",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/rootless/forward-watch.ts',
    why: "rootless mode over pasta: the command's outer half, on the host's side, starts pasta again while the command changes what it publishes",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/inherited-fds.ts',
    why: 'closing inherited fds is the first thing a process does (docs/security.md)',
  },
  {
    from: 'cli',
    to: 'executor/host/linux/close-inherited-fds-fcntl.ts',
    why: 'the same, for the one-shot `stack run`, asking fcntl through the libc it binds anyway',
  },
  {
    from: 'cli',
    to: 'executor/host/linux/exit-at-once.ts',
    why: "the one-shot `stack run` ends with _exit(2) once its 'exit' listeners ran, through the libc it binds anyway",
  },
  {
    from: 'cli',
    to: 'executor/host/linux/spawned-child.ts',
    why: "the one-shot `stack run` tells, once at its start, that its own stdout and stderr stay unmade while its container shares them (a process-wide setting of how this process's stdio meets its children, like the fd closing above)",
  },
];

/** Node modules that reach the outside world: never in the pure rooms. */
const SIDE_EFFECT_MODULES =
  /^node:(fs|fs\/promises|child_process|net|dgram|http|https|tls|dns|os|worker_threads|cluster)$/;
const PURE: Room[] = ['model', 'load', 'plan', 'convert'];

function roomOf(file: string): Room | undefined {
  return ROOMS.find(([prefix]) => file.startsWith(prefix))?.[1];
}

function edges(): ImportEdge[] {
  const files = sourceFiles(ROOT, [
    'model',
    'planner',
    'convert',
    'store',
    'images',
    'executor',
    'supervisor',
    'doctor',
    'cli',
  ]);
  return files.flatMap((f) => importsOf(ROOT, f));
}

/** Every import the rules forbid, as `file:line: from -> to (why it is forbidden)`. */
export function forbiddenImports(all: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of all) {
    const from = roomOf(e.from)!;
    const where = `${e.from}:${e.line}: imports ${e.to}`;
    if (e.to === 'koffi' && from !== 'host') out.push(`${where}: only executor/host/linux/ may load koffi`);
    if (PURE.includes(from) && SIDE_EFFECT_MODULES.test(e.to)) out.push(`${where}: ${from} is pure (no I/O)`);
    if (!e.to.includes('/') || !e.to.endsWith('.ts')) continue;
    const to = roomOf(e.to);
    if (!to || to === from || MAY_IMPORT[from].includes(to)) continue;
    const exception = EXCEPTIONS.find((x) => x.from === from && x.to === e.to && (!x.typeOnly || e.typeOnly));
    if (exception) continue;
    out.push(`${where}: ${from} may import ${[from, ...MAY_IMPORT[from]].join(', ')} only`);
  }
  return out;
}

describe('import rules of the rooms', () => {
  const all = edges();

  it('finds the imports it checks', () => {
    // A reader that found nothing would pass every rule.
    expect(all.length).toBeGreaterThan(1000);
    expect(all.some((e) => e.from === 'cli/program.ts' && e.to === 'commander')).toBe(true);
  });

  it('has no forbidden import', () => {
    expect(forbiddenImports(all)).toEqual([]);
  });

  it('reports a forbidden import with its file and line', () => {
    const planted: ImportEdge[] = [
      { from: 'executor/host/linux/nat.ts', to: 'planner/plan/reconcile.ts', typeOnly: false, line: 3 },
      { from: 'model/plan.ts', to: 'node:fs', typeOnly: false, line: 1 },
      { from: 'cli/commands/ps-action.ts', to: 'koffi', typeOnly: false, line: 7 },
      { from: 'store/paths.ts', to: 'executor/host.ts', typeOnly: false, line: 2 },
      { from: 'cli/commands/run-action.ts', to: 'executor/host/linux/container-runtime.ts', typeOnly: false, line: 9 },
    ];
    expect(forbiddenImports(planted)).toEqual([
      'executor/host/linux/nat.ts:3: imports planner/plan/reconcile.ts: host may import host, model, store, images only',
      'model/plan.ts:1: imports node:fs: model is pure (no I/O)',
      'cli/commands/ps-action.ts:7: imports koffi: only executor/host/linux/ may load koffi',
      'store/paths.ts:2: imports executor/host.ts: store may import store, model only',
      'cli/commands/run-action.ts:9: imports executor/host/linux/container-runtime.ts: cli may import cli, model, load, plan, convert, store, images, executor, supervisor, doctor only',
    ]);
  });
});
