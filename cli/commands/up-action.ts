// What `stack up` does (loaded only when it runs; see up.ts).

import { traceMark } from '../../store/trace-marks.js';
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
import { EXIT } from '../errors.js';
import { progressPrinter, type PrinterOptions } from '../progress.js';
import { progressFormat } from '../progress-format.js';
import { wantsColor } from '../log-prefixes.js';
import { withPullFlag } from '../pull-flag.js';
import { loadStackFilesWithSources, UsageError, type GlobalOptions } from '../stack-file.js';
import { waitTimeoutSeconds, waitUntilReady } from '../wait-ready.js';
import type { UpFlags } from '../up-flags.js';
import { reconcileOptions } from '../up-options.js';
import { selectServices } from '../../planner/plan/select-services.js';
import { pullsOrBuilds, pullStackImages } from './image-pull-for-stack.js';
import {
  discardTold,
  discardUnlessHandedOver,
  namedProject,
  tellEarly,
  type ToldSupervisor,
} from '../told-supervisor.js';
import type net from 'node:net';
import { withStackLock } from '../with-lock.js';
import { saveConfigFiles } from '../../store/config-files.js';
import { stopTimeoutSeconds } from '../stop-timeout.js';
import { syncBootUnit } from '../boot-unit.js';
import { comesBackAtBoot } from '../../planner/plan/boot-plan.js';
import { abortRule, checkExitCodeFrom, type AbortFlags } from '../up-abort.js';
import { followAttached } from './up-attached-action.js';
import { attachedServices, type UpOutputFlags } from '../up-output-flags.js';

export interface UpOptions extends UpFlags, AbortFlags, UpOutputFlags {
  detach?: boolean;
  watch?: boolean;
  /** Return once every container is running or healthy (a one-shot: exited 0); implies -d. */
  wait?: boolean;
  waitTimeout?: string;
  format?: string;
  /** --build (true) / --no-build (false); neither: build what is missing. */
  build?: boolean;
  /** -t: seconds. */
  timeout?: string;
  quietPull?: boolean;
  /** false with --no-start. */
  start?: boolean;
  /** `stack create`: make the containers, start none. */
  create?: boolean;
  /** -y: accepted; stack asks no questions. */
  yes?: boolean;
  /** --pull POLICY (create): every service's pull_policy for this run. */
  pull?: string;
}

export async function up(
  globals: GlobalOptions,
  opts: UpOptions,
  services: string[] = [],
  early?: EarlySupervisor,
): Promise<number> {
  traceMark('cli: up action');
  const sinceMs = Date.now();
  const options = reconcileOptions(opts, services);
  const abort = abortRule(opts, !!opts.detach || !!opts.wait);
  if (opts.create) {
    // `stack create`: containers made, not started (planner/plan/create-plan.ts); nothing to follow.
    options.create = true;
    opts.detach = true;
  }
  if (opts.start === false) {
    if (abort) throw new UsageError('--no-start starts nothing to follow: not with the --abort-on-container-… flags');
    options.noStart = true;
    opts.detach = true;
  }
  const stopTimeout = stopTimeoutSeconds(opts.timeout);
  if (stopTimeout !== undefined) options.stopTimeoutSeconds = stopTimeout;
  const waitTimeout = waitTimeoutSeconds(opts.waitTimeout);
  const format = progressFormat(opts.format);
  const loadFile = () => {
    const { stack: loaded, filesRead, configFiles } = loadStackFilesWithSources(globals);
    traceMark('cli: stack file loaded');
    const stack = withPullFlag(loaded, opts.pull);
    checkExitCodeFrom(abort, stack, services, opts.deps === false);
    return { stack, filesRead, configFiles, shown: attachedServices(opts, stack, services) };
  };
  const bringUp = async (file: ReturnType<typeof loadFile>, told?: ToldSupervisor) => {
    // Every build ends before anything is applied: a failed one leaves the containers as they are.
    await buildForUp(file.stack, services, opts);
    await applyStack(file.stack, options, { format }, early, !!opts.quietPull, told);
    await saveConfigFiles(file.stack.project, file.configFiles);
  };
  const named = early?.untold() ? namedProject(globals) : undefined;
  let file: ReturnType<typeof loadFile>;
  if (named) {
    // The early supervisor learns its project now and gets ready while the file loads (told-supervisor.ts).
    file = await withStackLock(named, 'stack up', async () => {
      const told = tellEarly(named, early);
      return discardUnlessHandedOver(told, async () => {
        const loaded = loadFile();
        if (loaded.stack.project !== named)
          throw new Error(`the stack file's project ${loaded.stack.project} is not the one named, ${named}`);
        // One that pulls or builds first keeps no supervisor of nothing waiting meanwhile.
        if (await pullsOrBuilds(loaded.stack)) await discardTold(told);
        await bringUp(loaded, told);
        return loaded;
      });
    });
  } else {
    file = loadFile();
    await withStackLock(file.stack.project, 'stack up', () => bringUp(file));
  }
  const { stack, filesRead, shown } = file;
  traceMark('cli: up done');
  if (opts.wait) return waitUntilReady(stack.project, waitTimeout);
  const watching = opts.watch
    ? await (await import('./watch-action.js')).startWatching(globals, options, filesRead, stack, { opts, services })
    : undefined;
  if (opts.detach && !watching) return EXIT.ok;
  if (opts.detach) {
    // -d --watch: apply edits until Ctrl-C; the stack stays up.
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await watching!.close();
    return EXIT.interrupted;
  }
  return followAttached(stack, {
    named: services,
    noDeps: opts.deps === false,
    ...(abort ? { abort } : {}),
    sinceMs,
    ...(stopTimeout !== undefined ? { stopTimeout } : {}),
    output: {
      shown,
      color: wantsColor(process.stdout, opts.color === false),
      prefix: opts.logPrefix !== false,
      timestamps: !!opts.timestamps,
    },
    beforeStop: () => watching?.close(),
  });
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
  quietPull = false,
  told?: ToldSupervisor,
): Promise<void> {
  await pullStackImages(stack, quietPull);
  traceMark('cli: images checked');
  // One reconcile per `up`, the supervisor's: a file the host cannot satisfy (a taken
  // host port, a missing external network) fails with its PlanError, and a supervisor
  // started for it is undone: no supervisor, log or socket stays.
  let starting: StartingSupervisor | undefined;
  let conn: net.Socket | undefined;
  if (told?.state === 'told') {
    told.state = 'handed over';
    starting = told.starting;
    conn = await starting.connected;
  } else {
    conn = await connectSupervisor(stack.project, { start: false });
    if (conn && early) {
      early.letGo(); // EOF: the early one exits unused
      closeBootOutput(early);
    }
    if (!conn) {
      starting = startSupervisor(stack.project, early);
      conn = await starting.connected;
    }
  }
  traceMark('cli: connected');
  try {
    await request(conn!, { op: 'apply', stack, options }, progressPrinter(process.stderr, printer));
  } catch (err) {
    if (starting && err instanceof SupervisorError && err.wire.problems) await starting.discard();
    throw err;
  } finally {
    conn!.destroy();
  }
  traceMark('cli: apply done');
  syncBootUnit(
    stack.project,
    stack.services.some((s) => comesBackAtBoot(s.restart.name, false)),
    (line) => process.stderr.write(`${line}\n`),
  );
}
