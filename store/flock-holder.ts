// Who holds a flock(2) on a file, without taking it: /proc/locks lists every lock with its
// holder's pid and the file's device and inode. A probe that took the lock itself, even for
// an instant, could turn away the process the lock is for (a supervisor starting then).

import fs from 'node:fs';

/** The pid holding an exclusive flock on `file`, or undefined when none does (or no file). */
export function flockHolder(file: string): number | undefined {
  let st: fs.Stats;
  let locks: string;
  try {
    st = fs.statSync(file);
    locks = fs.readFileSync('/proc/locks', 'utf8');
  } catch {
    return undefined;
  }
  for (const line of locks.split('\n')) {
    // `1: FLOCK  ADVISORY  WRITE 1234 fe:00:2146631 0 EOF`; a waiter's line has `->` after the number.
    const f = line.trim().split(/\s+/);
    if (f[1] !== 'FLOCK' || f[3] !== 'WRITE') continue;
    const [major, minor, ino] = (f[5] ?? '').split(':');
    if (Number(ino) !== st.ino || deviceNumber(parseInt(major!, 16), parseInt(minor!, 16)) !== st.dev) continue;
    const pid = Number(f[4]);
    if (pid > 0) return pid;
  }
  return undefined;
}

/** glibc's makedev: how stat(2)'s st_dev encodes a major and minor number. */
function deviceNumber(major: number, minor: number): number {
  return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12);
}
