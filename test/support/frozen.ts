// Whether the kernel holds a container's process frozen, read from its own cgroup files
// (v1 freezer hierarchy when the process is in one, else v2's cgroup.events).

import fs from 'node:fs';

export function isFrozen(pid: number): boolean {
  const cgroups = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  const freezer = /^\d+:freezer:(.+)$/m.exec(cgroups)?.[1];
  if (freezer && freezer !== '/')
    return fs.readFileSync(`/sys/fs/cgroup/freezer${freezer}/freezer.state`, 'utf8').trim() !== 'THAWED';
  if (freezer) return false; // in the v1 root: never paused
  const events = fs.readFileSync(`/sys/fs/cgroup${/^0::(.+)$/m.exec(cgroups)![1]}/cgroup.events`, 'utf8');
  return events.split('\n').includes('frozen 1');
}
