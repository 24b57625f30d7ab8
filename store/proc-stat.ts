// Process identity from /proc: a pid alone can be reused after its process died, so stack
// always pairs it with the start time (field 22 of /proc/PID/stat, in clock ticks since boot).

import fs from 'node:fs';

/** Fields 3… of /proc/PID/stat (state first), or undefined when the process is gone. */
export function statFields(pid: number): string[] | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

export function readStartTime(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[19]) : undefined;
}

/** True when `pid` runs and is the same process that was recorded (not a zombie). */
export function isSameProcess(pid: number | undefined, startTime: number | undefined): boolean {
  if (!pid || startTime === undefined) return false;
  const fields = statFields(pid);
  return !!fields && fields[0] !== 'Z' && Number(fields[19]) === startTime;
}

/**
 * Whether the process has a handler installed for `signal` (SigCgt in /proc/PID/status).
 * The kernel drops a signal without a handler sent to a PID namespace's init from outside
 * it, so for a container's PID 1 this tells whether the stop signal can do anything at all.
 */
export function catchesSignal(pid: number, signal: number): boolean {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('SigCgt:'));
    if (!line) return true;
    const mask = BigInt(`0x${line.slice(7).trim()}`);
    return ((mask >> BigInt(signal - 1)) & 1n) === 1n;
  } catch {
    return true;
  }
}
