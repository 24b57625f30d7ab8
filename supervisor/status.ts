// Read-only views of a stack for `ps` and `logs`: from the state records and /proc, so they
// answer even when the supervisor is gone.

import fs from 'node:fs';
import { paths } from '../store/paths.js';
import { isRunning, readState } from '../store/state-store.js';
import type { HealthStatus } from '../model/records.js';

export interface ContainerStatusRow {
  service: string;
  /** `<project>-<service>-<n>`, also for a container replacing another (planner/plan/plan-instances.ts). */
  name: string;
  /** The name its record, log and cgroup go by: `name`, or a replacement's own (`name.b`). */
  instance: string;
  state: 'running' | 'exited' | 'created';
  /** PID of the container's PID 1 on the host. */
  pid?: number;
  /** The same process's pid inside its own PID namespace (1 for a container's init). */
  pidInNamespace?: number;
  /** The last exit code (kept while a restarted container runs again). */
  exitCode?: number;
  /** starting / healthy / unhealthy while it has a healthcheck; unknown while no supervisor runs to check it. */
  health?: HealthStatus | 'unknown';
  /** Restarts by its restart policy. */
  restarts: number;
  /** Stopped with `stack stop`. */
  stopped?: boolean;
  /** Frozen with `stack pause` (still running: docker's State is `paused` then). */
  paused?: boolean;
  /** The kernel's OOM killer struck in its memory cgroup. */
  oomKilled?: boolean;
  image: string;
  command: string[];
  addresses: { network: string; ip: string }[];
  ports: string[];
  /** `logging.driver` when the service sets one (`none`: no output is kept). */
  logDriver?: string;
  /** The container's labels and annotations, when it has any. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** When the container was made (its folder's birth, else its first start), its last start and stop (ISO). */
  createdAt?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Its volumes and binds (tmpfs and rendered files left out), for compose's Mounts and LocalVolumes. */
  mounts: { type: 'bind' | 'volume'; source: string }[];
  /** Its published ports, for compose's Publishers. */
  publishers: { hostIp: string; hostPort: number; containerPort: number; protocol: 'tcp' | 'udp' }[];
}

export async function containerStatus(project: string): Promise<ContainerStatusRow[]> {
  const [records, nat] = await Promise.all([readState.containers(project), readState.nat(project)]);
  return records.map((r) => {
    const alive = isRunning(r);
    const published = [
      ...(nat?.ports ?? []).filter((p) => p.container === r.spec.name),
      // A one-off's `run -p` ports, while it runs (its table goes with it).
      ...(alive ? (r.spec.oneOffPorts ?? []) : []),
    ];
    const createdAt = birthOf(paths.containerDir(project, r.spec.name)) ?? r.startedAt;
    return {
      service: r.spec.service,
      name: r.spec.containerName ?? r.spec.displayName ?? r.spec.name,
      instance: r.spec.name,
      state: alive
        ? 'running'
        : r.status === 'creating' || r.status === 'created' || r.status === 'starting'
          ? 'created'
          : 'exited',
      ...(alive && r.pid ? { pid: r.pid, pidInNamespace: nsPid(r.pid) } : {}),
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      ...(r.oomKilled ? { oomKilled: true } : {}),
      ...(alive && r.health ? { health: r.health.status } : {}),
      restarts: r.restartCount ?? 0,
      ...(r.stopped ? { stopped: true } : {}),
      ...(alive && r.paused ? { paused: true } : {}),
      image: r.spec.image.ref,
      command: r.spec.argv,
      addresses: r.spec.endpoints.map((e) => ({ network: e.network, ip: e.ip })),
      ports: published.map((p) => `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`),
      ...(r.spec.logging ? { logDriver: r.spec.logging.driver } : {}),
      ...(Object.keys(r.spec.labels).length > 0 ? { labels: r.spec.labels } : {}),
      ...(r.spec.annotations ? { annotations: r.spec.annotations } : {}),
      ...(createdAt ? { createdAt } : {}),
      ...(r.startedAt ? { startedAt: r.startedAt } : {}),
      ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
      mounts: r.spec.mounts.flatMap((m) =>
        m.type === 'bind' || m.type === 'volume' ? [{ type: m.type, source: m.source }] : [],
      ),
      publishers: published.map((p) => ({
        hostIp: p.hostIp ?? '0.0.0.0',
        hostPort: p.hostPort,
        containerPort: p.containerPort,
        protocol: p.protocol,
      })),
    };
  });
}

/** A folder's birth time (statx), when the filesystem keeps one. */
function birthOf(dir: string): string | undefined {
  try {
    const ms = fs.statSync(dir).birthtimeMs;
    return ms > 0 ? new Date(ms).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

/** Last NSpid entry of /proc/PID/status: the pid as the innermost namespace sees it. */
function nsPid(pid: number): number | undefined {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('NSpid:'));
    const ids = line?.split(/\s+/).slice(1).filter(Boolean).map(Number);
    return ids?.[ids.length - 1];
  } catch {
    return undefined;
  }
}

export function logFileOf(project: string, container: string): string {
  return paths.logFile(project, container);
}
