// CPU time (user + system) that this process's finished children used, from the cutime and
// cstime fields of /proc/self/stat. On a shared machine a command's wall time measures the
// other tenants as much as the command; its CPU time much less: benches report both.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** ms of CPU used so far by the children this process has waited for (10 ms resolution). */
export function childrenCpuMs() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / ticksPerSecond;
}
