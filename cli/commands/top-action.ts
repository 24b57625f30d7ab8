// What `stack top` does (loaded only when it runs; see top.ts): for each running container,
// by name, its name, then its processes (from its cgroup, through the Host) in ps -ef's
// columns, then an empty line, as docker compose top prints them.

import fs from 'node:fs';
import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import type { ContainerProcess } from '../../executor/host.js';
import { containerStatus } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { renderTable } from '../table.js';

export async function top(globals: GlobalOptions, services: string[]): Promise<number> {
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  const unknown = services.filter((s) => !rows.some((r) => r.service === s));
  // As the other commands that act on services (kill, stop …): exit 1.
  if (unknown.length > 0)
    throw new Error(
      unknown.map((s) => `service ${s} has no container in stack ${project}; \`stack up\` creates it`).join('\n'),
    );
  const host = createLinuxHost();
  const users = hostUsers();
  const now = Date.now();
  const running = rows
    .filter((r) => r.state === 'running' && (services.length === 0 || services.includes(r.service)))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const r of running) {
    const processes = await host.containers.processes(project, r.instance);
    const table = [['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']];
    for (const p of processes) table.push(psColumns(p, users, now));
    process.stdout.write(`${r.name}\n${renderTable(table)}\n`);
  }
  return EXIT.ok;
}

/** UID, PID, PPID, C, STIME, TTY, TIME, CMD as `ps -ef` shows them. */
export function psColumns(p: ContainerProcess, users: Map<number, string>, now: number): string[] {
  const elapsed = Math.max(1, (now - p.startedAt) / 1000);
  return [
    users.get(p.uid) ?? String(p.uid),
    String(p.pid),
    String(p.ppid),
    String(Math.floor((p.cpuSeconds * 100) / elapsed)),
    startTime(p.startedAt, now),
    p.tty ?? '?',
    clock(Math.floor(p.cpuSeconds)),
    p.command,
  ];
}

/** `14:05` for a start within a day, `Dec06` before. */
function startTime(at: number, now: number): string {
  const d = new Date(at);
  if (now - at < 24 * 3600 * 1000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${d.toLocaleString('en-US', { month: 'short' })}${pad(d.getDate())}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
const clock = (s: number) => `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;

/** The host's user names, as ps names a container's processes (no user namespace: the ids are the host's). */
function hostUsers(): Map<number, string> {
  const users = new Map<number, string>();
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && !users.has(Number(uid))) users.set(Number(uid), name);
    }
  } catch {
    // numbers then
  }
  return users;
}
