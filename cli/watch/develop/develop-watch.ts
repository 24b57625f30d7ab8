// develop.watch for a whole stack: one source watcher over every rule's path, and per
// service a debounced queue, so a burst of edits (a `git checkout` of 2,000 files) becomes
// one action, and a burst that comes while one runs waits for it and merges with the
// others. Rules with initial_sync copy their whole path in before the first edit.

import fs from 'node:fs';
import path from 'node:path';
import type { Service, Stack } from '../../../model/types.js';
import { syncsFiles } from '../../../model/develop-watch.js';
import { openContext } from '../../../images/build/build-context.js';
import { ApplyQueue } from '../apply-queue.js';
import { Debouncer, systemClock } from '../debounce.js';
import { ruleMatch, type ContextIgnore, type RuleMatch } from './rule-match.js';
import { actOnBurst, syncHits, type Edits, type ServiceActions } from './service-actions.js';
import { watchSources } from './source-watcher.js';

export interface DevelopWatch {
  /** The services whose rules are watched. */
  services: string[];
  /** Follows an edit of the stack files: the rules are watched anew when they changed. */
  setStack(stack: Stack): Promise<void>;
  close(): Promise<void>;
}

/** Pending edits from which a burst is under way, and the quiet time it then waits for. */
const BURST_PATHS = 32;
const BURST_QUIET_MS = 500;

class ServiceLoop {
  private pending: Edits = new Map();
  private readonly queue: ApplyQueue;
  private readonly debouncer: Debouncer;

  constructor(
    world: ServiceActions,
    service: string,
    readonly matches: RuleMatch[],
    quietMs: number,
  ) {
    this.queue = new ApplyQueue(async () => {
      const edits = this.pending;
      this.pending = new Map();
      await actOnBurst(world, service, matches, edits);
    });
    // docker compose waits 500 ms of quiet after every edit; stack syncs one edit after
    // `quietMs` (20 ms) and waits as compose does only while many files are changing.
    this.debouncer = new Debouncer(systemClock, quietMs, () => this.queue.trigger(), {
      paths: BURST_PATHS,
      quietMs: Math.max(quietMs, BURST_QUIET_MS),
    });
  }

  poke(abs: string, folder: boolean): void {
    if (!this.matches.some((m) => m.relative(abs, folder) !== undefined)) return;
    this.pending.set(abs, folder);
    this.debouncer.poke(abs);
  }

  async close(): Promise<void> {
    this.debouncer.cancel();
    await this.queue.idle();
  }
}

async function contextIgnore(s: Service): Promise<ContextIgnore | undefined> {
  if (!s.build) return undefined;
  const dockerfile = path.resolve(s.build.context, s.build.dockerfile ?? 'Dockerfile');
  const ctx = await openContext(s.build.context, dockerfile).catch(() => undefined);
  return ctx && { dir: ctx.dir, patterns: ctx.ignore };
}

/** Every path under the rule's path that the rule acts on, relative to it. */
function walk(m: RuleMatch): string[] {
  const out: string[] = [];
  const visit = (abs: string) => {
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    const rel = m.relative(abs, st.isDirectory());
    if (rel !== undefined) out.push(rel);
    if (st.isDirectory() && !m.skipsFolder(abs))
      for (const name of fs.readdirSync(abs).sort()) visit(path.join(abs, name));
  };
  visit(m.rule.path);
  return out;
}

const developKey = (stack: Stack) =>
  JSON.stringify(stack.services.filter((s) => s.develop?.watch.length).map((s) => [s.name, s.develop, s.build]));

async function watchRules(stack: Stack, world: ServiceActions, quietMs: number) {
  const loops: ServiceLoop[] = [];
  const names: string[] = [];
  for (const s of stack.services) {
    if (!s.develop?.watch.length) continue;
    const ignore = await contextIgnore(s);
    const matches = s.develop.watch.map((r) => ruleMatch(r, ignore));
    loops.push(new ServiceLoop(world, s.name, matches, quietMs));
    names.push(s.name);
    const initial = matches.filter((m) => m.rule.initialSync && syncsFiles(m.rule.action));
    if (initial.length)
      await syncHits(world, s.name, await world.containersOf(s.name), new Map(initial.map((m) => [m, walk(m)])));
  }
  if (loops.length === 0) return undefined;
  const watcher = watchSources(
    loops.flatMap((l) => l.matches),
    (abs, folder) => loops.forEach((l) => l.poke(abs, folder)),
  );
  await watcher.ready;
  return {
    names,
    async close() {
      await watcher.close();
      await Promise.all(loops.map((l) => l.close()));
    },
  };
}

export async function startDevelopWatch(stack: Stack, world: ServiceActions, quietMs: number): Promise<DevelopWatch> {
  let key = developKey(stack);
  let current = await watchRules(stack, world, quietMs);
  return {
    get services() {
      return current?.names ?? [];
    },
    async setStack(next) {
      if (developKey(next) === key) return;
      key = developKey(next);
      await current?.close();
      current = await watchRules(next, world, quietMs);
    },
    close: async () => current?.close(),
  };
}
