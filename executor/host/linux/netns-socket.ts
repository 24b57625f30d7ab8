// A netlink socket (or anything else opened there) inside another network namespace, used from the host. A socket belongs
// to the netns it was created in for its whole life, so the thread steps into the target
// netns only for the socket() call: setns(target) → socket() → setns(back), synchronous,
// nothing else in between (anything else there would act inside the container). Requests
// on the socket afterwards act in the container while the thread is back on the host.

import fs from 'node:fs';
import { CLONE, setns, socket, SOCK } from './libc.js';
import { AF_NETLINK, NetlinkSocket } from './netlink.js';
import { SyscallError } from './syscall-error.js';

let hostNet: number | undefined;

/** An fd of the calling thread's own netns, opened once (O_CLOEXEC, Node's default). */
function ownNetns(): number {
  // thread-self: the thread that steps out must be the one that comes back.
  hostNet ??= fs.openSync('/proc/thread-self/ns/net', 'r');
  return hostNet;
}

/** Opens `/proc/PID/ns/net` (or another `kind`); a vanished process is a typed SyscallError, not a bare ENOENT. */
export function openNetnsOf(pid: number, kind: 'net' | 'pid' | 'ipc' = 'net'): number {
  const path = `/proc/${pid}/ns/${kind}`;
  try {
    return fs.openSync(path, 'r');
  } catch (e) {
    const errno = -((e as NodeJS.ErrnoException).errno ?? 0);
    if (errno > 0) throw new SyscallError('open', errno, [path]);
    throw e;
  }
}

/**
 * Runs `open` with the calling thread in the network namespace `nsFd` refers to, and back:
 * what it opens (sockets, /proc/sys/net files) belongs to that namespace for good. `open`
 * must be synchronous and do nothing else.
 */
export function openInNetns<T>(nsFd: number, open: () => T): T {
  const back = ownNetns();
  setns(nsFd, CLONE.NEWNET);
  try {
    return open();
  } finally {
    // If this fails the thread is stranded in the container's netns: let it throw loudly.
    setns(back, CLONE.NEWNET);
  }
}

/** A netlink socket of `protocol` in the network namespace `nsFd` refers to. */
export function netlinkSocketIn(nsFd: number, protocol: number): NetlinkSocket {
  return new NetlinkSocket(
    openInNetns(nsFd, () => socket(AF_NETLINK, SOCK.DGRAM | SOCK.CLOEXEC | SOCK.NONBLOCK, protocol)),
  );
}
