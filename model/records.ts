// What the state store keeps per container, and the health and readiness the supervisor
// writes into it: read by the CLI (`ps`), the supervisor and the host layer alike.

import type { ContainerSpec } from './plan.js';

/** `created`: made by `stack create` (record, folders, cgroup), never started; `start`/`up` start it. */
export type ContainerStatus = 'creating' | 'created' | 'starting' | 'running' | 'exited';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One run of a container's healthcheck (docker keeps the last five). */
export interface HealthProbe {
  /** ISO times the probe started and ended. */
  start: string;
  end: string;
  /** The probe's exit code; -1 when it exceeded its timeout or could not run. */
  exitCode: number;
  /** Its output (stdout and stderr), cut to 4 KiB. */
  output: string;
}

/** The health of a container with a healthcheck, as `ps` and depends_on conditions see it. */
export interface ContainerHealth {
  status: HealthStatus;
  /** Failed probes in a row (not counting those inside start_period). */
  failingStreak: number;
  log: HealthProbe[];
}

/** What the state store keeps per container; enough to stop and clean it without the file. */
export interface ContainerRecord {
  spec: ContainerSpec;
  status: ContainerStatus;
  pid?: number;
  /** Process start time (field 22 of /proc/PID/stat) to tell a reused pid apart. */
  startTime?: number;
  exitCode?: number;
  /** The kernel's OOM killer struck in the container's memory cgroup (docker's OOMKilled). */
  oomKilled?: boolean;
  startedAt?: string;
  finishedAt?: string;
  /** Set by the supervisor while the container has a healthcheck. */
  health?: ContainerHealth;
  /** Set by the supervisor when a container without a healthcheck is ready, or will not be (supervisor/readiness-monitor.ts). */
  readiness?: Readiness;
  /** Restarts by its restart policy since the container was created. */
  restartCount?: number;
  /** Stopped on purpose (`stack stop`): no restart policy brings it back until `start`. */
  stopped?: boolean;
  /** Frozen by `stack pause` until `unpause` (or a stop, which thaws it). */
  paused?: boolean;
  /** A one-off's `stack run` process, which claimed its addresses and ports (cli/commands/run-claim.ts): its claim lives as long as it does until the container has a pid. */
  claimant?: { pid: number; startTime: number };
}

/** Ready: its ports (spec.readyPorts) accept connections, or it ran for a grace without ports; else the ports that stayed closed. */
export type Readiness = { ready: true } | { ready: false; closedPorts: number[] };
