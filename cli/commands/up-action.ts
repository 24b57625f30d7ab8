// What `stack up` does (loaded only when it runs; see up.ts).

import type { ReconcileOptions } from '../../planner/plan/reconcile.js';
import type { Stack } from '../../model/types.js';
import {
  connectSupervisor,
  request,
  startSupervisor,
  SupervisorError,
  type StartingSupervisor,
} from '../../supervisor/client.js';
import { closeBootOutput, type EarlySupervisor } from '../../supervisor/launch.js';
import { containerStatus } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { progressPrinter, type PrinterOptions } from '../progress.js';
import { progressFormat } from '../progress-format.js';
import { loadStackFilesWithSources, UsageError, type GlobalOptions } from '../stack-file.js';
import { waitReady } from '../wait-ready.js';
import type { UpFlags } from '../up-flags.js';
import { reconcileOptions } from '../up-options.js';
import { logFollowers } from '../log-followers.js';
import { attachedByUp } from '../attached-services.js';
import { wantsColor } from '../log-prefixes.js';
import { stopContainers } from './lifecycle-action.js';
import { dependencyOrder } from '../../model/graph.js';
import { selectServices } from '../../planner/plan/select-services.js';
import { pullStackImages } from './image-pull-for-stack.js';
import { withStackLock } from '../with-lock.js';
import { saveConfigFiles } from '../../store/config-files.js';
import { syncBootUnit } from '../boot-unit.js';
import { comesBackAtBoot } from '../../planner/plan/boot-plan.js';

export interface UpOptions extends UpFlags {
  detach?: boolean;
  watch?: boolean;
  /** Return once every container is running or healthy (a one-shot: exited 0); implies -d. */
  wait?: boolean;
  waitTimeout?: string;
  format?: string;
  /** --build (true) / --no-build (false); neither: build what is missing. */
  build?: boolean;
}

export async function up(
  globals: GlobalOptions,
  opts: UpOptions,
  services: string[] = [],
  early?: EarlySupervisor,
): Promise<number> {
  const options = reconcileOptions(opts, services);
  const waitTimeout = opts.waitTimeout === undefined ? undefined : Number(opts.waitTimeout);
  if (waitTimeout !== undefined && !(Number.isFinite(waitTimeout) && waitTimeout > 0))
    throw new UsageError(`--wait-timeout takes seconds (more than 0), not "${opts.waitTimeout}"`);
  const format = progressFormat(opts.format);
  const { stack, filesRead, configFiles } = loadStackFilesWithSources(globals);
  await withStackLock(stack.project, 'stack up', async () => {
    // Every build ends before anything is applied: a failed one leaves the containers as they are.
    await buildForUp(stack, services, opts);
    await applyStack(stack, options, { format }, early);
    await saveConfigFiles(stack.project, configFiles);
  });
  if (opts.wait) return waitUntilReady(stack.project, waitTimeout);
  const watching = opts.watch
    ? await (await import('./watch-action.js')).startWatching(globals, options, filesRead, { opts, services })
    : undefined;
  if (opts.detach && !watching) return EXIT.ok;
  if (opts.detach) {
    // -d --watch: apply edits until Ctrl-C; the stack stays up.
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await watching!.close();
    return EXIT.interrupted;
  }
  return followUntilInterrupted(stack, services, opts.deps === false, () => watching?.close());
}

/** compose's rule for `up`: build what is missing, everything with --build, nothing with --no-build. */
export async function buildForUp(stack: Stack, services: string[], opts: UpOptions): Promise<void> {
  if (!stack.services.some((s) => s.build)) return; // the builder's modules load only for stacks that build
  const { buildStackImages } = await import('../build-images.js');
  await buildStackImages(stack, {
    mode: opts.build === true ? 'always' : opts.build === false ? 'never' : 'missing',
    wanted: [...selectServices(stack, services, opts.deps === false)],
  });
}

/**
 * Pulls what pull_policy asks for, then hands `stack` to its supervisor (started if none
 * runs) and prints the plan and progress. `up` and every watch cycle run this.
 */
export async function applyStack(
  stack: Stack,
  options: ReconcileOptions,
  printer: PrinterOptions = {},
  early?: EarlySupervisor,
): Promise<void> {
  await pullStackImages(stack);
  let conn = await connectSupervisor(stack.project, { start: false });
  if (conn && early) {
    early.child.stdin?.end(); // EOF: the early one exits unused
    closeBootOutput(early);
  }
  // One reconcile per `up`, the supervisor's: a file the host cannot satisfy (a taken
  // host port, a missing external network) fails with its PlanError, and a supervisor
  // started for it is undone: no supervisor, log or socket stays.
  let starting: StartingSupervisor | undefined;
  if (!conn) {
    starting = startSupervisor(stack.project, early);
    conn = await starting.connected;
  }
  try {
    await request(conn!, { op: 'apply', stack, options }, progressPrinter(process.stderr, printer));
  } catch (err) {
    if (starting && err instanceof SupervisorError && err.wire.problems) await starting.discard();
    throw err;
  } finally {
    conn!.destroy();
  }
  syncBootUnit(
    stack.project,
    stack.services.some((s) => comesBackAtBoot(s.restart.name, false)),
    (line) => process.stderr.write(`${line}\n`),
  );
}

async function waitUntilReady(project: string, timeoutSeconds: number | undefined): Promise<number> {
  const notReady = await waitReady(project, timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000);
  if (notReady.length === 0) {
    process.stderr.write(`stack ${project} is ready\n`);
    return EXIT.ok;
  }
  for (const n of notReady) process.stderr.write(`stack: container ${n.container} ${n.reason}\n`);
  return EXIT.error;
}

async function killContainers(project: string): Promise<void> {
  process.stderr.write('killing…\n');
  const { createLinuxHost } = await import('../../executor/host/linux/linux-host.js');
  const host = createLinuxHost();
  const rows = await containerStatus(project);
  // SIGKILL at once, then whatever is left in its cgroups: the supervisor's stop in
  // progress sees the process gone and finishes.
  await Promise.all(rows.map((r) => host.containers.stop(project, r.instance, 'SIGKILL', 0).catch(() => {})));
}

/**
 * Follows the stack's output until Ctrl-C, then stops its containers and keeps them, as
 * docker compose does: `up` starts them again as they are, `down` removes them.
 */
async function followUntilInterrupted(
  stack: Stack,
  named: string[],
  noDeps: boolean,
  beforeStop?: () => Promise<void> | undefined,
): Promise<number> {
  const project = stack.project;
  // `up SERVICE…` follows those services and stops them and what it started for them.
  const started = named.length > 0 ? [...selectServices(stack, named, noDeps)] : [];
  // Listen for Ctrl-C before anything is printed: whoever sees output may press it at once.
  const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  // Containers that appear later (a watch edit, a scale change, a replacement) are followed too.
  const followers = logFollowers(project, {
    wanted: attachedByUp(stack, named),
    color: wantsColor(process.stdout, false),
  });
  await followers.poll();
  process.stderr.write('attached to the stack; Ctrl-C stops it (up starts it again, down removes it)\n');
  await interrupted;
  process.stderr.write('\nstopping… (Ctrl-C again to kill the containers now)\n');
  // A second Ctrl-C does not wait out the grace periods: SIGKILL to every process in the
  // containers' cgroups, as compose's second Ctrl-C does; the stop then finishes at once.
  process.once('SIGINT', () => void killContainers(project));
  await beforeStop?.();
  await withStackLock(project, 'stack up (stopping at Ctrl-C)', () =>
    stopContainers(project, started, dependencyOrder(stack)),
  );
  followers.stop();
  return EXIT.interrupted;
}
