// What `stack run` does once it knows what it runs (run-action.ts reads a service of the
// stack file; imageTarget a bare image). The one-off container is a child of this process,
// not of the supervisor: its stdio and exit code are ours directly, and it needs no
// supervisor at all. Its state record lives with the stack's (so `ps` shows it and `down`
// removes it), written as its addresses are chosen (run-claim.ts); with --rm it is gone
// again when the command ends. A module apart from run-action.ts: the one-shot `stack run
// --rm --image` (one-shot-run.ts) runs from here, and its bundle (one-shot.cjs) holds
// neither the stack file's loader nor the `up` that a service's one-off may need first.

import path from 'node:path';
import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import type { Host } from '../../executor/host.js';
import { runOneOff } from '../../executor/one-off.js';
import { isRunWatcher, reportStarted, runThroughWatcher } from './run-detached.js';
import { publishedByRun } from './run-ports.js';
import { oneOffPorts } from '../../planner/plan/one-off-ports.js';
import { claimOneOff } from './run-claim.js';
import { faultPoint } from '../../store/fault-point.js';
import type { ContainerSpec } from '../../model/plan.js';
import { emptyObserved, type ImageInfo, type Observed } from '../../model/observed.js';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import { shellSplit } from '../../planner/load/short-forms.js';
import { parseSize } from '../../planner/load/coerce.js';
import type { PortMapping, Service, Stack } from '../../model/types.js';
import type { GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { envFlags } from './env-flags.js';
import { escapeControls } from '../terminal-text.js';
import { randomHex } from '../../store/random-hex.js';
import { IMAGE_RUN_PROJECT } from '../image-run-project.js';

export interface RunCliOptions {
  rm?: boolean;
  /** -d: start it and return, its output to its log. */
  detach?: boolean;
  /** --name: the container's name (ps, DNS), instead of `<project>-<service>-run-<id>`. */
  name?: string;
  /** -l KEY=VALUE, repeatable. */
  label?: string[];
  capAdd?: string[];
  capDrop?: string[];
  useAliases?: boolean;
  /** -p [IP:][HOST:]CONTAINER[/PROTO], repeatable. */
  publish?: string[];
  /** -P: publish the service's own `ports:`. */
  servicePorts?: boolean;
  /** --pull always|missing|never|policy (the default: the service's pull_policy, as `up`). */
  pull?: string;
  /** -v SPEC, repeatable. */
  volume?: string[];
  /** false with --no-deps. */
  deps?: boolean;
  quietPull?: boolean;
  image?: string;
  network?: string;
  memory?: string;
  env?: string[];
  entrypoint?: string;
  user?: string;
  workdir?: string;
}

export interface Target {
  project: string;
  service: Service;
  /** The stack as it is now, seen through `host` (with the owners of these host ports); called under the allocation lock (run-claim.ts). */
  observe: (host: Host, ports: readonly PortMapping[]) => Promise<Observed>;
  /** The stack of a service of the file (not of `--image`): its mounts are the one-off's. */
  stack?: Stack;
}

/** What a one-off runs, from the command line. */
export type TargetOf = (
  globals: GlobalOptions,
  first: string | undefined,
  rest: string[],
  opts: RunCliOptions,
) => Promise<{ t: Target; command: string[] }>;

/** The target of `run --image REF`: a service made of the bare image, in IMAGE_RUN_PROJECT unless -p names one. */
export async function imageTarget(
  globals: GlobalOptions,
  first: string | undefined,
  rest: string[],
  opts: RunCliOptions,
): Promise<{ t: Target; command: string[] }> {
  const image = opts.image!;
  if (opts.network !== undefined && opts.network !== 'none') {
    throw new UsageError(
      `--network ${opts.network}: a one-off container of a bare image can only have --network none for now`,
    );
  }
  const command = first === undefined ? rest : [first, ...rest];
  const name = path.basename(image.split(/[:@]/)[0] ?? 'image').replace(/[^a-z0-9_-]/g, '') || 'image';
  const service = {
    ...serviceDefaults(name, image, { file: '<command line>', line: 1, col: 1 }),
    networkMode: 'none',
  };
  const project = globals.projectName ?? IMAGE_RUN_PROJECT;
  return { t: { project, service, observe: async () => emptyObserved(project) }, command };
}

async function nameIsFree(project: string, name: string): Promise<void> {
  const { readState } = await import('../../store/state-store.js');
  const records = await readState.containers(project);
  if (records.some((r) => r.spec.name === name || r.spec.containerName === name || r.spec.displayName === name))
    throw new UsageError(`--name ${name}: stack ${project} has a container of that name already`);
}

async function imageOf(ref: string): Promise<ImageInfo> {
  const { findImage } = await import('../../images/image-store.js');
  const image = await findImage(ref);
  if (!image)
    throw new UsageError(
      `image ${ref} is not in the local store; get it with \`stack image pull ${ref}\` or \`stack image import PATH --tag ${ref}\``,
    );
  return image;
}

/** `stack run` once the command line is read: `targetOf` says what it runs (imageTarget, or a service of the stack file). */
export async function runTargeted(
  globals: GlobalOptions,
  first: string | undefined,
  rest: string[],
  opts: RunCliOptions,
  targetOf: TargetOf,
): Promise<number> {
  if (opts.detach && !isRunWatcher()) return runThroughWatcher();
  if (opts.name !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(opts.name))
    throw new UsageError(`--name ${opts.name}: letters, digits, '_', '.' and '-', starting with a letter or digit`);
  const { t, command } = await targetOf(globals, first, rest, opts);
  const wanted = publishedByRun(t.service, opts);
  if (opts.memory !== undefined) {
    const bytes = parseSize(opts.memory);
    if (bytes === undefined) throw new UsageError(`--memory ${opts.memory}: not a size (e.g. 64m, 1g)`);
    t.service = { ...t.service, resources: { ...t.service.resources, memoryBytes: bytes } };
  }
  const env = Object.fromEntries(
    envFlags(opts.env ?? [], process.env).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  if (opts.name !== undefined) await nameIsFree(t.project, opts.name);
  const image = await imageOf(t.service.image);
  const id = randomHex(3);
  const host = createLinuxHost();
  // Tables of one-offs whose `stack run` died after publishing, before its spawn (one-off.ts).
  let lapsedTables: string[] = [];
  const spec = await claimOneOff(
    t.project,
    () => t.observe(host, wanted),
    (observed) => {
      lapsedTables = (observed.staleOneOffTables ?? []).map((stale) => stale.table);
      const built = oneOffSpec(t.project, t.service, image, observed, {
        command,
        env,
        id,
        ...(t.stack ? { stack: t.stack } : {}),
        ...(opts.useAliases ? { useAliases: true } : {}),
        ...(opts.entrypoint !== undefined ? { entrypoint: shellSplit(opts.entrypoint) } : {}),
        ...(opts.user !== undefined ? { user: opts.user } : {}),
        ...(opts.workdir !== undefined ? { workdir: opts.workdir } : {}),
      });
      // Thrown before the record is written: a refused run leaves nothing behind.
      if (built.argv.length === 0)
        throw new UsageError(`neither the command line nor image ${built.image.ref} gives a command to run`);
      const named = opts.name === undefined ? built : { ...built, containerName: opts.name };
      const ports = oneOffPorts(named, wanted, observed);
      return ports.length > 0 ? { ...named, oneOffPorts: ports } : named;
    },
  );
  faultPoint('run-claimed');
  if (opts.detach) {
    // The watcher (run-detached.ts): it waits for the exit, as an attached run does.
    const outcome = await runOneOff(spec, host, {
      remove: !!opts.rm,
      attach: false,
      lapsedTables,
      onPublished: () => faultPoint('run-published'),
      onStarted: () => reportStarted(spec.containerName ?? spec.name),
    });
    if (outcome.startError) process.stderr.write(`stack: ${escapeControls(outcome.startError.message)}\n`);
    return outcome.exitCode;
  }
  return runAttached(spec, !!opts.rm, host, lapsedTables);
}

/**
 * Starts the container attached, as the executor starts any (executor/one-off.ts), through
 * the Linux Host; waits for its exit; removes it with --rm. The record exists already
 * (run-claim.ts).
 */
async function runAttached(
  spec: ContainerSpec,
  rm: boolean,
  host: Host,
  lapsedTables: readonly string[],
): Promise<number> {
  let pid: number | undefined;
  // The container is in its own session: the terminal's signals reach only us. Pass them on.
  const forward = (signal: NodeJS.Signals) => {
    if (pid) process.kill(pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];
  signals.forEach((s) => process.on(s, forward));
  try {
    const outcome = await runOneOff(spec, host, {
      remove: rm,
      lapsedTables,
      onPublished: () => faultPoint('run-published'),
      onSpawned: (p) => {
        pid = p;
      },
    });
    // The init stage said why (docker's 126/127 is the exit code).
    if (outcome.startError) process.stderr.write(`stack: ${escapeControls(outcome.startError.message)}\n`);
    return outcome.exitCode;
  } finally {
    signals.forEach((s) => process.off(s, forward));
  }
}
