// A supervisor process as the CLI that started it sees it: spawned by this process (a
// ChildProcess), or started by bin/stack, the shell, before this process's Node
// (bin/early-supervisor.sh), which leaves a pid and two fds. One started before its project was
// known (an early supervisor) is told it, or let go, through its stdin. node:fs only: bin/stack.js
// loads this alone (early-handle.cjs) to take the shell's supervisor, before the CLI's bundle.

import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { statFields } from '../store/proc-stat.js';

/** A supervisor process this CLI started: how it ends, and whether it has. */
export interface SupervisorProcess {
  readonly pid: number;
  exited(): boolean;
  /** Resolves once it has exited; this process stays alive meanwhile. */
  gone(): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

/** A supervisor started before its project was known: it waits for it on its stdin. */
export interface EarlySupervisor extends SupervisorProcess {
  /**
   * What it writes until it knows its project (then it moves to the stack's log): an
   * unlinked file, its stdout and stderr, that the CLI reads through this fd. Unlinked, it
   * leaves nothing behind however the two end (both SIGKILLed, say).
   */
  readonly bootOutput: number;
  /** Neither told its project nor let go: its stdin is still this CLI's to write. */
  untold(): boolean;
  /** Writes the project on its stdin and closes it: it serves that stack. */
  tell(project: string): void;
  /** Closes its stdin unused: it reads EOF and exits. */
  letGo(): void;
}

/** A supervisor this process spawned. */
export function childSupervisor(child: ChildProcess): SupervisorProcess {
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  // Registered now: 'exit' is emitted once, maybe before anyone waits.
  const exit = new Promise<void>((resolve) => (exited() ? resolve() : child.once('exit', () => resolve())));
  return {
    pid: child.pid ?? -1,
    exited,
    gone() {
      child.ref(); // unref'd at start: keep the CLI alive until it is gone
      return exit;
    },
    kill: (signal) => void child.kill(signal),
  };
}

/** A supervisor this process spawned with its stdin a pipe (supervisor/launch.ts). */
export function earlyChildSupervisor(child: ChildProcess, bootOutput: number): EarlySupervisor {
  return {
    ...childSupervisor(child),
    bootOutput,
    untold: () => !!child.stdin?.writable,
    tell: (project) => void child.stdin!.end(`${project}\n`),
    letGo: () => void child.stdin?.end(),
  };
}

/**
 * Whether process `pid` has ended: gone, or a zombie. bin/stack's shell started it and then
 * became this process (exec), so it is this process's child, which Node never reaps: it stays
 * a zombie, its pid not reused, until this process exits.
 */
function hasEnded(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state === undefined || state === 'Z' || state === 'X';
}

/** How often `gone` looks at a shell-started supervisor that was told to end. */
const GONE_POLL_MS = 2;

/** Where bin/early-supervisor.sh leaves its ends for the CLI: the FIFO (read-write) and the boot output. */
export const SHELL_FIFO_FD = 7;
export const SHELL_BOOT_OUTPUT_FD = 8;
/** The supervisor's pid, from bin/early-supervisor.sh to bin/stack.js. */
export const SHELL_STARTED_ENV = 'STACK_EARLY_SUPERVISOR';

/**
 * The supervisor bin/early-supervisor.sh started, taken over from the environment and fds 7
 * and 8; undefined when the shell started none. The two fds come from the shell without
 * close-on-exec: they are opened again here with it (a FIFO and an unlinked file reopen through
 * /proc/self/fd) and closed, so no process this CLI spawns holds the supervisor's stdin open.
 */
export function shellStartedSupervisor(env: NodeJS.ProcessEnv = process.env): EarlySupervisor | undefined {
  const value = env[SHELL_STARTED_ENV];
  if (value === undefined) return undefined;
  delete env[SHELL_STARTED_ENV];
  const pid = Number(value);
  // Ours only if the shell that became this process started it: a stray variable names no child.
  if (!Number.isInteger(pid) || pid <= 0 || Number(statFields(pid)?.[1]) !== process.pid) return undefined;
  let input: number | undefined;
  let bootOutput: number;
  try {
    if (!fs.fstatSync(SHELL_FIFO_FD).isFIFO() || !fs.fstatSync(SHELL_BOOT_OUTPUT_FD).isFile()) return undefined;
    input = fs.openSync(`/proc/self/fd/${SHELL_FIFO_FD}`, 'r+');
    bootOutput = fs.openSync(`/proc/self/fd/${SHELL_BOOT_OUTPUT_FD}`, 'r');
  } catch {
    if (input !== undefined) fs.closeSync(input);
    return undefined;
  } finally {
    for (const fd of [SHELL_FIFO_FD, SHELL_BOOT_OUTPUT_FD]) {
      try {
        fs.closeSync(fd);
      } catch {
        /* not open */
      }
    }
  }
  const close = () => {
    if (input === undefined) return;
    fs.closeSync(input);
    input = undefined;
  };
  const exited = () => hasEnded(pid);
  return {
    pid,
    bootOutput,
    exited,
    async gone() {
      while (!exited()) await new Promise((resolve) => setTimeout(resolve, GONE_POLL_MS));
    },
    kill(signal) {
      try {
        process.kill(pid, signal);
      } catch {
        /* ended already */
      }
    },
    untold: () => input !== undefined,
    tell(project) {
      try {
        // One short write to a pipe: it never blocks, and the supervisor reads it whole.
        fs.writeSync(input!, `${project}\n`);
      } finally {
        close();
      }
    },
    letGo: close,
  };
}

/**
 * Where bin/stack.js leaves the early supervisor it took or started before the CLI's bundle
 * loaded (undefined: it started none), for the `up` action (launch.ts earlySupervisorForUp).
 * A registered symbol: the loader's bundles and the CLI's share no module.
 */
const HANDED_OVER = Symbol.for('stack.earlySupervisor');

type WithHandedOver = typeof globalThis & { [HANDED_OVER]?: EarlySupervisor | undefined };

export function handOver(early: EarlySupervisor | undefined): void {
  (globalThis as WithHandedOver)[HANDED_OVER] = early;
}

/** What bin/stack.js handed over, once: `given` false when it decided nothing (not run by it). */
export function takeHandedOver(): { given: boolean; early?: EarlySupervisor } {
  const g = globalThis as WithHandedOver;
  if (!(HANDED_OVER in g)) return { given: false };
  const early = g[HANDED_OVER];
  delete g[HANDED_OVER];
  return { given: true, early };
}

/** For bin/stack.js: hands over the shell's supervisor; false when there is none to take. */
export function handOverShellStarted(): boolean {
  const early = shellStartedSupervisor();
  if (early) handOver(early);
  return early !== undefined;
}
