// Which `stk` host objects no live stack accounts for (pure; host-view.ts reads the host).
// The leak check's before/after diff never reports an object that was there before the
// suite started: a stack whose temp STACK_ROOT was removed while it ran (a killed test run)
// left its supervisor, containers, nft table, cgroups and bridges for good. Other helpers'
// test runs share this host, so an object is someone else's business while a live stack
// accounts for it:
// - a project is live when a supervisor of it runs with a STACK_ROOT that exists, when a
//   process in its cgroups descends from a process with a STACK_ROOT that exists (a
//   one-off's `stack run`, a supervisor), or when a STACK_ROOT that exists has its folder
//   (its records: `stack down` under that root removes it);
// - its cgroups and tables are live with it; a table is the project's by natTableName;
// - a `stkb`/`stkv` link is live when a record under a STACK_ROOT that exists names it, it
//   is a live root's default bridge, a live project's table names it, or (a veth) its
//   master is live.
// Everything else is an orphan, reported with the command that removes it.

import { natTableName, oneOffTablePrefix } from '../../model/names.js';
import { defaultBridgeNames } from '../../model/default-bridge.js';

export interface ViewProcess {
  pid: number;
  ppid: number;
  role: 'supervisor' | 'watchdog' | 'other';
  /** The project a supervisor or watchdog serves. */
  project?: string;
  /** STACK_ROOT and STACK_RUN from its environment, when set. */
  root?: string;
  run?: string;
}

export interface HostView {
  processes: ViewProcess[];
  /** STACK_ROOTs (named by processes, or at the usual places) that exist now. */
  liveRoots: string[];
  /** Stack folders (`<root>/stacks/<project>`) under the live roots. */
  stackFolders: { root: string; project: string }[];
  /** Link names that records under the live roots mention. */
  recordedLinks: string[];
  /** Groups under `stack/<project>` (and `stk-<project>.<name>` ones), with the pids in them. */
  cgroups: { path: string; project: string; pids: number[] }[];
  tables: { family: string; name: string; /** the `stkb…` bridges its rules name */ bridges: string[] }[];
  links: { name: string; master?: string }[];
}

export interface Orphan {
  /** What is left, in words (`nft table ip stk_…`, `cgroup /sys/fs/cgroup/…`, `supervisor 123 …`). */
  objects: string[];
  project?: string;
  /** The command that removes them. */
  fix: string;
}

/** Every orphan of the view, grouped by project where one is known. */
export function classifyOrphans(view: HostView): Orphan[] {
  const live = liveProjects(view);
  const byProject = new Map<string, { objects: string[]; gone?: ViewProcess }>();
  const add = (project: string, object: string, gone?: ViewProcess) => {
    const entry = byProject.get(project) ?? { objects: [] };
    entry.objects.push(object);
    entry.gone ??= gone;
    byProject.set(project, entry);
  };
  const liveRoot = (p: ViewProcess) => !!p.root && view.liveRoots.includes(p.root);
  for (const p of view.processes)
    if (p.role !== 'other' && p.project && !liveRoot(p))
      add(p.project, `${p.role} ${p.pid} (STACK_ROOT ${p.root ?? 'unset'}, gone)`, p);
  for (const g of view.cgroups) if (!live.has(g.project)) add(g.project, `cgroup ${g.path}`);
  const known = new Set([...byProject.keys(), ...live, ...view.cgroups.map((g) => g.project)]);
  const loose: Orphan[] = [];
  const liveTables = new Set<string>();
  /** Bridges an orphan project's table names: its `down` removes them (and their veths). */
  const bridgeOwner = new Map<string, string>();
  for (const t of view.tables) {
    const project = tableProject(t.name, known);
    const root = view.liveRoots.find((r) => defaultBridgeNames(r).table === t.name);
    if (root || (project !== undefined && live.has(project))) {
      liveTables.add(t.name);
      continue;
    }
    if (project !== undefined) {
      add(project, `nft table ${t.family} ${t.name}`);
      for (const b of t.bridges) bridgeOwner.set(b, project);
    } else loose.push({ objects: [`nft table ${t.family} ${t.name}`], fix: `nft delete table ${t.family} ${t.name}` });
  }
  const liveLinks = new Set([
    ...view.recordedLinks,
    ...view.liveRoots.map((r) => defaultBridgeNames(r).bridge),
    ...view.tables.filter((t) => liveTables.has(t.name)).flatMap((t) => t.bridges),
  ]);
  for (const l of view.links) {
    if (!/^stk[bv]/.test(l.name) || liveLinks.has(l.name) || (l.master && liveLinks.has(l.master))) continue;
    const owner = bridgeOwner.get(l.name) ?? (l.master ? bridgeOwner.get(l.master) : undefined);
    if (owner !== undefined) add(owner, `link ${l.name}`);
    else loose.push({ objects: [`link ${l.name}`], fix: `ip link delete ${l.name}` });
  }
  const grouped = [...byProject].map(([project, { objects, gone }]) => ({
    project,
    objects,
    fix: downCommand(project, gone),
  }));
  return [...grouped, ...loose];
}

function liveProjects(view: HostView): Set<string> {
  const live = new Set<string>();
  const liveRoot = (root?: string) => !!root && view.liveRoots.includes(root);
  for (const p of view.processes) if (p.role === 'supervisor' && p.project && liveRoot(p.root)) live.add(p.project);
  for (const f of view.stackFolders) if (liveRoot(f.root)) live.add(f.project);
  const byPid = new Map(view.processes.map((p) => [p.pid, p]));
  const parentOf = new Map(view.processes.map((p) => [p.pid, p.ppid]));
  for (const g of view.cgroups) {
    for (const pid of g.pids) {
      // Up the tree: a live `stack` process (CLI or supervisor) of a live root is its parent.
      for (let at: number | undefined = pid, hops = 0; at && at > 1 && hops < 64; at = parentOf.get(at), hops++)
        if (liveRoot(byPid.get(at)?.root)) live.add(g.project);
    }
  }
  return live;
}

/** The project whose NAT or one-off table `name` is: one of `known`, or read back from the name itself. */
export function tableProject(name: string, known: Set<string>): string | undefined {
  for (const p of known) if (name === natTableName(p) || name.startsWith(oneOffTablePrefix(p))) return p;
  const m = /^stk_(.+)_[0-9a-f]{6}(?:_run_[0-9a-f]{8})?$/.exec(name);
  const candidate = m?.[1];
  if (candidate && (name === natTableName(candidate) || name.startsWith(oneOffTablePrefix(candidate))))
    return candidate;
  return undefined;
}

/** `stack down` of a project without records removes it by name (cli/commands/leftovers-down.ts). */
function downCommand(project: string, gone?: ViewProcess): string {
  // Under its own (removed) root, so `down` finds its supervisor; else any root without its folder.
  const env = gone?.root
    ? `STACK_ROOT=${gone.root}${gone.run ? ` STACK_RUN=${gone.run}` : ''}`
    : 'STACK_ROOT=$(mktemp -d)';
  return `${env} bin/stack -p ${project} down -t 0`;
}

/** The leak check's words for orphans. */
export function orphanReport(orphans: Orphan[]): string {
  const lines = orphans.flatMap((o) => [
    `  ${o.project ? `project ${o.project}: ` : ''}${o.objects.join(', ')}`,
    `    remove with: ${o.fix}`,
  ]);
  return [
    'leak check failed: host objects no live stack accounts for (their STACK_ROOT or records are gone; they may predate this run):',
    ...lines,
  ].join('\n');
}
