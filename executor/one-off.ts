// A one-off container (`stack run`), started and removed the way the executor starts and
// removes every container (launch-container.ts), so the two cannot drift apart. What is
// its own: its stdio is the caller's (attach), the caller waits for its exit and records
// it, and with `remove` it is gone again when it ends. Its record exists already
// (cli/commands/run-claim.ts writes it as its addresses are chosen).

import type { ContainerSpec } from '../model/plan.js';
import { ContainerStartError, type ContainerExit, type Host } from './host.js';
import { launchContainer } from './launch-container.js';
import { removeContainer } from './stop-container.js';
import { oneOffTableName } from '../model/names.js';
import { traceMark } from '../store/trace-marks.js';

export interface OneOffOptions {
  /** Take the container down (process, veths, cgroups, dirs, record) once it ends: `--rm`. */
  remove: boolean;
  /** Its stdio is the caller's (default); false sends its output to its log file (build steps). */
  attach?: boolean;
  /** Called with the container's host pid as soon as it has one (the caller forwards signals to it). */
  onSpawned?: (pid: number) => void;
  /** See LaunchOptions.bridgesReady. */
  bridgesReady?: Promise<unknown>;
  /**
   * One-off tables of its stack whose `stack run` died after publishing and before its spawn
   * (observe's staleOneOffTables): their claims lapsed, so this one may take their ports,
   * and they go before it publishes, or a port would have two DNATs.
   */
  lapsedTables?: readonly string[];
  /** Called once its ports are published, before its container is spawned (the CLI's fault point `run-published`). */
  onPublished?: () => void;
  /** Called once its command runs (`run -d` returns then); not when it could not be started. */
  onStarted?: () => void;
  /**
   * Only the records a crash needs: `starting` with its pid (so the next sweep can end it),
   * not `running` nor its exit. A build step's builder takes its exit code from here and
   * removes it next, and nothing else reads a build's records; two writes off its path.
   */
  recoveryRecordsOnly?: boolean;
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
  /** Its process has ended and was reaped here, its parent. */
  let exited = false;
  try {
    // Its published ports (`run -p`) are there before its command runs, and gone once it ends;
    // the record written at the claim names them, so a crash in between leaves what the next
    // plan of the stack, or the next one-off that publishes, removes (planner/plan/salvage.ts).
    // Inside the try: a publish that fails is a failed start, which `remove` cleans up as
    // docker removes a --rm container whose start failed.
    if (spec.oneOffPorts?.length) {
      for (const table of opts.lapsedTables ?? []) await host.nat.unpublish(table);
      await host.nat.publish(oneOffTableName(spec.project, spec.name), spec.project, spec.oneOffPorts);
      opts.onPublished?.();
    }
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
          recordRunning: opts.recoveryRecordsOnly !== true,
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
    if (!startError) opts.onStarted?.();
    const e = await exit;
    traceMark(`exe: ${spec.name} exited`);
    exited = true;
    // Kept, its record says how it ended (ps). Removed, the record goes in a moment: the caller
    // has the code, and a record left by a crash in between names a pid that no longer runs.
    // A build step's container writes only what crash recovery needs.
    if (!opts.remove && opts.recoveryRecordsOnly !== true)
      await host.state.updateContainer(spec.project, spec.name, (r) => ({
        ...r,
        status: 'exited',
        exitCode: e.exitCode,
        ...(e.oomKilled ? { oomKilled: true } : {}),
        finishedAt: new Date().toISOString(),
      }));
    return { exitCode: e.exitCode, ...(startError ? { startError } : {}) };
  } finally {
    // removeContainer unpublishes its ports too
    if (opts.remove) {
      await removeContainer(host, spec.project, spec.name, {
        signal: 'SIGKILL',
        graceSeconds: 0,
        hostVeths: spec.endpoints.map((ep) => ep.hostVeth),
        exited,
      });
      traceMark(`exe: ${spec.name} removed`);
    } else if (spec.oneOffPorts?.length) await host.nat.unpublish(oneOffTableName(spec.project, spec.name));
  }
}
