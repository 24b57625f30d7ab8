// What `stack top` shows of a container's processes, read from /proc as `ps -ef` reads it:
// /proc/PID/stat for the parent, terminal, start and CPU time, /proc/PID/status for the
// user, /proc/PID/cmdline for the command.

import fs from 'node:fs';
import { statFields } from '../../../store/proc-stat.js';
import type { ContainerProcess } from '../../host.js';

/** USER_HZ: the unit of the times in /proc/PID/stat (100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

let bootMs: number | undefined;
/** btime of /proc/stat: boot, in seconds since the epoch. */
function bootTimeMs(): number {
  bootMs ??= Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0) * 1000;
  return bootMs;
}

/** tty_nr: major 136–143 are the pseudo-terminals (`pts/N`), 4 the virtual consoles. */
function ttyName(ttyNr: number): string | undefined {
  if (ttyNr === 0) return undefined;
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return `tty${minor}`;
  return `${major}:${minor}`;
}

function one(pid: number): ContainerProcess | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  try {
    const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const tty = ttyName(Number(fields[4]));
    return {
      uid,
      pid,
      ppid: Number(fields[1]),
      startedAt: bootTimeMs() + (Number(fields[19]) * 1000) / TICKS_PER_SECOND,
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      ...(tty ? { tty } : {}),
      command: argv.length > 0 ? argv.join(' ') : `[${fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`,
    };
  } catch {
    return undefined; // exited while we read it
  }
}

export function containerProcesses(pids: number[]): ContainerProcess[] {
  return pids
    .sort((a, b) => a - b)
    .map(one)
    .filter((p): p is ContainerProcess => p !== undefined);
}
