// Signals for a container's PID 1, by name or number, and the stop's escalation: the stop
// signal, a grace period while the process may still leave, then SIGKILL. A pid is signalled
// only by callers that checked its start time against the record (proc-stat.ts).

import os from 'node:os';
import { sendableSignal } from '../../../model/signals.js';
import { catchesSignal, isSameProcess } from '../../../store/proc-stat.js';
import { UnknownSignalError } from './container-start-errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Sends `signal`, waits up to the grace period for the process to leave, then SIGKILLs it.
 * `exited` (the spawner's exit promise) ends the waits as soon as the child is reaped.
 * `container` names it in an error.
 */
export async function signalThenKill(
  pid: number,
  startTime: number,
  signal: string,
  graceSeconds: number,
  exited?: Promise<number>,
  container?: string,
): Promise<void> {
  const signum = signalNumber(signal, container);
  // PID 1 without a handler for the stop signal never sees it (the kernel drops it):
  // waiting out the grace period would only delay the SIGKILL that must follow.
  const deliverable = signum === os.constants.signals.SIGKILL || catchesSignal(pid, signum);
  sendSignal(pid, signal);
  if (!deliverable || !(await waitGone(pid, startTime, graceSeconds * 1000, exited))) {
    sendSignal(pid, 'SIGKILL');
    await waitGone(pid, startTime, 10_000, exited);
  }
}

/** `SIGTERM`, `TERM` or `15` → 15; docker's real-time names too (`SIGRTMIN+3` → 37). */
export function signalNumber(signal: string, container?: string): number {
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  const num = os.constants.signals[name as keyof typeof os.constants.signals] ?? Number(sendableSignal(name));
  if (!Number.isInteger(num) || num <= 0) throw new UnknownSignalError(signal, container);
  return num;
}

export function sendSignal(pid: number, signal: string, container?: string): void {
  try {
    process.kill(pid, signalNumber(signal, container));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Waits until the recorded process is gone (a zombie counts as gone); false on timeout. */
async function waitGone(pid: number, startTime: number, ms: number, exited?: Promise<number>): Promise<boolean> {
  const deadline = Date.now() + ms;
  let done = false;
  void exited?.then(() => {
    done = true;
  });
  while (!done && isSameProcess(pid, startTime)) {
    if (Date.now() >= deadline) return false;
    await Promise.race([sleep(20), exited ?? sleep(20)]);
  }
  return true;
}
