// What `stack stop`, `start` and `restart` do (loaded only when they run; see lifecycle.ts):
// the supervisor plans them from the state records (the file, when it loads, gives the
// dependency order) and carries them out.

import fs from 'node:fs';
import { paths } from '../../store/paths.js';
import { dependencyOrder } from '../../model/graph.js';
import { restartFollowers } from '../../planner/plan/select-services.js';
import type { Stack } from '../../model/types.js';
import type { LifecycleCommand, LifecycleOptions } from '../../planner/plan/lifecycle-plan.js';
import { connectSupervisor, request } from '../../supervisor/client.js';
import { EXIT } from '../errors.js';
import { progressPrinter } from '../progress.js';
import { progressFormat } from '../progress-format.js';
import { withStackLock } from '../with-lock.js';
import { stopTimeoutSeconds } from '../stop-timeout.js';
import { waitTimeoutSeconds, waitUntilReady } from '../wait-ready.js';
import { loadStackFiles, projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface LifecycleCliOptions {
  timeout?: string;
  format?: string;
  /** start --wait [--wait-timeout N] */
  wait?: boolean;
  waitTimeout?: string;
  /** false with restart --no-deps */
  deps?: boolean;
}

export async function lifecycle(
  command: LifecycleCommand,
  globals: GlobalOptions,
  services: string[],
  opts: LifecycleCliOptions,
): Promise<number> {
  const waitTimeout = waitTimeoutSeconds(opts.waitTimeout);
  const format = progressFormat(opts.format);
  const { project, options } = lifecycleRequest(command, globals, services, opts);
  await withStackLock(project, `stack ${command}`, async () => {
    if (!fs.existsSync(paths.stackDir(project)))
      throw new UsageError(`stack ${project} is not up; \`stack up\` creates it`);
    await requestLifecycle(project, command, options, format);
  });
  return opts.wait ? waitUntilReady(project, waitTimeout, options.services) : EXIT.ok;
}

/** The project and what the supervisor is asked to plan (`--dry-run` plans the same). */
export function lifecycleRequest(
  command: LifecycleCommand,
  globals: GlobalOptions,
  services: string[],
  opts: LifecycleCliOptions,
): { project: string; options: LifecycleOptions } {
  const timeout = stopTimeoutSeconds(opts.timeout);
  const project = projectOf(globals);
  // The file, when it loads, gives the dependency order and who follows a restarted service.
  const stack = loadedStack(globals);
  const followers = command === 'restart' && opts.deps !== false && stack && services.length > 0;
  const named = followers ? restartFollowers(stack, services) : services;
  const options: LifecycleOptions = { services: named, ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}) };
  if (stack) options.order = dependencyOrder(stack);
  return { project, options };
}

/**
 * Stops the containers of `services` (all when empty) and keeps them (Ctrl-C of an attached
 * `up`); the caller holds the lock. Nothing when the stack was taken down meanwhile.
 */
export async function stopContainers(
  project: string,
  services: string[],
  order: string[][],
  timeoutSeconds?: number,
): Promise<void> {
  if (!fs.existsSync(paths.stackDir(project))) return;
  await requestLifecycle(
    project,
    'stop',
    { services, order, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) },
    'text',
  );
}

export async function requestLifecycle(
  project: string,
  command: LifecycleCommand,
  options: LifecycleOptions,
  format: ReturnType<typeof progressFormat>,
): Promise<void> {
  const conn = await connectSupervisor(project, { start: true });
  try {
    await request(conn!, { op: 'lifecycle', command, options }, progressPrinter(process.stderr, { format }));
  } finally {
    conn!.destroy();
  }
}

/** The stack file, if it loads: the records alone do not know the dependencies. */
function loadedStack(globals: GlobalOptions): Stack | undefined {
  try {
    return loadStackFiles(globals);
  } catch {
    return undefined;
  }
}
