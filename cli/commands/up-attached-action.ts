// Attached `up` (no -d): follows the containers' output until Ctrl-C or, with the abort
// flags, until a container exits; then stops the containers and keeps them, as docker
// compose does: `up` starts them again as they are, `down` removes them.

import type { Stack } from '../../model/types.js';
import { containerStatus } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { logFollowers } from '../log-followers.js';
import { stopContainers } from './lifecycle-action.js';
import { dependencyOrder } from '../../model/graph.js';
import { selectServices } from '../../planner/plan/select-services.js';
import { withStackLock } from '../with-lock.js';
import { watchExits, type ContainerExit, type ExitWatch } from '../container-exits.js';
import type { AbortRule } from '../up-abort.js';

export interface AttachOptions {
  /** `up SERVICE…`: those services (and what they depend on unless noDeps). */
  named: string[];
  noDeps: boolean;
  /** --abort-on-container-exit/-failure, --exit-code-from. */
  abort?: AbortRule;
  /** When `up` began: exits before it are an earlier run's. */
  sinceMs: number;
  /** `-t N`: the grace period of the stop at the end, over each container's own. */
  stopTimeout?: number;
  /** Whose output is shown (--attach/--no-attach) and how. */
  output: { shown: (service: string) => boolean; color: boolean; prefix: boolean; timestamps: boolean };
  beforeStop?: () => Promise<void> | undefined;
}

export async function followAttached(stack: Stack, opts: AttachOptions): Promise<number> {
  const { project } = stack;
  const { named, abort } = opts;
  // `up SERVICE…` follows those services and stops them and what it started for them.
  const started = named.length > 0 ? [...selectServices(stack, named, opts.noDeps)] : [];
  // Listen for Ctrl-C before anything is printed: whoever sees output may press it at once.
  const interrupted = new Promise<'interrupted'>((resolve) => process.once('SIGINT', () => resolve('interrupted')));
  const inScope = (service: string) => started.length === 0 || started.includes(service);
  const exits = abort ? await watchExits(project, opts.sinceMs) : undefined;
  // As compose: the exits of the containers whose output is shown.
  const { output } = opts;
  const aborting = exits?.next(
    (e) => inScope(e.service) && output.shown(e.service) && (!abort!.failureOnly || e.exitCode !== 0),
  );
  // Containers that appear later (a watch edit, a scale change, a replacement) are followed too.
  const followers = logFollowers(project, {
    wanted: (r) => output.shown(r.service),
    color: output.color,
    aligned: output.prefix,
    ...(output.timestamps ? { view: { timestamps: true } } : {}),
  });
  await followers.poll();
  process.stderr.write(
    `attached to the stack; ${abort ? 'a container exit or ' : ''}Ctrl-C stops it (up starts it again, down removes it)\n`,
  );
  const ended = await Promise.race([interrupted, ...(aborting ? [aborting] : [])]);
  if (ended === 'interrupted') process.stderr.write('\nstopping… (Ctrl-C again to kill the containers now)\n');
  else process.stderr.write(`${ended.container} exited with code ${ended.exitCode}\nAborting on container exit...\n`);
  // A second Ctrl-C does not wait out the grace periods: SIGKILL to every process in the
  // containers' cgroups, as compose's second Ctrl-C does; the stop then finishes at once.
  process.once('SIGINT', () => void killContainers(project));
  await opts.beforeStop?.();
  await withStackLock(project, 'stack up (stopping at Ctrl-C or an exit)', () =>
    stopContainers(project, started, dependencyOrder(stack), opts.stopTimeout),
  );
  followers.stop();
  if (ended === 'interrupted') {
    exits?.close();
    return EXIT.interrupted;
  }
  const code = await abortExitCode(exits!, ended, abort!.exitCodeFrom);
  exits!.close();
  return code;
}

/**
 * compose's rule: the code of --exit-code-from's service, else of the container whose
 * exit aborted; unknown (an adopted container's) is 1.
 */
async function abortExitCode(
  exits: ExitWatch,
  trigger: ContainerExit,
  exitCodeFrom: string | undefined,
): Promise<number> {
  // The stop has ended its process; its `die` event tells the code it ended with.
  const from = exitCodeFrom === undefined ? trigger : await exits.next((e) => e.service === exitCodeFrom);
  return from.exitCode >= 0 ? from.exitCode : EXIT.error;
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
