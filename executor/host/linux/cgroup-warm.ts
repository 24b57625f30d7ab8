// Keeps cgroup migrations quick while a command starts containers. Every move of a process
// between cgroups (a write to cgroup.procs) takes the kernel's one global threadgroup rwsem
// for writing; after a quiet spell its first writer waits for an RCU grace period (rcu_sync:
// 6–18 ms on this cgroup v1 host), and for about one more grace period after the last writer
// the next ones pass at once (0.02 ms). A container's init stage joins its groups on a thread
// while it mounts its root, but in a one-shot or a build's RUN step the supervisor releases it
// sooner than the grace period ends, and the exec waited for the join: 11 of the ~34 ms from
// the loader to the removal of a one-shot (STACK_TRACE, wired → released; 1.5 ms with the
// rwsem kept warm by another process). So bin/stack.js starts this at once for commands that
// start containers: this process writes its own pid into the group it is already in (it does
// not move), on a thread-pool thread, then again every few ms while the command runs. A cold
// write is never made on the main thread: it would block it for the whole grace period.
// Refused writes (a user's group, a read-only cgroupfs, rootless mode) end it quietly.

import fs from 'node:fs';

/** Between two writes: well inside the ~6 ms a grace period takes at the least. */
const INTERVAL_MS = 3;

/**
 * This process's own `cgroup.procs` from /proc/self/cgroup's text: its pids group on cgroup v1
 * (any v1 hierarchy takes the same rwsem), its group of the unified hierarchy on v2 (`v2`: the
 * unified hierarchy is mounted at /sys/fs/cgroup itself); undefined when the text has neither.
 */
export function ownProcsFile(procSelfCgroup: string, v2: boolean): string | undefined {
  for (const line of procSelfCgroup.split('\n')) {
    const [id, controllers, group] = line.split(':', 3);
    if (group === undefined || !group.startsWith('/')) continue;
    const dir = group === '/' ? '' : group;
    if (v2 && id === '0' && controllers === '') return `/sys/fs/cgroup${dir}/cgroup.procs`;
    if (!v2 && controllers?.split(',').includes('pids')) return `/sys/fs/cgroup/pids${dir}/cgroup.procs`;
  }
  return undefined;
}

let until = 0;
let running = false;

/** Keeps the writes going for `ms` more (from now); starts them unless they run. Never throws. */
export function keepCgroupMigrationsQuick(ms: number): void {
  until = Math.max(until, Date.now() + ms);
  if (running) return;
  let file: string | undefined;
  try {
    const v2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
    file = ownProcsFile(fs.readFileSync('/proc/self/cgroup', 'utf8'), v2);
  } catch {
    return;
  }
  if (file === undefined) return;
  // Opened here (an open takes no lock) and written on a thread-pool thread: one job, which
  // starts at once; fs.writeFile's open, write and close each wait for the main thread, which
  // is busy loading the bundle, so its first write came too late to help.
  let fd: number;
  try {
    fd = fs.openSync(file, 'w');
  } catch {
    return;
  }
  const pid = Buffer.from(String(process.pid));
  running = true;
  const write = () =>
    fs.write(fd, pid, 0, pid.length, 0, (err) => {
      if (err || Date.now() >= until) {
        running = false;
        fs.close(fd, () => {});
        return;
      }
      // Unref'd: the command ends when its work does, not when this would.
      setTimeout(write, INTERVAL_MS).unref();
    });
  write();
}
