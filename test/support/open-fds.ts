// What fds a process holds, for the tests that check nothing of the host or of the caller
// crosses into a container (issue 13, findings 3 and 5): the host's view through /proc, the
// container's view through busybox `ls -l /proc/PID/fd`, and a way to plant an fd that a
// careless spawn would pass on.

import fs from 'node:fs';
import { dup2 } from '../../executor/host/linux/libc.js';
import { isCloseOnExec, openFdNumbers } from '../../executor/host/linux/inherited-fds.js';

export interface OpenFd {
  fd: number;
  target: string;
  cloexec: boolean;
}

/** Every fd of process `pid` (host view) with what it refers to and whether it is close-on-exec. */
export function openFds(pid: number | 'self'): OpenFd[] {
  const out: OpenFd[] = [];
  for (const fd of openFdNumbers(pid)) {
    try {
      const target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      const cloexec = isCloseOnExec(fd, pid);
      if (cloexec !== undefined) out.push({ fd, target, cloexec });
    } catch {
      // closed meanwhile (e.g. the fd readdirSync itself used)
    }
  }
  return out.sort((a, b) => a.fd - b.fd);
}

/**
 * fd number → target from busybox `ls -l /proc/…/fd` output (`… 1 -> /dev/null`), in fd
 * order. ls's own directory fd is listed without a target: it is closed before ls reads links.
 */
export function lsFds(output: string): Map<number, string> {
  const fds: [number, string][] = [];
  for (const line of output.split('\n')) {
    const m = /^l\S+\s.* (\d+)(?: -> (.*))?$/.exec(line);
    if (m) fds.push([Number(m[1]), m[2] ?? '']);
  }
  return new Map(fds.sort((a, b) => a[0] - b[0]));
}

/**
 * Opens `file` as an fd of this process that is NOT close-on-exec (dup2 clears the flag;
 * Node opens everything with O_CLOEXEC), at the first free number from 30: what a shell's
 * `30<file` gives a command. Close it with fs.closeSync.
 */
export function plantInheritableFd(file: string): number {
  const used = new Set(openFdNumbers());
  let fd = 30;
  while (used.has(fd)) fd++;
  const opened = fs.openSync(file, 'r');
  try {
    dup2(opened, fd);
  } finally {
    fs.closeSync(opened);
  }
  return fd;
}

/** Inodes of this process's NETLINK_NETFILTER sockets (libnftables' connection to the host's nftables). */
export function netfilterSocketInodes(): number[] {
  const NETLINK_NETFILTER = 12;
  const netfilter = new Set(
    fs
      .readFileSync('/proc/self/net/netlink', 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((cols) => Number(cols[1]) === NETLINK_NETFILTER)
      .map((cols) => Number(cols.at(-1))),
  );
  return openFds('self')
    .map((f) => Number(/^socket:\[(\d+)\]$/.exec(f.target)?.[1]))
    .filter((inode) => netfilter.has(inode));
}
