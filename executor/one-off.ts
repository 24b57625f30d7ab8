// A one-off container (`stack run`), started and removed the way the executor starts and
// removes every container (launch-container.ts), so the two cannot drift apart. What is
// its own: its stdio is the caller's (attach), the caller waits for its exit and records
// it, and with `remove` it is gone again when it ends. Its record exists already
// (cli/commands/run-claim.ts writes it as its addresses are chosen).

import type { ContainerSpec } from '../model/plan.js';
import { ContainerStartError, type ContainerExit, type Host } from './host.js';
import { launchContainer } from './launch-container.js';
import { removeContainer } from './stop-container.js';

export interface OneOffOptions {
  /** Take the container down (process, veths, cgroups, dirs, record) once it ends: `--rm`. */
  remove: boolean;
  /** Its stdio is the caller's (default); false sends its output to its log file (build steps). */
  attach?: boolean;
  /** Called with the container's host pid as soon as it has one (the caller forwards signals to it). */
  onSpawned?: (pid: number) => void;
  /** See LaunchOptions.bridgesReady. */
  bridgesReady?: Promise<unknown>;
}

export interface OneOffOutcome {
  /** The command's exit code (128 + signal when killed); docker's 126/127 when it could not be started. */
  exitCode: number;
  /** Why the init stage could not start the command (it said so after the release). */
  startError?: ContainerStartError;
}

export async function runOneOff(spec: ContainerSpec, host: Host, opts: OneOffOptions): Promise<OneOffOutcome> {
  const exit = new Promise<ContainerExit>((resolve) => {
    host.containers.onExit((e) => {
      if (e.project === spec.project && e.name === spec.name) resolve(e);
    });
  });
  let wired = false;
  try {
    let startError: ContainerStartError | undefined;
    try {
      await launchContainer(
        spec,
        host,
        async (pid, startTime, startedAt) => {
          opts.onSpawned?.(pid);
          await host.state.saveContainer(spec.project, { spec, status: 'starting', pid, startTime, startedAt });
        },
        {
          attach: opts.attach ?? true,
          ...(opts.bridgesReady ? { bridgesReady: opts.bridgesReady } : {}),
          beforeRelease: async () => {
            wired = true;
          },
        },
      );
    } catch (err) {
      // Refused at the release, the init stage has exited with docker's code for it (the
      // command was not found, or could not be executed): that is the one-off's outcome.
      // Anything earlier is an error of the host.
      if (!wired || !(err instanceof ContainerStartError)) throw err;
      startError = err;
    }
    const e = await exit;
    await host.state.updateContainer(spec.project, spec.name, (r) => ({
      ...r,
      status: 'exited',
      exitCode: e.exitCode,
      ...(e.oomKilled ? { oomKilled: true } : {}),
      finishedAt: new Date().toISOString(),
    }));
    return { exitCode: e.exitCode, ...(startError ? { startError } : {}) };
  } finally {
    if (opts.remove)
      await removeContainer(host, spec.project, spec.name, {
        signal: 'SIGKILL',
        graceSeconds: 0,
        hostVeths: spec.endpoints.map((ep) => ep.hostVeth),
      });
  }
}

/**
 * `stack run -d`: the one-off started like any container (detached, its output to its log
 * file) and left running; the caller returns at once. Nobody waits for its exit: `ps`
 * shows it exited once it is gone (without a code), `down` removes it.
 */
export async function startOneOffDetached(spec: ContainerSpec, host: Host): Promise<void> {
  await launchContainer(spec, host, (pid, startTime, startedAt) =>
    host.state.saveContainer(spec.project, { spec, status: 'starting', pid, startTime, startedAt }),
  );
}
