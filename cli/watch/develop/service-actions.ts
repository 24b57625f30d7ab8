// One burst of edits for one service: which of its rules the edits hit decides what is
// done, as compose does: a `rebuild` rule hit rebuilds and replaces the containers (nothing
// else is needed then); otherwise the sync rules' files go into every running container of
// the service, then a `restart` or `sync+restart` rule restarts it, and a `sync+exec` rule
// runs its command in each container.

import fs from 'node:fs';
import path from 'node:path';
import type { SyncRequest } from '../../../model/container-sync.js';
import type { ServiceHook } from '../../../model/lifecycle-hooks.js';
import { syncsFiles } from '../../../model/develop-watch.js';
import type { RuleMatch } from './rule-match.js';
import type { WatchEvent } from './watch-events.js';

/** What the actions need from the world (the CLI's host, its supervisor, its builder). */
export interface ServiceActions {
  /** The running containers of the service (their instance names). */
  containersOf(service: string): Promise<string[]>;
  sync(container: string, request: SyncRequest): Promise<number>;
  exec(container: string, hook: ServiceHook): Promise<number>;
  restart(service: string): Promise<void>;
  /** Builds the service's image again and applies the stack; whether its containers were replaced. */
  rebuild(service: string): Promise<boolean>;
  report(e: WatchEvent): void;
  /** The text of an error, as the CLI renders it. */
  describe(err: unknown): Promise<string>;
}

/** The edits of a burst: absolute path → whether it was a folder. */
export type Edits = Map<string, boolean>;

/** The rules `edits` hit, each with its paths (relative to the rule's path). */
export function hitRules(matches: RuleMatch[], edits: Edits): Map<RuleMatch, string[]> {
  const hits = new Map<RuleMatch, string[]>();
  for (const [abs, folder] of edits)
    for (const m of matches) {
      const rel = m.relative(abs, folder);
      if (rel !== undefined) hits.set(m, [...(hits.get(m) ?? []), rel]);
    }
  return hits;
}

/** What goes into the container for these hits: what exists now is copied, what does not is removed. */
export function syncRequest(hits: Map<RuleMatch, string[]>): SyncRequest {
  const request: SyncRequest = { copy: [], remove: [] };
  for (const [m, rels] of hits) {
    if (!syncsFiles(m.rule.action)) continue;
    for (const rel of rels) {
      const source = rel === '' ? m.rule.path : path.join(m.rule.path, ...rel.split('/'));
      if (fs.lstatSync(source, { throwIfNoEntry: false }))
        request.copy.push({ source, base: m.rule.path, target: m.targetOf(rel) });
      else request.remove.push(m.targetOf(rel));
    }
  }
  request.copy.sort((a, b) => (a.target < b.target ? -1 : 1)); // folders before what they hold
  return request;
}

async function timed<T>(step: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await step();
  return [value, Math.round(performance.now() - start)];
}

/** Syncs what the hits name into `containers` and reports it; false when it failed. */
export async function syncHits(
  world: ServiceActions,
  service: string,
  containers: string[],
  hits: Map<RuleMatch, string[]>,
): Promise<boolean> {
  const request = syncRequest(hits);
  if (request.copy.length + request.remove.length === 0) return true;
  try {
    const [counts, ms] = await timed(() => Promise.all(containers.map((c) => world.sync(c, request))));
    world.report({ service, action: 'sync', files: Math.max(0, ...counts), ms });
    return true;
  } catch (err) {
    world.report({ service, action: 'sync', error: await world.describe(err) });
    return false;
  }
}

/** Acts on one burst; failures are reported, never thrown (the next edit gets its chance). */
export async function actOnBurst(
  world: ServiceActions,
  service: string,
  matches: RuleMatch[],
  edits: Edits,
): Promise<void> {
  const hits = hitRules(matches, edits);
  if (hits.size === 0) return;
  const rules = [...hits.keys()].map((m) => m.rule);
  if (rules.some((r) => r.action === 'rebuild')) {
    try {
      const [replaced, ms] = await timed(() => world.rebuild(service));
      world.report({ service, action: 'rebuild', ms, replaced });
    } catch (err) {
      world.report({ service, action: 'rebuild', error: await world.describe(err) });
    }
    return;
  }
  const containers = await world.containersOf(service);
  if (!(await syncHits(world, service, containers, hits))) return;
  if (rules.some((r) => r.action === 'restart' || r.action === 'sync+restart')) {
    try {
      const [, ms] = await timed(() => world.restart(service));
      world.report({ service, action: 'restart', ms });
    } catch (err) {
      world.report({ service, action: 'restart', error: await world.describe(err) });
    }
  }
  for (const rule of rules)
    if (rule.action === 'sync+exec' && rule.exec)
      for (const c of containers) {
        try {
          const [exitCode, ms] = await timed(() => world.exec(c, rule.exec!));
          world.report({ service, action: 'exec', command: rule.exec.command, exitCode, ms });
        } catch (err) {
          world.report({ service, action: 'exec', error: await world.describe(err) });
        }
      }
}
